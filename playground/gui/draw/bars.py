"""PredictionBars: the top class with its confidence, and one probability bar per class."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

MAX_ROWS = 12
"""Up to this many classes get a bar each in class order; with more, the ten likeliest are shown."""

TOP_SHOWN = 10


class _BarChart(QWidget):
    """Painted rows of name, bar and percentage; the top class is highlighted and bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Class probabilities"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.names: tuple[str, ...] = ()
        self.probs: np.ndarray | None = None

    def _rows(self) -> list[int]:
        """The class indices to draw, top to bottom."""
        count = len(self.names)
        if count <= MAX_ROWS or self.probs is None:
            return list(range(min(count, MAX_ROWS)))
        return [int(i) for i in np.argsort(-self.probs, kind="stable")[:TOP_SHOWN]]

    def _row_height(self) -> int:
        """Height of one row: the text plus a little air."""
        return self.fontMetrics().height() + 4

    def sizeHint(self) -> QSize:
        """Wide enough for short names; tall enough for every row."""
        return QSize(180, self._row_height() * max(len(self._rows()), 1))

    def minimumSizeHint(self) -> QSize:
        """Every row must fit."""
        return QSize(120, self._row_height() * max(len(self._rows()), 1))

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw each row; without probabilities the bars are empty and the percentages blank."""
        painter = QPainter(self)
        palette = self.palette()
        metrics = self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)
        widest = max((QFontMetrics(bold).horizontalAdvance(n) for n in self.names), default=0)
        row_height = self._row_height()
        name_width = min(widest + 2, int(self.width() * 0.4))
        pct_width = metrics.horizontalAdvance("100 %") + 6
        bar_left, bar_width = name_width + 4, max(self.width() - name_width - pct_width - 8, 10)
        top = int(np.argmax(self.probs)) if self.probs is not None and len(self.probs) else -1
        accent = palette.highlight().color()
        muted = QColor(accent)
        muted.setAlpha(120)
        track = palette.mid().color()
        track.setAlpha(60)
        for row, index in enumerate(self._rows()):
            y = row * row_height
            painter.setFont(bold if index == top else self.font())
            painter.setPen(palette.text().color())
            shown = QFontMetrics(bold) if index == top else metrics
            name = shown.elidedText(self.names[index], Qt.TextElideMode.ElideRight, name_width)
            painter.drawText(QRectF(0, y, name_width, row_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            bar = QRectF(bar_left, y + 3, bar_width, row_height - 6)
            painter.fillRect(bar, track)
            if self.probs is None:
                continue
            value = float(self.probs[index])
            painter.fillRect(QRectF(bar.x(), bar.y(), bar.width() * value, bar.height()),
                             accent if index == top else muted)
            painter.drawText(QRectF(bar_left + bar_width + 4, y, pct_width, row_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.tr("%1 %").replace("%1", str(round(value * 100))))


class PredictionBars(QWidget):
    """A "Prediction" label ("7 (93 %)", or a prompt) above one bar per class, or a message.

    Its height does not depend on the text shown, so the canvas above never jumps.
    """

    def __init__(self, class_names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plain = QFont(self.font())
        self._big = QFont(self.font())
        self._big.setPointSizeF(self._big.pointSizeF() * 1.5)
        self._big.setBold(True)
        self.label = QLabel(self)
        self.label.setAccessibleName(self.tr("Prediction"))
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.label.setFixedHeight(max(QFontMetrics(self._big).lineSpacing(),
                                      2 * QFontMetrics(self._plain).lineSpacing()) + 4)
        self.chart = _BarChart(self)
        self.note = QLabel(self)
        self.note.setAccessibleName(self.tr("Why there is no prediction"))
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.chart)
        self.stack.addWidget(self.note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.stack)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.set_class_names(class_names)

    def class_names(self) -> tuple[str, ...]:
        """The class names the bars are labelled with."""
        return self.chart.names

    def probabilities(self) -> np.ndarray | None:
        """The probabilities shown, or None while a prompt or message is shown."""
        return None if self.chart.probs is None else self.chart.probs.copy()

    def set_class_names(self, names: Sequence[str]) -> None:
        """Use these class names (one bar each); the shown probabilities are dropped."""
        self.chart.names = tuple(names)
        self.chart.probs = None
        self.chart.updateGeometry()
        self.chart.update()

    def set_probabilities(self, probs: np.ndarray) -> None:
        """Show a probability per class and the likeliest class with its confidence."""
        probs = np.asarray(probs, dtype=np.float64)
        top = int(np.argmax(probs))
        self.chart.probs = probs
        self.chart.update()
        self.stack.setCurrentWidget(self.chart)
        names = self.chart.names
        name = names[top] if top < len(names) else str(top)
        self.label.setFont(self._big)
        self.label.setText(self.tr("%1 (%2 %)").replace("%2", str(round(probs[top] * 100)))
                           .replace("%1", name))

    def show_prompt(self, text: str) -> None:
        """No prediction (an empty canvas): the prompt, with the bars empty."""
        self.chart.probs = None
        self.chart.update()
        self.stack.setCurrentWidget(self.chart)
        self.label.setFont(self._plain)
        self.label.setText(text)

    def show_message(self, text: str) -> None:
        """No prediction possible (say, the network cannot take drawings): the message, no bars."""
        self.chart.probs = None
        self.note.setText(text)
        self.stack.setCurrentWidget(self.note)
        self.label.setFont(self._plain)
        self.label.setText(self.tr("No prediction"))
