"""Teach it your symbols: draw five of each new symbol on the canvas, teach, and the pad reads them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from playground.data.drawings import DATA_ENV
from playground.gui.draw.panel import DrawPanel
from tests.core.symbols import drawings, strokes_for
from tests.gui.draw.conftest import draw

SYMBOLS = ("+", "-", "x")


@pytest.fixture
def panel(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DrawPanel:
    """A shown panel, the size of the drawing dock, with the teach box open."""
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    widget = DrawPanel()
    qtbot.addWidget(widget)
    widget.resize(360, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.teach.header.click()
    return widget


def draw_symbol(panel: DrawPanel, symbol: str, rng: np.random.Generator) -> None:
    """Draw a symbol with the mouse as a person would: jittered strokes and pen width."""
    panel.canvas.clear()
    strokes, pen = strokes_for(symbol, rng)
    panel.pen_slider.setValue(round(pen))
    draw(panel.canvas, strokes)


def teach_symbols(panel: DrawPanel, qtbot) -> None:
    """Five drawings of each symbol, each added with Enter on the canvas, then Teach."""
    rng = np.random.default_rng(11)
    box = panel.teach
    for symbol in SYMBOLS:
        for count in range(5):
            assert box.prompt.text() == f"Draw a “{symbol}” on the canvas, then Add ({count + 1} of 5)"
            assert not box.teach_button.isEnabled()
            draw_symbol(panel, symbol, rng)
            QTest.keyClick(panel.canvas, Qt.Key.Key_Return)
            assert panel.canvas.stroke_count() == 0  # added, and the canvas is clear for the next
    assert box.counts() == [5, 5, 5] and "Ready" in box.prompt.text()
    with qtbot.waitSignal(box.taught, timeout=120_000):
        box.teach_button.click()
        assert box.teaching() and box.progress.isVisible() and box.stop_button.isVisible()
    qtbot.waitUntil(lambda: not box.teaching())


def test_taught_symbols_are_read_then_back_to_digits(panel: DrawPanel, qtbot) -> None:
    teach_symbols(panel, qtbot)
    assert panel.bars.class_names() == SYMBOLS
    assert panel.model_label.text() == "Model: Taught symbols: +, -, x"
    assert panel.teach.back_button.isVisible() and "Taught in" in panel.teach.note.text()
    answering = panel.answering_model()
    assert answering is not None and answering.class_names == SYMBOLS and not answering.live
    rng = np.random.default_rng(99)
    for symbol in SYMBOLS:
        draw_symbol(panel, symbol, rng)
        assert panel.bars.label.text().startswith(f"{symbol} ("), panel.bars.label.text()
    panel.teach.back_button.click()
    assert panel.bars.class_names() == tuple("0123456789")
    assert "Sample model" in panel.model_label.text()
    assert not panel.teach.back_button.isVisible()


def test_examples_follow_the_names_and_undo(panel: DrawPanel) -> None:
    box = panel.teach
    image = drawings("+", 1, seed=0)[0][0]
    panel.show_example(image)
    assert box.add_example() and box.counts() == [1, 0, 0]
    assert not box.add_button.isEnabled()  # the canvas was cleared: nothing to add
    box.names_edit.setText("+, +")
    assert box.prompt.text() == "“+” is listed twice."
    panel.show_example(image)
    assert not box.add_button.isEnabled() and not box.add_example()
    box.names_edit.setText("a")
    assert "at least two" in box.prompt.text()
    box.names_edit.setText("o, +")
    assert box.counts() == [0, 1]  # examples are kept by name
    box.strip.symbol_picked.emit(1)
    assert box.add_example() and box.counts() == [0, 2]
    box.undo_button.click()
    box.undo_button.click()
    assert box.counts() == [0, 0] and not box.undo_button.isEnabled()
    assert box.prompt.text() == "Draw a “+” on the canvas, then Add (1 of 5)"


def test_closing_the_panel_stops_teaching(panel: DrawPanel, qtbot) -> None:
    box = panel.teach
    images, labels = drawings("+-", 5, seed=0)
    box.names_edit.setText("+, -")
    for image in images:
        panel.show_example(image)
        assert box.add_example()
    box.teach_button.click()
    worker = box.worker
    assert worker is not None and worker.isRunning()
    panel.close()
    assert not worker.isRunning()
    assert panel.bars.class_names() == tuple("0123456789")  # stopped: nothing was taught


def test_live_network_note(panel: DrawPanel) -> None:
    panel.teach.set_state(live=True, taught_active=False)
    assert "starts from the sample model" in panel.teach.note.text()
    panel.teach.set_state(live=False, taught_active=False)
    assert not panel.teach.note.isVisible()


def test_stop_keeps_the_answering_model(panel: DrawPanel, qtbot) -> None:
    box = panel.teach
    box.names_edit.setText("+, -")
    for image in drawings("+-", 5, seed=0)[0]:
        panel.show_example(image)
        box.add_example()
    box.teach_button.click()
    with qtbot.waitSignal(box.worker.finished, timeout=60_000):
        box.stop_button.click()
    qtbot.waitUntil(lambda: not box.teaching())
    assert box.note.text() == "Stopped: nothing was taught."
    assert box.teach_button.isVisible() and box.teach_button.isEnabled()
    assert not box.progress.isVisible() and panel.bars.class_names() == tuple("0123456789")
