"""Live plots in tabs, one per PlotSpec row and the gradient flow, redrawn from a run's curves at ~30 Hz."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from playground.core.overfitting import Turn, turn_of
from playground.data.dataset import CLASSIFICATION
from playground.gui.train.buffers import CurveStore, RunCurves
from playground.gui.train.export import ExportButton, export_csv, export_png
from playground.gui.train.gradients import GradientView
from playground.gui.train.plot_specs import PLOTS, CurveSpec, PlotSpec
from playground.gui.train.ranges import FrameBudget, RangeKeeper, epoch_span, log_span
from playground.gui.train.style import OVERFIT, TimedPlotWidget, marker, overlay_colour, setup_plot
from playground.gui.train.worker import RecordChunk

REFRESH_HZ = 30.0
LEGEND_OVERLAYS = 3  # earlier runs named in a legend at most (the newest shown); the notebook has a swatch


class LivePlots(QWidget):
    """The curves of a run's CurveStore, one tab per PlotSpec row (those of the run's task) and the
    gradients; items are created once and fed with ``setData``.

    ``add_chunk`` only notes that the store grew; a timer redraws the visible tab at most
    ``refresh_hz`` times a second, so the GUI thread does little per update.
    """

    hovered = Signal(str)
    overfitting = Signal(object)  # the run's Turn when one is named, None when it is gone (a new run)

    def __init__(self, parent: QWidget | None = None, refresh_hz: float = REFRESH_HZ) -> None:
        super().__init__(parent)
        self.store = CurveStore()
        self.layer_names: dict[int, str] = {}
        self.budget = FrameBudget(1.0 / refresh_hz)
        self._epochs = 1
        self._dirty = False
        self._markers: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self.turn: Turn | None = None  # where the current run began to overfit, if it has
        self._turn_line: pg.InfiniteLine | None = None
        self._turn_checked = -1  # epochs in the store when the turn was last looked for
        self._overlays: dict[int, tuple[RunCurves, list[tuple[pg.PlotItem, pg.PlotDataItem]]]] = {}
        self._shown: list[int] = []  # overlaid runs, in the order they were shown
        self._labels: dict[int, str] = {}
        self.tabs = QTabWidget(self)
        self.specs: dict[pg.PlotItem, PlotSpec] = {}
        self.curves: dict[pg.PlotItem, list[tuple[CurveSpec, pg.PlotDataItem]]] = {}
        for spec in PLOTS:
            self._add_tab(spec)
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
        for scene in {p.scene() for p in (*self.specs, *self.gradients.plots())}:
            scene.sigMouseMoved.connect(self._on_mouse_moved)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.gradients.graphics.spend = self.budget.spend
        self.ranges = RangeKeeper(self._all_plots())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.budget.next_interval_ms())
        self._timer.timeout.connect(self._on_timer)
        self._show_task(CLASSIFICATION)

    def _add_tab(self, spec: PlotSpec) -> None:
        widget = TimedPlotWidget(background="w")
        widget.spend = self.budget.spend
        plot = widget.getPlotItem()
        setup_plot(plot, self.tr("epoch"), self.tr(spec.y_label), spec.log_y)
        if spec.legend is not None:
            plot.addLegend(offset=spec.legend, labelTextColor="k", brush=(255, 255, 255, 200))
        items = []
        for curve in spec.curves:
            pen = pg.mkPen(curve.pen, width=curve.width)
            name = self.tr(curve.name) if curve.name else None
            if curve.per_epoch:
                item = plot.plot(pen=pen, symbol="o", symbolSize=6, symbolBrush=curve.pen,
                                 symbolPen=curve.pen, name=name, connect="finite", antialias=True)
            else:
                item = plot.plot(pen=pen, name=name, antialias=curve.width >= 2)
            items.append((curve, item))
        self.tabs.addTab(widget, self.tr(spec.title))
        self.specs[plot], self.curves[plot] = spec, items

    def plot_of(self, key: str) -> pg.PlotItem:
        """The plot of the PlotSpec row ``key`` ("loss", "accuracy", "r2", "learning_rate")."""
        return next(plot for plot, spec in self.specs.items() if spec.key == key)

    def _all_plots(self) -> list[pg.PlotItem]:
        return [*self.specs, *self.gradients.plots()]

    def _current_plots(self) -> list[pg.PlotItem]:
        widget = self.tabs.currentWidget()
        if widget is self.gradients:
            return self.gradients.plots()
        return [plot for plot in self.specs if plot.getViewWidget() is widget]

    def item_count(self) -> int:
        """Graphics items in all plots (constant while a run streams in)."""
        scenes = {p.scene() for p in self._all_plots()} - {None}
        return sum(len(scene.items()) for scene in scenes)

    def _show_task(self, task: str) -> None:
        """Only the tabs of rows for ``task`` (classification or regression) show."""
        for plot, spec in self.specs.items():
            self.tabs.setTabVisible(self.tabs.indexOf(plot.getViewWidget()), task in spec.tasks)

    # --- a run ------------------------------------------------------------------------------------

    def start_run(self, store: CurveStore, names: dict[int, str], relu: dict[int, str], epochs: int = 1,
                  validation: bool = False, task: str = CLASSIFICATION) -> None:
        """Draw ``store``'s curves of a new run over ``epochs`` epochs of a ``task`` dataset
        (``validation``: a split is held out, so the validation curves get a legend entry)."""
        self.store = store
        self._epochs = epochs
        self.ranges.reset()
        self._show_task(task)
        for plot, items in self.curves.items():
            for curve, item in items:
                if curve.validation:
                    plot.legend.removeItem(item)
                    if validation:
                        plot.legend.addItem(item, self.tr(curve.name))
        self.layer_names = dict(names)
        for plot, line in self._markers:
            plot.removeItem(line)
        self._markers = []
        self.gradients.start_run(names, relu)
        self.hover_label.setText(self.tr("Hover over a plot to read its values."))
        self.hover_label.setToolTip("")
        self._turn_checked = -1
        self._set_turn(None)
        self._dirty = True
        self.refresh()
        self._timer.start()

    def clear(self) -> None:
        """No live curves (another project is open); earlier runs' overlays stay as they are."""
        self.start_run(CurveStore(), {}, {})
        self.finish_run()

    def add_chunk(self, chunk: RecordChunk) -> None:
        """The store took ``chunk`` in: mark its learning-rate changes and draw on the next tick."""
        b = chunk.batches
        if b is not None:
            per = max(b.batches_per_epoch, 1)
            for epoch, batch, lr in zip(b.epoch[b.lr_changed], b.batch[b.lr_changed],
                                        b.learning_rate[b.lr_changed], strict=True):
                self.add_marker((epoch - 1) + batch / per, float(lr))
        self._dirty = True

    def finish_run(self) -> None:
        """Draw everything once more and stop the timer."""
        self._timer.stop()
        self._dirty = True
        self.refresh(everything=True)

    def add_marker(self, x: float, lr: float) -> None:
        """A vertical line at ``x`` on every plot, where the learning rate was changed to ``lr``."""
        for plot in self.specs:
            line = marker(x, self.tr("lr {0:g}").format(lr))
            plot.addItem(line)
            self._markers.append((plot, line))
        self.gradients.add_marker(x)

    def marker_count(self) -> int:
        """Learning-rate markers on the loss plot."""
        loss = self.plot_of("loss")
        return sum(1 for plot, _ in self._markers if plot is loss)

    # --- overfitting --------------------------------------------------------------------------------

    def _check_turn(self) -> None:
        """After each new epoch: has the held-out loss turned up while the training loss falls?"""
        s = self.store
        epochs = s.column("epoch_x")
        if len(epochs) == self._turn_checked:
            return
        self._turn_checked = len(epochs)
        val = s.column("val_loss")
        validation = len(val) > 0 and not np.isnan(val).all()
        held = val if validation else s.column("test_loss")
        turn = turn_of([int(e) for e in epochs], s.column("train_loss").tolist(), held.tolist(),
                       "validation" if validation else "test")
        if turn != self.turn:
            self._set_turn(turn)

    def _set_turn(self, turn: Turn | None) -> None:
        loss = self.plot_of("loss")
        if self._turn_line is not None:
            loss.removeItem(self._turn_line)
            self._turn_line = None
        self.turn = turn
        if turn is not None:
            self._turn_line = marker(turn.epoch, self.tr("overfitting from epoch {0}").format(turn.epoch),
                                     OVERFIT)
            loss.addItem(self._turn_line)
        self.overfitting.emit(turn)

    def turn_label(self) -> str:
        """The text beside the overfitting line on the loss plot ("" without one)."""
        return "" if self._turn_line is None or self._turn_line.label is None \
            else self._turn_line.label.toPlainText()

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
        shown = self._current_plots()
        for plot, items in self.curves.items():
            if everything or plot in shown:
                for curve, item in items:
                    self._set_data(curve, item)
        if everything or self.tabs.currentWidget() is self.gradients:
            self.gradients.refresh(self.store)
        self._check_turn()
        self._apply_ranges()
        self._dirty = False
        self.budget.spend(time.perf_counter() - start)

    def _set_data(self, curve: CurveSpec, item: pg.PlotDataItem) -> None:
        s = self.store
        values = s.column(curve.column) * curve.scale
        if not curve.per_epoch:
            item.setData(s.column("x"), values)
        elif len(values) and not np.isnan(values).all():
            item.setData(s.column("epoch_x"), values)
        else:
            item.setData([], [])  # e.g. validation without a held-out split

    def _apply_ranges(self) -> None:
        """Move each plot's range in steps to fit the data, unless the user has taken over."""
        s, overlays = self.store, self._visible_overlays()
        x_end = max([s.x_last, *(c.x[-1] for c in overlays if len(c.x))])
        x = (0.0, epoch_span(x_end, max(self._epochs, x_end)))
        wanted = {plot: (x, spec.y_range(s, overlays)) for plot, spec in self.specs.items()}
        wanted[self.gradients.norm_plot] = (x, log_span(s.grad_low, s.grad_high))
        wanted[self.gradients.dead_plot] = (x, (0.0, 1.0))
        self.ranges.apply(wanted)

    def _visible_overlays(self) -> list[RunCurves]:
        return [curves for curves, items in self._overlays.values() if items and items[0][1].isVisible()]

    # --- overlays of earlier runs -----------------------------------------------------------------

    def clear_overlays(self) -> None:
        """Remove every earlier run's overlay curves (the runs of another project replace them)."""
        for _curves, items in self._overlays.values():
            for plot, item in items:
                plot.legend.removeItem(item)
                plot.removeItem(item)
        self._overlays.clear()
        self._shown, self._labels = [], {}
        self.refresh(everything=True)

    def show_overlay(self, run_id: int, label: str, curves: RunCurves, visible: bool) -> None:
        """Show or hide an earlier run's curves, dimmed, on the plots that draw them; made on first use."""
        if run_id not in self._overlays:
            pen = pg.mkPen(overlay_colour(run_id), width=1.5, style=Qt.PenStyle.DashLine)
            items = []
            for plot, spec in self.specs.items():
                if spec.overlay is None:
                    continue
                x_name, y_name, scale = spec.overlay
                per_epoch = x_name == "epoch_x"
                item = plot.plot(getattr(curves, x_name), getattr(curves, y_name) * scale, pen=pen,
                                 **({"symbol": "t", "symbolSize": 6, "symbolPen": pen, "symbolBrush": None}
                                    if per_epoch else {}))
                item.setZValue(-1)
                items.append((plot, item))
            self._overlays[run_id] = (curves, items)
        self._labels[run_id] = label
        self._shown = [r for r in self._shown if r != run_id] + ([run_id] if visible else [])
        for _plot, item in self._overlays[run_id][1]:
            item.setVisible(visible)
        self._name_overlays()
        self._dirty = True
        self.refresh()

    def _name_overlays(self) -> None:
        """Legend entries for the newest LEGEND_OVERLAYS shown runs only: a legend of every run would
        cover the plot (the notebook's Show column has each run's colour)."""
        named = set(self._shown[-LEGEND_OVERLAYS:])
        for run_id, (_curves, items) in self._overlays.items():
            for plot, item in items:
                plot.legend.removeItem(item)
                if run_id in named:
                    plot.legend.addItem(item, self._labels.get(run_id, ""))

    def overlay_legend_count(self) -> int:
        """Earlier runs named in the loss plot's legend."""
        loss = self.plot_of("loss")
        items = {id(item) for run in self._overlays.values() for plot, item in run[1] if plot is loss}
        return sum(1 for sample, _label in loss.legend.items if id(sample.item) in items)

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
        for plot in self._current_plots():
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
        e = int(np.searchsorted(s.column("epoch_x"), xs[i], side="right")) - 1
        return self.specs[plot].hover(s, i, e)
