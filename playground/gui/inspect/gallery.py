"""ExampleGallery: the test images of one confusion-matrix cell as a scrolling grid of thumbnails."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

THUMB = 56  # 28 x 28 shown at twice the size, pixels kept sharp
GRID = QSize(88, 112)
ONE_LINE = 11  # characters of "true → predicted" that fit under a thumbnail
INDEX_ROLE = Qt.ItemDataRole.UserRole


def thumbnail(image: np.ndarray, size: int = THUMB) -> QPixmap:
    """A uint8 (H, W), (1, H, W) or colour (3, H, W) image, scaled up without smoothing."""
    pixels = np.asarray(image, dtype=np.uint8)
    if pixels.ndim == 3 and pixels.shape[0] == 3:
        rgb = np.ascontiguousarray(pixels.transpose(1, 2, 0))
        picture = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888)
    else:
        gray = np.ascontiguousarray(pixels.reshape(pixels.shape[-2], pixels.shape[-1]))
        picture = QImage(gray.data, gray.shape[1], gray.shape[0], gray.strides[0],
                         QImage.Format.Format_Grayscale8)
    picture = picture.copy()
    return QPixmap.fromImage(picture.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.FastTransformation))


class ExampleModel(QAbstractListModel):
    """Rows are test-split indexes; thumbnails are made when a row is first shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images = np.zeros((0, 1, 28, 28), np.uint8)
        self._rows = np.zeros(0, np.int64)
        self._labels = self._predicted = np.zeros(0, np.int64)
        self._confidence = np.zeros(0, np.float32)
        self._names: tuple[str, ...] = ()
        self._pixmaps: dict[int, QPixmap] = {}

    def set_examples(self, rows: np.ndarray, images: np.ndarray, labels: np.ndarray,
                     predicted: np.ndarray, confidence: np.ndarray, class_names: Sequence[str]) -> None:
        """Show the images ``rows`` (indexes into the split arrays) in that order."""
        self.beginResetModel()
        self._rows = np.asarray(rows, dtype=np.int64)
        self._images, self._labels, self._predicted = images, labels, predicted
        self._confidence, self._names = confidence, tuple(class_names)
        self._pixmaps = {}
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """One row per example (a flat list)."""
        return 0 if parent.isValid() else len(self._rows)

    def split_indexes(self) -> list[int]:
        """The test-split indexes shown, in order."""
        return self._rows.tolist()

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Thumbnail, "true → predicted" with the confidence, a tooltip, and the split index."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        k = int(self._rows[index.row()])
        true, predicted = self._names[self._labels[k]], self._names[self._predicted[k]]
        sure = f"{float(self._confidence[k]):.0%}"
        if role == Qt.ItemDataRole.DecorationRole:
            if k not in self._pixmaps:
                self._pixmaps[k] = thumbnail(self._images[k])
            return self._pixmaps[k]
        if role == Qt.ItemDataRole.DisplayRole:
            pair = f"{true} → {predicted}"
            return f"{pair}\n{sure}" if len(pair) <= ONE_LINE else f"{true}\n→ {predicted}\n{sure}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self.tr("Test image %1: true %2, predicted %3 (%4 sure). Double-click to put it "
                            "on the drawing pad.").replace("%1", str(k)).replace("%2", true)
                    .replace("%3", predicted).replace("%4", sure))
        if role == INDEX_ROLE:
            return k
        return None


class ExampleGallery(QWidget):
    """A caption, a "Send to drawing pad" button, and the thumbnails of one cell.

    ``example_chosen`` carries the test-split index of an image to put on the drawing pad (a
    double-click or the button).
    """

    example_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.send_button = QPushButton(self.tr("Send to drawing pad"), self)
        self.send_button.setToolTip(self.tr("Put the chosen image on the drawing pad to see what the "
                                            "network reads in it"))
        self.send_button.setEnabled(False)
        self.model = ExampleModel(self)
        self.view = QListView(self)
        self.view.setAccessibleName(self.tr("Test images of the chosen cell"))
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setWordWrap(True)
        self.view.setIconSize(QSize(THUMB, THUMB))
        self.view.setGridSize(GRID)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setModel(self.model)
        self.view.setMinimumHeight(GRID.height() + 8)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.send_button.clicked.connect(self._on_send_clicked)

    def show_examples(self, caption: str, rows: np.ndarray, images: np.ndarray, labels: np.ndarray,
                      predicted: np.ndarray, confidence: np.ndarray, class_names: Sequence[str]) -> None:
        """Show ``rows`` of the split under ``caption``; the first image becomes the current one."""
        self.caption.setText(caption)
        self.model.set_examples(rows, images, labels, predicted, confidence, class_names)
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0))
        self.view.scrollToTop()
        self.send_button.setEnabled(self.model.rowCount() > 0)

    def clear(self, caption: str = "") -> None:
        """No images, only ``caption``."""
        self.show_examples(caption, np.zeros(0, np.int64), np.zeros((0, 1, 28, 28), np.uint8),
                           np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32), ())

    def current(self) -> int | None:
        """The test-split index of the current image."""
        index = self.view.currentIndex()
        return cast(int, self.model.data(index, INDEX_ROLE)) if index.isValid() else None

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.send_button.setEnabled(current.isValid())

    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        k = self.model.data(index, INDEX_ROLE)
        if k is not None:
            self.example_chosen.emit(k)

    @Slot()
    def _on_send_clicked(self) -> None:
        k = self.current()
        if k is not None:
            self.example_chosen.emit(k)
