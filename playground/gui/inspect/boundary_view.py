"""The decision boundary, beside the neurons in the "Boundary" dock: on a 2-D dataset, the network's
output over the plane as a heatmap (classes as colours, confidence as their strength; values on a
diverging map) with the training and test points, live while it trains."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from playground.core.boundary import Boundary, Grid, evaluate, make_grid
from playground.data.dataset import REGRESSION, Dataset
from playground.data.toy import DOMAIN, parse_features
from playground.data.toy_source import PREFIX as TOY_PREFIX
from playground.errors import PlaygroundError
from playground.gui.background import one_torch_thread
from playground.gui.inspect.session_model import session_model
from playground.gui.inspect.throttled import ThrottledView
from playground.gui.session import TrainingSession
from playground.gui.train.style import colour, setup_plot

THROTTLE_MS = 100
"""While training, at most ten redraws a second (one batched forward of the 100 x 100 grid is ~2 ms)."""
VALUE_MAP = pg.colormap.get("CET-D1")


def class_colours(count: int) -> np.ndarray:
    """(count, 3) float RGB in [0, 1]: the plot palette's colours, colour-blind safe."""
    return np.array([[colour(i).redF(), colour(i).greenF(), colour(i).blueF()] for i in range(count)],
                    dtype=np.float32)


def boundary_image(boundary: Boundary) -> np.ndarray:
    """(W, H, 3) uint8 for pyqtgraph (column-major): each cell the colour of its predicted class mixed with
    white by its confidence (1 / classes: white, 1: the full colour)."""
    probabilities = boundary.output
    classes = probabilities.shape[2]
    colours = class_colours(classes)
    strength = (boundary.confidence - 1 / classes) / (1 - 1 / classes)
    strength = np.clip(strength, 0.0, 1.0)[..., None] * 0.85  # the points stay readable on the strongest
    rgb = 1.0 - strength * (1.0 - colours[boundary.predicted])
    return np.ascontiguousarray((rgb * 255).astype(np.uint8).transpose(1, 0, 2))


def is_plane(dataset: Dataset | None) -> bool:
    """True for a 2-D dataset (``toy:...``), whose inputs are features of points of the plane."""
    return dataset is not None and dataset.ref.id.startswith(TOY_PREFIX)


class PlaneBase(ThrottledView):
    """What the views of a 2-D dataset share: the session, redrawing when the weights, the network, the
    data or a run change (throttled), and the check that there is a plane and a network to draw."""

    def __init__(self, session: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(THROTTLE_MS, parent)
        self.session = session
        for signal in (session.weights_changed, session.network_changed, session.dataset_changed,
                       session.records_received, session.run_finished):
            signal.connect(self.schedule)

    def _say(self, message: str) -> None:
        """Show ``message`` instead of the drawing."""
        raise NotImplementedError

    def _plane(self, not_plane: str) -> tuple[Dataset, tuple[str, ...]] | None:
        """The selected 2-D dataset and its input features; None (after saying ``not_plane`` or asking for
        a network) when there is nothing to draw."""
        dataset, spec = self.session.dataset, self.session.spec
        if dataset is None or not is_plane(dataset):
            self._say(not_plane)
            return None
        if spec is None or not spec.layers:
            self._say(self.tr("Build a network in the editor first."))
            return None
        return dataset, parse_features(str(dataset.ref.values().get("features", "x1,x2")))


class BoundaryView(PlaneBase):
    """The output of the editor's network over the plane of a 2-D dataset, with the session's weights (the
    run in progress, the kept ones, or fresh ones), and the points; ``boundary`` is the last one drawn."""

    refreshed = Signal()

    def __init__(self, session: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.boundary: Boundary | None = None
        self._grid: Grid | None = None
        self._points_shown: tuple | None = None
        self.showing = QLabel(self)
        self.showing.setWordWrap(True)
        self.showing.setAccessibleName(self.tr("What the boundary view shows"))
        self.show_test = QCheckBox(self.tr("Show test points"), self)
        self.show_test.setChecked(True)
        self.show_test.setToolTip(self.tr("Test points are drawn as squares with a black edge; training "
                                          "points as circles"))
        self.show_test.toggled.connect(self.schedule)
        controls = QHBoxLayout()
        controls.addWidget(self.show_test)
        controls.addStretch(1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.graph = pg.PlotWidget(background="w")
        self.graph.setAccessibleName(self.tr("Decision boundary"))
        self.plot = self.graph.getPlotItem()
        setup_plot(self.plot, "x1", "x2")
        self.plot.showGrid(x=False, y=False)  # grid lines would stripe the map
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        low, high = DOMAIN
        self.plot.setRange(xRange=(low, high), yRange=(low, high), padding=0)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1))
        self.test_points = pg.ScatterPlotItem(size=7, symbol="s", pen=pg.mkPen("k", width=1.2))
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.test_points)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.showing)
        layout.addLayout(controls)
        layout.addWidget(self.note)
        layout.addWidget(self.graph, 1)
        self.setMinimumWidth(260)

    def refresh(self) -> None:
        """Evaluate the network over the grid and redraw."""
        self._recomputed()
        plane = self._plane(self.tr("The decision boundary is drawn for the 2-D datasets (Circle, XOR, "
                                    "Spiral... in the dataset list): points of the plane, as in TensorFlow "
                                    "Playground."))
        if plane is None:
            return
        dataset, features = plane
        try:
            with one_torch_thread():
                model, whose = session_model(self.session)
                if self._grid is None or self._grid.features != features:
                    self._grid = make_grid(features)
                found = evaluate(model, self._grid, regression=dataset.task == REGRESSION, neurons=False)
        except (PlaygroundError, RuntimeError, ValueError) as exc:
            self._say(self.tr("Cannot draw the boundary: {0}").format(
                exc.message if isinstance(exc, PlaygroundError) else str(exc)))
            return
        self.boundary = found
        self._draw(found, dataset)
        self.showing.setText(self._caption(dataset, whose, found))
        self.note.hide()
        self.graph.show()
        self.refreshed.emit()

    def _caption(self, dataset: Dataset, whose: str, found: Boundary) -> str:
        if found.regression:
            return self.tr("{0} with {1}: the predicted value over the plane (blue low, red high); the "
                           "points' colour is their true value.").format(dataset.name, whose)
        return self.tr("{0} with {1}: each region in the colour of the class answered there, stronger "
                       "where surer; circles train, squares test.").format(dataset.name, whose)

    def _draw(self, found: Boundary, dataset: Dataset) -> None:
        low, high = DOMAIN
        grid = found.grid
        if found.regression:
            values = found.output[..., 0]
            self.image.setImage(np.ascontiguousarray(values.T), levels=(-1.0, 1.0))
            self.image.setColorMap(VALUE_MAP)
        else:
            self.image.setImage(boundary_image(found), levels=(0, 255))
        step_x = (grid.xs[-1] - grid.xs[0]) / max(len(grid.xs) - 1, 1)
        step_y = (grid.ys[-1] - grid.ys[0]) / max(len(grid.ys) - 1, 1)
        self.image.setRect(QRectF(grid.xs[0] - step_x / 2, grid.ys[0] - step_y / 2,
                                  (grid.xs[-1] - grid.xs[0]) + step_x, (grid.ys[-1] - grid.ys[0]) + step_y))
        shown = (dataset.ref, self.show_test.isChecked(), self._grid.features if self._grid else ())
        if shown != self._points_shown:  # the points change with the data only, not with the weights
            self._points_shown = shown
            self.train_points.setData(**self._points(dataset.train_x, dataset.train_y, found.regression))
            if self.show_test.isChecked():
                self.test_points.setData(**self._points(dataset.test_x, dataset.test_y, found.regression))
            else:
                self.test_points.setData([], [])
        self.plot.setRange(xRange=(low, high), yRange=(low, high), padding=0)

    def _points(self, x: np.ndarray, y: np.ndarray, regression: bool) -> dict:
        """Where the points are (x1 and x2 are the first two features of every 2-D dataset's input when
        chosen; else they are recovered from the features) and their brushes."""
        names = self._grid.features if self._grid is not None else ("x1", "x2")
        if "x1" in names and "x2" in names:
            xs, ys = x[:, names.index("x1")], x[:, names.index("x2")]
        else:  # without x1 or x2 among the inputs the points cannot be placed from them
            return {"x": [], "y": []}
        if regression:
            lut = VALUE_MAP.getLookupTable(-1.0, 1.0, 256)
            index = np.clip(((np.asarray(y).reshape(-1) + 1) / 2 * 255).round(), 0, 255).astype(int)
            brushes = [pg.mkBrush(*lut[i]) for i in index]
        else:
            colours = (class_colours(int(np.max(y)) + 1) * 255).astype(int)
            brushes = [pg.mkBrush(*colours[int(label)]) for label in y]
        return {"x": xs, "y": ys, "brush": brushes}

    def _say(self, message: str) -> None:
        self.boundary = None
        self.showing.setText(self.tr("Decision boundary"))
        self.note.setText(message)
        self.note.show()
        self.graph.hide()
