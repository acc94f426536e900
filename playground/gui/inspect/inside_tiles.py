"""Colour scales and the sharp-pixel tile grid and scale bar the inside view draws with."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

SEQUENTIAL = pg.colormap.get("inferno").getLookupTable(nPts=256)
DIVERGING = pg.colormap.get("CET-D1").getLookupTable(nPts=256)
BACKGROUND = np.array([128, 128, 128], dtype=np.uint8)
GAP = 2


class Scale:
    """A colour scale: values from ``low`` to ``high`` through a 256-colour lookup table."""

    def __init__(self, low: float, high: float, lut: np.ndarray) -> None:
        self.low, self.high, self.lut = low, high, lut

    @classmethod
    def for_values(cls, values: np.ndarray) -> Scale:
        """One scale for all ``values``: 0..max when none is negative, else symmetric around 0."""
        finite = values[np.isfinite(values)]
        low = float(finite.min()) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
        if low < 0:
            bound = max(-low, high) or 1.0
            return cls(-bound, bound, DIVERGING)
        return cls(0.0, high or 1.0, SEQUENTIAL)

    def colours(self, values: np.ndarray) -> np.ndarray:
        """RGB uint8 of shape ``values.shape + (3,)``; NaN (padding) is gray."""
        span = (self.high - self.low) or 1.0
        inside = np.clip(np.nan_to_num(values, nan=self.low, posinf=self.high, neginf=self.low),
                         self.low, self.high)
        rgb = self.lut[((inside - self.low) * (255.0 / span)).astype(np.uint8)]
        missing = np.isnan(values)
        if missing.any():
            rgb[missing] = BACKGROUND
        return rgb


def overlay(gray: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """A (H, W) input in [0, 1] dimmed to gray with ``heat`` (>= 0) laid over it in warm colours."""
    top = float(heat.max()) if heat.size and np.isfinite(heat).all() else 0.0
    alpha = (heat / top) ** 0.6 if top > 0 else np.zeros_like(heat)
    base = np.repeat((np.clip(gray, 0, 1) * 150.0)[..., None], 3, axis=2)
    warm = SEQUENTIAL[(96 + alpha * 159).astype(np.uint8)].astype(np.float32)
    mixed = base * (1 - alpha[..., None] * 0.85) + warm * alpha[..., None] * 0.85
    return np.clip(mixed, 0, 255).astype(np.uint8)


class TileImage(QWidget):
    """Tiles of one picture painted in rows with sharp pixels; the height follows the width.

    Args:
        count: how many tiles.
        tile_shape: each tile's (rows, columns) of pixels.
        columns: tiles per row.
        pixel_height: a fixed height in screen pixels for each pixel row (heat maps and strips);
            None keeps pixels square.
        max_tile: the widest a tile may be drawn, in screen pixels (square pixels only).
        labels: text under the pixel columns of a one-tile strip (class names).
        gap: screen pixels between tiles.
    """

    def __init__(self, count: int, tile_shape: tuple[int, int], columns: int, *,
                 pixel_height: int | None = None, max_tile: int | None = None,
                 labels: Sequence[str] = (), gap: int = GAP, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gap = gap if count > 1 else 0
        self.count, self.tile_shape = count, tile_shape
        self.columns = max(1, min(columns, count))
        self.rows = math.ceil(count / self.columns)
        self.pixel_height, self.max_tile, self.labels = pixel_height, max_tile, tuple(labels)
        self._buffer = np.full((count * tile_shape[0], tile_shape[1]), 0xFF000000, dtype=np.uint32)
        self._image = self._wrap(self._buffer)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    @staticmethod
    def _wrap(buffer: np.ndarray) -> QImage:
        """The buffer as a QImage in the raster engine's own format, so painting converts nothing."""
        height, width = buffer.shape
        return QImage(buffer.data, width, height, width * 4, QImage.Format.Format_RGB32)

    def set_rgb(self, rgb: np.ndarray) -> None:
        """New pixels, (count, rows, columns, 3) uint8; repaints without changing the layout."""
        rgb = rgb.reshape(*self._buffer.shape, 3).astype(np.uint32)
        self._buffer = (0xFF000000 | (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]).astype(np.uint32)
        self._image = self._wrap(self._buffer)
        self.update()

    def image(self) -> QImage:
        """A copy of the picture as painted (the tiles stacked top to bottom)."""
        return self._image.copy()

    def _tile_size(self, width: int) -> tuple[float, float]:
        gap = self.gap
        tile_w = max(1.0, (width - gap * (self.columns - 1)) / self.columns)
        rows, cols = self.tile_shape
        if self.pixel_height is not None:
            return tile_w, float(self.pixel_height * rows)
        if self.max_tile is not None:
            tile_w = min(tile_w, float(self.max_tile))
        return tile_w, tile_w * rows / cols

    def _label_height(self) -> int:
        return self.fontMetrics().height() if self.labels else 0

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        _, tile_h = self._tile_size(width)
        gap = self.gap
        return math.ceil(self.rows * tile_h + (self.rows - 1) * gap) + self._label_height()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(420, self.heightForWidth(420))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(120, self.heightForWidth(120))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        tile_w, tile_h = self._tile_size(self.width())
        gap = self.gap
        rows, cols = self.tile_shape
        for k in range(self.count):
            row, col = divmod(k, self.columns)
            target = QRectF(col * (tile_w + gap), row * (tile_h + gap), tile_w, tile_h)
            painter.drawImage(target, self._image, QRectF(0, k * rows, cols, rows))
        if self.labels:
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            cell = tile_w / len(self.labels)
            for i, text in enumerate(self.labels):
                box = QRectF(i * cell, tile_h, cell, self._label_height())
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class ScaleBar(QWidget):
    """The colour scale of a picture: the low value, the colour ramp, the high value."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = Scale(0.0, 1.0, SEQUENTIAL)
        self._ramp = self._ramp_image(SEQUENTIAL)
        self._texts = ("0", "1")
        self.setFixedHeight(self.fontMetrics().height() + 2)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @staticmethod
    def _ramp_image(lut: np.ndarray) -> QImage:
        return QImage(np.ascontiguousarray(lut[None]).tobytes(), 256, 1, 256 * 3,
                      QImage.Format.Format_RGB888).copy()

    def set_scale(self, scale: Scale, low_text: str | None = None, high_text: str | None = None) -> None:
        """Show ``scale``; the end texts default to its values."""
        if scale.lut is not self._scale.lut:
            self._ramp = self._ramp_image(scale.lut)
        self._scale = scale
        self._texts = (low_text or f"{scale.low:.3g}", high_text or f"{scale.high:.3g}")
        self.update()

    def texts(self) -> tuple[str, str]:
        """The low and high end texts shown."""
        return self._texts

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(240, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        metrics = self.fontMetrics()
        low, high = self._texts
        left = metrics.horizontalAdvance(low) + 6
        right = metrics.horizontalAdvance(high) + 6
        ramp_w = min(160, max(20, self.width() - left - right))
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(QRectF(0, 0, left - 6, self.height()), Qt.AlignmentFlag.AlignVCenter, low)
        painter.drawImage(QRectF(left, 3, ramp_w, self.height() - 6), self._ramp)
        painter.setPen(QColor(128, 128, 128))
        painter.drawRect(QRectF(left, 3, ramp_w, self.height() - 6))
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(QRectF(left + ramp_w + 6, 0, right, self.height()), Qt.AlignmentFlag.AlignVCenter,
                         high)
        painter.end()
