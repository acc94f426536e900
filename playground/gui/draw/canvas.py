"""DrawingCanvas: a square pad for white-on-black strokes (mouse, tablet, touch) with undo."""

from __future__ import annotations

import time
from typing import cast

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPointingDevice,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from playground.gui.draw.strokes import Item, Picture, Stroke, begin, new_image, paint_piece, render

DRAWING_SIDE = 280
"""Side of the drawing sent to the model (ten times MNIST's 28), whatever the size on screen;
pen widths are given in its pixels."""

DEFAULT_PEN = 22
THROTTLE_MS = 33
"""Least time between two ``drawing_changed`` signals while a stroke goes on (about 30 a second)."""


class DrawingCanvas(QWidget):
    """A square canvas, the largest that fits the widget: white ink on black, like MNIST.

    The left button (or a pen, or a finger) draws, the right button erases.

    Strokes are kept as a list and painted, as the pointer moves, into an offscreen image at
    screen resolution (the paint event only copies it) and into a 280x280 one for the model.
    ``drawing_changed`` carries the latter as a uint8 array, at most every ``throttle_ms`` during
    a stroke and always at its end, and after a clear, an undo or a new picture.
    """

    drawing_changed = Signal(object)
    file_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Drawing canvas"))
        self.setToolTip(self.tr("Draw with the left button, erase with the right. "
                                "Ctrl+Z undoes the last stroke, Escape or Delete clears."))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAcceptDrops(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(140, 140)
        self.throttle_ms = THROTTLE_MS
        self.pen_width = DEFAULT_PEN
        self._items: list[Item] = []
        self._stroke: Stroke | None = None
        self._image = new_image(1)
        self._drawing = new_image(DRAWING_SIDE)
        self._last_emit = 0.0
        self._emit_timer = QTimer(self)
        self._emit_timer.setSingleShot(True)
        self._emit_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._emit_timer.timeout.connect(self._emit_drawing)
        self._placeholder = self.tr("Draw a digit here")


    def sizeHint(self) -> QSize:
        """A comfortable size for drawing with a mouse."""
        return QSize(320, 320)

    def square(self) -> QRect:
        """The drawing square in widget coordinates: the largest square centred in the widget."""
        side = min(self.width(), self.height())
        return QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)


    def stroke_count(self) -> int:
        """How many strokes and pictures the undo list holds (0: the canvas is empty)."""
        return len(self._items)

    def drawing(self) -> np.ndarray:
        """The drawing as a (280, 280) uint8 array, white ink on black, whatever the size on screen."""
        image = self._drawing
        width, height, stride = image.width(), image.height(), image.bytesPerLine()
        data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
        return data.reshape(height, stride)[:, :width].copy()

    @Slot()
    def clear(self) -> None:
        """Remove every stroke and picture."""
        self._stroke = None
        self._items.clear()
        self._rerender()
        self._emit_drawing()

    @Slot()
    def undo(self) -> None:
        """Remove the last stroke (or opened picture)."""
        if self._items:
            if self._items[-1] is self._stroke:
                self._stroke = None
            self._items.pop()
            self._rerender()
            self._emit_drawing()

    @Slot(int)
    def set_pen_width(self, width: int) -> None:
        """Set the pen width for the next strokes, in pixels of a 280-pixel canvas."""
        self.pen_width = width

    def set_picture(self, image: QImage) -> None:
        """Replace the drawing with a grayscale (white on black) picture, fitted into the square."""
        self._stroke = None
        self._items = [Picture(image.convertToFormat(QImage.Format.Format_Grayscale8))]
        self._rerender()
        self._emit_drawing()


    def _start(self, pos: QPointF, erase: bool, factor: float = 1.0) -> None:
        """Begin a stroke at a widget position."""
        self._stroke = Stroke(self.pen_width / DRAWING_SIDE, erase)
        self._items.append(self._stroke)
        self._extend(pos, factor)

    def _extend(self, pos: QPointF, factor: float = 1.0) -> None:
        """Add a point to the current stroke and paint the piece it adds."""
        stroke = self._stroke
        if stroke is None:
            return
        square = self.square()
        x, y = ((pos.x() - square.x()) / max(square.width(), 1),
                (pos.y() - square.y()) / max(square.height(), 1))
        if stroke.points and abs(x - stroke.points[-1][0]) + abs(y - stroke.points[-1][1]) < 1e-4:
            return
        stroke.points.append((x, y, factor))
        self._paint_piece(len(stroke.points) - 1)
        self._schedule_emit()

    def _finish(self) -> None:
        """End the current stroke: paint its tail and send the drawing now."""
        stroke = self._stroke
        if stroke is None:
            return
        stroke.finished = True
        if len(stroke.points) > 1:
            self._paint_piece(len(stroke.points))
        self._stroke = None
        self._emit_drawing()

    def _paint_piece(self, index: int) -> None:
        """Paint one piece of the current stroke into the image and repaint just that area."""
        stroke = self._stroke
        if stroke is None:
            return
        painter = begin(self._drawing)
        paint_piece(painter, stroke, index, DRAWING_SIDE)
        painter.end()
        painter = begin(self._image)
        dirty = paint_piece(painter, stroke, index, self._image.width())
        painter.end()
        square = self.square()
        ratio = self._image.width() / max(square.width(), 1)
        area = QRectF(dirty.x() / ratio + square.x(), dirty.y() / ratio + square.y(),
                      dirty.width() / ratio, dirty.height() / ratio)
        self.update(area.toAlignedRect())

    def _rerender(self, drawing: bool = True) -> None:
        """Paint every item again: on screen (the square in device pixels) and, unless told not
        to, into the drawing sent to the model."""
        self._image = render(self._items, round(self.square().width() * self.devicePixelRatioF()))
        if drawing:
            self._drawing = render(self._items, DRAWING_SIDE)
        self.update()

    def _schedule_emit(self) -> None:
        """Send the drawing now, or once the throttle interval since the last one has passed."""
        wait = self.throttle_ms - (time.perf_counter() - self._last_emit) * 1000
        if wait <= 0:
            self._emit_drawing()
        elif not self._emit_timer.isActive():
            self._emit_timer.start(int(wait) + 1)

    @Slot()
    def _emit_drawing(self) -> None:
        """Send the current drawing."""
        self._emit_timer.stop()
        self._last_emit = time.perf_counter()
        self.drawing_changed.emit(self.drawing())


    def paintEvent(self, event: QPaintEvent) -> None:
        """Copy the offscreen image; fill the margins around the square; a hint when empty."""
        painter = QPainter(self)
        square = self.square()
        if square.width() < self.width() or square.height() < self.height():
            painter.fillRect(self.rect(), self.palette().window())
        painter.drawImage(QRectF(square), self._image)  # device pixel for pixel
        if not self._items:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(square, Qt.AlignmentFlag.AlignCenter, self._placeholder)
        painter.setPen(self.palette().mid().color())
        painter.drawRect(square.adjusted(0, 0, -1, -1))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-render the strokes on screen at the new size (they are kept in canvas units)."""
        self._rerender(drawing=False)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Left button draws, right button erases."""
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            self._finish()
            self._start(event.position(), event.button() == Qt.MouseButton.RightButton)
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Extend the stroke while a button is held."""
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """End the stroke."""
        self._finish()

    def tabletEvent(self, event: QTabletEvent) -> None:
        """Pen input: the width follows the pressure; the eraser end or a side button erases."""
        factor = 0.4 + 1.2 * min(max(event.pressure(), 0.0), 1.0)
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            erase = (event.pointerType() == QPointingDevice.PointerType.Eraser
                     or event.button() == Qt.MouseButton.RightButton)
            self._finish()
            self._start(event.position(), erase, factor)
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), factor)
        elif kind == QEvent.Type.TabletRelease:
            self._finish()
        event.accept()

    def event(self, event: QEvent) -> bool:
        """Touch draws with the first finger; Undo, Escape and Delete beat shortcuts while there is
        something to undo or clear (an empty canvas leaves Ctrl+Z to the editor); follow the DPR."""
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                    QEvent.Type.TouchCancel):
            self._touch(cast(QTouchEvent, event))
            return True
        if (kind == QEvent.Type.ShortcutOverride and self._items
                and self._is_canvas_key(cast(QKeyEvent, event))):
            event.accept()
            return True
        if kind == QEvent.Type.DevicePixelRatioChange:
            self._rerender(drawing=False)
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        """Follow the first touch point."""
        points = event.points()
        if event.type() == QEvent.Type.TouchBegin and points:
            self._finish()
            self._start(points[0].position(), False)
        elif event.type() == QEvent.Type.TouchUpdate and points:
            self._extend(points[0].position())
        else:
            self._finish()
        event.accept()

    @staticmethod
    def _is_canvas_key(event: QKeyEvent) -> bool:
        """Keys the canvas handles itself: Undo (Ctrl+Z), Escape and Delete."""
        return event.matches(QKeySequence.StandardKey.Undo) or (
            event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Delete)
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Z undoes the last stroke; Escape and Delete clear."""
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif self._is_canvas_key(event):
            self.clear()
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a dragged local file."""
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Pass the first dropped local file on; the panel opens it."""
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.file_dropped.emit(files[0])
