"""A regression dataset in the window: it trains, and no panel shows accuracy, classes or a crash."""

from __future__ import annotations

from PySide6.QtCore import Qt

from playground.core.spec import NetworkSpec, layer
from tests.wave import wave  # noqa: F401  (a fixture)

RUN_MS = 60_000  # generous: the machine may be busy


def visible_tabs(window) -> list[str]:
    tabs = window.training.plots.tabs
    return [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]


def test_a_regression_source_trains_in_the_window_with_values_not_classes(wave, window, qtbot) -> None:  # noqa: F811
    training, session = window.training, window.session
    training.picker.refresh()
    combo = training.picker.combo
    listed = [combo.itemData(i) for i in range(combo.count())]
    assert 'test-wave {"noise":0.05,"points":400}' in listed  # the registry's listing, default options
    assert training.picker.select("test-wave")
    assert session.config.loss == "mse"  # the settings follow the task
    assert training.form.loss.currentData() == "mse"
    assert "1 output value" in window.dataset_label.text()
    assert not window.model.analysis.ok  # the article's MLP ends with 10 outputs
    assert "1 target value" in window.model.analysis.errors[0].message
    window.model.edit(NetworkSpec((layer("Linear", "tanh", units=16), layer("Linear", units=1))), "regressor")
    assert window.model.analysis.ok
    training.form.epochs.setValue(3)
    with qtbot.waitSignal(session.run_finished, timeout=RUN_MS):
        qtbot.mouseClick(training.controls.start, Qt.MouseButton.LeftButton)
    assert session.last_state == "finished"
    assert "Test RMSE" in training.progress.text() and "R²" in training.progress.text()
    assert "test rmse: " in training.log.toPlainText()
    assert visible_tabs(window) == ["Loss", "R²", "Learning rate", "Gradients"]
    run = session.history.runs[-1]
    assert run.dataset_id.startswith("test-wave") and training.runs.table.item(0, 5).text() == ""
    window.eval_dock.raise_()
    panel = window.eval_dock.widget()
    qtbot.waitUntil(panel.isVisible)
    panel.evaluate()
    assert not panel.running and "not classes" in panel.banner.text.text()
    assert "predicts values" in window.drawing.bars.note.text() or window.drawing.answering_model() is None
