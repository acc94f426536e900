"""The pipeline strip: the article's eight training steps as buttons that light as a run moves through
them (the share of time each takes at full speed, one after another when stepping a batch), and a
window that shows what each step did on the latest traced batch."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.metrics import EpochRecord
from playground.core.pipeline import HEALTHY_UPDATE, STEPS, TIMED, BatchTrace, WeightHistogram, phase_shares
from playground.gui.train.style import PALETTE, setup_plot

LIT = (255, 193, 7)  # amber: a step the run is in
STEP_MS = 180  # how long each step stays lit when a stepped batch is replayed


def _tr(source: str) -> str:
    return QCoreApplication.translate("PipelineStrip", source)


SHORT = {"preprocess": _tr("Prep"), "initialise": _tr("Init"), "forward": _tr("Fwd"), "loss": _tr("Loss"),
         "backward": _tr("Back"), "update": _tr("Upd"), "evaluate": _tr("Eval"), "save": _tr("Save")}
TITLES = {"preprocess": _tr("Preprocess"), "initialise": _tr("Initialise"), "forward": _tr("Forward"),
          "loss": _tr("Loss"), "backward": _tr("Backward"), "update": _tr("Update"),
          "evaluate": _tr("Evaluate"), "save": _tr("Save")}


class PipelineStrip(QWidget):
    """Eight step buttons in the article's order. ``show_shares`` lights the per-batch steps by their
    share of the loop's time, ``replay`` lights a stepped batch's steps in turn, ``light`` one step;
    clicking a step emits ``step_clicked`` with its key."""

    step_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QToolButton] = {}
        self.shares: dict[str, float] = dict.fromkeys(TIMED, 0.0)
        self.lit: set[str] = set()
        layout = self._grid = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for number, (key, _title, what) in enumerate(STEPS, start=1):
            button = QToolButton(self)
            button.setText(f"{number} {TITLES[key]}")
            button.setToolTip(_tr("Step {0}: {1}. Click to see what it did on the latest traced batch.")
                              .format(number, _tr(what)))
            button.setAccessibleName(_tr("Training step {0}: {1}").format(number, TITLES[key]))
            button.setAutoRaise(False)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            button.setMinimumWidth(18)
            button.clicked.connect(lambda _checked=False, k=key: self.step_clicked.emit(k))
            layout.addWidget(button, 0, number - 1)
            self.buttons[key] = button
        self.columns = len(STEPS)
        self._queue: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._next)
        self._paint()

    def labels(self, width: int) -> tuple[list[str], int]:
        """The step labels that fit ``width`` pixels, and in how many columns: one row of "1 Preprocess"
        or of "1 Prep", else two rows of four, else numbers."""
        metrics = self.fontMetrics()

        def fits(texts: list[str], columns: int) -> bool:
            widest = max(metrics.horizontalAdvance(t) + 14 for t in texts)
            return widest * columns + 2 * (columns - 1) <= width

        full = [f"{n} {TITLES[key]}" for n, key in enumerate(self.buttons, start=1)]
        short = [f"{n} {SHORT[key]}" for n, key in enumerate(self.buttons, start=1)]
        for texts, columns in ((full, 8), (short, 8), (full, 4), (short, 4)):
            if fits(texts, columns):
                return texts, columns
        return [str(n) for n in range(1, len(self.buttons) + 1)], 8

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """Labels and rows that fit the width (each full name stays in its tooltip)."""
        texts, columns = self.labels(event.size().width())
        for button, text in zip(self.buttons.values(), texts, strict=True):
            button.setText(text)
        if columns != self.columns:
            self.columns = columns
            for i, button in enumerate(self.buttons.values()):
                self._grid.removeWidget(button)
                self._grid.addWidget(button, i // columns, i % columns)
        super().resizeEvent(event)

    def show_shares(self, seconds: dict[str, float]) -> None:
        """Full speed: each per-batch step lit by its share of the loop's time."""
        if self._queue:
            return
        self.shares = phase_shares(seconds)
        self.lit = {key for key, share in self.shares.items() if share > 0}
        self._paint()

    def replay(self, keys: list[str]) -> None:
        """Light ``keys`` one after another (a stepped batch, or an epoch's end)."""
        self._queue = list(keys)
        self._next()

    def light(self, keys: set[str]) -> None:
        """Light exactly ``keys`` (none: the run is idle)."""
        self._queue = []
        self._timer.stop()
        self.shares = dict.fromkeys(TIMED, 0.0)
        self.lit = set(keys)
        self._paint()

    @Slot()
    def _next(self) -> None:
        if not self._queue:
            return
        key = self._queue.pop(0)
        self.shares = dict.fromkeys(TIMED, 0.0)
        self.lit = {key}
        self._paint()
        self._timer.start(STEP_MS)

    def _paint(self) -> None:
        for key, button in self.buttons.items():
            share = self.shares.get(key, 0.0)
            strength = 0.0
            if key in self.lit:  # a replayed step fully; at full speed by its share of the time
                strength = min(1.0, 0.25 + 2.5 * share) if share > 0 else 1.0
            r, g, b = LIT
            background = f"rgba({r},{g},{b},{int(strength * 255)})" if strength else "transparent"
            button.setStyleSheet(f"QToolButton {{ background: {background}; border: 1px solid #b0b0b0; "
                                 "border-radius: 3px; padding: 2px 4px; color: #1f1f1f; }")
            button.setProperty("lit", key in self.lit)


def _image(values: np.ndarray, low: float, high: float, scale: int = 3) -> QPixmap:
    """A (C, H, W) or (H, W) array as a picture, ``low`` to ``high`` mapped to black to white."""
    array = values if values.ndim == 2 else (values[0] if values.shape[0] == 1 else values.transpose(1, 2, 0))
    span = max(high - low, 1e-9)
    pixels = np.clip((array - low) / span * 255, 0, 255).astype(np.uint8)
    pixels = np.ascontiguousarray(pixels)
    if pixels.ndim == 2:
        image = QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.strides[0],
                       QImage.Format.Format_Grayscale8)
    else:
        image = QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.strides[0],
                       QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy()).scaled(array.shape[1] * scale, array.shape[0] * scale)


def _table(headers: list[str], rows: list[list[str]], parent: QWidget) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    return table


def _caption(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _bars(names: tuple[str, ...], values: tuple[float, ...], y_label: str, log: bool = False,
          band: tuple[float, float] | None = None) -> pg.PlotWidget:
    """A bar per layer that has a value (NaN: none), log scale when asked, with an optional band."""
    widget = pg.PlotWidget(background="w")
    plot = widget.getPlotItem()
    setup_plot(plot, _tr("layer"), y_label)
    shown = [(i, v) for i, v in enumerate(values) if math.isfinite(v) and (v > 0 or not log)]
    if shown:
        xs = [float(k) for k in range(len(shown))]
        heights = [math.log10(v) if log else v for _, v in shown]
        floor = 0.0
        if log:  # bars rise from below the lowest value (and the band), on a decade scale
            floor = math.floor(min([*heights, *(math.log10(b) for b in band or ())]) - 0.5)
            top = math.ceil(max([*heights, *(math.log10(b) for b in band or ())]) + 0.2)
            plot.getAxis("left").setTicks([[(e, f"1e{e}") for e in range(floor, top + 1)]])
            plot.setYRange(floor, top, padding=0.04)
        plot.addItem(pg.BarGraphItem(x=xs, height=[h - floor for h in heights], y0=floor, width=0.6,
                                     brush=PALETTE[0]))
        plot.getAxis("bottom").setTicks([[(x, names[i] if i < len(names) else str(i + 1))
                                          for x, (i, _) in zip(xs, shown, strict=True)]])
        if band is not None:
            low, high = (math.log10(b) for b in band) if log else band
            plot.addItem(pg.LinearRegionItem((low, high), orientation="horizontal", movable=False,
                                             brush=(0, 158, 115, 40)))
    widget.setMinimumHeight(160)
    return widget


class StepDetails(QDialog):
    """What each step did: a tab per step over the latest trace, the initial weights, the last epoch
    and what is kept; ``show_step(key)`` brings that step's tab to the front."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("The training steps"))
        self.tabs = QTabWidget(self)
        self.pages: dict[str, QWidget] = {}
        self._layouts: dict[str, QVBoxLayout] = {}
        for number, (key, _title, _what) in enumerate(STEPS, start=1):
            page = QWidget(self.tabs)
            self._layouts[key] = QVBoxLayout(page)
            self.tabs.addTab(page, f"{number} {TITLES[key]}")
            self.pages[key] = page
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.resize(740, 560)

    def show_step(self, key: str) -> None:
        """Bring step ``key``'s tab to the front."""
        self.tabs.setCurrentWidget(self.pages[key])

    def text_of(self, key: str) -> str:
        """Every label's text on step ``key``'s page, for tests and screen readers."""
        return "\n".join(label.text() for label in self.pages[key].findChildren(QLabel))

    def _fill(self, key: str, widgets: list[QWidget]) -> None:
        page, layout = self.pages[key], self._layouts[key]
        while layout.count():
            item = layout.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.hide()  # at once: deleteLater waits for the event loop, and the old one would show
                old.deleteLater()
        for widget in widgets:
            widget.setParent(page)
            layout.addWidget(widget)
        layout.addStretch(1)

    def update_all(self, trace: BatchTrace | None, initial: tuple[WeightHistogram, ...], fresh: bool,
                   init_label: str, epoch: EpochRecord | None, kept: str, class_names: tuple[str, ...],
                   mean: tuple[float, ...], std: tuple[float, ...]) -> None:
        """Refill every page from the run's latest figures."""
        none = _tr("No batch traced yet: start a run (or press Batch) and the first batch is traced.")
        if trace is None:
            for key in ("preprocess", "forward", "loss", "backward", "update"):
                self._fill(key, [_caption(none, self)])
        else:
            self._preprocess(trace, mean, std)
            self._forward(trace, class_names)
            self._loss(trace, class_names)
            self._fill("backward", [
                _caption(_tr("Batch {0} of epoch {1}: the size (L2 norm) of each layer's gradient after the "
                             "backward pass. Gradients that shrink towards the first layers vanish.")
                         .format(trace.batch, trace.epoch), self),
                _bars(trace.layer_names, trace.grad_norms, _tr("gradient norm"), log=True)])
            low, high = HEALTHY_UPDATE
            pairs = enumerate(zip(trace.layer_names, trace.update_ratios, strict=True))
            lines = [f"{name}: {ratio:.2g}, {trace.update_text(i)}" for i, (name, ratio) in pairs
                     if math.isfinite(ratio)]
            self._fill("update", [
                _caption(_tr("How far each layer's weights moved in this step, relative to their size "
                             "(||dw|| / ||w||) at learning rate {0:g}; the green band ({1:g} to {2:g}) is "
                             "the usual healthy range.").format(trace.learning_rate, low, high), self),
                _bars(trace.layer_names, trace.update_ratios, "||dw|| / ||w||", log=True,
                      band=HEALTHY_UPDATE),
                _caption("\n".join(lines), self)])
        self._initialise(initial, fresh, init_label)
        if epoch is None:
            self._fill("evaluate", [_caption(_tr("No epoch has finished yet."), self)])
        else:
            if epoch.test_accuracy is not None:
                score = _tr("test accuracy {0:.2%}").format(epoch.test_accuracy)
            else:
                score = _tr("test RMSE {0:.4f}, R² {1:.4f}").format(epoch.test_rmse or math.nan,
                                                                   epoch.test_r2 or math.nan)
            self._fill("evaluate", [_caption(_tr(
                "After epoch {0} the network read the whole test set in eval mode (Dropout off, BatchNorm "
                "with its running statistics), without changing a weight: test loss {1:.4f}, {2}. The "
                "training loss of that epoch was {3:.4f}.").format(epoch.epoch, epoch.test_loss, score,
                                                                     epoch.train_loss), self)])
        self._fill("save", [_caption(kept, self)])

    def _preprocess(self, trace: BatchTrace, mean: tuple[float, ...], std: tuple[float, ...]) -> None:
        images = trace.raw.ndim == 4
        what = _tr("Each pixel is scaled to 0-1, then the data's mean ({0}) is subtracted and the result "
                   "divided by its spread ({1}), so the first layer reads values around 0.").format(
            ", ".join(f"{m:.4f}" for m in mean) or "-", ", ".join(f"{s:.4f}" for s in std) or "-")
        if trace.augmented:
            what += " " + _tr("Augmentation then shifts, rotates and zooms each image a little.")
        widgets: list[QWidget] = [_caption(_tr("Batch {0} of epoch {1}, its first {2} samples. ").format(
            trace.batch, trace.epoch, len(trace.raw)) + what, self)]
        if images:
            grid = QWidget(self)
            cells = QGridLayout(grid)
            cells.addWidget(QLabel(_tr("as stored"), grid), 0, 0)
            cells.addWidget(QLabel(_tr("as the network reads it"), grid), 1, 0)
            low, high = float(trace.prepared.min()), float(trace.prepared.max())
            for i in range(len(trace.raw)):
                before, after = QLabel(grid), QLabel(grid)
                before.setPixmap(_image(trace.raw[i], 0, 255))
                after.setPixmap(_image(trace.prepared[i], low, high))
                cells.addWidget(before, 0, i + 1)
                cells.addWidget(after, 1, i + 1)
            widgets.append(grid)
            widgets.append(_caption(_tr("Prepared values range from {0:.2f} (black) to {1:.2f} (white).")
                                    .format(low, high), self))
        else:
            def first(values: np.ndarray) -> str:
                return " ".join(f"{v:.3g}" for v in values.ravel()[:6])

            rows = [[str(i + 1), first(raw), first(ready)] for i, (raw, ready) in
                    enumerate(zip(trace.raw, trace.prepared, strict=True))]
            headers = [_tr("sample"), _tr("as stored"), _tr("as the network reads it")]
            widgets.append(_table(headers, rows, self))
        self._fill("preprocess", widgets)

    def _forward(self, trace: BatchTrace, class_names: tuple[str, ...]) -> None:
        rows = []
        for i in range(len(trace.outputs)):
            out = trace.outputs[i]
            if trace.probabilities is not None:
                p = trace.probabilities[i]
                best = int(p.argmax())
                name = class_names[best] if best < len(class_names) else str(best)
                target = int(trace.targets[i])
                rows.append([str(i + 1), class_names[target] if target < len(class_names) else str(target),
                             name, f"{p[best]:.1%}", " ".join(f"{v:.2f}" for v in out)])
            else:
                rows.append([str(i + 1), " ".join(f"{v:.3g}" for v in np.ravel(trace.targets[i])), "", "",
                             " ".join(f"{v:.3g}" for v in out)])
        caption = _tr("The batch ran through every layer. The last layer's outputs (logits) for the first "
                      "samples, and, for classes, softmax turning them into probabilities: "
                      "p_i = exp(z_i) / sum_j exp(z_j).")
        self._fill("forward", [_caption(caption, self), _table(
            [_tr("sample"), _tr("target"), _tr("answer"), _tr("probability"), _tr("outputs (logits)")], rows,
            self)])

    def _loss(self, trace: BatchTrace, class_names: tuple[str, ...]) -> None:
        if trace.probabilities is not None:
            each = [-math.log(max(float(trace.probabilities[i][int(trace.targets[i])]), 1e-12))
                    for i in range(len(trace.targets))]
            text = _tr("{0}: L = -log p_target, averaged over the batch: {1:.4f}. For the first samples: "
                       "{2}. A confident right answer costs almost nothing; a confident wrong one costs a "
                       "lot.").format(trace.loss_name, trace.loss, ", ".join(f"{v:.3f}" for v in each))
        else:
            text = _tr("{0}: L = mean of (output - target)^2 over the batch: {1:.4f}.").format(
                trace.loss_name, trace.loss)
        self._fill("loss", [_caption(text, self)])

    def _initialise(self, initial: tuple[WeightHistogram, ...], fresh: bool, init_label: str) -> None:
        if not initial:
            self._fill("initialise", [_caption(_tr("Start a run to see the weights it starts from."), self)])
            return
        widget = pg.PlotWidget(background="w")
        plot = widget.getPlotItem()
        setup_plot(plot, _tr("weight value"), _tr("share of the layer's weights"))
        plot.addLegend(labelTextColor="k", brush=(255, 255, 255, 200))
        highest = 0.0
        for n, hist in enumerate(initial):
            share = hist.counts / max(int(hist.counts.sum()), 1)
            highest = max(highest, float(share.max()))
            plot.plot(hist.edges, share, stepMode="center", pen=pg.mkPen(PALETTE[n % len(PALETTE)], width=2),
                      name=_tr("layer {0}").format(hist.layer + 1))
        plot.setYRange(0, highest * 1.1, padding=0)  # from 0, so the shape of the distribution reads true
        widget.setMinimumHeight(200)
        start = (_tr("Fresh weights, drawn by the rule \"{0}\".").format(init_label) if fresh
                 else _tr("This run continued from trained weights; these are the weights it started from."))
        spread = "; ".join(_tr("layer {0}: mean {1:.3g}, std {2:.3g}").format(h.layer + 1, h.mean, h.std)
                           for h in initial)
        self._fill("initialise", [_caption(start + " " + spread, self), widget])
