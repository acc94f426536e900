"""Gradient flow: gradient norm per layer on a log scale, dead ReLU fractions, vanish/explode warnings."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from playground.gui.train.buffers import CurveStore
from playground.gui.train.style import TimedLayoutWidget, colour, marker, setup_plot

VANISH_BELOW = 1e-6
VANISH_RATIO = 1e-3  # of the last weighted layer's norm
EXPLODE_ABOVE = 1e3


def gradient_problems(norms: np.ndarray, weighted: list[int]) -> tuple[list[int], list[int]]:
    """The spec indexes among ``weighted`` whose gradient norms vanish (< 1e-6, or 1000x smaller than
    the last weighted layer's) and those whose norms explode (> 1e3)."""
    measured = [i for i in weighted if i < len(norms) and math.isfinite(norms[i])]
    if not measured:
        return [], []
    last = norms[measured[-1]]
    vanishing = [i for i in measured
                 if norms[i] < VANISH_BELOW or (i != measured[-1] and norms[i] < last * VANISH_RATIO)]
    exploding = [i for i in measured if norms[i] > EXPLODE_ABOVE]
    return vanishing, exploding


def layer_list(indexes: list[int]) -> str:
    """Spec indexes as 1-based layer numbers: "2", "2 and 3", "2, 3 and 5"."""
    numbers = [str(i + 1) for i in indexes]
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " & " + numbers[-1]


class GradientView(QWidget):
    """Two linked plots fed from a CurveStore; curves are pooled and reused from run to run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: dict[int, str] = {}
        self._relu: dict[int, str] = {}
        self._markers: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setObjectName("gradientWarning")
        self.warning.setStyleSheet("QLabel { background: #fff4ce; color: #5c3c00; "
                                   "border: 1px solid #e0b000; padding: 4px; }")
        self.warning.hide()
        self.graphics = TimedLayoutWidget(self)
        self.graphics.setBackground("w")
        self.legend = pg.LegendItem(colCount=3, labelTextColor="k", labelTextSize="8pt")
        self.graphics.addItem(self.legend, row=0, col=0)
        self.norm_plot: pg.PlotItem = self.graphics.addPlot(row=1, col=0)
        setup_plot(self.norm_plot, self.tr("epoch"), self.tr("gradient norm"), log_y=True)
        self.dead_plot: pg.PlotItem = self.graphics.addPlot(row=2, col=0)
        setup_plot(self.dead_plot, self.tr("epoch"), self.tr("dead ReLU units"))
        self.dead_plot.getAxis("left").setWidth(self.norm_plot.getAxis("left").width())
        self.dead_plot.setXLink(self.norm_plot)
        self.dead_plot.setYRange(0.0, 1.0)
        self.dead_plot.enableAutoRange(axis="y", enable=False)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        self.graphics.ci.layout.setRowStretchFactor(2, 2)
        self._norm_curves: list[pg.PlotDataItem] = []
        self._dead_curves: list[pg.PlotDataItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.warning)
        layout.addWidget(self.graphics, 1)

    def plots(self) -> list[pg.PlotItem]:
        """The plots, for hovering and markers."""
        return [self.norm_plot, self.dead_plot]

    def _pool(self, curves: list[pg.PlotDataItem], plot: pg.PlotItem, count: int) -> None:
        while len(curves) < count:
            curves.append(plot.plot(connect="finite", antialias=True))

    def start_run(self, names: dict[int, str], relu: dict[int, str]) -> None:
        """Show one curve per weighted layer (``names``: spec index -> "Layer N: Type") and ReLU layer."""
        self._names, self._relu = dict(names), dict(relu)
        self._pool(self._norm_curves, self.norm_plot, len(names))
        self._pool(self._dead_curves, self.dead_plot, len(relu))
        self.legend.clear()
        for n, curve in enumerate(self._norm_curves):
            curve.setData([], [])
            curve.setVisible(n < len(names))
            if n < len(names):
                curve.setPen(pg.mkPen(colour(n), width=2))
                self.legend.addItem(curve, list(names.values())[n])
        for n, curve in enumerate(self._dead_curves):
            curve.setData([], [])
            curve.setVisible(n < len(relu))
            if n < len(relu):
                index = list(names).index(list(relu)[n]) if list(relu)[n] in names else n
                curve.setPen(pg.mkPen(colour(index), width=2, style=pg.QtCore.Qt.PenStyle.DashLine))
        self._show_dead_plot(bool(relu))
        self.warning.hide()
        for plot, line in self._markers:
            plot.removeItem(line)
        self._markers = []

    def _show_dead_plot(self, shown: bool) -> None:
        """The dead-ReLU plot only takes room when the network has ReLU layers."""
        present = self.dead_plot in self.graphics.ci.items
        if shown and not present:
            self.graphics.addItem(self.dead_plot, row=2, col=0)
            self.dead_plot.setXLink(self.norm_plot)
            self.graphics.ci.layout.setRowStretchFactor(2, 2)
        elif not shown and present:
            self.dead_plot.setXLink(None)
            self.graphics.removeItem(self.dead_plot)

    def add_marker(self, x: float) -> None:
        """Mark a learning-rate change at ``x`` on both plots."""
        for plot in self.plots():
            line = marker(x)
            plot.addItem(line)
            self._markers.append((plot, line))

    def refresh(self, store: CurveStore) -> None:
        """Feed the curves from ``store`` and update the warning."""
        x = store.diag_x.view()
        norms, dead = store.grad_norms.view(), store.dead_fractions.view()
        if not len(x):
            return
        for curve, index in zip(self._norm_curves, self._names, strict=False):
            curve.setData(x, norms[:, index])
        for curve, index in zip(self._dead_curves, self._relu, strict=False):
            curve.setData(x, dead[:, index])
        self._update_warning(norms[-1])

    def _update_warning(self, last: np.ndarray) -> None:
        vanishing, exploding = gradient_problems(last, list(self._names))
        parts = []
        if vanishing:
            parts.append(self.tr("Vanishing gradients in layer {0}: they barely learn (try ReLU, "
                                 "Kaiming initialisation or fewer layers).").format(layer_list(vanishing)))
        if exploding:
            parts.append(self.tr("Exploding gradients in layer {0}: lower the learning rate.")
                         .format(layer_list(exploding)))
        text = "⚠ " + " ".join(parts) if parts else ""
        if text != self.warning.text():
            self.warning.setText(text)
            self.warning.setVisible(bool(parts))

    def hover_text(self, store: CurveStore, plot: pg.PlotItem, x: float, y: float) -> str:
        """The curve of ``plot`` nearest to the pointer at (``x`` epochs, ``y`` in view units)."""
        xs = store.diag_x.view()
        dead = plot is self.dead_plot
        layers = list(self._relu if dead else self._names)
        if not len(xs) or not layers:
            return ""
        i = int(np.clip(np.searchsorted(xs, x), 0, len(xs) - 1))
        row = (store.dead_fractions if dead else store.grad_norms).view()[i]
        shown = row if dead else np.log10(np.where(row > 0, row, np.nan))
        distance = [abs(shown[k] - y) if math.isfinite(shown[k]) else math.inf for k in layers]
        k = layers[int(np.argmin(distance))]
        name = self._names.get(k, self.tr("Layer {0}").format(k + 1))
        if dead:
            return self.tr("epoch {0:.2f} · {1} · {2:.0%} of its ReLU units dead").format(xs[i], name, row[k])
        return self.tr("epoch {0:.2f} · {1} · gradient norm {2:.2e}").format(xs[i], name, row[k])
