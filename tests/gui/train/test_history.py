"""Run history: every run kept with its settings and curves, differences highlighted, overlays."""

from __future__ import annotations

from PySide6.QtCore import Qt

from playground.core.metrics import RunState
from playground.core.runs import spec_summary
from playground.core.training import TrainConfig
from playground.gui.train.history import CHANGED, Run, RunHistory
from tests.gui.train.conftest import finish


def test_runs_are_listed_compared_and_overlaid(qtbot, panel, tiny_spec):
    panel.start()
    finish(qtbot, panel)
    panel.form.set_config(TrainConfig(optimizer="sgd", learning_rate=0.1, epochs=2, batch_size=32))
    panel.start()
    finish(qtbot, panel)
    runs, table = panel.session.history.runs, panel.runs.table
    assert [r.number for r in runs] == [1, 2] and table.rowCount() == 2
    assert runs[0].config["optimizer"] == "adam" and runs[1].config["optimizer"] == "sgd"
    assert runs[1].network == spec_summary(tiny_spec) == "Flatten, Linear(10)"
    assert len(runs[0].curves.x) == 16 and len(runs[0].curves.test_accuracy) == 2
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    optimizer, batch, accuracy = (headers.index(h) for h in ("Optimizer", "Batch", "Test accuracy"))
    assert table.item(1, optimizer).background().color() == CHANGED
    assert table.item(1, optimizer).toolTip() == "changed from adam"
    assert table.item(1, batch).background().color() != CHANGED
    assert table.item(1, accuracy).text().endswith("%")
    assert table.item(0, 0).checkState() == Qt.CheckState.Checked  # run 1 overlaid when run 2 started
    curves, items = panel.plots._overlays[1]
    assert all(item.isVisible() for _, item in items)
    table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert not any(item.isVisible() for _, item in items)
    table.item(1, 0).setCheckState(Qt.CheckState.Checked)
    assert all(item.isVisible() for _, item in panel.plots._overlays[2][1])


def test_older_projects_runs_that_ended_in_error_read_as_failed(qtbot, panel):
    panel.start()
    finish(qtbot, panel)
    data = panel.session.history.to_dicts()[0]
    assert data["state"] == "finished"
    for stored, state in (("error", RunState.FAILED), ("failed", RunState.FAILED), ("stopped",
                                                                                    RunState.STOPPED)):
        assert Run.from_dict({**data, "state": stored}).state == state
    history = RunHistory()
    assert history.restore([{**data, "state": "exploded"}]) == 1  # a state that is none is unreadable


def test_the_legend_names_only_the_newest_overlays_and_the_notebook_shows_each_colour(qtbot, panel):
    from playground.gui.train.plots import LEGEND_OVERLAYS
    from playground.gui.train.style import overlay_colour

    for _ in range(5):
        panel.reset_weights()
        panel.start()
        finish(qtbot, panel)
    runs = panel.runs
    for number in range(1, 6):
        runs.set_overlay(number, True)
    plots = panel.plots
    # a legend entry per overlaid run grew until it covered a third of the plot
    assert plots.overlay_legend_count() == LEGEND_OVERLAYS == 3
    names = [label.text for _sample, label in plots.plot_of("loss").legend.items]
    assert "Run 5 (adam, lr 0.001)" in names and "Run 1 (adam, lr 0.001)" not in names
    assert all(item.isVisible() for number in range(1, 6) for _, item in plots._overlays[number][1])
    for number in range(1, 6):
        swatch = runs.overlay_box(number).data(Qt.ItemDataRole.DecorationRole)
        assert swatch == overlay_colour(number) and swatch.alpha() >= 180
    runs.set_overlay(5, False)
    assert plots.overlay_legend_count() == 3  # the next newest shown take its place
    assert "Run 2 (adam, lr 0.001)" in [label.text for _s, label in plots.plot_of("loss").legend.items]
