"""The network being trained answers through weight snapshots; networks that cannot take drawings."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from playground.core.presets import preset
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig, Trainer
from playground.gui.draw import source
from playground.gui.draw.panel import DrawPanel
from tests.conftest import cut, facts_of
from tests.gui.draw.conftest import ONE, draw

TINY = NetworkSpec((layer("Flatten"), layer("Linear", units=10)))


@pytest.mark.slow
def test_prediction_improves_while_a_network_trains(panel: DrawPanel, qtbot, sample_dataset,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "QUIET_SECONDS", 0.5)
    data = cut(sample_dataset, 512, 64)
    trainer = Trainer(TINY, data, TrainConfig(epochs=1000, batch_size=32, learning_rate=1e-3, device="cpu"))
    draw(panel.canvas, ONE)
    panel.set_live_model(TINY, data.facts, trainer.snapshot)
    assert panel.source.version() == -1  # nothing published yet
    thread = threading.Thread(target=lambda: list(trainer.run()), daemon=True)
    thread.start()
    try:
        qtbot.waitUntil(lambda: panel.source.version() >= 1, timeout=5000)
        assert panel.model_label.text().endswith("Your network")  # the first weights are not news
        started = panel.source.version()
        qtbot.waitUntil(lambda: panel.source.version() > started, timeout=5000)
        assert "Your network (training…)" in panel.model_label.text()
        first_version, first = panel.source.version(), panel.bars.probabilities()
        qtbot.waitUntil(lambda: panel.source.version() > first_version + 1, timeout=10000)
        qtbot.waitUntil(lambda: not np.allclose(panel.bars.probabilities(), first), timeout=5000)
        own = {p.data_ptr() for p in panel.source.predictor.model.parameters()}
        assert own.isdisjoint(p.data_ptr() for p in trainer.model.parameters())
    finally:
        trainer.stop()
        thread.join(10)
    assert not thread.is_alive()
    qtbot.waitUntil(lambda: panel.model_label.text().endswith("Your network"), timeout=3000)
    panel.use_sample_model()
    assert "Sample model" in panel.model_label.text()
    assert panel.bars.label.text().startswith("1 (")


def test_a_network_that_cannot_take_drawings_says_so(panel: DrawPanel) -> None:
    draw(panel.canvas, ONE)
    panel.set_live_model(preset("small-cnn"), facts_of((3, 32, 32), [str(i) for i in range(10)], 0.5,
                                                       0.25), lambda: (0, {}))
    assert "cannot feed" in panel.bars.note.text() and "3×32×32" in panel.bars.note.text()
    assert panel.bars.note.isVisible() and not panel.bars.chart.isVisible()
    assert panel.bars.probabilities() is None
    draw(panel.canvas, ONE)  # drawing goes on without an error
    assert "cannot feed" in panel.bars.note.text()
    panel.use_sample_model()
    assert panel.bars.chart.isVisible() and panel.bars.label.text().startswith("1 (")


def test_diverged_weights_give_a_message(panel: DrawPanel) -> None:
    state = {key: torch.full_like(value, float("nan"))
             for key, value in source.Predictor(TINY, (1, 28, 28), 10, (0.1,),
                                                (0.3,)).model.state_dict().items()}
    draw(panel.canvas, ONE)
    panel.set_live_model(TINY, facts_of((1, 28, 28), list("0123456789"), 0.1, 0.3), lambda: (3, state))
    assert panel.source.version() == 3
    assert "not a number" in panel.bars.note.text() and panel.bars.probabilities() is None


def test_a_snapshot_that_does_not_fit_gives_a_message(panel: DrawPanel) -> None:
    draw(panel.canvas, ONE)
    panel.set_live_model(TINY, facts_of((1, 28, 28), list("0123456789"), 0.1, 0.3),
                         lambda: (1, {"nonsense": torch.zeros(2)}))
    assert "does not fit" in panel.bars.note.text()


def test_other_class_names_label_the_bars(panel: DrawPanel) -> None:
    names = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
             "Ankle boot"]
    panel.set_live_model(TINY, facts_of((1, 28, 28), names, 0.3, 0.35), lambda: (0, {}))
    draw(panel.canvas, ONE)
    assert panel.bars.class_names() == tuple(names)
    assert panel.bars.label.text().split(" (")[0] in names
