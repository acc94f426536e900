"""Opening and dropping image files: any size and colour mode, paper photos, and bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from playground.gui.draw import imagefile
from playground.gui.draw.panel import DrawPanel
from tests.gui.draw.conftest import ONE, draw


def paper_digit(sample_dataset, index: int, size: int = 300) -> Image.Image:
    """A test-split MNIST digit as dark grey ink on off-white paper, enlarged, in RGB."""
    digit = Image.fromarray(sample_dataset.test_x[index, 0]).resize((size, size), Image.Resampling.BILINEAR)
    ink = np.asarray(digit, dtype=np.float32) / 255
    paper = 235 - ink * 200
    rgb = np.stack([paper, paper * 0.98, paper * 0.95], axis=-1)
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8), "RGB")


def first_read_right(panel: DrawPanel, sample_dataset) -> int:
    """Index of the first test digit the sample model reads right from the raw 28x28 input."""
    images = sample_dataset.test_x[:20, 0].astype(np.float32) / 255
    probs = panel.source.predictor.predict(images)
    return int(np.flatnonzero(probs.argmax(1) == sample_dataset.test_y[:20])[0])


@pytest.mark.parametrize("suffix", ["png", "jpg"])
def test_dark_ink_on_paper_is_inverted_and_read(panel: DrawPanel, sample_dataset, tmp_path: Path,
                                                suffix: str) -> None:
    index = first_read_right(panel, sample_dataset)
    path = tmp_path / f"digit.{suffix}"
    paper_digit(sample_dataset, index).save(path)
    assert panel.open_image(str(path))
    label = str(sample_dataset.test_y[index])
    assert panel.bars.label.text().startswith(f"{label} (")
    assert panel.canvas.drawing()[0, 0] == 0  # paper became black
    assert not panel.message.isVisible()


def test_transparent_png_and_odd_modes_are_converted(panel: DrawPanel, tmp_path: Path) -> None:
    rgba = np.zeros((90, 200, 4), dtype=np.uint8)
    rgba[10:80, 95:110] = (20, 20, 200, 255)  # a blue vertical bar on transparency: a 1
    Image.fromarray(rgba, "RGBA").save(tmp_path / "bar.png")
    assert panel.open_image(str(tmp_path / "bar.png"))
    assert panel.bars.label.text().startswith("1 (")
    bar = (rgba[..., 3] > 0).astype(np.uint8) * 255
    images = {mode: Image.fromarray(bar).convert(mode) for mode in ("L", "P", "1", "LA", "CMYK")}
    images["I16"] = Image.fromarray(bar.astype(np.uint16) * 257)
    for mode, image in images.items():
        path = tmp_path / f"bar-{mode}.{'jpg' if mode == 'CMYK' else 'png'}"
        image.save(path)
        assert panel.open_image(str(path)), mode
        assert panel.bars.label.text().startswith("1 ("), mode


def test_blank_image_gives_the_prompt(panel: DrawPanel, tmp_path: Path) -> None:
    Image.new("RGB", (64, 64), "white").save(tmp_path / "blank.png")
    assert panel.open_image(str(tmp_path / "blank.png"))
    assert panel.bars.probabilities() is None and "Draw" in panel.bars.label.text()


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("notes.png", b"just some text, not a PNG at all\n", "not an image"),
    ("data.bin", bytes(range(256)) * 4, "not an image"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "Cannot read"),
])
def test_files_that_are_not_images_give_a_message(panel: DrawPanel, tmp_path: Path, name: str,
                                                  content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert not panel.open_image(str(path))
    assert panel.message.isVisible() and expected in panel.message.text() and name in panel.message.text()
    assert panel.canvas.stroke_count() == 0


def test_missing_file_gives_a_message(panel: DrawPanel, tmp_path: Path) -> None:
    assert not panel.open_image(str(tmp_path / "gone.png"))
    assert "Cannot open gone.png" in panel.message.text()


def test_huge_images_give_a_message(panel: DrawPanel, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    Image.new("L", (300, 200)).save(tmp_path / "big.png")
    monkeypatch.setattr(imagefile, "MAX_PIXELS", 300 * 200 - 1)
    assert not panel.open_image(str(tmp_path / "big.png"))
    assert "too large (300 x 200 pixels)" in panel.message.text()
    monkeypatch.setattr(imagefile, "MAX_BYTES", 10)
    assert not panel.open_image(str(tmp_path / "big.png"))
    assert "too large" in panel.message.text() and "50 MB" in panel.message.text()


def test_large_images_are_reduced(tmp_path: Path) -> None:
    Image.new("L", (3000, 1500), 255).save(tmp_path / "wide.jpg")
    picture = imagefile.load_picture(tmp_path / "wide.jpg")
    assert (picture.width(), picture.height()) == (512, 256)


@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_dropping_a_file_opens_it(panel: DrawPanel, tmp_path: Path, qtbot) -> None:
    rgba = np.full((100, 100), 255, dtype=np.uint8)
    rgba[15:85, 45:55] = 0
    Image.fromarray(rgba).save(tmp_path / "one.png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "one.png"))])
    centre = QPointF(panel.canvas.rect().center())
    enter = QDragEnterEvent(centre.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel.canvas, enter)
    assert enter.isAccepted()
    drop = QDropEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(panel.canvas.file_dropped):
        QApplication.sendEvent(panel.canvas, drop)
    assert panel.bars.label.text().startswith("1 (")


def test_open_button_asks_for_a_file(panel: DrawPanel, tmp_path: Path, qtbot,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notes.png").write_text("hello")
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(tmp_path / "notes.png"), ""))
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert panel.message.isVisible() and "not an image" in panel.message.text()
    draw(panel.canvas, ONE)  # the next drawing hides the message
    assert not panel.message.isVisible()


@pytest.mark.parametrize("bits", [10, 12, 16])
def test_high_bit_depth_pictures_keep_their_contrast(panel: DrawPanel, tmp_path: Path, bits: int) -> None:
    full = 2**bits - 1
    bar = np.zeros((90, 200), dtype=np.uint16)
    bar[10:80, 95:110] = full  # a 1 in light ink on black, recorded at ``bits`` bits in a 16-bit PNG
    for name, data in (("light", bar), ("paper", full - bar)):
        path = tmp_path / f"bar-{name}.png"
        Image.fromarray(data).save(path)
        assert Image.open(path).mode == "I;16"
        assert panel.open_image(str(path)), name
        assert panel.bars.label.text().startswith("1 ("), (bits, name)


def test_the_canvas_uses_the_same_pixel_cap_as_predict() -> None:
    from playground.core.picture import MAX_PIXELS

    assert imagefile.MAX_PIXELS == MAX_PIXELS


@pytest.mark.parametrize("kind", ["fifo", "zero", "folder"])
def test_special_files_are_refused_at_once(panel: DrawPanel, tmp_path: Path, kind: str) -> None:
    from tests.hostile import deadline, special_file

    path = special_file(tmp_path, kind, "digit.png")
    with deadline(5):
        assert not panel.open_image(str(path))
    assert panel.message.isVisible() and "digit.png" in panel.message.text()
