"""Pictures from files as gray levels in [0, 1]: every mode Pillow reads, capped in pixels before decoding."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np

from playground.errors import PlaygroundError
from playground.safe_read import open_regular, reason

MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 4096 * 4096
"""16.8 megapixels: a 16-megapixel phone photo of a digit (4608 x 3456) still opens, and decoding one costs
at most about 67 MB (RGBA). Pillow's own bomb limit (179 megapixels) let a 13,000 x 13,000 PNG cost 2.4 GB."""
WORK_SIDE = 2048
"""Larger pictures are shrunk to this many pixels a side before they are converted; the network sees 28x28."""
DEPTHS = (8, 10, 12, 14, 16, 24, 32)
"""Bit depths data is recorded at; levels are divided by the full scale of the smallest that holds them."""
HIGH_DEPTH = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")
TRANSPARENT = ("RGBA", "LA", "PA", "RGBa", "La")
IMAGE_HINT = "give a PNG or JPEG picture of one digit"


def unit_levels(values: np.ndarray) -> np.ndarray:
    """Levels of any real dtype as float64 in [0, 1], by the depth the data was recorded at.

    Floats within [0, 1] are kept as they are. Other data is offset to start at 0 where it goes negative
    and divided by the full scale (2^b - 1) of the smallest depth b in DEPTHS that holds its largest
    value: 12-bit data in a 16-bit file reaches full contrast, 8-bit data reads as 8-bit, and faint noise
    on a 16-bit black stays faint (it is not stretched into ink). NaN and infinities count as 0.
    """
    data = np.asarray(values, dtype=np.float64)
    data = np.where(np.isfinite(data), data, 0.0)
    if data.size == 0:
        return data
    low = min(0.0, float(data.min()))
    span = float(data.max()) - low
    if np.issubdtype(np.asarray(values).dtype, np.floating) and low >= 0.0 and span <= 1.0:
        return data
    full = next((2.0**bits - 1 for bits in DEPTHS if 2.0**bits - 1 >= span), span)
    return np.clip((data - low) / full, 0.0, 1.0)


def _flatten(picture) -> np.ndarray:
    """Gray levels in [0, 1]; transparent parts become paper of the colour the ink is not, so dark ink on
    transparency reads as on white paper and light ink as on black."""
    if picture.mode in HIGH_DEPTH:
        return unit_levels(np.asarray(picture))
    if picture.mode in TRANSPARENT or "transparency" in picture.info:
        rgba = np.asarray(picture.convert("RGBA"), dtype=np.float64) / 255.0
        gray, alpha = rgba[..., :3] @ np.array([0.299, 0.587, 0.114]), rgba[..., 3]
        weight = float(alpha.sum())
        paper = 1.0 if weight == 0 or float((gray * alpha).sum()) / weight < 0.5 else 0.0
        return alpha * gray + (1.0 - alpha) * paper
    return np.asarray(picture.convert("L"), dtype=np.float64) / 255.0


def _check_size(path: Path, width: int, height: int) -> None:
    """Refuse a picture by the size its header claims, before any pixel is decoded."""
    if width < 1 or height < 1:
        raise PlaygroundError(f"cannot read the image {path}: it has no pixels ({width} x {height})",
                              IMAGE_HINT)
    if width * height > MAX_PIXELS:
        raise PlaygroundError(f"cannot read the image {path}: {width:,} x {height:,} pixels is more than the "
                              f"{MAX_PIXELS / 1e6:.1f} megapixels a digit needs",
                              "crop or shrink the picture to the digit")


def _decode(stream: BinaryIO, path: Path, max_side: int) -> np.ndarray:
    """Open, check the size, orient, shrink and flatten; Pillow's errors are the caller's to turn."""
    from PIL import Image, ImageOps

    with Image.open(stream) as raw:
        _check_size(path, *raw.size)
        picture = ImageOps.exif_transpose(raw)
        if picture.mode.startswith("I;16"):
            picture = picture.convert("I")  # exact, and every resampling filter works on it
        picture.thumbnail((max_side, max_side))
        return _flatten(picture)


def read_levels(path: str | Path, max_side: int = WORK_SIDE) -> np.ndarray:
    """A picture file as float64 (H, W) gray levels in [0, 1], at most ``max_side`` pixels a side.

    Only regular files up to MAX_IMAGE_BYTES are opened, and a picture of more than MAX_PIXELS pixels is
    refused from its header, before it is decoded. The EXIF orientation is applied.

    Raises:
        PlaygroundError: the file cannot be read as a picture, or is too large.
    """
    path = Path(path)
    with open_regular(path, MAX_IMAGE_BYTES, PlaygroundError, "a picture") as stream:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # bomb warnings (the cap below is stricter), damaged EXIF...
                return _decode(stream, path, max_side)
        except PlaygroundError:
            raise
        except Exception as exc:  # Pillow's decoders raise many types for damaged files; the file is at fault
            why = getattr(exc, "strerror", None) or reason(exc)
            raise PlaygroundError(f"cannot read the image {path}: {why}", IMAGE_HINT) from None
