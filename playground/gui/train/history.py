"""Run history: every run with its configuration and curves (to and from JSON), and a table comparing them."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.metrics import RunState
from playground.core.notebook import NOTE_LIMIT
from playground.core.runs import CURVE_NAMES, EPOCH_LOSSES, run_dict
from playground.gui.train.buffers import RunCurves

CHANGED = QColor("#fff2b3")
CONFIG_COLUMNS = ("optimizer", "learning_rate", "batch_size", "epochs", "loss", "init", "weight_decay",
                  "augment", "seed", "schedule", "device", "validation_fraction")


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
        if not isinstance(config, dict) or not {"optimizer", "learning_rate", *CONFIG_COLUMNS} <= set(config):
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
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "random"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class RunTable(QWidget):
    """A table of runs: a checkbox to overlay each one, the result, and the hyperparameters, with
    the cells that differ from the previous run highlighted."""

    overlay_toggled = Signal(int, bool)

    def __init__(self, history: RunHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.headers = [self.tr("Overlay"), self.tr("Run"), self.tr("Result"), self.tr("Test accuracy"),
                        self.tr("Time (s)"), self.tr("Samples/s"), self.tr("Dataset"), self.tr("Network"),
                        self.tr("Optimizer"), self.tr("Learning rate"), self.tr("Batch"), self.tr("Epochs"),
                        self.tr("Loss"), self.tr("Init"), self.tr("Weight decay"), self.tr("Augment"),
                        self.tr("Seed"), self.tr("Schedule"), self.tr("Device"), self.tr("Validation")]
        self.table = QTableWidget(0, len(self.headers), self)
        self.table.setHorizontalHeaderLabels(self.headers)
        self.table.setAccessibleName(self.tr("Run history"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        history.run_added.connect(self._on_run_added)
        history.runs_replaced.connect(self._on_runs_replaced)
        self.table.itemChanged.connect(self._on_item_changed)

    @Slot(object)
    def _on_run_added(self, run: Run) -> None:
        previous = self.history.runs[-2] if len(self.history.runs) > 1 else None
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        show = QTableWidgetItem()
        show.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        show.setCheckState(Qt.CheckState.Unchecked)
        show.setData(Qt.ItemDataRole.UserRole, run.number)
        show.setToolTip(self.tr("Show this run's curves, dimmed, on the loss and accuracy plots"))
        self.table.setItem(row, 0, show)
        accuracy = "" if math.isnan(run.final_test_accuracy) else f"{run.final_test_accuracy:.2%}"
        fixed = [str(run.number), run.state, accuracy, f"{run.seconds:.1f}", f"{run.samples_per_second:,.0f}"]
        for col, text in enumerate(fixed, start=1):
            item = QTableWidgetItem(text)
            if col == 3:
                item.setFont(QFont(self.font().family(), weight=QFont.Weight.Bold))
            self.table.setItem(row, col, item)
        compared = [("dataset", run.dataset_id), ("network", run.network),
                    *((key, run.config[key]) for key in CONFIG_COLUMNS)]
        before = ({"dataset": previous.dataset_id, "network": previous.network, **previous.config}
                  if previous else {})
        for col, (key, value) in enumerate(compared, start=6):
            item = QTableWidgetItem(_text(key, value))
            if previous is not None and before.get(key) != value:
                item.setBackground(QBrush(CHANGED))
                item.setToolTip(self.tr("changed from {0}").format(_text(key, before.get(key))))
            elif key == "network":
                item.setToolTip(json.dumps(json.loads(run.spec_json), indent=1))
            self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self.table.scrollToBottom()

    @Slot()
    def _on_runs_replaced(self) -> None:
        self.table.setRowCount(0)

    def set_overlay(self, number: int, shown: bool) -> None:
        """Tick or untick run ``number``'s overlay box (emits ``overlay_toggled``)."""
        item = self.table.item(number - 1, 0)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self.overlay_toggled.emit(int(item.data(Qt.ItemDataRole.UserRole)),
                                      item.checkState() == Qt.CheckState.Checked)
