"""Stable plot ranges that change in steps (so axes are not redrawn every frame) and the frame budget."""

from __future__ import annotations

import functools
import math

import pyqtgraph as pg

EPOCH_STEPS = (0.25, 0.5)


def epoch_span(x_last: float, epochs: float) -> float:
    """The x range's end: 0.25, 0.5, 1, 2, 4, ... epochs, the first past ``x_last``, at most ``epochs``."""
    span = EPOCH_STEPS[0]
    while span < x_last and span < epochs:
        span = span * 2
    return max(min(span, epochs), x_last, 1e-3)


NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceil(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k that is at least ``value``."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for mantissa in NICE:
        if mantissa * 10.0**exponent >= value * (1 - 1e-9):
            return mantissa * 10.0**exponent
    return 10.0 ** (exponent + 1)


def log_span(low: float, high: float, decades: float = 2.0) -> tuple[float, float]:
    """A log10 range covering [low, high] in half decades, at least ``decades`` wide (narrower log axes
    label every minor tick and the labels collide)."""
    if not (math.isfinite(low) and math.isfinite(high)) or low <= 0 or high <= 0:
        return -1.0, 1.0
    a = math.floor(2 * math.log10(low)) / 2
    b = math.ceil(2 * math.log10(high)) / 2
    if b - a < decades:
        middle = (math.log10(low) + math.log10(high)) / 2
        a = math.floor(2 * (middle - decades / 2)) / 2
        b = max(math.ceil(2 * (middle + decades / 2)) / 2, a + decades)
    return a, b


class FrameBudget:
    """Spaces redraws so drawing takes at most ``busy`` of the GUI thread's time.

    ``spend`` records the seconds a redraw cost; ``interval_ms`` is the time to wait before the
    next one: at least the base interval (~30 Hz), longer when drawing gets expensive.
    """

    def __init__(self, base_seconds: float, busy: float = 0.1, longest: float = 0.5) -> None:
        self.base, self.busy, self.longest = base_seconds, busy, longest
        self.cost = self.pending = 0.0

    def spend(self, seconds: float) -> None:
        """Add seconds spent on the current frame (feeding the curves, painting them)."""
        self.pending += seconds

    def next_interval_ms(self) -> int:
        """Close the frame; milliseconds until the next one."""
        self.cost, self.pending = 0.6 * self.cost + 0.4 * self.pending, 0.0
        return int(1000 * min(max(self.base, self.cost / self.busy), self.longest))


Ranges = tuple[tuple[float, float], tuple[float, float]]


class RangeKeeper:
    """Sets plots to wanted (x, y) ranges, only when a target changes, and leaves alone a plot the user
    has zoomed or panned (until ``reset``) or handed to pyqtgraph's auto range (the context menu)."""

    def __init__(self, plots: list[pg.PlotItem]) -> None:
        self._applied: dict[pg.PlotItem, Ranges] = {}
        self._manual: set[pg.PlotItem] = set()
        self._plots = plots
        for plot in plots:
            plot.vb.sigRangeChangedManually.connect(functools.partial(self._on_manual_range, plot))
        self.reset()

    def reset(self) -> None:
        """Follow the data again on every plot."""
        self._applied.clear()
        self._manual.clear()
        for plot in self._plots:
            plot.vb.disableAutoRange()

    def _on_manual_range(self, plot: pg.PlotItem, *_args: object) -> None:
        self._manual.add(plot)

    def apply(self, wanted: dict[pg.PlotItem, Ranges]) -> None:
        """Move the plots whose target changed."""
        for plot, ranges in wanted.items():
            if plot in self._manual or any(plot.vb.autoRangeEnabled()) or self._applied.get(plot) == ranges:
                continue
            self._applied[plot] = ranges
            plot.vb.setRange(xRange=ranges[0], yRange=ranges[1], padding=0.02)
