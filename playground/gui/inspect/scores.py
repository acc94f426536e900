"""ScoreTable: per-class precision, recall and image count of an evaluation."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from playground.core.evaluation import Evaluation

POOR = 0.8  # scores under this are shown in red


class ScoreTable(QTableWidget):
    """One row per class: its name, precision, recall and how many test images it has."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels([self.tr("class"), self.tr("precision"), self.tr("recall"),
                                        self.tr("images")])
        tips = (self.tr("The class"),
                self.tr("Of the images the network called this class, the share that truly are it"),
                self.tr("Of the images of this class, the share the network called it"),
                self.tr("Test images of this class"))
        for column, tip in enumerate(tips):
            item = self.horizontalHeaderItem(column)
            if item is not None:
                item.setToolTip(tip)
        self.setAccessibleName(self.tr("Precision and recall per class"))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

    def show_scores(self, evaluation: Evaluation) -> None:
        """Fill the rows from ``evaluation``."""
        precision, recall = evaluation.precision(), evaluation.recall()
        support = evaluation.matrix.sum(axis=1)
        self.setRowCount(evaluation.num_classes)
        for row, name in enumerate(evaluation.class_names):
            self.setItem(row, 0, QTableWidgetItem(name))
            self.setItem(row, 1, self._score(float(precision[row]),
                                             self.tr("No test image was predicted as this class")))
            self.setItem(row, 2, self._score(float(recall[row]), self.tr("This class has no test images")))
            count = QTableWidgetItem(f"{int(support[row]):,}")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, 3, count)

    def _score(self, value: float, undefined: str) -> QTableWidgetItem:
        """A percentage cell; "–" with an explanation where the score is undefined."""
        item = QTableWidgetItem("–" if math.isnan(value) else f"{value:.1%}")
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if math.isnan(value):
            item.setToolTip(undefined)
        elif value < POOR:
            item.setForeground(Qt.GlobalColor.darkRed)
        return item

    def values(self, column: int) -> list[str]:
        """The texts of one column, top to bottom."""
        items = (self.item(row, column) for row in range(self.rowCount()))
        return [item.text() if item is not None else "" for item in items]
