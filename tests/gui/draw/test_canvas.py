"""The canvas: strokes from mouse, tablet and touch, clear, undo, erase, throttling, keys."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolButton

from playground.gui.draw.canvas import DrawingCanvas
from playground.gui.draw.panel import DrawPanel
from tests.gui.draw.conftest import ONE, draw, line, to_widget


def ink(canvas: DrawingCanvas) -> int:
    """How many pixels of the drawing are at least half white."""
    return int(np.count_nonzero(canvas.drawing() >= 128))


def test_canvas_is_square_and_named(panel: DrawPanel) -> None:
    canvas = panel.canvas
    assert canvas.accessibleName() == "Drawing canvas"
    square = canvas.square()
    assert square.width() == square.height() == min(canvas.width(), canvas.height())
    assert canvas.drawing().shape == (280, 280)  # the model's drawing, whatever the screen size
    clear = [b for b in panel.findChildren(QToolButton) if b.accessibleName() == "Clear drawing"]
    assert len(clear) == 1 and clear[0].isVisible()


def test_stroke_is_white_ink_on_black_and_signals_at_its_end(panel: DrawPanel) -> None:
    canvas = panel.canvas
    assert canvas.stroke_count() == 0 and ink(canvas) == 0
    sent: list[np.ndarray] = []
    canvas.drawing_changed.connect(sent.append)
    draw(canvas, ONE)
    drawing = sent[-1]
    assert np.array_equal(drawing, canvas.drawing())
    assert drawing.dtype == np.uint8 and drawing.max() == 255 and drawing[0, 0] == 0
    side = drawing.shape[0]
    assert drawing[side // 2, side // 2] == 255 and drawing[side // 2, side // 8] == 0
    assert canvas.stroke_count() == 1


def test_signals_are_throttled_while_drawing_and_sent_at_the_end(qtbot) -> None:
    canvas = DrawingCanvas()  # alone, so the times below are not those of a prediction
    qtbot.addWidget(canvas)
    canvas.resize(300, 300)
    canvas.show()
    qtbot.waitExposed(canvas)
    assert canvas.throttle_ms == 33
    sent: list[float] = []
    last: list[np.ndarray] = []
    canvas.drawing_changed.connect(lambda d: (sent.append(time.perf_counter()), last.append(d)))
    points = [to_widget(canvas, x, y) for x, y in line(0.2, 0.2, 0.8, 0.8, steps=60)]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(canvas, point)
        qtbot.wait(2)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])
    gaps = np.diff(sent[:-1])  # the last one comes at the stroke's end, whenever that is
    assert len(sent) >= 2 and (gaps >= 0.8 * 0.033).all()
    assert np.array_equal(last[-1], canvas.drawing())  # the finished stroke was sent
    count = len(sent)
    qtbot.wait(60)
    assert len(sent) == count  # nothing pending after the stroke ended


def test_clear_button_escape_and_delete(panel: DrawPanel, qtbot) -> None:
    canvas = panel.canvas
    for clear in (lambda: qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton),
                  lambda: QTest.keyClick(canvas, Qt.Key.Key_Escape),
                  lambda: QTest.keyClick(canvas, Qt.Key.Key_Delete)):
        draw(canvas, ONE)
        assert ink(canvas) > 0 and panel.bars.probabilities() is not None
        clear()
        assert canvas.stroke_count() == 0 and ink(canvas) == 0
        assert panel.bars.probabilities() is None and panel.input_image() is None


def test_undo_removes_only_the_last_stroke(panel: DrawPanel, qtbot) -> None:
    canvas = panel.canvas
    draw(canvas, ONE)
    one_stroke = canvas.drawing()
    draw(canvas, [line(0.2, 0.3, 0.8, 0.3)])
    assert canvas.stroke_count() == 2 and not np.array_equal(canvas.drawing(), one_stroke)
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert canvas.stroke_count() == 1
    assert np.array_equal(canvas.drawing(), one_stroke)  # re-rendered exactly as drawn
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert canvas.stroke_count() == 0 and ink(canvas) == 0
    canvas.undo()  # nothing left: no error
    assert canvas.stroke_count() == 0


def test_ctrl_z_on_the_canvas_wins_over_a_window_shortcut(panel: DrawPanel, qtbot) -> None:
    from PySide6.QtGui import QAction, QKeySequence

    fired: list[bool] = []
    action = QAction(panel)
    action.setShortcut(QKeySequence.StandardKey.Undo)
    action.triggered.connect(lambda: fired.append(True))
    panel.addAction(action)
    draw(panel.canvas, ONE)
    panel.canvas.setFocus()
    QTest.keyClick(panel.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.canvas.stroke_count() == 0 and not fired
    QTest.keyClick(panel.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert fired == [True]  # an empty canvas leaves Ctrl+Z to the window (the editor's undo)


def test_right_button_erases(panel: DrawPanel) -> None:
    canvas = panel.canvas
    canvas.set_pen_width(40)
    draw(canvas, [line(0.1, 0.5, 0.9, 0.5)])
    before = ink(canvas)
    side = canvas.drawing().shape[0]
    assert canvas.drawing()[side // 2, side // 2] == 255
    draw(canvas, [line(0.5, 0.3, 0.5, 0.7)], Qt.MouseButton.RightButton)
    assert canvas.drawing()[side // 2, side // 2] == 0
    assert 0 < ink(canvas) < before


def test_pen_width_changes_the_stroke(panel: DrawPanel) -> None:
    canvas = panel.canvas
    panel.pen_slider.setValue(8)
    draw(canvas, ONE)
    thin = ink(canvas)
    canvas.clear()
    panel.pen_slider.setValue(40)
    draw(canvas, ONE)
    assert ink(canvas) > 3 * thin


def test_resizing_keeps_the_drawing(panel: DrawPanel, qtbot) -> None:
    draw(panel.canvas, ONE)
    before = panel.canvas.drawing()
    side = panel.canvas.square().width()
    panel.resize(340, 600)
    qtbot.waitUntil(lambda: panel.canvas.square().width() < side)
    assert panel.canvas.stroke_count() == 1
    assert np.array_equal(panel.canvas.drawing(), before)  # the model sees the same drawing
    screen = panel.canvas.grab(panel.canvas.square()).toImage()
    centre = screen.pixelColor(screen.width() // 2, screen.height() // 2)
    assert centre.lightness() == 255  # and the stroke is on screen at the new size


def tablet(canvas: DrawingCanvas, kind: QEvent.Type, x: float, y: float, pressure: float,
           device: QPointingDevice) -> None:
    """Send one tablet event at canvas units (x, y)."""
    pos = QPointF(to_widget(canvas, x, y))
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.TabletMove else Qt.MouseButton.NoButton
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
    event = QTabletEvent(kind, device, pos, canvas.mapToGlobal(pos), pressure, 0, 0, 0, 0, 0,
                         Qt.KeyboardModifier.NoModifier, button, buttons)
    QApplication.sendEvent(canvas, event)


def test_tablet_pressure_sets_the_width(panel: DrawPanel) -> None:
    canvas = panel.canvas
    pen = QPointingDevice("test pen", 7, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3)
    widths = []
    for pressure in (0.1, 1.0):
        canvas.clear()
        tablet(canvas, QEvent.Type.TabletPress, 0.5, 0.2, pressure, pen)
        for step in range(1, 13):
            tablet(canvas, QEvent.Type.TabletMove, 0.5, 0.2 + step * 0.05, pressure, pen)
        tablet(canvas, QEvent.Type.TabletRelease, 0.5, 0.8, pressure, pen)
        assert canvas.stroke_count() == 1
        widths.append(ink(canvas))
    assert widths[1] > 2 * widths[0] > 0
    assert panel.bars.probabilities() is not None


def test_touch_draws(panel: DrawPanel) -> None:
    canvas = panel.canvas
    device = QTest.createTouchDevice()
    points = [to_widget(canvas, x, y) for x, y in ONE[0]]
    QTest.touchEvent(canvas, device).press(0, points[0], canvas).commit()
    for point in points[1:]:
        QTest.touchEvent(canvas, device).move(0, point, canvas).commit()
    QTest.touchEvent(canvas, device).release(0, points[-1], canvas).commit()
    assert canvas.stroke_count() == 1 and ink(canvas) > 0
    assert panel.bars.label.text().startswith("1 (")
