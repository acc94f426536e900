"""Open an image file for the canvas: size limits, any colour mode to white ink on black."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

MAX_PIXELS = 40_000_000
MAX_BYTES = 50 * 1024 * 1024
WORK_SIDE = 512
"""Opened images are reduced to at most this many pixels a side: plenty for a 28x28 input."""

INK_FLOOR = 0.2
"""After the background is set to black, levels under this fraction of the ink's are noise."""


class ImageFileError(Exception):
    """An image file that cannot be used; the message is for the user (translated)."""


def _tr(text: str) -> str:
    """Translate a message of this module."""
    return QCoreApplication.translate("ImageFile", text)


def load_picture(path: str | Path) -> QImage:
    """Read an image file and return it as grayscale, white ink on black, at most 512 pixels a side.

    Raises:
        ImageFileError: missing, too large (over 50 MB or 40 megapixels), or not a readable image.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageFileError(_tr("Cannot open %1: %2").replace("%2", str(exc.strerror or exc))
                             .replace("%1", path.name)) from None
    if size > MAX_BYTES:
        raise ImageFileError(_tr("%1 is too large (%2 MB); images up to 50 MB can be opened.")
                             .replace("%2", f"{size / 2**20:.0f}").replace("%1", path.name))
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    if not path.is_file() or not reader.canRead():
        raise ImageFileError(_tr("%1 is not an image that can be opened (use PNG or JPEG).")
                             .replace("%1", path.name))
    dims = reader.size()
    if dims.isValid() and dims.width() * dims.height() > MAX_PIXELS:
        raise ImageFileError(_tr("%1 is too large (%2 x %3 pixels); images up to 40 megapixels "
                                 "can be opened.").replace("%3", str(dims.height()))
                             .replace("%2", str(dims.width())).replace("%1", path.name))
    if dims.isValid() and max(dims.width(), dims.height()) > 2 * WORK_SIDE:
        reader.setScaledSize(dims.scaled(QSize(2 * WORK_SIDE, 2 * WORK_SIDE),
                                         Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ImageFileError(_tr("Cannot read %1: %2").replace("%2", reader.errorString())
                             .replace("%1", path.name))
    if max(image.width(), image.height()) > WORK_SIDE:
        image = image.scaled(WORK_SIDE, WORK_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return to_ink(image)


def _rgba(image: QImage) -> np.ndarray:
    """The image as a float (height, width, 4) RGBA array."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height, stride = rgba.width(), rgba.height(), rgba.bytesPerLine()
    data = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=stride * height)
    return data.reshape(height, stride)[:, : width * 4].reshape(height, width, 4).astype(np.float32)


def ink_levels(image: QImage) -> np.ndarray:
    """Grayscale uint8 levels, white ink on black, from an image of any colour mode.

    Transparent parts count as paper of the colour the ink is not; a light background (dark ink
    on paper, told by the median of the border) is inverted; then the background is set to black
    and the ink stretched to full white, so photos of paper give clean strokes.
    """
    rgba = _rgba(image)
    gray = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    alpha = rgba[..., 3] / 255.0
    if alpha.min() < 1.0:
        weight = float(alpha.sum())
        ink = float((gray * alpha).sum() / weight) if weight > 0 else 255.0
        gray = alpha * gray + (1.0 - alpha) * (255.0 if ink < 128 else 0.0)
    height, width = gray.shape
    edge = max(1, min(height, width) // 20)
    border = np.concatenate([gray[:edge].ravel(), gray[-edge:].ravel(),
                             gray[:, :edge].ravel(), gray[:, -edge:].ravel()])
    background = float(np.median(border))
    if background > 127:
        gray, background = 255.0 - gray, 255.0 - background
    peak = float(gray.max())
    if peak - background < 16:
        return np.zeros(gray.shape, dtype=np.uint8)
    floor = background + INK_FLOOR * (peak - background)
    return np.round(np.clip((gray - floor) / (peak - floor), 0.0, 1.0) * 255).astype(np.uint8)


def to_ink(image: QImage) -> QImage:
    """The image as a grayscale QImage, white ink on black (see ``ink_levels``)."""
    levels = np.ascontiguousarray(ink_levels(image))
    height, width = levels.shape
    return QImage(levels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
