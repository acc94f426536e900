"""Training-panel fixtures: a shown panel over its own session on tiny data."""

from __future__ import annotations

import pytest

from playground.core.analysis import analyse
from playground.core.presets import preset
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig
from playground.gui.session import TrainingSession
from playground.gui.train.panel import TrainingPanel

TIMEOUT_MS = 20_000  # generous: the machine may be busy


def make_panel(qtbot, dataset, spec: NetworkSpec, **config) -> TrainingPanel:
    """A shown panel at dock size on ``dataset`` with ``spec`` set; ``config`` overrides TrainConfig."""
    session = TrainingSession(dataset, TrainConfig(**{"epochs": 2, "batch_size": 32, **config}))
    panel = TrainingPanel(session)
    session.setParent(panel)
    qtbot.addWidget(panel)
    session.set_network(spec, analyse(spec, dataset.input_shape, dataset.outputs))
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
    qtbot.waitUntil(lambda: not panel.session.is_training, timeout=TIMEOUT_MS)


def steps(panel: TrainingPanel) -> int:
    """Batches the plots have received in this run."""
    return len(panel.plots.store)
