"""The memory-length experiment in the window: it trains in the background with progress, fills the plot
and the table as results come, stops on request and says what is wrong with its fields."""

from __future__ import annotations

from playground.gui.inspect.memory_length_dialog import MemoryLengthDialog

RUN_MS = 120_000


def small(dialog: MemoryLengthDialog, lengths: str = "5, 8") -> None:
    dialog.lengths.setText(lengths)
    dialog.cell_boxes["LSTM"].setChecked(False)
    dialog.epochs.setValue(2)
    dialog.samples.setValue(200)


def test_the_experiment_trains_each_cell_at_each_length_and_plots_accuracy_against_t(qtbot) -> None:
    dialog = MemoryLengthDialog()
    qtbot.addWidget(dialog)
    small(dialog)
    assert dialog.run()
    assert not dialog.run()  # one at a time
    assert dialog.progress.maximum() == 8 and not dialog.run_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=RUN_MS)
    assert [(r.cell, r.length) for r in dialog.results] == [("RNN", 5), ("GRU", 5), ("RNN", 8), ("GRU", 8)]
    assert all(0.0 <= r.accuracy <= 1.0 and r.epochs == 2 for r in dialog.results)
    assert dialog.table.rowCount() == 4 and dialog.table.item(3, 1).text() == "GRU"
    xs, ys = dialog.curves["GRU"].getData()
    assert [round(10 ** x) for x in xs] == [5, 8] and len(ys) == 2  # the axis is logarithmic
    assert dialog.curves["LSTM"].getData()[0] is None or len(dialog.curves["LSTM"].getData()[0]) == 0
    assert dialog.status.text().startswith("Done: at T = 8, RNN")
    assert dialog.run_button.isEnabled() and not dialog.stop_button.isEnabled()


def test_stop_keeps_the_finished_runs_and_bad_fields_are_named(qtbot) -> None:
    dialog = MemoryLengthDialog()
    qtbot.addWidget(dialog)
    dialog.lengths.setText("5, 300")
    assert not dialog.run() and "from 5 to 200" in dialog.status.text()
    dialog.lengths.setText("five")
    assert not dialog.run() and "whole numbers" in dialog.status.text()
    small(dialog, "5, 10, 20")
    for box in dialog.cell_boxes.values():
        box.setChecked(False)
    assert not dialog.run() and "at least one cell" in dialog.status.text()
    dialog.cell_boxes["RNN"].setChecked(True)
    assert dialog.run()
    qtbot.waitUntil(lambda: len(dialog.results) >= 1, timeout=RUN_MS)
    dialog.stop()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=RUN_MS)
    assert 1 <= len(dialog.results) < 3 and dialog.status.text().startswith("Stopped after")


def test_closing_cancels_a_running_experiment(qtbot) -> None:
    dialog = MemoryLengthDialog()
    qtbot.addWidget(dialog)
    small(dialog, "50, 100")
    dialog.samples.setValue(5000)
    assert dialog.run()
    worker = dialog.worker
    dialog.close()
    assert worker.isFinished()


def test_the_memory_view_opens_the_experiment_and_closing_the_window_stops_it(window, qtbot) -> None:
    view = window.memory_dock.widget()
    dialog = view.open_experiment()
    assert dialog.isVisible() and view.open_experiment() is dialog  # one dialog
    small(dialog, "50, 100")
    assert dialog.run()
    worker = dialog.worker
    window.close()
    assert worker.isFinished()
