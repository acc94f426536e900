"""ConfusionMatrixView: a painted grid of counts[true, predicted], right answers green, mistakes red."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

RIGHT = QColor(46, 125, 50)  # deep green: the whole row right
WRONG = QColor(198, 40, 40)  # deep red: the most frequent mistake
EMPTY = QColor(250, 250, 250)
GRID = QColor(210, 210, 210)
SELECTED = QColor(21, 101, 192)
PAD = 4
MAX_COUNT_PX = 15


def blend(strength: float, full: QColor) -> QColor:
    """White at 0, ``full`` at 1 (a light tint from the smallest count on)."""
    t = 0.15 + 0.85 * min(max(strength, 0.0), 1.0)
    return QColor(round(255 + (full.red() - 255) * t), round(255 + (full.green() - 255) * t),
                  round(255 + (full.blue() - 255) * t))


def cell_colours(matrix: np.ndarray) -> list[list[QColor]]:
    """Diagonal cells by their share of the row; mistakes by log count against the largest mistake.

    Two scales keep the big diagonal from washing out the mistakes: a single mistake is already
    visibly red.
    """
    c = matrix.shape[0]
    rows = matrix.sum(axis=1)
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    top = math.log1p(int(off.max(initial=0)))
    colours = []
    for i in range(c):
        line = []
        for j in range(c):
            n = int(matrix[i, j])
            if n == 0:
                line.append(EMPTY)
            elif i == j:
                line.append(blend(n / rows[i], RIGHT))
            else:
                line.append(blend(math.log1p(n) / top if top else 1.0, WRONG))
        colours.append(line)
    return colours


class ConfusionMatrixView(QWidget):
    """Counts in a C x C grid, class names on both axes; a click (or the arrow keys) picks a cell.

    ``cell_selected`` carries (true, predicted) of a cell chosen by the user; ``select`` chooses one
    from code without the signal.
    """

    cell_selected = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matrix: np.ndarray | None = None
        self._names: tuple[str, ...] = ()
        self._colours: list[list[QColor]] = []
        self._selected: tuple[int, int] | None = None
        self._hover: tuple[int, int] | None = None
        self._prompt = ""
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Confusion matrix"))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Readable at about 450 x 450."""
        return QSize(450, 450)

    # --- content -----------------------------------------------------------------------------

    def set_matrix(self, matrix: np.ndarray, class_names: Sequence[str]) -> None:
        """Show ``matrix`` (C, C) counts[true, predicted]; clears the selection."""
        self._matrix = np.asarray(matrix, dtype=np.int64)
        self._names = tuple(str(n) for n in class_names)
        self._colours = cell_colours(self._matrix)
        self._selected = self._hover = None
        self.update()

    def set_prompt(self, text: str) -> None:
        """Text shown in place of the grid while there is no matrix."""
        self._prompt = text
        self.update()

    def matrix(self) -> np.ndarray | None:
        """The counts shown, or None."""
        return None if self._matrix is None else self._matrix.copy()

    def selected(self) -> tuple[int, int] | None:
        """The chosen (true, predicted) cell."""
        return self._selected

    def select(self, true: int, predicted: int) -> None:
        """Mark a cell as chosen (no signal)."""
        self._selected = (true, predicted)
        self.update()

    # --- geometry ----------------------------------------------------------------------------

    def _label_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
        return font

    def _layout(self) -> tuple[QRect, int, bool, int]:
        """The grid's rectangle (centred across), the cell size, whether column names stand on end,
        and where the row labels' area starts."""
        c = max(len(self._names), 1)
        fm = QFontMetrics(self._label_font())
        title = fm.height() + PAD
        name_w = max((fm.horizontalAdvance(n) for n in self._names), default=0) + 2 * PAD
        left = title + name_w
        legend = self._legend_lines(fm) * (fm.height() + PAD)
        flat_top = title + fm.height() + PAD
        cell = max(min((self.width() - left - PAD) // c, (self.height() - flat_top - legend) // c), 4)
        upright = name_w - 2 * PAD > cell - 2
        top = title + (name_w if upright else fm.height() + PAD)
        cell = max(min((self.width() - left - PAD) // c, (self.height() - top - legend) // c), 4)
        x0 = max((self.width() - left - PAD - cell * c) // 2, 0)
        return QRect(x0 + left, top, cell * c, cell * c), cell, upright, x0

    def cell_rect(self, true: int, predicted: int) -> QRect:
        """Where the cell (true, predicted) is drawn, in widget pixels."""
        grid, cell, _, _ = self._layout()
        return QRect(grid.left() + predicted * cell, grid.top() + true * cell, cell, cell)

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        """The (true, predicted) cell under ``pos``, or None."""
        if self._matrix is None:
            return None
        grid, cell, _, _ = self._layout()
        if not grid.contains(pos):
            return None
        c = len(self._names)
        return (min((pos.y() - grid.top()) // cell, c - 1), min((pos.x() - grid.left()) // cell, c - 1))

    def describe(self, true: int, predicted: int) -> str:
        """The hover text of a cell."""
        n = int(self._matrix[true, predicted]) if self._matrix is not None else 0
        row = int(self._matrix[true].sum()) if self._matrix is not None else 0
        text = (self.tr("true %1, predicted %2: 1 image") if n == 1
                else self.tr("true %1, predicted %2: %3 images").replace("%3", f"{n:,}"))
        text = text.replace("%1", self._names[true]).replace("%2", self._names[predicted])
        if row:  # the cell's colour shows this share; the number in it is the count
            text += self.tr(", %1 of the %2 true %3").replace("%1", f"{n / row:.1%}").replace(
                "%2", f"{row:,}").replace("%3", self._names[true])
        return text

    # --- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """Axis titles, class names, coloured cells with their counts, the legend."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        if self._matrix is None:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect().adjusted(PAD * 4, 0, -PAD * 4, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._prompt)
            return
        grid, cell, upright, x0 = self._layout()
        self._paint_axes(painter, grid, cell, upright, x0)
        self._paint_cells(painter, grid, cell)
        self._paint_legend(painter, grid)

    def _paint_axes(self, painter: QPainter, grid: QRect, cell: int, upright: bool, x0: int) -> None:
        font = self._label_font()
        fm = QFontMetrics(font)
        text = self.palette().windowText().color()
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        painter.drawText(QRect(grid.left(), 0, grid.width(), fm.height()), Qt.AlignmentFlag.AlignCenter,
                         self.tr("predicted"))
        painter.save()
        painter.translate(x0, grid.center().y())
        painter.rotate(-90)
        painter.drawText(QRect(-grid.height() // 2, 0, grid.height(), fm.height()),
                         Qt.AlignmentFlag.AlignCenter, self.tr("true"))
        painter.restore()
        painter.setFont(font)
        title = fm.height() + PAD
        for k, name in enumerate(self._names):
            row = QRect(x0 + title, grid.top() + k * cell, grid.left() - x0 - title - PAD, cell)
            painter.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            x = grid.left() + k * cell
            if upright:
                painter.save()
                painter.translate(x, grid.top() - PAD)
                painter.rotate(-90)
                painter.drawText(QRect(0, 0, grid.top() - title - PAD, cell),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
                painter.restore()
            else:
                painter.drawText(QRect(x, title, cell, grid.top() - title - PAD),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, name)

    def _paint_cells(self, painter: QPainter, grid: QRect, cell: int) -> None:
        matrix = self._matrix
        if matrix is None:
            return
        widest = len(str(int(matrix.max(initial=0))))
        font = QFont(self.font())
        font.setPixelSize(max(min(MAX_COUNT_PX, int(cell * 0.42), int((cell - 4) / (0.62 * widest))), 6))
        painter.setFont(font)
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                rect = QRect(grid.left() + j * cell, grid.top() + i * cell, cell, cell)
                colour = self._colours[i][j]
                painter.fillRect(rect, colour)
                n = int(matrix[i, j])
                if n:
                    dark = colour.lightnessF() < 0.55
                    painter.setPen(QColor(255, 255, 255) if dark else QColor(33, 33, 33))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(n))
        painter.setPen(QPen(GRID, 1))
        for k in range(matrix.shape[0] + 1):
            y, x = grid.top() + k * cell, grid.left() + k * cell
            painter.drawLine(grid.left(), y, grid.left() + grid.width(), y)
            painter.drawLine(x, grid.top(), x, grid.top() + grid.height())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self._hover is not None and self._hover != self._selected:
            painter.setPen(QPen(self.palette().windowText().color(), 1))
            painter.drawRect(self.cell_rect(*self._hover).adjusted(0, 0, -1, -1))
        if self._selected is not None:
            painter.setPen(QPen(SELECTED, 3))
            painter.drawRect(QRectF(self.cell_rect(*self._selected)).adjusted(1.5, 1.5, -1.5, -1.5))

    def _legend(self) -> list[tuple[QColor, str]]:
        return [(RIGHT, self.tr("right: shade = share of the true class")),
                (WRONG, self.tr("mistakes: shade on a log scale")),
                (GRID, self.tr("numbers: test images"))]

    def _legend_lines(self, fm: QFontMetrics) -> int:
        """Lines the legend takes at this width (its entries wrap rather than run out of sight)."""
        lines, x = 1, PAD
        for _colour, words in self._legend():
            width = 10 + PAD + fm.horizontalAdvance(words) + 3 * PAD
            if x > PAD and x + width > self.width():
                lines, x = lines + 1, PAD
            x += width
        return lines

    def _paint_legend(self, painter: QPainter, grid: QRect) -> None:
        font = self._label_font()
        fm = QFontMetrics(font)
        painter.setFont(font)
        y = grid.bottom() + PAD
        entries = self._legend()
        total = sum(10 + PAD + fm.horizontalAdvance(words) + 3 * PAD for _c, words in entries)
        start = grid.left() if grid.left() + total <= self.width() else PAD  # under the grid when it fits
        x = start
        for colour, words in entries:
            width = 10 + PAD + fm.horizontalAdvance(words) + 3 * PAD
            if x > start and x + width > self.width():  # wrap, as _legend_lines counted
                x, y = start, y + fm.height() + PAD
            swatch = QRect(x, y + (fm.height() - 10) // 2, 10, 10)
            painter.fillRect(swatch, blend(0.7, colour))
            painter.setPen(self.palette().windowText().color())
            painter.drawText(QRect(swatch.right() + PAD, y, self.width(), fm.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, words)
            x = swatch.right() + 2 * PAD + fm.horizontalAdvance(words) + 3 * PAD

    # --- input -------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        """A tooltip naming the cell under the pointer and its count."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            found = self.cell_at(event.pos())
            if found is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.describe(*found), self,
                                  self.cell_rect(*found))
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        """Outline the cell under the pointer."""
        found = self.cell_at(event.position().toPoint())
        if found != self._hover:
            self._hover = found
            self.setCursor(Qt.CursorShape.PointingHandCursor if found else Qt.CursorShape.ArrowCursor)
            self.update()

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """No outline once the pointer has left."""
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        """A left click chooses the cell under the pointer."""
        found = self.cell_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and found is not None:
            self._choose(*found)
        else:
            super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Arrow keys move the chosen cell."""
        moves = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0),
                 Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)}
        step = moves.get(Qt.Key(event.key()))
        if step is None or self._matrix is None:
            super().keyPressEvent(event)
            return
        c = len(self._names)
        true, predicted = self._selected or (0, 0)
        self._choose(min(max(true + step[0], 0), c - 1), min(max(predicted + step[1], 0), c - 1))

    def _choose(self, true: int, predicted: int) -> None:
        self.select(true, predicted)
        self.cell_selected.emit(true, predicted)
