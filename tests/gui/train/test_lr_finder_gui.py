"""The learning-rate finder in the window: the Find… button beside the learning rate sweeps in the
background, plots the loss against the rate, and one click puts the suggestion into the form."""

from __future__ import annotations

import math

from playground.core.presets import preset
from tests.gui.train.conftest import TIMEOUT_MS, finish, make_panel


def test_the_finder_plots_the_sweep_and_applies_its_suggestion(qtbot, sample_dataset):
    panel = make_panel(qtbot, sample_dataset, preset("article-mlp"))
    assert panel.form.find_lr.isVisible() and panel.form.find_lr.isEnabled()
    weights = panel.session.weights_serial
    panel.form.find_lr.click()
    finder = panel.finder
    assert finder is not None and finder.isVisible()
    qtbot.waitUntil(lambda: finder.sweep is not None, timeout=TIMEOUT_MS)
    sweep = finder.sweep
    x, y = finder.smooth.getData()
    assert len(x) == len(sweep.rates) and math.isclose(10 ** x[0], 1e-7, rel_tol=1e-6)  # log-x plot
    assert finder.line is not None and math.isclose(10 ** finder.line.value(), sweep.suggestion)
    assert finder.answer.text() == sweep.text() and finder.progress.isHidden()
    assert finder.apply_button.isEnabled() and finder.apply_button.text() == f"Use {sweep.suggestion:.2g}"
    qtbot.waitUntil(lambda: finder.worker is None, timeout=TIMEOUT_MS)
    finder.apply_button.click()
    assert panel.form.learning_rate.value() == float(f"{sweep.suggestion:.2g}")
    assert panel.session.config.learning_rate == panel.form.learning_rate.value()
    assert "the finder's suggestion" in panel.log.toPlainText()
    assert panel.session.weights_serial == weights  # the sweep trained its own weights
    qtbot.waitUntil(lambda: panel.finder is None, timeout=TIMEOUT_MS)


def test_closing_the_finder_cancels_its_sweep(qtbot, sample_dataset):
    panel = make_panel(qtbot, sample_dataset, preset("small-cnn"))
    finder = panel.find_learning_rate()
    assert finder is not None
    qtbot.waitUntil(lambda: finder.progress.value() >= 2, timeout=TIMEOUT_MS)
    finder.reject()
    assert finder.worker is None or finder.worker.isFinished()
    assert finder.sweep is None or finder.sweep.stopped == "cancelled"


def test_the_finder_waits_while_a_run_goes(qtbot, long_panel):
    assert long_panel.start()
    assert not long_panel.form.find_lr.isEnabled()
    assert long_panel.find_learning_rate() is None
    assert "the finder runs between runs" in long_panel.banner.text.text()
    long_panel.session.active.trainer.stop()
    finish(qtbot, long_panel)
    assert long_panel.form.find_lr.isEnabled()
