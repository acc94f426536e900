"""Live plots, buffers, ranges and export: constant items, one CSV row per batch, warnings, markers."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from playground.core.metrics import BatchRecord, EpochRecord
from playground.gui.train.buffers import CurveStore, GrowingArray, ema
from playground.gui.train.form import LogSpinBox
from playground.gui.train.gradients import gradient_problems, layer_list
from playground.gui.train.plot_specs import PLOTS
from playground.gui.train.plots import LivePlots
from playground.gui.train.ranges import FrameBudget, epoch_span, log_span, nice_ceil
from playground.gui.train.worker import BatchChunk, RecordChunk
from tests.gui.train.conftest import finish

PER_EPOCH = 50


def chunk(start: int, n: int, lr_change_at: int | None = None, epoch_end: bool = False) -> RecordChunk:
    """``n`` synthetic batches of a 3-layer net from step ``start + 1`` (50 per epoch)."""
    records = []
    for s in range(start + 1, start + n + 1):
        diag = s % 5 == 0
        records.append(BatchRecord(s, (s - 1) // PER_EPOCH + 1, (s - 1) % PER_EPOCH + 1, PER_EPOCH,
                                   2.0 / (1 + s / 100), min(0.1 + s / 1000, 0.99), 0.01 if s != lr_change_at
                                   else 0.001, 1000.0, (math.nan, 0.5 / s, 1.0) if diag else None,
                                   (math.nan, 0.25, math.nan) if diag else None, s == lr_change_at))
    epochs = (EpochRecord(records[-1].epoch, 1.0, 0.5, 0.9, 0.6, 1.0, 1000.0),) if epoch_end else ()
    return RecordChunk(BatchChunk.from_records(records), epochs, ())


def store_of(layers: int) -> CurveStore:
    """An empty store for a run of a ``layers``-layer network."""
    store = CurveStore()
    store.reset(layers)
    return store


def feed(plots: LivePlots, records: RecordChunk) -> None:
    """What a run does with a chunk: its store takes it in, then the plots hear of it."""
    if records.batches is not None:
        plots.store.add_batches(records.batches)
    for record in records.epochs:
        plots.store.add_epoch(record)
    plots.add_chunk(records)


@pytest.fixture
def plots(qtbot) -> LivePlots:
    widget = LivePlots()
    qtbot.addWidget(widget)
    widget.resize(460, 400)
    widget.show()
    widget.start_run(store_of(3), {1: "Layer 2: Linear", 2: "Layer 3: Linear"}, {1: "Layer 2: Linear"},
                     epochs=100)
    return widget


def test_item_counts_stay_constant_over_many_updates(qtbot, plots):
    feed(plots, chunk(0, 10))
    plots.refresh(everything=True)
    qtbot.wait(10)
    items = plots.item_count()
    step = 10
    for _ in range(300):
        feed(plots, chunk(step, 20))
        step += 20
        for tab in range(4):
            plots.tabs.setCurrentIndex(tab)
    qtbot.wait(50)
    assert plots.item_count() == items
    assert len(plots.store) == step and len(plots.store.diag_x) == step // 5


def test_buffers_grow_by_doubling_and_keep_values():
    array = GrowingArray(capacity=4)
    for i in range(10):
        array.extend(np.array([float(i)]))
    assert list(array.view()) == [float(i) for i in range(10)] and array.nbytes == 16 * 8
    array.reset()
    assert len(array) == 0 and array.nbytes == 16 * 8
    assert np.allclose(ema(np.array([1.0, 3.0]), math.nan, 0.5), [1.0, 2.0])


def test_epoch_positions_markers_and_extremes(plots):
    feed(plots, chunk(0, PER_EPOCH, lr_change_at=30, epoch_end=True))
    store = plots.store
    assert store.column("x")[-1] == 1.0 and store.column("epoch_x").tolist() == [1.0]
    assert store.lr_changes == [30 / PER_EPOCH] and plots.marker_count() == 1
    assert store.lr_low == 0.001 and store.lr_high == 0.01 and store.loss_max == pytest.approx(2 / 1.01)
    assert plots.hover_text(plots.plot_of("loss"), 0.5).startswith("epoch 0.50 · loss")
    assert "test" in plots.hover_text(plots.plot_of("accuracy"), 1.0)
    assert "Layer 3: Linear" in plots.hover_text(plots.gradients.norm_plot, 0.5, 0.0)
    plots.start_run(store_of(3), {1: "Layer 2: Linear"}, {}, epochs=2)
    assert plots.marker_count() == 0 and len(plots.store) == 0


def test_gradient_warning_shows_when_gradients_vanish_or_explode(plots):
    plots.tabs.setCurrentWidget(plots.gradients)
    feed(plots, chunk(0, 10))
    plots.refresh()
    assert not plots.gradients.warning.isVisible()
    feed(plots, chunk(10, 1990))  # layer 2's norm falls to 0.5 / 2000 < 1e-3 of layer 3's
    plots.refresh()
    assert plots.gradients.warning.isVisible() and "layer 2" in plots.gradients.warning.text()
    assert gradient_problems(np.array([np.nan, 1e-7, 1e-2, 1.0]), [1, 2, 3]) == ([1], [])
    assert gradient_problems(np.array([2e3, 1e-4, 1.0]), [0, 1, 2]) == ([1], [0])
    assert layer_list([1, 2, 4]) == "2, 3 & 5"


def test_csv_export_has_a_header_and_one_row_per_batch(plots, tmp_path):
    feed(plots, chunk(0, PER_EPOCH, lr_change_at=7, epoch_end=True))
    feed(plots, chunk(PER_EPOCH, 20))
    path = tmp_path / "curves.csv"
    plots.export_csv(str(path))
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == PER_EPOCH + 20
    assert list(rows[0])[:4] == ["step", "epoch_position", "epoch", "loss"]
    assert [r["step"] for r in rows[:3]] == ["1", "2", "3"]
    assert rows[6]["lr_changed"] == "1" and rows[5]["lr_changed"] == "0"
    assert rows[PER_EPOCH - 1]["test_accuracy"] == "0.6" and rows[0]["test_accuracy"] == ""
    assert rows[4]["grad_norm_layer_2"] != "" and rows[3]["grad_norm_layer_2"] == ""
    assert [p.name for p in tmp_path.iterdir()] == ["curves.csv"]  # no temporary file left


def test_png_export_writes_a_png_of_the_visible_plot(plots, tmp_path):
    feed(plots, chunk(0, 30))
    path = tmp_path / "loss.png"
    plots.export_png(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_failed_export_is_reported(plots, tmp_path, qtbot):
    with qtbot.waitSignal(plots.export_button.failed) as failed:
        plots.export_button.export(str(tmp_path / "missing" / "x.csv"), plots.export_csv)
    assert "Could not write" in failed.args[0]


def test_ranges_move_in_steps():
    assert [epoch_span(x, 10) for x in (0.1, 0.3, 0.9, 1.5, 3.0, 9.5)] == [0.25, 0.5, 1, 2, 4, 10]
    assert epoch_span(2.5, 3) == 3
    assert [nice_ceil(v) for v in (2.3, 0.07, 9.0)] == [2.5, 0.08, 10.0]
    assert log_span(1e-3, 1e-3) == (-4.0, -2.0) and log_span(1e-6, 0.5) == (-6.0, 0.0)
    assert log_span(1e-3, 3e-3) == (-4.0, -1.5)
    budget = FrameBudget(1 / 30, busy=0.1)
    budget.spend(0.001)
    assert budget.next_interval_ms() == 33
    for _ in range(20):
        budget.spend(0.02)
        interval = budget.next_interval_ms()
    assert interval == pytest.approx(200, abs=5)


def test_learning_rate_box_steps_on_a_log_scale(qtbot):
    box = LogSpinBox(1e-6, 1e6)
    qtbot.addWidget(box)
    box.setValue(1e-3)
    box.stepBy(1)
    assert box.value() == pytest.approx(2e-3)
    box.stepBy(-2)
    assert box.value() == pytest.approx(5e-4)
    assert box.textFromValue(1e-5) == "1e-05"
    assert box.valueFromText("0.03") == 0.03
    decay = LogSpinBox(0.0, 1.0)
    qtbot.addWidget(decay)
    decay.stepBy(1)
    assert decay.value() == pytest.approx(1e-6)
    decay.stepBy(-1)
    assert decay.value() == 0.0


def test_plots_follow_a_real_run(qtbot, panel):
    panel.plots.tabs.setCurrentWidget(panel.plots.gradients)
    panel.start()
    finish(qtbot, panel)
    store = panel.plots.store
    assert len(store) == 16 and len(store.column("epoch_x")) == 2
    assert len(store.diag_x) >= 2  # each epoch's first batch at least
    assert list(panel.plots.layer_names) == [1]


def test_every_plot_row_draws_columns_of_the_store_and_the_task_picks_the_tabs(plots):
    columns = set(CurveStore.BATCH_COLUMNS) | set(CurveStore.EPOCH_COLUMNS)
    assert all(curve.column in columns for spec in PLOTS for curve in spec.curves)
    titles = [plots.tabs.tabText(i) for i in range(plots.tabs.count()) if plots.tabs.isTabVisible(i)]
    assert titles == ["Loss", "Accuracy", "Learning rate", "Gradients"]
    plots.start_run(store_of(3), {}, {}, epochs=3, task="regression")
    feed(plots, chunk(0, PER_EPOCH))
    plots.store.add_epoch(EpochRecord(1, 1.0, None, 0.5, None, 1.0, 1000.0, test_rmse=0.7, test_r2=0.51))
    titles = [plots.tabs.tabText(i) for i in range(plots.tabs.count()) if plots.tabs.isTabVisible(i)]
    assert titles == ["Loss", "R²", "Learning rate", "Gradients"]
    assert "test R² 0.510, RMSE 0.7" in plots.hover_text(plots.plot_of("r2"), 1.0)


def test_another_network_clears_the_last_runs_live_plots_and_their_warnings(qtbot, sample_dataset):
    from playground.core.analysis import analyse
    from playground.core.presets import preset
    from tests.conftest import cut
    from tests.gui.train.conftest import finish, make_panel

    data = cut(sample_dataset, 256, 128)
    panel = make_panel(qtbot, data, preset("deep-sigmoid"), optimizer="sgd", learning_rate=0.1, batch_size=16,
                       epochs=2)
    plots = panel.plots
    plots.tabs.setCurrentWidget(plots.gradients)
    assert panel.start()
    finish(qtbot, panel)
    plots.refresh(everything=True)
    assert plots.gradients.warning.isVisibleTo(plots.gradients)  # deep sigmoid: vanishing gradients
    plots.hover_label.setText("epoch 1.50 · Layer 2: Linear · gradient norm 1e-06")
    assert len(plots.store) > 0
    spec = preset("article-mlp")
    panel.session.set_network(spec, analyse(spec, data.input_shape, data.outputs))
    # the old network's curves, its vanishing-gradient warning and the readout stayed on screen
    assert len(plots.store) == 0 and not plots.gradients.warning.isVisibleTo(plots.gradients)
    assert plots.hover_label.text() == "Hover over a plot to read its values."
    assert len(panel.session.history.runs) == 1  # the run itself stays, in the notebook
