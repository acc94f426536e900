"""ExampleStrip: one row per symbol being taught, with its latest drawings as thumbnails and a count."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

THUMB = 20
"""Side of a thumbnail, in pixels."""

SHOWN = 5
"""Thumbnails per row: the latest drawings of the symbol."""


def thumbnail(image28: np.ndarray) -> QImage:
    """A 28x28 float image in [0, 1] as a grayscale QImage that owns its pixels."""
    gray = np.ascontiguousarray(np.clip(np.round(image28 * 255), 0, 255).astype(np.uint8))
    return QImage(gray.data, gray.shape[1], gray.shape[0], gray.strides[0],
                  QImage.Format.Format_Grayscale8).copy()


class ExampleStrip(QWidget):
    """Painted rows: the symbol's name, its latest thumbnails and "n/needed"; the row being drawn is
    highlighted. A click on a row emits ``symbol_picked`` with its index."""

    symbol_picked = Signal(int)

    def __init__(self, needed: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Examples per symbol"))
        self.setToolTip(self.tr("Click a symbol to draw more examples of it"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.needed = needed
        self.rows: list[tuple[str, list[QImage], int]] = []
        self.current = -1

    def set_rows(self, rows: list[tuple[str, list[np.ndarray]]], current: int) -> None:
        """Show ``(name, examples)`` rows; ``current`` is the index of the symbol to draw next."""
        self.rows = [(name, [thumbnail(x) for x in examples[-SHOWN:]], len(examples))
                     for name, examples in rows]
        self.current = current
        self.setFixedHeight(self._row_height() * max(len(self.rows), 1))
        self.update()

    def _row_height(self) -> int:
        return max(THUMB, self.fontMetrics().height()) + 4

    def sizeHint(self) -> QSize:
        """Wide enough for a name, five thumbnails and a count."""
        return QSize(60 + SHOWN * (THUMB + 3) + 50, self._row_height() * max(len(self.rows), 1))

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw every row."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        palette = self.palette()
        metrics = self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)
        row_height = self._row_height()
        name_width = min(max((metrics.horizontalAdvance(n) for n, _, _ in self.rows), default=0) + 8,
                         self.width() // 4)
        count_width = metrics.horizontalAdvance("99/99 ✓") + 6
        highlight = QColor(palette.highlight().color())
        highlight.setAlpha(50)
        for row, (name, thumbs, count) in enumerate(self.rows):
            y = row * row_height
            if row == self.current:
                painter.fillRect(QRectF(0, y, self.width(), row_height), highlight)
            painter.setFont(bold)
            painter.setPen(palette.text().color())
            painter.drawText(QRectF(4, y, name_width - 4, row_height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_width - 4))
            for i in range(SHOWN):
                box = QRectF(name_width + i * (THUMB + 3), y + 2, THUMB, THUMB)
                if i < len(thumbs):
                    painter.drawImage(box, thumbs[i])
                else:
                    painter.setPen(palette.mid().color())
                    painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
            painter.setFont(self.font())
            painter.setPen(palette.text().color())
            done = self.tr("%1/%2 ✓") if count >= self.needed else self.tr("%1/%2")
            painter.drawText(QRectF(self.width() - count_width, y, count_width - 4, row_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             done.replace("%2", str(self.needed)).replace("%1", str(count)))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Pick the clicked symbol."""
        row = int(event.position().y() // self._row_height())
        if 0 <= row < len(self.rows):
            self.symbol_picked.emit(row)
