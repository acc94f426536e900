"""Memory over time in the window: a sequence preset brings its task and recipe, the dataset's options
change its length, and the memory dock follows the network's hidden state, gates and dL/dh_t."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QSpinBox

from playground.core.builder import build_model
from playground.core.recurrence import trace_network
from playground.data.tensors import normalise
from playground.gui.train.datasets import OptionsDialog

RUN_MS = 60_000


def memory_view(window):
    window.memory_dock.show()
    window.memory_dock.raise_()
    view = window.memory_dock.widget()
    view.throttle_ms = 0
    return view


def test_a_sequence_preset_brings_its_task_and_recipe_and_the_memory_view_follows_it(window, qtbot) -> None:
    training, session = window.training, window.session
    assert window.model.load_preset("lstm-recall")
    assert session.dataset.ref.id == "seq:recall" and session.dataset.input_shape == (50, 17)
    assert window.model.analysis.ok, window.model.analysis.errors
    form = training.form
    assert (form.epochs.value(), form.batch_size.value(), form.clip.value()) == (25, 32, 1.0)
    assert session.config.learning_rate == pytest.approx(0.005) and session.config.clip_norm == 1.0
    assert "LSTM recall (32 units): Recall the first token" in training.log.toPlainText()
    view = memory_view(window)
    view.refresh()
    trace = view.trace
    assert trace is not None and trace.kind == "LSTM" and trace.steps == 50
    assert "fresh, untrained weights" in view.showing.text() and "test sequence 1" in view.showing.text()
    assert view.gate.currentData() == "forget" and view.gate_plot.isVisible()
    # the memory setting opened the forget gates: a fresh LSTM keeps almost all of its cell each step
    assert float(trace.gates[-1]["forget"].mean()) > 0.95
    # the drawn gradients are the trace of the same network and weights on the same sequence
    data = session.dataset
    torch.manual_seed(session.config.seed or 0)
    config = session.config
    model = build_model(session.spec, data.input_shape, data.outputs, config.init, config.loss)
    x = normalise(torch.from_numpy(np.array(data.test_x[:1])), data.mean, data.std)[0]
    expected = trace_network(model, x, torch.as_tensor(data.test_y[0]), session.config.loss).grad_norms
    torch.testing.assert_close(trace.grad_norms, expected)
    # side by side, fresh: over 50 steps a plain RNN's dL/dh_1 has all but vanished; the gated cells' have not
    assert set(view.compared) == {"RNN", "LSTM", "GRU"}
    assert view.vanishing_ratio("RNN") < 1e-3 < view.vanishing_ratio("LSTM")
    assert view.vanishing_ratio("GRU") > 1e-3
    assert len(view.grad_plot.listDataItems()) == 4


def test_the_dataset_options_change_the_sequence_length_and_training_updates_the_view(
        window, qtbot, monkeypatch) -> None:
    training, session = window.training, window.session
    assert window.model.load_preset("gru-recall")
    picker = training.picker
    assert picker.options.isVisible()

    def accept(dialog: OptionsDialog) -> int:
        fields = dialog.fields
        assert isinstance(fields["length"], QSpinBox) and fields["length"].maximum() == 200
        fields["length"].setValue(10)
        fields["samples"].setValue(300)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(OptionsDialog, "exec", accept)
    assert picker.edit_options()
    assert session.dataset.input_shape == (10, 17) and len(session.dataset.test_y) == 60
    texts = [picker.combo.itemText(i) for i in range(picker.combo.count())]
    assert picker.combo.currentText() == "Recall the first token (sequence) (length 10, samples 300)"
    assert not any(text.startswith("IDX: ") for text in texts)  # no stray row for the new options
    view = memory_view(window)
    view.refresh()
    assert view.trace.steps == 10 and view.trace.kind == "GRU" and view.gate.currentData() == "update"
    training.form.epochs.setValue(1)
    with qtbot.waitSignal(session.run_finished, timeout=RUN_MS):
        qtbot.mouseClick(training.controls.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "trained for 1 epoch(s)" in view.showing.text(), timeout=5000)
    view.index.setValue(7)
    assert "test sequence 7" in view.showing.text() and "Target " in view.showing.text()


def test_the_memory_view_reads_an_image_row_by_row_and_says_what_it_needs(window) -> None:
    view = memory_view(window)
    view.refresh()
    assert view.trace is None and "starts with an RNN, LSTM or GRU" in view.note.text()
    assert window.model.load_preset("lstm-rows")
    view.refresh()
    assert view.trace is not None and view.trace.steps == 28 and view.trace.kind == "LSTM"
    assert view.gate.count() == 4


def test_the_sine_preset_forecasts_and_training_brings_the_forecast_closer(window, qtbot) -> None:
    training, session = window.training, window.session
    assert window.model.load_preset("lstm-sine")
    assert session.dataset.ref.id == "seq:sine" and session.config.loss == "mse"
    view = memory_view(window)
    view.refresh()
    assert view.forecast_button.isVisible() and view.trace.kind == "LSTM"
    assert "Target " in view.showing.text() and "it predicts" in view.showing.text()
    dialog = view.open_forecast()
    fresh = dialog.shown
    assert fresh is not None and len(fresh.truth) == 400 and len(fresh.free) == 50
    assert "fresh, untrained weights" in dialog.answer.text()
    training.form.epochs.setValue(4)
    with qtbot.waitSignal(session.run_finished, timeout=RUN_MS):
        qtbot.mouseClick(training.controls.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "trained for 4 epoch(s)" in dialog.answer.text(), timeout=5000)
    assert dialog.shown.one_step_rmse < fresh.one_step_rmse / 2
    dialog.steps.setValue(20)
    assert len(dialog.shown.free) == 20
    dialog.close()
    assert window.model.load_preset("lstm-recall")
    view.refresh()
    assert not view.forecast_button.isVisible()


def test_a_project_trained_on_a_sequence_task_reopens_with_its_task_and_length(window, tmp_path) -> None:
    from playground.cli import main

    path = tmp_path / "recall.nnproj"
    assert main(["train", "--preset", "gru-recall", "--length", "12", "--option", "samples=200",
                 "--epochs", "1", "--save", str(path)]) == 0
    assert window.files.open_path(path)
    session = window.session
    assert session.dataset.ref.id == "seq:recall" and session.dataset.input_shape == (12, 17)
    shown = window.training.picker.combo.currentText()
    assert shown.startswith("Recall the first token (sequence) (length 12")
    view = memory_view(window)
    view.refresh()
    assert view.trace.kind == "GRU" and view.trace.steps == 12
    assert "trained for 1 epoch(s)" in view.showing.text()


def test_no_plot_of_the_window_orphans_its_menu(window) -> None:
    """pyqtgraph's setMenuEnabled(False) leaves a parentless QMenu to the garbage collector, which can
    delete it in the middle of a Qt call: a crash the suite once saw. Every view keeps its menu."""
    import pyqtgraph as pg

    boxes = [item for view in window.findChildren(pg.GraphicsView) for item in view.items()
             if isinstance(item, pg.ViewBox)]
    assert len(boxes) >= 8
    assert all(box.menu is not None for box in boxes)
