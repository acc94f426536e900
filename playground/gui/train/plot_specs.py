"""The live plots as rows: one PlotSpec per tab (title, axis labels, curves, range rule, hover text)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication

from playground.data.dataset import CLASSIFICATION, REGRESSION
from playground.gui.train.buffers import CurveStore, RunCurves
from playground.gui.train.ranges import log_span, nice_ceil
from playground.gui.train.style import LOSS_EMA, LOSS_RAW, TEST, VALIDATION, colour

Range = tuple[float, float]


def _tr(source: str) -> str:
    return QCoreApplication.translate("LivePlots", source)


@dataclass(frozen=True)
class CurveSpec:
    """One curve of a plot: a store column against the batch position ("x") or the epochs ("epoch_x").

    ``per_epoch`` curves get markers and stay empty while all their values are NaN; ``scale``
    multiplies the values (100 for percentages); ``validation`` curves are listed in the legend only
    when a split is held out.
    """

    column: str
    name: str
    pen: object
    width: float = 2.0
    per_epoch: bool = False
    scale: float = 1.0
    validation: bool = False


@dataclass(frozen=True)
class PlotSpec:
    """One live plot (a tab): what it draws, how its range follows the data, what hovering says.

    ``y_range(store, overlays)`` gives the y range from the run's curves and the shown overlays of
    earlier runs; ``hover(store, i, e)`` the text at batch ``i`` (``e``: the last finished epoch, -1 for
    none); ``overlay`` the (x, y) RunCurves fields drawn for an earlier run, with the scale, or None.
    """

    key: str
    title: str
    y_label: str
    curves: tuple[CurveSpec, ...]
    y_range: Callable[[CurveStore, Sequence[RunCurves]], Range]
    hover: Callable[[CurveStore, int, int], str]
    tasks: tuple[str, ...]
    log_y: bool = False
    legend: tuple[int, int] | None = None
    overlay: tuple[str, str, float] | None = None


def _where(store: CurveStore, i: int) -> str:
    return _tr("epoch {0:.2f}").format(store.column("x")[i])


def _loss_range(store: CurveStore, overlays: Sequence[RunCurves]) -> Range:
    top = max([store.loss_max,
               *(float(np.nanmax(c.loss_ema)) for c in overlays if np.isfinite(c.loss_ema).any())])
    return 0.0, nice_ceil(top * 1.05) if top > 0 else 1.0


def _loss_hover(store: CurveStore, i: int, e: int) -> str:
    text = _tr("{0} · loss {1:.3f} (average {2:.3f})").format(
        _where(store, i), store.column("loss")[i], store.column("loss_ema")[i])
    if e >= 0:
        text += _tr(" · test {0:.3f} (epoch {1})").format(store.column("test_loss")[e],
                                                           int(store.column("epoch_x")[e]))
    return text


def _accuracy_hover(store: CurveStore, i: int, e: int) -> str:
    text = _tr("{0} · train {1:.1f}% (average)").format(_where(store, i),
                                                       store.column("accuracy_ema")[i] * 100)
    if e >= 0:
        text += _tr(" · test {0:.1f}% (epoch {1})").format(store.column("test_accuracy")[e] * 100,
                                                            int(store.column("epoch_x")[e]))
    return text


def _r2_range(store: CurveStore, overlays: Sequence[RunCurves]) -> Range:
    values = np.concatenate([store.column("test_r2"), store.column("val_r2")])
    low = float(np.nanmin(values)) if np.isfinite(values).any() else 0.0
    return (min(0.0, -nice_ceil(-low) if low < 0 else 0.0), 1.0)


def _r2_hover(store: CurveStore, i: int, e: int) -> str:
    if e < 0:
        return _tr("{0} · no epoch finished yet").format(_where(store, i))
    return _tr("{0} · test R² {1:.3f}, RMSE {2:.4g} (epoch {3})").format(
        _where(store, i), store.column("test_r2")[e], store.column("test_rmse")[e],
        int(store.column("epoch_x")[e]))


def _lr_hover(store: CurveStore, i: int, e: int) -> str:
    return _tr("{0} · learning rate {1:.3g}").format(_where(store, i), store.column("learning_rate")[i])


PLOTS: tuple[PlotSpec, ...] = (
    PlotSpec("loss", "Loss", "loss", (
        CurveSpec("loss", "batch", LOSS_RAW, width=1),
        CurveSpec("loss_ema", "average", LOSS_EMA),
        CurveSpec("test_loss", "test", TEST, per_epoch=True),
        CurveSpec("val_loss", "validation", VALIDATION, per_epoch=True, validation=True),
    ), _loss_range, _loss_hover, (CLASSIFICATION, REGRESSION), legend=(-10, 10),
        overlay=("x", "loss_ema", 1.0)),
    PlotSpec("accuracy", "Accuracy", "accuracy (%)", (
        CurveSpec("accuracy_ema", "train (average)", LOSS_EMA, scale=100.0),
        CurveSpec("test_accuracy", "test", TEST, per_epoch=True, scale=100.0),
        CurveSpec("val_accuracy", "validation", VALIDATION, per_epoch=True, scale=100.0, validation=True),
    ), lambda store, overlays: (0.0, 100.0), _accuracy_hover, (CLASSIFICATION,), legend=(-10, -10),
        overlay=("epoch_x", "test_accuracy", 100.0)),
    PlotSpec("r2", "R²", "R² (explained variance)", (
        CurveSpec("test_r2", "test", TEST, per_epoch=True),
        CurveSpec("val_r2", "validation", VALIDATION, per_epoch=True, validation=True),
    ), _r2_range, _r2_hover, (REGRESSION,), legend=(-10, -10)),
    PlotSpec("learning_rate", "Learning rate", "learning rate", (
        CurveSpec("learning_rate", "", colour(4)),
    ), lambda store, overlays: log_span(store.lr_low, store.lr_high), _lr_hover,
        (CLASSIFICATION, REGRESSION), log_y=True),
)
