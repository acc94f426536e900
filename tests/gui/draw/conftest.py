"""Drawing-pad fixtures: a shown DrawPanel, drawings saved under tmp_path, strokes as mouse events."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from playground.gui.draw.canvas import DrawingCanvas
from playground.gui.draw.panel import DrawPanel

Points = list[tuple[float, float]]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps: int = 30) -> Points:
    """Points along an elliptic arc in canvas units; angles in degrees, clockwise from 3 o'clock."""
    return [(cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
             cy + ry * math.sin(math.radians(start + (end - start) * i / steps)))
            for i in range(steps + 1)]


def line(x0: float, y0: float, x1: float, y1: float, steps: int = 12) -> Points:
    """Points along a straight line in canvas units."""
    return [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(steps + 1)]


ONE = [line(0.5, 0.2, 0.5, 0.8)]
ZERO = [arc(0.5, 0.5, 0.2, 0.3, 0, 360, 40)]
THREE = [arc(0.5, 0.34, 0.17, 0.14, -160, 90), arc(0.5, 0.63, 0.19, 0.16, -90, 160)]


def to_widget(canvas: DrawingCanvas, x: float, y: float) -> QPoint:
    """A point in canvas units (0..1 across the square) in widget pixels."""
    square = canvas.square()
    return QPoint(round(square.x() + x * square.width()), round(square.y() + y * square.height()))


def draw(canvas: DrawingCanvas, strokes: list[Points],
         button: Qt.MouseButton = Qt.MouseButton.LeftButton) -> None:
    """Draw strokes with QTest mouse events: press, moves, release."""
    for stroke in strokes:
        points = [to_widget(canvas, x, y) for x, y in stroke]
        QTest.mousePress(canvas, button, Qt.KeyboardModifier.NoModifier, points[0])
        for point in points[1:]:
            QTest.mouseMove(canvas, point)
        QTest.mouseRelease(canvas, button, Qt.KeyboardModifier.NoModifier, points[-1])



@pytest.fixture
def panel(qtbot) -> DrawPanel:
    """A shown 400x700 panel answering with the sample model; no throttle, so each move predicts."""
    widget = DrawPanel()
    qtbot.addWidget(widget)
    widget.resize(400, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.canvas.throttle_ms = 0
    return widget
