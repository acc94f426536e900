"""Training-panel fixtures: a shown panel on tiny data, and no worker or download thread left running."""

from __future__ import annotations

import pytest

from playground.core.analysis import analyse
from playground.core.presets import preset
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig
from playground.gui.train import TrainingPanel
from playground.gui.train.worker import running_threads

TIMEOUT_MS = 20_000  # generous: the machine may be busy


@pytest.fixture(autouse=True)
def no_worker_left(qtbot):
    """After each test no training or download thread of this package is still running."""
    yield
    left = running_threads()
    for thread in left:
        if hasattr(thread, "trainer"):
            thread.trainer.stop()
        if hasattr(thread, "cancel"):
            thread.cancel.set()
        thread.wait(5000)
    assert not left, f"{len(left)} worker thread(s) outlived the test"


def make_panel(qtbot, dataset, spec: NetworkSpec, **config) -> TrainingPanel:
    """A shown panel at dock size on ``dataset`` with ``spec`` set; ``config`` overrides TrainConfig."""
    panel = TrainingPanel(dataset=dataset, config=TrainConfig(**{"epochs": 2, "batch_size": 32, **config}))
    qtbot.addWidget(panel)
    panel.set_network(spec, analyse(spec, dataset.input_shape, dataset.num_classes))
    panel.resize(700, 700)
    panel.show()
    return panel


@pytest.fixture
def panel(qtbot, tiny_dataset, tiny_spec) -> TrainingPanel:
    """A panel on 256/128 images with one Linear layer, 2 epochs of batch 32."""
    return make_panel(qtbot, tiny_dataset, tiny_spec)


@pytest.fixture
def long_panel(qtbot, tiny_dataset) -> TrainingPanel:
    """A panel whose run lasts (500 epochs of batch 8 with the article's MLP): stop it yourself."""
    return make_panel(qtbot, tiny_dataset, preset("article-mlp"), epochs=500, batch_size=8)


def finish(qtbot, panel: TrainingPanel) -> None:
    """Wait until the panel's run is over."""
    qtbot.waitUntil(lambda: not panel.is_training, timeout=TIMEOUT_MS)


def steps(panel: TrainingPanel) -> int:
    """Batches the plots have received in this run."""
    return len(panel.plots.store)
