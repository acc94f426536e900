"""Run history: every run with its configuration and curves (to and from JSON), and a table comparing them."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.metrics import RunState
from playground.core.notebook import NOTE_LIMIT, changed_text, result_line
from playground.core.runs import CURVE_NAMES, EPOCH_LOSSES, run_dict
from playground.gui.train.buffers import RunCurves
from playground.gui.train.style import overlay_colour

CHANGED = QColor("#fff2b3")
REQUIRED_CONFIG = ("optimizer", "learning_rate", "batch_size", "epochs", "loss", "init", "weight_decay",
                   "augment", "seed", "schedule", "device", "validation_fraction")  # in every saved run
CONFIG_COLUMNS = (*REQUIRED_CONFIG, "early_stop")


@dataclass
class Run:
    """One finished run: what it trained with (``dataset_id`` is its DataRef's key), how it ended, and
    its curves."""

    number: int
    config: dict[str, Any]
    network: str
    spec_json: str
    dataset_id: str
    state: RunState
    curves: RunCurves
    final_test_accuracy: float
    seconds: float
    samples_per_second: float
    lr_changes: list[float] = field(default_factory=list)
    note: str = ""  # what the user wrote about it, in the notebook
    best_epoch: int | None = None  # with early stopping: the epoch whose weights the run kept
    stopped_early: bool = False

    def label(self) -> str:
        """"Run 2 (adam, lr 0.001)", for legends."""
        return f"Run {self.number} ({self.config['optimizer']}, lr {self.config['learning_rate']:g})"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (NaN as null; a long loss curve thinned to SAVED_POINTS)."""
        curves = {name: getattr(self.curves, name) for name in (*CURVE_NAMES, *EPOCH_LOSSES)}
        return run_dict(self.number, self.config, self.network, self.spec_json, self.dataset_id, self.state,
                        curves, self.final_test_accuracy, self.seconds, self.samples_per_second,
                        self.lr_changes, note=self.note, best_epoch=self.best_epoch,
                        stopped_early=self.stopped_early)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Run:
        """The run ``to_dict`` described. Raises ValueError, KeyError or TypeError on other data."""
        curves = {name: _array(data["curves"][name]) for name in CURVE_NAMES}
        if len(curves["x"]) != len(curves["loss_ema"]) or len(curves["epoch_x"]) != len(
                curves["test_accuracy"]):
            raise ValueError("curve lengths differ")
        for name in EPOCH_LOSSES:  # older projects lack them: empty, and the notebook does without
            values = _array(data["curves"].get(name, []))
            curves[name] = values if len(values) == len(curves["epoch_x"]) else np.zeros(0)
        note, best = data.get("note", ""), data.get("best_epoch")
        config = data["config"]
        if not isinstance(config, dict) or not set(REQUIRED_CONFIG) <= set(config):
            raise ValueError("incomplete run configuration")
        accuracy = data["final_test_accuracy"]
        return cls(int(data["number"]), config, str(data["network"]), str(data["spec_json"]),
                   str(data["dataset_id"]), RunState.parse(str(data["state"])), RunCurves(**curves),
                   math.nan if accuracy is None else float(accuracy), float(data["seconds"]),
                   float(data["samples_per_second"]), [float(x) for x in data.get("lr_changes", [])],
                   note[:NOTE_LIMIT] if isinstance(note, str) else "",
                   best if isinstance(best, int) and not isinstance(best, bool) and best > 0 else None,
                   data.get("stopped_early") is True)


def _array(values: Any) -> np.ndarray:
    if not isinstance(values, list):
        raise TypeError("a curve must be a list")
    return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)


class RunHistory(QObject):
    """The runs of this session, oldest first; ``revision`` counts the changes."""

    run_added = Signal(object)
    run_changed = Signal(object)  # its note was edited
    runs_replaced = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runs: list[Run] = []
        self.revision = 0

    def next_number(self) -> int:
        """The number the next run gets."""
        return len(self.runs) + 1

    def add(self, run: Run) -> None:
        """Keep ``run`` and announce it."""
        self.runs.append(run)
        self.revision += 1
        self.run_added.emit(run)

    def set_note(self, number: int, note: str) -> bool:
        """Keep ``note`` (capped at NOTE_LIMIT characters) for run ``number``; True when it changed."""
        note = note[:NOTE_LIMIT]
        if not 1 <= number <= len(self.runs) or self.runs[number - 1].note == note:
            return False
        run = self.runs[number - 1]
        run.note = note
        self.revision += 1
        self.run_changed.emit(run)
        return True

    def to_dicts(self) -> tuple[dict[str, Any], ...]:
        """Every run as JSON data, for a project file."""
        return tuple(run.to_dict() for run in self.runs)

    def replace(self, runs: list[Run]) -> None:
        """Forget the runs and take ``runs`` (renumbered 1, 2, ...) instead."""
        self.runs = []
        self.revision += 1
        self.runs_replaced.emit()
        for number, run in enumerate(runs, start=1):
            run.number = number
            self.add(run)

    def restore(self, data: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> int:
        """Replace the runs by those in ``data`` (from a project); returns how many were unreadable."""
        runs = []
        for item in data:
            try:
                runs.append(Run.from_dict(item))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
        self.replace(runs)
        return len(data) - len(runs)


def _text(key: str, value: Any) -> str:
    if key == "early_stop":
        return _tr_off() if not value else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "random"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _tr_off() -> str:
    return QCoreApplication.translate("RunTable", "off")


SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # a number to sort a cell by, where its text is a formatted one


class _Cell(QTableWidgetItem):
    """A table cell that sorts by its SORT_ROLE number when it has one, else by its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if isinstance(mine, int | float) and isinstance(theirs, int | float):
            return (math.inf if math.isnan(mine) else mine) < (math.inf if math.isnan(theirs) else theirs)
        return super().__lt__(other)


def _cell(text: str, sort: float | None = None) -> _Cell:
    item = _Cell(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if sort is not None:
        item.setData(SORT_ROLE, float(sort))
    return item


class RunTable(QWidget):
    """The lab notebook: a row per run with a checkbox to overlay it, its result in one line, what
    changed from the previous run, a note the user types (double-click), and the hyperparameters, the
    cells that differ from the previous run highlighted. Click a header to sort; Export writes the
    notebook as Markdown or HTML with a plot per run."""

    overlay_toggled = Signal(int, bool)
    export_requested = Signal()

    def __init__(self, history: RunHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.headers = [self.tr("Show"), self.tr("Run"), self.tr("Summary"), self.tr("Note"),
                        self.tr("What changed"), self.tr("Test accuracy"), self.tr("Result"),
                        self.tr("Time (s)"), self.tr("Samples/s"), self.tr("Dataset"), self.tr("Network"),
                        self.tr("Optimizer"),
                        self.tr("Learning rate"), self.tr("Batch"), self.tr("Epochs"), self.tr("Loss"),
                        self.tr("Init"), self.tr("Weight decay"), self.tr("Augment"), self.tr("Seed"),
                        self.tr("Schedule"), self.tr("Device"), self.tr("Validation"),
                        self.tr("Early stopping")]
        self.note_column = self.headers.index(self.tr("Note"))
        self.table = QTableWidget(0, len(self.headers), self)
        self.table.setHorizontalHeaderLabels(self.headers)
        self.table.setAccessibleName(self.tr("Run history"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)  # the Note cells only
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSortIndicatorShown(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.export_button = QPushButton(self.tr("Export Notebook…"), self)
        self.export_button.setToolTip(self.tr(
            "Write every run (what changed, its result, your note, a plot) as Markdown or HTML"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_requested)
        hint = QLabel(self.tr("Double-click a note to edit it; click a header to sort."), self)
        hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(hint, 1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        history.run_added.connect(self._on_run_added)
        history.runs_replaced.connect(self._on_runs_replaced)
        self.table.itemChanged.connect(self._on_item_changed)

    def row_of(self, number: int) -> int:
        """The table row showing run ``number`` (rows move when sorted); -1 when none does."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == number:
                return row
        return -1

    @Slot(object)
    def _on_run_added(self, run: Run) -> None:
        previous = self.history.runs[-2] if len(self.history.runs) > 1 else None
        self.table.setSortingEnabled(False)  # while the row fills, or it moves under our hands
        self.table.blockSignals(True)
        row = self.table.rowCount()
        self.table.insertRow(row)
        show = _cell("", run.number)
        show.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        show.setCheckState(Qt.CheckState.Unchecked)
        show.setData(Qt.ItemDataRole.UserRole, run.number)
        show.setToolTip(self.tr("Show this run's curves, dashed in this colour, on the loss and accuracy "
                                "plots (overlay)"))
        show.setData(Qt.ItemDataRole.DecorationRole, overlay_colour(run.number))
        self.table.setItem(row, 0, show)
        accuracy = "" if math.isnan(run.final_test_accuracy) else f"{run.final_test_accuracy:.2%}"
        record = run.to_dict()
        changed = changed_text(previous.to_dict() if previous else None, record)
        summary, what = _cell(result_line(record)), _cell(changed)
        summary.setToolTip(summary.text())
        what.setToolTip(changed)
        note = _cell(run.note)
        note.setFlags(note.flags() | Qt.ItemFlag.ItemIsEditable)
        note.setToolTip(run.note or self.tr("Double-click to write a note about this run"))
        score = _cell(accuracy, run.final_test_accuracy)
        score.setFont(QFont(self.font().family(), weight=QFont.Weight.Bold))
        fixed = [_cell(str(run.number), run.number), summary, note, what, score, _cell(run.state),
                 _cell(f"{run.seconds:.1f}", run.seconds),
                 _cell(f"{run.samples_per_second:,.0f}", run.samples_per_second)]
        for col, item in enumerate(fixed, start=1):
            self.table.setItem(row, col, item)
        compared = [("dataset", run.dataset_id), ("network", run.network),
                    *((key, run.config.get(key)) for key in CONFIG_COLUMNS)]
        before = ({"dataset": previous.dataset_id, "network": previous.network, **previous.config}
                  if previous else {})
        for col, (key, value) in enumerate(compared, start=len(fixed) + 1):
            item = _cell(_text(key, value), value if isinstance(value, int | float) and
                         not isinstance(value, bool) else None)
            if previous is not None and before.get(key) != value:
                item.setBackground(QBrush(CHANGED))
                item.setToolTip(self.tr("changed from {0}").format(_text(key, before.get(key))))
            elif key == "network":
                item.setToolTip(json.dumps(json.loads(run.spec_json), indent=1))
            self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self.table.setSortingEnabled(True)
        for col in range(self.table.columnCount()):
            self._fit(col)
        self.export_button.setEnabled(True)
        self.table.scrollToItem(show)

    @Slot()
    def _on_runs_replaced(self) -> None:
        self.table.setRowCount(0)
        self.export_button.setEnabled(False)

    def set_overlay(self, number: int, shown: bool) -> None:
        """Tick or untick run ``number``'s overlay box (emits ``overlay_toggled``)."""
        item = self.table.item(self.row_of(number), 0)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)

    def overlay_box(self, number: int) -> QTableWidgetItem | None:
        """The overlay checkbox of run ``number``."""
        return self.table.item(self.row_of(number), 0)

    def note_cell(self, number: int) -> QTableWidgetItem | None:
        """The Note cell of run ``number``."""
        return self.table.item(self.row_of(number), self.note_column)

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        number = self.table.item(item.row(), 0)
        if number is None:
            return
        run = int(number.data(Qt.ItemDataRole.UserRole))
        if item.column() == 0:
            self.overlay_toggled.emit(run, item.checkState() == Qt.CheckState.Checked)
        elif item.column() == self.note_column and self.history.set_note(run, item.text()):
            item.setToolTip(item.text())
            self._fit(self.note_column)

    def _fit(self, column: int) -> None:
        """Fit ``column`` to its contents, within reason (a long note is read in its tooltip)."""
        self.table.resizeColumnToContents(column)
        self.table.setColumnWidth(column, min(self.table.columnWidth(column), 320))
