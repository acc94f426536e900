"""The explorer's plot: f(x) and f'(x) from -6 to 6, with a pre-activation histogram on a right-hand scale."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QWidget

from playground.core.activations_view import curve
from playground.gui.editor.text import activation_label
from playground.gui.train.style import setup_plot

X_RANGE = (-6.0, 6.0)
BINS = 60
VALUE_COLOUR = "#0072B2"
DERIVATIVE_COLOUR = "#D55E00"
HISTOGRAM_BRUSH = (0, 158, 115, 70)
HISTOGRAM_PEN = (0, 120, 90, 160)


def histogram(values: np.ndarray, bins: int = BINS) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges over X_RANGE and the percentage of ``values`` per bin; outside values go to the end bins."""
    edges = np.linspace(*X_RANGE, bins + 1)
    counts, _ = np.histogram(np.clip(values, X_RANGE[0], X_RANGE[1]), bins=edges)
    return edges, 100.0 * counts / max(len(values), 1)


class ExplorerPlot(pg.PlotWidget):
    """Two curves (value, derivative) and a semi-transparent histogram; every item is made once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.x = np.linspace(*X_RANGE, 601)
        plot = self.getPlotItem()
        setup_plot(plot, self.tr("x (pre-activation)"), self.tr("f(x), f′(x)"))
        plot.setDownsampling(auto=False)
        plot.setClipToView(False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        self.legend = plot.addLegend(offset=(10, 10), labelTextColor="k", brush=(255, 255, 255, 170))
        self.hist_box = pg.ViewBox(enableMouse=False)
        plot.showAxis("right")
        right = plot.getAxis("right")
        right.setPen("k")
        right.setTextPen("k")
        right.setLabel(self.tr("share of values (%)"))
        right.linkToView(self.hist_box)
        plot.scene().addItem(self.hist_box)
        self.hist_box.setXLink(plot)
        self.hist_box.setZValue(-10)
        self.bars = pg.PlotDataItem(stepMode="center", fillLevel=0.0, brush=HISTOGRAM_BRUSH,
                                    pen=pg.mkPen(HISTOGRAM_PEN, width=1))
        self.hist_box.addItem(self.bars)
        self.value_curve = plot.plot(pen=pg.mkPen(VALUE_COLOUR, width=2.5), antialias=True, name="f")
        self.derivative_curve = plot.plot(pen=pg.mkPen(DERIVATIVE_COLOUR, width=2.5,
                                                       style=pg.QtCore.Qt.PenStyle.DashLine),
                                          antialias=True, name="f′")
        plot.setXRange(*X_RANGE, padding=0.02)
        plot.vb.setMouseEnabled(x=False, y=False)
        plot.vb.sigResized.connect(self._on_resized)
        self.set_histogram(None)

    def set_activation(self, name: str) -> None:
        """Draw activation ``name`` and its derivative, and name them in the legend."""
        values, grads = curve(name, self.x)
        label = activation_label(name)
        self.value_curve.setData(self.x, values)
        self.derivative_curve.setData(self.x, grads)
        self.legend.getLabel(self.value_curve).setText(self.tr("%1(x)").replace("%1", label))
        self.legend.getLabel(self.derivative_curve).setText(self.tr("%1′(x)").replace("%1", label))
        low = min(float(values.min()), float(grads.min()), 0.0)
        high = max(float(values.max()), float(grads.max()), 1.0)
        self.getPlotItem().setYRange(low, high, padding=0.08)

    def set_histogram(self, values: np.ndarray | None) -> None:
        """Lay the histogram of ``values`` under the curves; None hides it."""
        shown = values is not None and len(values) > 0
        self.bars.setVisible(shown)
        self.getPlotItem().getAxis("right").setStyle(showValues=shown)
        self.legend.removeItem(self.bars)
        if shown:
            self.legend.addItem(self.bars, self.tr("pre-activations (%, right)"))
        if values is None or not shown:
            self.bars.setData([0.0, 1.0], [0.0])
            return
        edges, share = histogram(values)
        self.bars.setData(edges, share)
        self.hist_box.setYRange(0.0, max(float(share.max()), 1.0) * 1.1, padding=0.0)

    def histogram_shares(self) -> np.ndarray:
        """The percentages drawn now (empty when the histogram is hidden)."""
        return self.bars.yData if self.bars.isVisible() else np.zeros(0)

    @Slot()
    def _on_resized(self) -> None:
        """Keep the histogram's view box over the main one."""
        vb = self.getPlotItem().vb
        self.hist_box.setGeometry(vb.sceneBoundingRect())
        self.hist_box.linkedViewChanged(vb, self.hist_box.XAxis)
