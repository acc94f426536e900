"""The lab notebook in the window: each run's changes and result, a typed note that marks the project and
survives save and reopen, sorting, and the Markdown export with a plot per run."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from playground.core.spec import layer
from tests.gui.projects import choose_file, train


def headers(table) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def test_the_notebook_lists_changes_and_notes_and_exports_them(window, qtbot, tmp_path, monkeypatch):
    runs = window.training.runs
    table = runs.table
    assert not runs.export_button.isEnabled()
    train(qtbot, window)
    window.training.reset_weights()
    window.training.form.learning_rate.setValue(0.01)
    model = window.editor.model
    assert model.edit(model.spec.insert(2, layer("Dropout", p=0.2)), "Add Dropout")  # after the hidden layer
    train(qtbot, window)
    columns = headers(table)
    summary, changed, note = (columns.index(h) for h in ("Summary", "What changed", "Note"))
    assert table.item(runs.row_of(1), changed).text() == "first run"
    assert table.item(runs.row_of(2), changed).text() == "Dropout(0.2) added after layer 2; lr 0.001 -> 0.01"
    assert table.item(runs.row_of(2), summary).text().startswith("test acc 0.")
    assert table.item(runs.row_of(2), summary).text().endswith("at epoch 1")
    # a typed note is kept, marks the project as changed, and comes back with it
    target = tmp_path / "notes.nnproj"
    choose_file(monkeypatch, target)
    assert window.files.save() and not window.isWindowModified()
    runs.note_cell(2).setText("dropout and a bigger step: similar, noisier")
    assert window.session.history.runs[1].note == "dropout and a bigger step: similar, noisier"
    assert window.isWindowModified()
    assert window.files.save()
    window.files.new()
    assert table.rowCount() == 0 and not runs.export_button.isEnabled()
    assert window.files.open_path(target)
    assert table.rowCount() == 2 and runs.note_cell(2).text() == "dropout and a bigger step: similar, noisier"
    assert table.item(runs.row_of(2), changed).text() == "Dropout(0.2) added after layer 2; lr 0.001 -> 0.01"
    # sorting by the run number, descending, moves the rows; the overlay boxes follow their runs
    table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert table.item(0, 1).text() == "2" and runs.row_of(1) == 1
    runs.set_overlay(1, False)
    runs.set_overlay(2, True)
    assert runs.overlay_box(2).checkState() == Qt.CheckState.Checked
    assert window.training.plots._overlays[2][1][0][1].isVisible()
    # the export: Markdown with one plot per run
    out = tmp_path / "report" / "week3.md"
    out.parent.mkdir()
    assert runs.export_button.isEnabled() and window.training.export_notebook_to(out)
    text = out.read_text()
    assert text.startswith("# Lab notebook: week3\n")
    assert "| 2 | Dropout(0.2) added after layer 2; lr 0.001 -> 0.01 |" in text
    assert "dropout and a bigger step: similar, noisier |" in text
    for number in (1, 2):
        assert f"![Run {number}: loss and test accuracy](week3-plots/run-{number}.png)" in text
        image = QImage(str(out.parent / "week3-plots" / f"run-{number}.png"))
        assert image.width() >= 700 and image.height() >= 200
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 3  # curves and axes drawn, not a blank picture
    assert "Lab notebook written: week3.md and 2 plots" in window.training.log.toPlainText()
    assert window.training.export_notebook_to(tmp_path / "week3.html")
    assert (tmp_path / "week3.html").read_text().startswith("<!DOCTYPE html>")
    assert not window.training.export_notebook_to(tmp_path / "week3.txt")
    assert "cannot export the notebook as week3.txt" in window.training.banner.text.text()
