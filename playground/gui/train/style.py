"""Shared plot styling: the light theme, curve colours and plot set-up."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPaintEvent

from playground.core.metrics import RunState

# Okabe-Ito-like palette: distinguishable, readable on white, safe for colour-blind readers.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F3C8D",
           "#3B3B3B", "#B8860B", "#11A579")
LOSS_RAW = (0, 114, 178, 80)
LOSS_EMA = "#0072B2"
TEST = "#D55E00"
VALIDATION = "#009E73"
MARKER = (204, 121, 167, 200)
CELL_COLOURS = {"RNN": PALETTE[1], "LSTM": PALETTE[0], "GRU": PALETTE[2]}
"""One colour per recurrent cell wherever they are compared (memory over time, memory length)."""
OVERFIT = "#b3261e"  # the epoch where the held-out loss turned up
STATE_COLOURS = {RunState.RUNNING: "#1b7f3b", RunState.PAUSED: "#9a6700", RunState.FINISHED: "#0b5394",
                 RunState.STOPPED: "#555555", RunState.DIVERGED: "#b3261e", RunState.FAILED: "#b3261e",
                 RunState.IDLE: "#555555"}


def colour(index: int, alpha: int = 255) -> QColor:
    """The palette colour ``index`` (cycling), with ``alpha``."""
    c = QColor(PALETTE[index % len(PALETTE)])
    c.setAlpha(alpha)
    return c


OVERLAY_ALPHA = 190  # earlier runs' curves: dimmed, yet readable


def overlay_colour(run_id: int) -> QColor:
    """The colour of run ``run_id``'s overlay curves (and its swatch in the notebook)."""
    return colour(run_id + 1, OVERLAY_ALPHA)


def setup_plot(plot: pg.PlotItem, x_label: str, y_label: str, log_y: bool = False) -> None:
    """Black axes with labels, a grid, downsampling and clip-to-view for a live plot."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen("k")
        axis.setTextPen("k")
        axis.enableAutoSIPrefix(False)  # "learning rate (x0.001)" over a log axis reads badly
    plot.setLabel("bottom", x_label)
    plot.setLabel("left", y_label)
    plot.showGrid(x=False, y=True, alpha=0.3)  # horizontal lines only: half the cost
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    plot.setLogMode(y=log_y)
    plot.setMenuEnabled(True)  # never False: pyqtgraph then orphans the view's menu, and its later garbage
    # collection can crash Qt in the middle of another call (seen as a segfault in the test suite)
    plot.hideButtons()  # the ranges follow the data on their own; "View All" is in the context menu
    plot.getAxis("left").setWidth(68 if log_y else 50)  # "0.0001" needs room beside the axis label


def marker(x: float, label: str = "", pen_colour: str = "") -> pg.InfiniteLine:
    """A vertical dashed line, labelled halfway up: where the learning rate was changed, or in
    ``pen_colour`` another event (the epoch where overfitting began)."""
    dashed = pg.mkPen(pen_colour or MARKER, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)
    line = pg.InfiniteLine(pos=x, angle=90, movable=False, pen=dashed,
                           label=label or None,
                           labelOpts={"position": 0.5, "color": pen_colour or "#7a1f5c",
                                      "anchors": [(0, 0.5), (0, 0.5)], "fill": (255, 255, 255, 200)})
    line.setZValue(5)
    return line


def _no_budget(seconds: float) -> None:
    """Where paint costs go when nobody counts them."""


class _TimedPaint:
    """Reports what each paint of a pyqtgraph view costs to ``spend``."""

    spend: Callable[[float], None] = staticmethod(_no_budget)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        start = time.perf_counter()
        super().paintEvent(event)  # type: ignore[misc]  # a mixin: the Qt view class follows in the MRO
        self.spend(time.perf_counter() - start)


class TimedPlotWidget(_TimedPaint, pg.PlotWidget):
    """A PlotWidget whose paints are counted against the frame budget."""


class TimedLayoutWidget(_TimedPaint, pg.GraphicsLayoutWidget):
    """A GraphicsLayoutWidget whose paints are counted against the frame budget."""
