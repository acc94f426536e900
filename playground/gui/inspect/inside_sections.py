"""The inside view's sections: one layer's output, the first layer's weights, the saliency map."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from playground.core.inspect import LayerView
from playground.core.spec import LayerSpec
from playground.gui.inspect import inside_text as text
from playground.gui.inspect.inside_tiles import DIVERGING, SEQUENTIAL, Scale, ScaleBar, TileImage, overlay

STRIP_LIMIT = 256   # longer vectors wrap into rows of WRAP values
WRAP = 128
STRIP_HEIGHT = 22
WRAPPED_ROW_HEIGHT = 6
MAX_WEIGHT_TILES = {"kernels": 64, "units": 16}


def map_columns(count: int) -> int:
    """Tiles per row for ``count`` maps in a 400-600 px wide dock."""
    return count if count <= 8 else 8 if count <= 64 else 16


class Section(QWidget):
    """A titled picture (added by subclasses) above a one-sentence caption; ``values`` is what it shows."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: np.ndarray | None = None
        self.title = QLabel(title, self)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        small = self.caption.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.caption.setFont(small)
        self.caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 4, 0, 10)
        self.body.setSpacing(3)
        self.body.addWidget(self.title)

    def _finish(self, caption: str) -> None:
        """Put the caption last."""
        self.caption.setText(caption)
        self.body.addWidget(self.caption)

    def _picture(self, tiles: TileImage) -> tuple[TileImage, ScaleBar]:
        """Add a picture and a scale bar under it."""
        bar = ScaleBar(self)
        tiles.setAccessibleName(self.title.text())
        bar.setAccessibleName(self.tr("Colour scale"))
        self.body.addWidget(tiles)
        self.body.addWidget(bar)
        return tiles, bar


def _vector_rows(values: np.ndarray) -> np.ndarray:
    """A vector as one row, or wrapped into rows of WRAP values padded with NaN when it is long."""
    flat = values.reshape(-1).astype(np.float32)
    if flat.size <= STRIP_LIMIT:
        return flat[None]
    rows = math.ceil(flat.size / WRAP)
    padded = np.full(rows * WRAP, np.nan, dtype=np.float32)
    padded[:flat.size] = flat
    return padded.reshape(rows, WRAP)


class LayerSection(Section):
    """One layer's output: a grid of maps, a strip of neurons, or a recurrent state (and gates) over time."""

    def __init__(self, view: LayerView, spec_layer: LayerSpec, last: bool, class_names: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(text.layer_title(view, spec_layer, last), parent)
        self.index, self.kind = view.index, view.kind
        self.gate_tiles: dict[str, TileImage] = {}
        self.gate_values: dict[str, np.ndarray] = {}
        shape = view.values.shape
        if view.kind == "maps":
            self.tiles, self.bar = self._picture(TileImage(
                shape[0], shape[1:], map_columns(shape[0]), max_tile=min(112, max(56, 4 * max(shape[1:])))))
        elif view.kind == "sequence":
            self.tiles, self.bar = self._picture(self._heat_map(shape))
        else:
            rows = _vector_rows(view.values)
            labels = class_names if last and len(class_names) == view.values.size else ()
            height = STRIP_HEIGHT if rows.shape[0] == 1 else WRAPPED_ROW_HEIGHT
            self.tiles, self.bar = self._picture(TileImage(1, rows.shape, 1, pixel_height=height,
                                                           labels=labels))
        self._finish(text.layer_caption(view, spec_layer, last))
        if view.gates:
            self._add_gates(view.gates)

    def _heat_map(self, shape: tuple[int, ...]) -> TileImage:
        """Steps down, units across; each step a few pixels tall."""
        return TileImage(1, (shape[0], shape[1]), 1, pixel_height=max(3, min(8, 112 // max(1, shape[0]))))

    def _add_gates(self, gates: dict[str, np.ndarray]) -> None:
        """A heat map per gate, with one fixed 0..1 scale under them and a caption."""
        for name, values in gates.items():
            self.body.addSpacing(4)
            label = QLabel(text.gate_title(name), self)
            label.setWordWrap(True)
            self.body.addWidget(label)
            self.gate_tiles[name] = self._heat_map(values.shape)
            self.gate_tiles[name].setAccessibleName(label.text())
            self.body.addWidget(self.gate_tiles[name])
        self.gate_bar = ScaleBar(self)
        self.gate_bar.set_scale(Scale(0.0, 1.0, SEQUENTIAL), *text.gate_scale_texts())
        self.body.addWidget(self.gate_bar)
        note = QLabel(text.gates_caption(), self)
        note.setWordWrap(True)
        note.setFont(self.caption.font())
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.body.addWidget(note)

    def show_view(self, view: LayerView) -> None:
        """Draw new values (same structure) with one colour scale for the whole layer."""
        values = view.values
        scale = Scale.for_values(values)
        if view.kind == "maps":
            self.tiles.set_rgb(scale.colours(values))
        elif view.kind == "sequence":
            self.tiles.set_rgb(scale.colours(values)[None])
        else:
            self.tiles.set_rgb(scale.colours(_vector_rows(values))[None])
        self.bar.set_scale(scale)
        self.values = values
        gate_scale = Scale(0.0, 1.0, SEQUENTIAL)
        for name, gate in (view.gates or {}).items():
            if name in self.gate_tiles:
                self.gate_tiles[name].set_rgb(gate_scale.colours(gate)[None])
                self.gate_values[name] = gate


class WeightsSection(Section):
    """The first weighted layer's filters (CNN) or its first neurons' weights as images (MLP)."""

    def __init__(self, kind: str, weights: np.ndarray, index: int, layer_type: str,
                 parent: QWidget | None = None) -> None:
        tiles = self._tiles_of(kind, weights)
        total = weights.shape[0]
        super().__init__(text.weights_title(kind, index, layer_type, min(total, MAX_WEIGHT_TILES[kind]),
                                            total, tiles.shape[1:]), parent)
        self.kind = kind
        side = max(tiles.shape[1:])
        self.tiles, self.bar = self._picture(TileImage(
            tiles.shape[0], tiles.shape[1:], 8, max_tile=min(96, 16 * side), gap=6))
        self._finish(text.weights_caption(kind))

    @staticmethod
    def _tiles_of(kind: str, weights: np.ndarray) -> np.ndarray:
        """(tiles, rows, columns): the first filters' channels, or the first neurons' images."""
        shown = weights[:MAX_WEIGHT_TILES[kind]]
        return shown.reshape(-1, *shown.shape[-2:])

    def show_weights(self, weights: np.ndarray) -> None:
        """Draw new weights (same shape) on a scale symmetric around 0."""
        tiles = self._tiles_of(self.kind, weights)
        bound = float(np.abs(tiles[np.isfinite(tiles)]).max(initial=0.0)) or 1.0
        scale = Scale(-bound, bound, DIVERGING)
        self.tiles.set_rgb(scale.colours(tiles))
        self.bar.set_scale(scale)
        self.values = tiles


class SaliencySection(Section):
    """The drawing in gray with the saliency map over it, headed by the top class."""

    def __init__(self, shape: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.tiles = TileImage(1, shape, 1, max_tile=196)
        self.tiles.setAccessibleName(self.tr("Saliency map over the drawing"))
        self.body.addWidget(self.tiles)
        self._finish(text.saliency_caption())

    def show_saliency(self, image: np.ndarray, heat: np.ndarray, class_name: str, percent: float) -> None:
        """Draw the input with ``heat`` over it."""
        self.title.setText(text.saliency_title(class_name, percent))
        self.tiles.set_rgb(overlay(image, heat)[None])
        self.values = heat
