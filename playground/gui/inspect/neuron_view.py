"""The neurons, beside the decision boundary in the "Boundary" dock: a dense network on a 2-D dataset
drawn neuron by neuron, as TensorFlow Playground draws it: each input feature and each neuron as a small
map of its output over the plane, each weight as a line (blue positive, orange negative, wider for
larger), live while it trains."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from torch import nn

from playground.core.boundary import Boundary, Grid, dense_layers, evaluate, make_grid
from playground.data.dataset import REGRESSION
from playground.errors import PlaygroundError
from playground.gui.background import one_torch_thread
from playground.gui.docks import DockHost
from playground.gui.inspect.boundary_view import BoundaryView, PlaneBase
from playground.gui.inspect.session_model import session_model
from playground.gui.session import TrainingSession
from playground.gui.train.style import PALETTE

THROTTLE_MS = 100
MAX_LAYERS, MAX_UNITS = 8, 16
"""The largest network drawn neuron by neuron (hidden layers, units in one); larger ones get a note."""
TILE, GAP, COLUMN = 34, 8, 120
"""A neuron's map in pixels, the gap between two, and the distance between layers."""
POSITIVE, NEGATIVE = QColor(PALETTE[0]), QColor(PALETTE[1])
_STOPS = [(c.red(), c.green(), c.blue()) for c in (NEGATIVE, QColor("white"), POSITIVE)]
LUT = pg.ColorMap([0.0, 0.5, 1.0], _STOPS).getLookupTable(nPts=256)
"""TensorFlow Playground's colours, for the maps and the weights alike: orange negative, blue positive."""


def tile(values: np.ndarray, size: int = TILE) -> QPixmap:
    """(H, W) values as a ``size`` pixmap, orange negative to blue positive, scaled by their largest
    magnitude, row 0 (the lowest y) at the bottom."""
    scale = float(np.abs(values).max()) or 1.0
    index = np.clip(((values / scale + 1.0) * 127.5).round(), 0, 255).astype(np.uint8)
    rgb = np.ascontiguousarray(LUT[index[::-1]].astype(np.uint8))
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, width * 3, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.scaled(size, size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))


def _linear(layer: list[nn.Module]) -> nn.Linear:
    """The Linear module a neuron layer of ``dense_layers`` starts with."""
    first = layer[0]
    assert isinstance(first, nn.Linear)
    return first


class NeuronView(PlaneBase):
    """The editor's network on the selected 2-D dataset, neuron by neuron, with the session's weights.
    ``weights`` holds each Linear layer's weight matrix as drawn; ``lines`` the weight lines per layer
    (``lines[l][j][i]``: from unit i of the layer before to unit j)."""

    refreshed = Signal()

    def __init__(self, session: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.weights: list[np.ndarray] = []
        self.lines: list[list[list[QGraphicsLineItem]]] = []
        self.tiles: list[list[QGraphicsPixmapItem]] = []
        self._shape: tuple | None = None
        self._grid: Grid | None = None
        self.showing = QLabel(self)
        self.showing.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scene = QGraphicsScene(self)
        self.canvas = QGraphicsView(self.scene, self)
        self.canvas.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.canvas.setAccessibleName(self.tr("The network, neuron by neuron"))
        self.canvas.setBackgroundBrush(QColor("white"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.showing)
        layout.addWidget(self.note)
        layout.addWidget(self.canvas, 1)
        self.setMinimumWidth(260)

    def refresh(self) -> None:
        """Evaluate every neuron over the plane and redraw the maps and the weights."""
        self._recomputed()
        plane = self._plane(self.tr("The network is drawn neuron by neuron for the 2-D datasets (Circle, "
                                    "XOR, Spiral... in the dataset list)."))
        if plane is None:
            return
        dataset, features = plane
        try:
            with one_torch_thread():
                model, _whose = session_model(self.session)
                stack = dense_layers(model)
                if stack is None:
                    self._say(self.tr("Only a stack of Linear layers (with activations) is drawn neuron by "
                                      "neuron; this network has other layers. The editor's cards show it."))
                    return
                hidden = [_linear(layer).out_features for layer in stack[:-1]]
                if len(hidden) > MAX_LAYERS or any(units > MAX_UNITS for units in hidden):
                    self._say(self.tr("Networks of up to {0} hidden layers of {1} units are drawn neuron by "
                                      "neuron, to stay readable; this one is larger. The editor's cards "
                                      "show it.").format(MAX_LAYERS, MAX_UNITS))
                    return
                if self._grid is None or self._grid.features != features:
                    self._grid = make_grid(features, resolution=40)
                found = evaluate(model, self._grid, regression=dataset.task == REGRESSION)
        except (PlaygroundError, RuntimeError, ValueError) as exc:
            self._say(self.tr("Cannot draw the neurons: {0}").format(
                exc.message if isinstance(exc, PlaygroundError) else str(exc)))
            return
        self.weights = [_linear(layer).weight.detach().numpy().copy() for layer in stack]
        self._draw(found, features, stack)
        self.showing.setText(self.tr(
            "Each square is a neuron's output over the plane, each line a weight: blue positive, orange "
            "negative, wider for larger. Hover for values."))
        self.note.hide()
        self.canvas.show()
        self.refreshed.emit()

    def _build(self, widths: list[int], names: tuple[str, ...]) -> None:
        """The scene's items for columns of ``widths`` nodes (made once per network shape)."""
        self.scene.clear()
        self.tiles, self.lines = [], []
        tallest = max(widths)
        positions = []
        for column, count in enumerate(widths):
            top = (tallest - count) * (TILE + GAP) / 2
            column_tiles, column_positions = [], []
            for row in range(count):
                item = QGraphicsPixmapItem()
                item.setPos(column * COLUMN, top + row * (TILE + GAP))
                item.setZValue(2)
                self.scene.addItem(item)
                column_tiles.append(item)
                column_positions.append(QPointF(column * COLUMN, top + row * (TILE + GAP) + TILE / 2))
            self.tiles.append(column_tiles)
            positions.append(column_positions)
        for index, name in enumerate(names):
            label = QGraphicsSimpleTextItem(name)
            label.setPos(-8 - label.boundingRect().width(), positions[0][index].y() - 8)
            self.scene.addItem(label)
        for column in range(1, len(widths)):
            layer_lines = []
            for target in positions[column]:
                row_lines = []
                for source in positions[column - 1]:
                    line = QGraphicsLineItem(source.x() + TILE, source.y(), target.x(), target.y())
                    line.setZValue(1)
                    self.scene.addItem(line)
                    row_lines.append(line)
                layer_lines.append(row_lines)
            self.lines.append(layer_lines)
        heads = [self.tr("inputs")] + [self.tr("layer {0}").format(i + 1) for i in range(len(widths) - 2)]
        heads.append(self.tr("output"))
        for column, text in enumerate(heads):
            head = QGraphicsSimpleTextItem(text)
            head.setPos(column * COLUMN, -22)
            self.scene.addItem(head)
        self.scene.setSceneRect(QRectF(-60, -30, (len(widths) - 1) * COLUMN + TILE + 70,
                                       tallest * (TILE + GAP) + 30))

    def _draw(self, found: Boundary, features: tuple[str, ...], stack: list[list[nn.Module]]) -> None:
        widths = [len(features)] + [_linear(layer).out_features for layer in stack]
        shape = (tuple(widths), features)
        if shape != self._shape:
            self._shape = shape
            self._build(widths, features)
        grid_inputs = self._grid.inputs.numpy() if self._grid is not None else None
        height, width = found.grid.shape
        for index, item in enumerate(self.tiles[0]):
            if grid_inputs is not None:
                item.setPixmap(tile(grid_inputs[:, index].reshape(height, width)))
                item.setToolTip(self.tr("input {0}").format(features[index]))
        for column, maps in enumerate(found.neurons or (), start=1):
            for unit, item in enumerate(self.tiles[column]):
                values = maps[..., unit]
                item.setPixmap(tile(values))
                item.setToolTip(self.tr("layer {0}, neuron {1}: output {2:.2f} to {3:.2f} over the plane")
                                .format(column, unit + 1, float(values.min()), float(values.max())))
        names = self.session.dataset.class_names if self.session.dataset is not None else ()
        for unit, item in enumerate(self.tiles[-1]):
            values = found.output[..., unit]
            item.setPixmap(tile(values))
            if found.regression:
                item.setToolTip(self.tr("the output: the predicted value, {0:.2f} to {1:.2f}")
                                .format(float(values.min()), float(values.max())))
            else:
                name = names[unit] if unit < len(names) else str(unit)
                item.setToolTip(self.tr("output {0}: the probability of class {1} over the plane")
                                .format(unit + 1, name))
        for layer, matrix in enumerate(self.weights):
            largest = float(np.abs(matrix).max()) or 1.0
            for j, row_lines in enumerate(self.lines[layer]):
                for i, line in enumerate(row_lines):
                    weight = float(matrix[j, i])
                    pen = QPen(POSITIVE if weight >= 0 else NEGATIVE)
                    pen.setWidthF(0.4 + 3.6 * abs(weight) / largest)
                    line.setPen(pen)
                    line.setToolTip(self.tr("weight {0:+.3f}").format(weight))
        self.canvas.fitInView(self.scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 (Qt override)
        super().resizeEvent(event)
        self.canvas.fitInView(self.scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _say(self, message: str) -> None:
        self.weights = []
        self.showing.setText(self.tr("Neurons"))
        self.note.setText(message)
        self.note.show()
        self.canvas.hide()


class PlaneView(QSplitter):
    """The 2-D playground's dock, as TensorFlow Playground lays it out: the network neuron by neuron
    beside the decision boundary."""

    def __init__(self, session: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.neurons = NeuronView(session, self)
        self.boundary = BoundaryView(session, self)
        self.addWidget(self.neurons)
        self.addWidget(self.boundary)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 1)
        self.setChildrenCollapsible(False)
        self._placed = False

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Side by side when the dock is wide, the neurons above the boundary when it is narrow (a dock
        beside the editor on a 1366x768 screen)."""
        wide = event.size().width() >= 1.3 * event.size().height()
        wanted = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        super().resizeEvent(event)
        if self.orientation() != wanted or not self._placed:
            self._placed = True
            self.setOrientation(wanted)
            length = event.size().width() if wide else event.size().height()
            self.setSizes([round(length * 0.45), round(length * 0.55)])


def install_plane_view(host: DockHost, session: TrainingSession) -> QDockWidget:
    """Add the "Boundary" dock (neurons and decision boundary of a 2-D dataset) to ``host``."""
    view = PlaneView(session)
    return host.add_dock(view, view.tr("Boundary"), "boundary_dock", Qt.DockWidgetArea.RightDockWidgetArea)
