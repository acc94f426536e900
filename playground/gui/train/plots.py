"""Live plots in tabs: loss, accuracy, learning rate and gradient flow, redrawn from buffers at ~30 Hz."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.gui.train.buffers import CurveStore, RunCurves
from playground.gui.train.export import ExportButton, export_csv, export_png
from playground.gui.train.gradients import GradientView
from playground.gui.train.ranges import FrameBudget, RangeKeeper, epoch_span, log_span, nice_ceil
from playground.gui.train.style import (
    LOSS_EMA,
    LOSS_RAW,
    TEST,
    VALIDATION,
    TimedPlotWidget,
    colour,
    marker,
    setup_plot,
)

REFRESH_HZ = 30.0


class LivePlots(QWidget):
    """The curves of the current run; items are created once and fed with ``setData``.

    ``add_chunk`` only copies into the buffers; a timer redraws the visible tab at most
    ``refresh_hz`` times a second, so the GUI thread does little per update.
    """

    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None, refresh_hz: float = REFRESH_HZ) -> None:
        super().__init__(parent)
        self.store = CurveStore()
        self.layer_names: dict[int, str] = {}
        self.budget = FrameBudget(1.0 / refresh_hz)
        self._epochs = 1
        self._dirty = False
        self._markers: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self._overlays: dict[int, tuple[RunCurves, list[tuple[pg.PlotItem, pg.PlotDataItem]]]] = {}
        self.tabs = QTabWidget(self)
        self.loss_plot = self._add_tab(self.tr("Loss"), self.tr("loss"))
        self.loss_plot.addLegend(offset=(-10, 10), labelTextColor="k", brush=(255, 255, 255, 200))
        self.loss_raw = self.loss_plot.plot(pen=pg.mkPen(LOSS_RAW, width=1), name=self.tr("batch"))
        self.loss_ema = self.loss_plot.plot(pen=pg.mkPen(LOSS_EMA, width=2), name=self.tr("average"),
                                            antialias=True)
        self.test_loss = self._epoch_curve(self.loss_plot, TEST, self.tr("test"))
        self.val_loss = self._epoch_curve(self.loss_plot, VALIDATION, self.tr("validation"))
        self.acc_plot = self._add_tab(self.tr("Accuracy"), self.tr("accuracy (%)"))
        self.acc_plot.addLegend(offset=(-10, -10), labelTextColor="k", brush=(255, 255, 255, 200))
        self.train_acc = self.acc_plot.plot(pen=pg.mkPen(LOSS_EMA, width=2), name=self.tr("train (average)"),
                                            antialias=True)
        self.test_acc = self._epoch_curve(self.acc_plot, TEST, self.tr("test"))
        self.val_acc = self._epoch_curve(self.acc_plot, VALIDATION, self.tr("validation"))
        self.lr_plot = self._add_tab(self.tr("Learning rate"), self.tr("learning rate"), log_y=True)
        self.lr_curve = self.lr_plot.plot(pen=pg.mkPen(colour(4), width=2), antialias=True)
        self.gradients = GradientView(self)
        self.tabs.addTab(self.gradients, self.tr("Gradients"))
        self.export_button = ExportButton(self.export_csv, self.export_png, self)
        self.tabs.setCornerWidget(self.export_button, Qt.Corner.TopRightCorner)
        self.hover_label = QLabel(self)
        self.hover_label.setObjectName("hoverLabel")
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hover_label.setText(self.tr("Hover over a plot to read its values."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.hover_label)
        for scene in {p.scene() for p in (*self._plots(), *self.gradients.plots())}:
            scene.sigMouseMoved.connect(self._on_mouse_moved)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.gradients.graphics.spend = self.budget.spend
        self.ranges = RangeKeeper(self._all_plots())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.budget.next_interval_ms())
        self._timer.timeout.connect(self._on_timer)

    def _add_tab(self, title: str, y_label: str, log_y: bool = False) -> pg.PlotItem:
        widget = TimedPlotWidget(background="w")
        widget.spend = self.budget.spend
        plot = widget.getPlotItem()
        setup_plot(plot, self.tr("epoch"), y_label, log_y)
        self.tabs.addTab(widget, title)
        return plot

    def _epoch_curve(self, plot: pg.PlotItem, pen: str, name: str) -> pg.PlotDataItem:
        return plot.plot(pen=pg.mkPen(pen, width=2), symbol="o", symbolSize=6, symbolBrush=pen,
                         symbolPen=pen, name=name, connect="finite", antialias=True)

    def _plots(self) -> list[pg.PlotItem]:
        return [self.loss_plot, self.acc_plot, self.lr_plot]

    def _all_plots(self) -> list[pg.PlotItem]:
        return [*self._plots(), *self.gradients.plots()]

    def item_count(self) -> int:
        """Graphics items in all plots (constant while a run streams in)."""
        scenes = {p.scene() for p in self._all_plots()} - {None}
        return sum(len(scene.items()) for scene in scenes)

    # --- a run ------------------------------------------------------------------------------------

    def start_run(self, layers: int, names: dict[int, str], relu: dict[int, str], epochs: int = 1,
                  validation: bool = False) -> None:
        """Empty the curves for a new run of a ``layers``-layer network over ``epochs`` epochs
        (``validation``: a split is held out, so the validation curves get a legend entry)."""
        self.store.reset(layers)
        self._epochs = epochs
        self.ranges.reset()
        for plot, curve in ((self.loss_plot, self.val_loss), (self.acc_plot, self.val_acc)):
            plot.legend.removeItem(curve)
            if validation:
                plot.legend.addItem(curve, self.tr("validation"))
        self.layer_names = dict(names)
        for plot, line in self._markers:
            plot.removeItem(line)
        self._markers = []
        self.gradients.start_run(names, relu)
        self._dirty = True
        self.refresh()
        self._timer.start()

    def clear(self) -> None:
        """No live curves (another project is open); earlier runs' overlays stay as they are."""
        self.start_run(0, {}, {})
        self.finish_run()

    def add_chunk(self, chunk) -> None:
        """Copy a RecordChunk's batches and epochs into the buffers (drawn on the next tick)."""
        if chunk.batches is not None:
            for x in self.store.add_batches(chunk.batches):
                self.add_marker(x)
        for record in chunk.epochs:
            self.store.add_epoch(record)
        self._dirty = True

    def finish_run(self) -> None:
        """Draw everything once more and stop the timer."""
        self._timer.stop()
        self._dirty = True
        self.refresh(everything=True)

    def add_marker(self, x: float) -> None:
        """A vertical line at ``x`` on every plot, where the learning rate was changed."""
        lr = self.store.column("learning_rate")[np.searchsorted(self.store.column("x"), x)]
        for plot in self._plots():
            line = marker(x, self.tr("lr {0:g}").format(lr))
            plot.addItem(line)
            self._markers.append((plot, line))
        self.gradients.add_marker(x)

    def marker_count(self) -> int:
        """Learning-rate markers on the loss plot."""
        return sum(1 for plot, _ in self._markers if plot is self.loss_plot)

    # --- drawing ----------------------------------------------------------------------------------

    @Slot()
    def _on_timer(self) -> None:
        self.refresh()
        self._timer.start(self.budget.next_interval_ms())

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        self._dirty = True
        self.refresh()

    def refresh(self, everything: bool = False) -> None:
        """``setData`` on the visible tab's curves (all tabs with ``everything``), if anything changed."""
        if not self._dirty:
            return
        start = time.perf_counter()
        s, tab = self.store, self.tabs.currentIndex()
        x = s.column("x")
        if everything or tab == 0:
            self.loss_raw.setData(x, s.column("loss"))
            self.loss_ema.setData(x, s.column("loss_ema"))
            self.test_loss.setData(s.column("epoch_x"), s.column("test_loss"))
            self._set_epoch_data(self.val_loss, s.column("val_loss"))
        if everything or tab == 1:
            self.train_acc.setData(x, s.column("accuracy_ema") * 100)
            self.test_acc.setData(s.column("epoch_x"), s.column("test_accuracy") * 100)
            self._set_epoch_data(self.val_acc, s.column("val_accuracy") * 100)
        if everything or tab == 2:
            self.lr_curve.setData(x, s.column("learning_rate"))
        if everything or tab == 3:
            self.gradients.refresh(s)
        self._apply_ranges()
        self._dirty = False
        self.budget.spend(time.perf_counter() - start)

    def _apply_ranges(self) -> None:
        """Move each plot's range in steps to fit the data, unless the user has taken over."""
        s = self.store
        x_end = max([s.x_last, *(c.x[-1] for c in self._visible_overlays() if len(c.x))])
        loss_top = max([s.loss_max, *(float(np.nanmax(c.loss_ema)) for c in self._visible_overlays()
                                      if np.isfinite(c.loss_ema).any())])
        x = (0.0, epoch_span(x_end, max(self._epochs, x_end)))
        self.ranges.apply({self.loss_plot: (x, (0.0, nice_ceil(loss_top * 1.05) if loss_top > 0 else 1.0)),
                           self.acc_plot: (x, (0.0, 100.0)),
                           self.lr_plot: (x, log_span(s.lr_low, s.lr_high)),
                           self.gradients.norm_plot: (x, log_span(s.grad_low, s.grad_high)),
                           self.gradients.dead_plot: (x, (0.0, 1.0))})

    def _visible_overlays(self) -> list[RunCurves]:
        return [curves for curves, items in self._overlays.values() if items[0][1].isVisible()]

    def _set_epoch_data(self, curve: pg.PlotDataItem, values: np.ndarray) -> None:
        """Per-epoch values that may all be NaN (no validation split): then the curve stays empty."""
        if np.isnan(values).all():
            curve.setData([], [])
        else:
            curve.setData(self.store.column("epoch_x"), values)

    # --- overlays of earlier runs -----------------------------------------------------------------

    def clear_overlays(self) -> None:
        """Remove every earlier run's overlay curves (the runs of another project replace them)."""
        for _curves, items in self._overlays.values():
            for plot, item in items:
                plot.legend.removeItem(item)
                plot.removeItem(item)
        self._overlays.clear()
        self.refresh(everything=True)

    def show_overlay(self, run_id: int, label: str, curves: RunCurves, visible: bool) -> None:
        """Show or hide an earlier run's curves, dimmed; created on first use."""
        if run_id not in self._overlays:
            pen = pg.mkPen(colour(run_id + 1, 110), width=1.5, style=Qt.PenStyle.DashLine)
            loss = self.loss_plot.plot(curves.x, curves.loss_ema, pen=pen)
            acc = self.acc_plot.plot(curves.epoch_x, curves.test_accuracy * 100, pen=pen,
                                     symbol="t", symbolSize=6, symbolPen=pen, symbolBrush=None)
            loss.setZValue(-1)
            acc.setZValue(-1)
            self._overlays[run_id] = (curves, [(self.loss_plot, loss), (self.acc_plot, acc)])
        for plot, item in self._overlays[run_id][1]:
            item.setVisible(visible)
            legend = plot.legend
            legend.removeItem(item)
            if visible:
                legend.addItem(item, label)
        self._dirty = True
        self.refresh()

    # --- export -----------------------------------------------------------------------------------

    def export_csv(self, path: str) -> None:
        """Write the current run's curves to ``path`` (one row per batch, with a header)."""
        export_csv(path, self.store, self.layer_names)

    def export_png(self, path: str) -> None:
        """Save the visible plot tab to ``path``."""
        self.refresh(everything=True)
        export_png(path, self.tabs.currentWidget())


    # --- hovering ---------------------------------------------------------------------------------

    @Slot(object)
    def _on_mouse_moved(self, pos: QPointF) -> None:
        plots = self.gradients.plots() if self.tabs.currentIndex() == 3 else [
            self._plots()[self.tabs.currentIndex()]]
        for plot in plots:
            if plot.sceneBoundingRect().contains(pos) and len(self.store):
                point = plot.vb.mapSceneToView(pos)
                text = self.hover_text(plot, point.x(), point.y())
                self.hover_label.setText(text)
                self.hover_label.setToolTip(text)
                self.hovered.emit(text)
                return

    def hover_text(self, plot: pg.PlotItem, x: float, y: float = 0.0) -> str:
        """The values under the pointer at ``x`` epochs (``y`` in view units) on ``plot``."""
        s = self.store
        if plot in self.gradients.plots():
            return self.gradients.hover_text(s, plot, x, y)
        xs = s.column("x")
        i = int(np.clip(np.searchsorted(xs, x), 0, len(xs) - 1))
        where = self.tr("epoch {0:.2f}").format(xs[i])
        if plot is self.lr_plot:
            return self.tr("{0} · learning rate {1:.3g}").format(where, s.column("learning_rate")[i])
        epochs = s.column("epoch_x")
        e = int(np.searchsorted(epochs, xs[i], side="right")) - 1
        if plot is self.loss_plot:
            text = self.tr("{0} · loss {1:.3f} (average {2:.3f})").format(
                where, s.column("loss")[i], s.column("loss_ema")[i])
            if e >= 0:
                text += self.tr(" · test {0:.3f} (epoch {1})").format(
                    s.column("test_loss")[e], int(epochs[e]))
            return text
        text = self.tr("{0} · train {1:.1f}% (average)").format(where, s.column("accuracy_ema")[i] * 100)
        if e >= 0:
            text += self.tr(" · test {0:.1f}% (epoch {1})").format(
                s.column("test_accuracy")[e] * 100, int(epochs[e]))
        return text
