"""InputPreview: the exact 28x28 input the network receives, enlarged with nearest-neighbour pixels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

SIDE = 28


class InputPreview(QWidget):
    """Shows a (28, 28) float image in [0, 1] as blocky pixels, white on black; blank when None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Network input"))
        self.setToolTip(self.tr("What the network sees: your drawing cropped, scaled to fit 20x20 "
                                "and centred by its mass in 28x28 pixels, as in MNIST"))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(self.sizeHint())
        self._pixels = np.zeros((SIDE, SIDE), dtype=np.uint8)
        self._image = self._to_image(self._pixels)

    def sizeHint(self) -> QSize:
        """Four screen pixels per input pixel, plus a one-pixel frame."""
        return QSize(SIDE * 4 + 2, SIDE * 4 + 2)

    def pixels(self) -> np.ndarray:
        """The shown input as uint8 (28, 28): what ``to_mnist`` returned, times 255, rounded."""
        return self._pixels.copy()

    def set_input(self, image28: np.ndarray | None) -> None:
        """Show a new input, or a blank square for None."""
        if image28 is None:
            self._pixels = np.zeros((SIDE, SIDE), dtype=np.uint8)
        else:
            self._pixels = np.round(np.clip(image28, 0.0, 1.0) * 255).astype(np.uint8)
        self._image = self._to_image(self._pixels)
        self.update()

    @staticmethod
    def _to_image(pixels: np.ndarray) -> QImage:
        """A grayscale QImage owning a copy of the pixels."""
        data = np.ascontiguousarray(pixels)
        return QImage(data.data, SIDE, SIDE, SIDE, QImage.Format.Format_Grayscale8).copy()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Scale the 28x28 image up without smoothing, inside a frame."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        inner = QRect(1, 1, self.width() - 2, self.height() - 2)
        painter.drawImage(inner, self._image)
        painter.setPen(self.palette().mid().color())
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
