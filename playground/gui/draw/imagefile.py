"""Open an image file for the canvas: size limits, any colour mode to white ink on black."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from playground.core.picture import MAX_IMAGE_BYTES as MAX_BYTES
from playground.core.picture import MAX_PIXELS, unit_levels

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
        ImageFileError: missing, too large (over 50 MB or MAX_PIXELS, 16.8 megapixels), or not a readable
            image.
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
        raise ImageFileError(_tr("%1 is too large (%2 x %3 pixels); images up to %4 megapixels "
                                 "can be opened.").replace("%4", f"{MAX_PIXELS / 1e6:.1f}")
                             .replace("%3", str(dims.height())).replace("%2", str(dims.width()))
                             .replace("%1", path.name))
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


def _pixels(image: QImage, dtype: type, channels: int) -> np.ndarray:
    """A copy of the image's pixels as a (height, width, channels) array of ``dtype``, without the row
    padding (a copy, so it outlives a temporary converted image)."""
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    size = np.dtype(dtype).itemsize
    data: np.ndarray = np.frombuffer(image.constBits(), dtype=dtype, count=stride * height // size)
    return data.reshape(height, stride // size)[:, : width * channels].reshape(height, width, channels).copy()


def _rgba(image: QImage) -> np.ndarray:
    """The image as a float (height, width, 4) RGBA array on the 0..255 scale. Pictures of more than 8
    bits a channel keep their real contrast: 12-bit data in a 16-bit file reaches full white
    (``picture.unit_levels``), where a plain 8-bit conversion would leave it almost black."""
    if image.format() == QImage.Format.Format_Grayscale16:
        gray = 255.0 * unit_levels(_pixels(image, np.uint16, 1)[..., 0])
        return np.dstack([gray, gray, gray, np.full_like(gray, 255.0)]).astype(np.float32)
    if image.depth() > 32:
        deep = _pixels(image.convertToFormat(QImage.Format.Format_RGBA64), np.uint16, 4)
        rgb = 255.0 * unit_levels(deep[..., :3])
        return np.dstack([rgb, deep[..., 3] * (255.0 / 65535.0)]).astype(np.float32)
    return _pixels(image.convertToFormat(QImage.Format.Format_RGBA8888), np.uint8, 4).astype(np.float32)


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
