"""The learning-rate finder's dialog: the sweep runs in the background, its loss is plotted against the
rate as it comes, and the suggested rate goes into the form with one click."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.lr_find import END, START, STEPS, Sweep, find_lr
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig
from playground.data.dataset import Dataset
from playground.gui.background import BackgroundJob, WorkerDialog
from playground.gui.train.style import LOSS_EMA, LOSS_RAW, OVERFIT, marker, setup_plot


class FinderWorker(BackgroundJob):
    """Runs one sweep; ``stepped`` (batch, rate, loss) per batch, ``found`` the Sweep at the end."""

    stepped = Signal(int, float, float)
    found = Signal(object)

    def __init__(self, spec: NetworkSpec, dataset: Dataset, config: TrainConfig, steps: int = STEPS,
                 parent: QObject | None = None) -> None:
        super().__init__("lr-finder", parent)
        self.spec, self.dataset, self.config, self.steps = spec, dataset, config, steps

    def work(self) -> None:
        sweep = find_lr(self.spec, self.dataset, self.config, self.steps, cancel=self.cancel,
                        progress=self.stepped.emit)
        self.found.emit(sweep)


class LrFinderDialog(WorkerDialog):
    """Sweeps the learning rate for ``spec`` on ``dataset`` with ``config``'s optimizer, batch size, loss
    and initialisation; ``applied`` carries the rate the user takes. Closing it cancels the sweep."""

    applied = Signal(float)

    def __init__(self, spec: NetworkSpec, dataset: Dataset, config: TrainConfig, steps: int = STEPS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Find a learning rate"))
        self.spec, self.dataset, self.config, self.steps = spec, dataset, config, steps
        self.sweep: Sweep | None = None
        self.worker: FinderWorker | None = None
        self._rates: list[float] = []
        self._losses: list[float] = []
        intro = QLabel(self.tr(
            "Trains fresh weights for up to {0} batches while the learning rate grows from {1:g} to {2:g}, "
            "and stops once the loss passes 4x its best. Too small a rate barely moves the loss, too large "
            "a one makes it explode; the suggestion is where it falls fastest. The network's weights are "
            "not touched.").format(steps, START, END), self)
        intro.setWordWrap(True)
        self.graph = pg.PlotWidget(background="w")
        self.plot = self.graph.getPlotItem()
        setup_plot(self.plot, self.tr("learning rate (log scale)"), self.tr("loss"))
        self.plot.setLogMode(x=True, y=False)
        self.plot.addLegend(offset=(-10, 10), labelTextColor="k", brush=(255, 255, 255, 200))
        self.raw = self.plot.plot(pen=pg.mkPen(LOSS_RAW, width=1), name=self.tr("batch loss"))
        self.smooth = self.plot.plot(pen=pg.mkPen(LOSS_EMA, width=2), name=self.tr("smoothed"))
        self.graph.setMinimumSize(420, 260)
        self.line: pg.InfiniteLine | None = None
        self.progress = QProgressBar(self)
        self.progress.setRange(0, steps)
        self.progress.setFormat(self.tr("batch %v of at most %m"))
        self.answer = QLabel(self)
        self.answer.setWordWrap(True)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.apply_button = QPushButton(self.tr("Use the suggested rate"), self)
        self.apply_button.setEnabled(False)
        self.again_button = QPushButton(self.tr("Sweep again"), self)
        self.again_button.setEnabled(False)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self._on_apply)
        self.again_button.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.graph, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.answer)
        layout.addWidget(buttons)
        self.resize(620, 480)

    # --- the sweep ---------------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Begin a sweep in the background (the plot and the suggestion start empty)."""
        if self.worker is not None:
            return
        self.sweep = None
        self._rates, self._losses = [], []
        self.raw.setData([], [])
        self.smooth.setData([], [])
        if self.line is not None:
            self.plot.removeItem(self.line)
            self.line = None
        self.progress.setValue(0)
        self.progress.show()
        self.answer.setText(self.tr("Sweeping…"))
        self.apply_button.setEnabled(False)
        self.again_button.setEnabled(False)
        worker = self.worker = FinderWorker(self.spec, self.dataset, self.config, self.steps, self)
        worker.stepped.connect(self._on_stepped)
        worker.found.connect(self._on_found)
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_worker_finished)
        worker.start()

    @Slot(int, float, float)
    def _on_stepped(self, batch: int, rate: float, loss: float) -> None:
        self._rates.append(rate)
        self._losses.append(loss if math.isfinite(loss) else math.nan)
        self.progress.setValue(batch)
        if batch % 5 == 0:
            self.raw.setData(self._rates, self._losses, connect="finite")

    @Slot(object)
    def _on_found(self, sweep: Sweep) -> None:
        self.sweep = sweep
        self.raw.setData(list(sweep.rates), list(sweep.losses))
        self.smooth.setData(list(sweep.rates), list(sweep.smoothed))
        if sweep.smoothed:  # the explosion at the end would squash the interesting part
            top = min(max(sweep.smoothed), 1.5 * sweep.smoothed[0])
            self.plot.setYRange(0, top * 1.05, padding=0)
            self.plot.setXRange(math.log10(sweep.rates[0]), math.log10(sweep.rates[-1]), padding=0.02)
        if sweep.suggestion is not None:
            # pyqtgraph's log mode places items at log10 of the value
            self.line = marker(math.log10(sweep.suggestion),
                               self.tr("suggested {0:.2g}").format(sweep.suggestion), OVERFIT)
            self.plot.addItem(self.line)
            self.apply_button.setText(self.tr("Use {0:.2g}").format(sweep.suggestion))
        self.apply_button.setEnabled(sweep.suggestion is not None)
        self.answer.setText(sweep.text())
        self.progress.hide()

    @Slot(str, str)
    def _on_error(self, message: str, hint: str) -> None:
        self.answer.setText(message + (f"\n{self.tr('Hint:')} {hint}" if hint else ""))
        self.progress.hide()

    @Slot()
    def _on_worker_finished(self) -> None:
        if self.worker is not None:
            self.worker.deleteLater()
        self.worker = None
        self.again_button.setEnabled(True)

    @Slot()
    def _on_apply(self) -> None:
        if self.sweep is not None and self.sweep.suggestion is not None:
            self.applied.emit(float(f"{self.sweep.suggestion:.2g}"))
            self.accept()
