"""The panel: strokes reach the sample model, the preview, the prompt, and saving to my drawings."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from playground.core.preprocess import centre_of_mass, ink_bbox, to_mnist
from playground.data.drawings import drawings_dir
from playground.data.idx import read_idx_pair
from playground.data.registry import load_dataset
from playground.gui.draw.panel import DrawPanel
from tests.gui.draw.conftest import ONE, THREE, ZERO, draw, line

PREDICTION = re.compile(r"^\d \(\d+ %\)$")


def test_first_launch_answers_with_the_labelled_sample_model(panel: DrawPanel) -> None:
    assert "Sample model (small CNN trained on the bundled MNIST sample)" in panel.model_label.text()
    assert panel.bars.label.accessibleName() == "Prediction"
    assert panel.bars.class_names() == tuple("0123456789")


def test_empty_canvas_shows_the_prompt_and_no_prediction(panel: DrawPanel, qtbot) -> None:
    assert panel.bars.probabilities() is None and panel.input_image() is None
    prompt = panel.bars.label.text()
    assert "Draw" in prompt and not PREDICTION.match(prompt)
    speck = np.zeros((300, 300), dtype=np.uint8)
    speck[150, 150:152] = 255  # near-empty: fewer ink pixels than preprocess counts as a drawing
    with qtbot.waitSignal(panel.prediction_changed) as blocker:
        panel.canvas.drawing_changed.emit(speck)
    assert blocker.args[0] is None
    assert panel.bars.label.text() == prompt and panel.bars.probabilities() is None
    assert not panel.my_drawings.add_button.isEnabled()


def test_strokes_reach_the_model(panel: DrawPanel, qtbot) -> None:
    seen: list[object] = []
    panel.prediction_changed.connect(seen.append)
    draw(panel.canvas, [line(0.3, 0.3, 0.7, 0.3)])
    first = panel.bars.probabilities()
    assert first is not None and first.shape == (10,) and first.sum() == pytest.approx(1, abs=1e-4)
    assert PREDICTION.match(panel.bars.label.text())
    draw(panel.canvas, [line(0.7, 0.3, 0.45, 0.85)])
    second = panel.bars.probabilities()
    assert not np.allclose(first, second)
    assert len(seen) >= 2 and all(isinstance(p, np.ndarray) for p in seen)
    assert PREDICTION.match(panel.bars.label.text())


@pytest.mark.parametrize(("digit", "strokes"), [("1", ONE), ("0", ZERO), ("3", THREE)])
def test_the_sample_model_reads_drawn_digits(panel: DrawPanel, digit: str, strokes) -> None:
    draw(panel.canvas, strokes)
    text = panel.bars.label.text()
    assert PREDICTION.match(text) and text.startswith(f"{digit} ("), text
    assert int(text.split("(")[1].split()[0]) >= 80


def test_preview_is_exactly_the_models_input(panel: DrawPanel) -> None:
    draw(panel.canvas, THREE)
    expected = to_mnist(panel.canvas.drawing())
    assert expected is not None
    assert np.array_equal(panel.input_image(), expected)
    assert np.array_equal(panel.preview.pixels(), np.round(expected * 255).astype(np.uint8))
    row, col = centre_of_mass(expected)
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1
    top, left, bottom, right = ink_bbox(expected)
    assert max(bottom - top, right - left) <= 21  # 20x20 plus a sub-pixel shift


def test_add_to_my_drawings_saves_idx_files(panel: DrawPanel, qtbot) -> None:
    box = panel.my_drawings
    assert "None saved yet" in box.counts.text()
    for count, digit in enumerate("1311131"):
        draw(panel.canvas, ONE if digit == "1" else THREE)
        expected = panel.preview.pixels()
        box.picker.setCurrentIndex(int(digit))
        with qtbot.waitSignal(panel.drawing_saved) as blocker:
            qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
        assert blocker.args == [int(digit)]
        assert panel.canvas.stroke_count() == 0  # cleared for the next one
        assert panel.message.isVisible() and f"Added a {digit}" in panel.message.text()
        assert f"({count + 1} in all)" in box.counts.text()
    assert box.counts.text() == "Saved per label: 1: 5, 3: 2 (7 in all)"
    folder = drawings_dir()
    train = read_idx_pair(folder / "train-images-idx3-ubyte", folder / "train-labels-idx1-ubyte")
    test = read_idx_pair(folder / "t10k-images-idx3-ubyte", folder / "t10k-labels-idx1-ubyte")
    assert train[1].tolist() == [1, 3, 1, 1, 1, 3] and test[1].tolist() == [1]
    assert np.array_equal(test[0][0], expected)
    data = load_dataset(f"idx:{folder}")
    assert data.train_x.shape == (6, 1, 28, 28) and data.test_x.shape == (1, 1, 28, 28)
    assert load_dataset("my-drawings").class_names == tuple("0123456789")


def test_add_is_refused_without_a_drawing(panel: DrawPanel) -> None:
    assert not panel.my_drawings.add_button.isEnabled()
    panel.my_drawings.add_requested.emit(3)  # even if asked, nothing is saved
    assert not drawings_dir().exists()


def test_a_save_that_fails_gives_a_message(panel: DrawPanel, data_dir) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "my-drawings").write_text("a file where the folder should be")
    draw(panel.canvas, ONE)
    panel.my_drawings.add_requested.emit(1)
    assert panel.message.isVisible() and "Cannot save the drawing" in panel.message.text()
    assert panel.canvas.stroke_count() == 1  # the drawing is kept


def test_an_example_from_the_test_split_reaches_the_network_unchanged(panel: DrawPanel, qtbot,
                                                                      sample_dataset) -> None:
    image = sample_dataset.test_x[7, 0]
    with qtbot.waitSignal(panel.prediction_changed, timeout=3000):
        panel.show_example(image)
    assert np.abs(panel.input_image() - image / 255.0).max() < 1e-6  # not cropped and centred again
    assert np.array_equal(panel.preview.pixels(), image)


def test_opening_the_teach_box_scrolls_instead_of_growing_past_a_small_screen(window, qtbot) -> None:
    window.drawing.teach.header.setChecked(True)
    qtbot.waitUntil(lambda: window.drawing.teach.is_expanded())
    assert window.minimumSizeHint().height() <= 768
    assert not window.drawing.my_drawings.isVisibleTo(window.drawing)
    window.drawing.teach.header.setChecked(False)
    assert window.drawing.my_drawings.isVisibleTo(window.drawing)


def test_opening_the_teach_box_keeps_the_canvas_size(window, qtbot) -> None:
    """The canvas is where the examples are drawn: teaching must not shrink it (288 px went to 193)."""
    pad = window.drawing
    window.draw_dock.raise_()
    qtbot.waitUntil(pad.canvas.isVisible)
    QApplication.processEvents()
    before, below = pad.canvas.size(), pad.below.height()
    pad.teach.header.click()
    qtbot.waitUntil(lambda: pad.teach.body.isVisible())
    for _ in range(3):
        QApplication.processEvents()
    assert pad.canvas.size() == before and pad.below.height() == below
    assert pad.teach.header.visibleRegion().boundingRect().height() == pad.teach.header.height()
    pad.teach.header.click()
    for _ in range(3):
        QApplication.processEvents()
    assert pad.canvas.size() == before and pad.my_drawings.isVisibleTo(pad)
