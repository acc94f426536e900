"""The memory-length experiment in the window: RNN, LSTM and GRU of one size trained on seq:recall for a
few lengths in the background, with progress, and test accuracy plotted against the length T."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.core.memory_length import CELLS, DEFAULT_LENGTHS, LengthResult, check_lengths, run_experiment
from playground.core.presets import RECALL_EPOCHS, RECALL_HIDDEN, RECALL_RECIPE
from playground.errors import PlaygroundError
from playground.gui.background import BackgroundJob, WorkerDialog
from playground.gui.train.style import CELL_COLOURS, setup_plot

CHANCE = 1 / 16
"""seq:recall's 16 kinds of token."""


class ExperimentWorker(BackgroundJob):
    """Runs the experiment; ``progressed`` after every epoch, ``finished_run`` after every run."""

    progressed = Signal(str, int, int, int, int)
    finished_run = Signal(object)

    def __init__(self, lengths: tuple[int, ...], cells: tuple[str, ...], epochs: int, samples: int, seed: int,
                 parent: QObject | None = None) -> None:
        super().__init__("MemoryLengthWorker", parent)
        self.lengths, self.cells, self.epochs, self.samples, self.seed = lengths, cells, epochs, samples, seed

    def work(self) -> None:
        """Train every cell at every length (the cancel event stops it between batches)."""
        run_experiment(self.lengths, self.cells, seed=self.seed, epochs=self.epochs, samples=self.samples,
                       progress=self.progressed.emit, cancel=self.cancel, done=self.finished_run.emit)


class MemoryLengthDialog(WorkerDialog):
    """Choose lengths, cells, epochs and a seed; Run trains them all in the background (Stop or closing
    cancels), each result joins the plot and the table as it comes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Memory-length experiment"))
        self.results: list[LengthResult] = []
        self.worker: ExperimentWorker | None = None
        self._failed = False
        intro = QLabel(self.tr(
            "How far back can each cell remember? A recurrent layer of {0} units (RNN, LSTM or GRU, the "
            "same recipe: Adam {1:g}, batch {2}, gradients clipped at {3:g}) learns to name the first token "
            "of a sequence after reading all T steps of it. A plain RNN's gradient fades step by step, so "
            "it fails as T grows; the gates of an LSTM or GRU carry the token to the end.").format(
                RECALL_HIDDEN, RECALL_RECIPE["learning_rate"], RECALL_RECIPE["batch_size"],
                RECALL_RECIPE["clip_norm"]), self)
        intro.setWordWrap(True)
        self.lengths = QLineEdit(", ".join(map(str, DEFAULT_LENGTHS)), self)
        self.lengths.setToolTip(self.tr("Sequence lengths T, 5 to 200, separated by commas"))
        self.lengths.setAccessibleName(self.tr("Lengths"))
        self.cell_boxes = {cell: QCheckBox(cell, self) for cell in CELLS}
        cells = QHBoxLayout()
        for box in self.cell_boxes.values():
            box.setChecked(True)
            cells.addWidget(box)
        cells.addStretch(1)
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 200)
        self.epochs.setValue(RECALL_EPOCHS)
        self.epochs.setToolTip(self.tr("Epochs a run; fewer are quicker and leave the gated cells short "
                                       "of their best"))
        self.samples = QSpinBox(self)
        self.samples.setRange(50, 100_000)
        self.samples.setSingleStep(500)
        self.samples.setValue(2500)
        self.samples.setToolTip(self.tr("Sequences generated for each length, a fifth of them test"))
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip(self.tr("Seeds the data and the weights: the same seed, the same table"))
        form = QFormLayout()
        form.addRow(self.tr("Lengths T"), self.lengths)
        form.addRow(self.tr("Cells"), cells)
        form.addRow(self.tr("Epochs"), self.epochs)
        form.addRow(self.tr("Sequences"), self.samples)
        form.addRow(self.tr("Seed"), self.seed)
        self.graph = pg.PlotWidget(background="w")
        self.plot = self.graph.getPlotItem()
        setup_plot(self.plot, self.tr("sequence length T (log scale)"), self.tr("test accuracy"))
        self.plot.setLogMode(x=True, y=False)
        self.plot.setYRange(0, 1.05, padding=0)
        self.plot.getAxis("left").setTicks([[(v / 5, f"{v / 5:.1f}") for v in range(6)]])
        # bottom right, above chance: a plain RNN falls below it, the gated cells stay at the top
        self.plot.addLegend(offset=(-10, -60), labelTextColor="k", brush=(255, 255, 255, 210))
        self.curves = {cell: self.plot.plot(pen=pg.mkPen(CELL_COLOURS[cell], width=2.5), symbol="o",
                                            symbolSize=7, symbolBrush=CELL_COLOURS[cell], name=cell)
                       for cell in CELLS}
        dashed = pg.mkPen("#888", style=Qt.PenStyle.DashLine)
        self.plot.addItem(pg.InfiniteLine(pos=CHANCE, angle=0, pen=dashed, label=self.tr("chance"),
                                          labelOpts={"position": 0.05, "color": "#555"}))
        self.graph.setMinimumSize(420, 240)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([self.tr("T"), self.tr("Cell"), self.tr("Test accuracy"),
                                              self.tr("Seconds")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(150)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%p %")
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.run_button = QPushButton(self.tr("Run"), self)
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.stop_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.graph, 1)
        layout.addWidget(self.table)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.progress.hide()
        self.resize(640, 720)

    def chosen(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """The lengths and cells the fields say.

        Raises:
            PlaygroundError: a length that is not a whole number from 5 to 200, or no cell ticked.
        """
        parts = [part.strip() for part in self.lengths.text().replace(";", ",").split(",") if part.strip()]
        try:
            lengths = check_lengths([int(part) for part in parts])
        except ValueError:
            raise PlaygroundError(self.tr("The lengths must be whole numbers separated by commas, such as "
                                          "10, 25, 50")) from None
        cells = tuple(cell for cell, box in self.cell_boxes.items() if box.isChecked())
        if not cells:
            raise PlaygroundError(self.tr("Tick at least one cell"))
        return lengths, cells

    @Slot()
    def run(self) -> bool:
        """Start the experiment in the background (results so far are cleared); False when the fields
        are wrong (the status line says why) or one is running."""
        if self.worker is not None:
            return False
        try:
            lengths, cells = self.chosen()
        except PlaygroundError as exc:
            self.status.setText(exc.message)
            return False
        self.results, self._failed = [], False
        self.table.setRowCount(0)
        for curve in self.curves.values():
            curve.setData([], [])
        runs = len(lengths) * len(cells)
        # the lengths themselves as the ticks of the log axis (pyqtgraph places items at log10 of x)
        self.plot.getAxis("bottom").setTicks([[(math.log10(t), str(t)) for t in lengths]])
        self.plot.setXRange(math.log10(lengths[0]), math.log10(lengths[-1]), padding=0.08)
        self.progress.setRange(0, runs * self.epochs.value())
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(self.tr("Training {0} networks in the background…").format(runs))
        worker = self.worker = ExperimentWorker(lengths, cells, self.epochs.value(), self.samples.value(),
                                                self.seed.value(), self)
        worker.progressed.connect(self._on_progress)
        worker.finished_run.connect(self._on_result)
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_worker_finished)
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        worker.start()
        return True

    @Slot()
    def stop(self) -> None:
        """Cancel the experiment; the runs finished so far stay."""
        if self.worker is not None:
            self.worker.cancel.set()
            self.status.setText(self.tr("Stopping…"))

    @Slot(str, int, int, int, int)
    def _on_progress(self, cell: str, length: int, epoch: int, epochs: int, index: int) -> None:
        self.progress.setValue(index * epochs + epoch)
        self.status.setText(self.tr("{0} at T = {1}: epoch {2} of {3}").format(cell, length, epoch, epochs))

    @Slot(object)
    def _on_result(self, result: LengthResult) -> None:
        self.results.append(result)
        row = self.table.rowCount()
        self.table.insertRow(row)
        accuracy = f"{result.accuracy:.3f}" if math.isfinite(result.accuracy) else self.tr("diverged")
        for column, text in enumerate((str(result.length), result.cell, accuracy, f"{result.seconds:.1f}")):
            item = QTableWidgetItem(text)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, column, item)
        mine = sorted((r.length, r.accuracy) for r in self.results if r.cell == result.cell)
        self.curves[result.cell].setData([t for t, _ in mine], [a for _, a in mine])

    @Slot(str, str)
    def _on_error(self, message: str, hint: str) -> None:
        self._failed = True
        self.status.setText(message + (f" ({hint})" if hint else ""))

    @Slot()
    def _on_worker_finished(self) -> None:
        stopped = self.worker is not None and self.worker.cancel.is_set()
        if self.worker is not None:
            self.worker.deleteLater()
        self.worker = None
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.progress.hide()
        if stopped:
            self.status.setText(self.tr("Stopped after {0} run(s).").format(len(self.results)))
        elif self.results and not self._failed:
            self.status.setText(self._summary())

    def _summary(self) -> str:
        longest = max(r.length for r in self.results)
        at = {r.cell: r.accuracy for r in self.results if r.length == longest}
        parts = ", ".join(f"{cell} {accuracy:.0%}" for cell, accuracy in at.items())
        return self.tr("Done: at T = {0}, {1} (chance {2:.0%}).").format(longest, parts, CHANCE)
