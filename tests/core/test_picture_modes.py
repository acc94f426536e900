"""Every image mode Pillow reads reaches the network with its real contrast; a blank picture stays blank."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from playground.core.picture import unit_levels
from playground.core.predict_files import read_digit


@pytest.fixture(scope="module")
def ink(sample_dataset) -> np.ndarray:
    """An MNIST test digit, enlarged to 56x56: anti-aliased ink levels 0..255 (white on black)."""
    digit = Image.fromarray(sample_dataset.test_x[0, 0]).resize((56, 56), Image.Resampling.BILINEAR)
    return np.asarray(digit, dtype=np.uint8)


def _paper(ink: np.ndarray) -> np.ndarray:
    return 255 - ink  # dark ink on white paper, as a photo or a scan has it


def _pictures(ink: np.ndarray) -> dict[str, tuple[Image.Image, str]]:
    """The same digit in every mode, each at its own depth, with the file type that keeps the mode."""
    paper = _paper(ink).astype(np.uint16)
    alpha = np.stack([np.zeros_like(ink), ink], -1)
    rgba = np.dstack([np.zeros((*ink.shape, 3), np.uint8), ink])
    palette = Image.fromarray(_paper(ink)).convert("P")
    palette.info["transparency"] = palette.getpixel((0, 0))
    return {
        "I;16": (Image.fromarray(paper * 257), "png"),
        "I;16 (12-bit data)": (Image.fromarray(np.round(paper / 255 * 4095).astype(np.uint16)), "png"),
        "I;16B": (Image.frombytes("I;16B", ink.shape[::-1], (paper * 257).astype(">u2").tobytes()), "tiff"),
        "I": (Image.fromarray(paper.astype(np.int32) * 257), "tiff"),
        "F": (Image.fromarray(paper.astype(np.float32) / 255), "tiff"),
        "LA": (Image.fromarray(alpha, "LA"), "png"),
        "RGBA": (Image.fromarray(rgba, "RGBA"), "png"),
        "RGBA, white ink": (Image.fromarray(np.dstack([np.full((*ink.shape, 3), 255, np.uint8), ink]),
                                            "RGBA"), "png"),
        "P with transparency": (palette, "png"),
        "CMYK": (Image.fromarray(_paper(ink)).convert("CMYK"), "tiff"),
    }


@pytest.mark.parametrize("mode", list(_pictures(np.zeros((2, 2), np.uint8))))
def test_every_mode_reads_like_the_8_bit_picture(tmp_path: Path, ink: np.ndarray, mode: str) -> None:
    Image.fromarray(_paper(ink)).save(tmp_path / "reference.png")
    reference = read_digit(tmp_path / "reference.png")
    picture, suffix = _pictures(ink)[mode]
    path = tmp_path / f"digit.{suffix}"
    picture.save(path)
    assert Image.open(path).mode == picture.mode
    got = read_digit(path)
    assert got is not None, f"{mode} read as blank"
    assert np.abs(got - reference).max() < 0.02


def test_a_bilevel_picture_reads_like_its_thresholded_8_bit_picture(tmp_path: Path, ink: np.ndarray) -> None:
    thresholded = np.where(_paper(ink) > 127, 255, 0).astype(np.uint8)
    Image.fromarray(thresholded).save(tmp_path / "reference.png")
    Image.fromarray(thresholded > 127).save(tmp_path / "digit.png")
    assert Image.open(tmp_path / "digit.png").mode == "1"
    assert np.abs(read_digit(tmp_path / "digit.png") - read_digit(tmp_path / "reference.png")).max() < 1e-6


@pytest.mark.parametrize("mode", ["I;16", "I", "F", "LA", "RGBA", "P", "CMYK", "1", "L"])
def test_a_blank_picture_is_blank_in_every_mode(tmp_path: Path, mode: str) -> None:
    white = {"I;16": 65535, "I": 65535, "F": 1.0, "LA": (255, 255), "RGBA": (255, 255, 255, 255),
             "P": 255, "CMYK": (0, 0, 0, 0), "1": 1, "L": 255}[mode]
    path = tmp_path / f"blank.{'tiff' if mode in ('I', 'F', 'CMYK') else 'png'}"
    Image.new(mode, (40, 30), white).save(path)
    assert read_digit(path) is None


def test_noise_in_a_16_bit_picture_is_not_stretched_into_ink(tmp_path: Path) -> None:
    noise = np.random.default_rng(0).integers(65530, 65536, (40, 40)).astype(np.uint16)
    Image.fromarray(noise).save(tmp_path / "paper.png")
    assert read_digit(tmp_path / "paper.png") is None


def test_unit_levels_scale_by_the_data_depth() -> None:
    assert unit_levels(np.array([[0, 4095]], np.uint16)).tolist() == [[0.0, 1.0]]
    assert unit_levels(np.array([[0, 1023]], np.uint16)).tolist() == [[0.0, 1.0]]
    assert unit_levels(np.array([[0, 65535]], np.int32)).tolist() == [[0.0, 1.0]]
    assert unit_levels(np.array([[0.0, 0.5]], np.float32)).tolist() == [[0.0, 0.5]]
    assert unit_levels(np.array([[np.nan, 1.0]], np.float32)).tolist() == [[0.0, 1.0]]
    assert unit_levels(np.array([[-32768, 32767]], np.int32)).tolist() == [[0.0, 1.0]]
