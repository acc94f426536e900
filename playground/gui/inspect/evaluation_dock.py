"""EvaluationPanel: confusion matrix, per-class scores and the images behind each cell, as a dock."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.metrics import EpochRecord, RunState
from playground.errors import PlaygroundError
from playground.gui.docks import DockHost
from playground.gui.draw.panel import DrawPanel
from playground.gui.inspect.confusion import ConfusionMatrixView
from playground.gui.inspect.evaluator import (
    EvaluationJob,
    EvaluationResult,
    EvaluationWorker,
)
from playground.gui.inspect.gallery import ExampleGallery
from playground.gui.inspect.jobs import KeptWords, kept_job, live_job, sample_job
from playground.gui.inspect.scores import ScoreTable
from playground.gui.session import TrainingSession
from playground.gui.train.controls import MessageBanner
from playground.gui.train.runner import ActiveRun


class EvaluationPanel(QWidget):
    """Evaluates a model copy on the test split after each epoch and on demand, and shows where it errs.

    While a run of ``session`` trains, its network is read through the trainer's snapshots; when none
    trains, the weights the session keeps (a run's, a project's or a file's, which the drawing pad
    answers with) are tested on its dataset; without any, the pad's sample model on the bundled MNIST
    sample. ``example_sent`` comes after an image went to the pad. A result (or a running evaluation)
    of weights that are gone (a new project, a reset) is dropped: each job carries the serial of its
    weights, and the session says which serial is kept.
    """

    evaluated = Signal()
    example_sent = Signal(int)

    def __init__(self, session: TrainingSession, drawing: DrawPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.drawing = session, drawing
        self._run: ActiveRun | None = None
        self._last_epoch = 0
        self._stale: tuple[int, dict[str, torch.Tensor]] | None = None  # an epoch seen while hidden
        self._user_cell: tuple[int, int] | None = None
        self._worker: EvaluationWorker | None = None
        self._running_serial = 0
        self._pending: EvaluationJob | None = None
        self._kept: KeptWords | None = None
        self.result: EvaluationResult | None = None
        self._build()
        self.evaluate_button.clicked.connect(self.evaluate)
        self.cancel_button.clicked.connect(self.cancel)
        self.matrix.cell_selected.connect(self._on_cell_selected)
        self.gallery.example_chosen.connect(self._on_example_chosen)
        drawing.weights_changed.connect(self._on_drawing_weights_changed)
        session.run_started.connect(self._on_run_started)
        session.epoch_finished.connect(self._on_epoch_finished)
        session.weights_changed.connect(self._on_kept_weights_changed)
        session.run_finished.connect(self._on_run_finished)

    def _build(self) -> None:
        self.evaluate_button = QPushButton(self.tr("Evaluate"), self)
        self.evaluate_button.setToolTip(self.tr("Test the current weights on every image of the test split"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(self)
        self.progress.setFormat(self.tr("%v of %m images"))
        self.progress.setAccessibleName(self.tr("Evaluation progress"))
        self.progress.hide()
        self.about = QLabel(self)
        self.about.setWordWrap(True)
        self.about.setAccessibleName(self.tr("What was evaluated"))
        self.banner = MessageBanner(self)
        self.matrix = ConfusionMatrixView(self)
        self.scores = ScoreTable(self)
        self.gallery = ExampleGallery(self)
        self._show_prompts()
        buttons = QHBoxLayout()
        buttons.addWidget(self.evaluate_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.gallery, self.tr("Images of the cell"))
        self.tabs.addTab(self.scores, self.tr("Precision and recall"))
        body = self._body = QSplitter(Qt.Orientation.Vertical, self)
        body.addWidget(self.matrix)
        body.addWidget(self.tabs)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.about)
        layout.addWidget(self.banner)
        layout.addWidget(body, 1)

    def _show_prompts(self) -> None:
        """The texts shown before any evaluation."""
        self.about.setText(self.tr("Press Evaluate to test the model on the test split; during training "
                                   "this happens after every epoch."))
        self.matrix.set_prompt(self.tr("No evaluation yet."))
        self.gallery.clear(self.tr("Click a cell of the matrix to see its test images."))

    # --- the interface ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while an evaluation thread runs."""
        return self._worker is not None

    @Slot()
    def evaluate(self) -> None:
        """Evaluate the current weights now (after the one running, if any)."""
        try:
            job = self._current_job()
        except PlaygroundError as exc:
            self.banner.show_message(exc.message, exc.hint or "")
            return
        self._request(job)

    @Slot()
    def cancel(self) -> None:
        """Give up the running evaluation and any waiting one."""
        self._pending = None
        if self._worker is not None:
            self._worker.cancel.set()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel and wait for the evaluation thread (bounded); True when none runs."""
        self._pending = None
        worker = self._worker
        return worker is None or worker.shutdown(timeout_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Closing the panel on its own stops its thread."""
        self.shutdown()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """An epoch that ended while the panel was hidden is evaluated once it shows."""
        super().showEvent(event)
        if self._stale is not None and self._run is not None:
            self._evaluate_epoch(*self._stale)

    # --- where the model comes from -------------------------------------------------------------

    def _current_job(self) -> EvaluationJob:
        """A job for the run's latest snapshot, the kept weights, or the drawing pad's sample model."""
        session, run = self.session, self._run
        if not session.is_training and session.trained is not None:
            return kept_job(session, self._kept)
        if run is None:
            return sample_job(self.drawing.answering_model())
        state = run.trainer.state
        if state == RunState.FINISHED:
            words = self.tr("Your network after epoch %1").replace("%1", str(self._last_epoch))
        elif state in (RunState.IDLE, RunState.RUNNING, RunState.PAUSED):
            words = self.tr("Your network during epoch %1").replace("%1", str(self._last_epoch + 1))
        else:
            words = self.tr("Your network when training stopped")
        return live_job(run.trainer, run.dataset, words, run.serial)

    def _request(self, job: EvaluationJob) -> None:
        self.banner.hide()
        if self._worker is not None:
            self._pending = job
            return
        self._start(job)

    def _start(self, job: EvaluationJob) -> None:
        worker = EvaluationWorker(job, self)
        worker.progressed.connect(self._on_progressed)
        worker.evaluated.connect(self._on_evaluated)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_finished)
        self._worker, self._running_serial = worker, job.serial
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.progress.show()
        worker.start()

    # --- reactions -------------------------------------------------------------------------------

    @Slot(object)
    def _on_run_started(self, run: ActiveRun) -> None:
        self._run = run
        self._last_epoch, self._stale = 0, None
        self._user_cell = None

    @Slot(object)
    def _on_epoch_finished(self, record: EpochRecord) -> None:
        self._last_epoch = record.epoch
        if self._run is None:
            return
        _version, state = self._run.trainer.snapshot()  # published just before the epoch's record
        if self.isVisible():
            self._evaluate_epoch(record.epoch, state)
        else:
            self._stale = (record.epoch, state)

    def _evaluate_epoch(self, epoch: int, state: dict[str, torch.Tensor]) -> None:
        self._stale = None
        if self._run is None:
            return
        words = self.tr("Your network after epoch %1").replace("%1", str(epoch))
        try:
            job = live_job(self._run.trainer, self._run.dataset, words, self._run.serial, state)
        except PlaygroundError as exc:
            self.banner.show_message(exc.message, exc.hint or "")
            return
        self._request(job)

    @Slot()
    def _on_drawing_weights_changed(self) -> None:
        """The network was edited after training (the pad went back to the sample): follow it."""
        answering = self.drawing.answering_model()
        if (self._run is not None and not self.session.is_training and answering is not None
                and not answering.live):
            self._run = None
            self._user_cell = None

    @Slot()
    def _on_kept_weights_changed(self) -> None:
        """Other kept weights (a project opened, a file loaded, a reset): the chosen cell goes, and so
        does a result (or a running evaluation) of weights that are gone."""
        if self.session.is_training:
            return
        self._user_cell = None
        if self.running and self._gone(self._running_serial):
            self.cancel()
        if self.result is not None and self._gone(self.result.serial):
            self._drop_result()

    def _gone(self, serial: int) -> bool:
        """True when the weights of ``serial`` (0: the sample model's) are not the kept ones any more."""
        return serial != 0 and serial != self.session.weights_serial

    def _drop_result(self) -> None:
        """Back to the state before any evaluation: a fresh matrix, no scores, the prompts."""
        self.result = None
        fresh = ConfusionMatrixView(self)
        fresh.cell_selected.connect(self._on_cell_selected)
        old, self.matrix = self.matrix, fresh
        self._body.replaceWidget(self._body.indexOf(old), fresh)
        old.deleteLater()
        self.scores.setRowCount(0)
        self.banner.hide()
        self._show_prompts()

    @Slot(object)
    def _on_run_finished(self, run: ActiveRun) -> None:
        """The weights the run left are "your network after epoch N" until others replace them."""
        if run.final_state == RunState.FAILED:
            return
        if run.final_state == RunState.FINISHED:
            words = self.tr("Your network after epoch %1").replace("%1", str(self._last_epoch))
        else:
            words = self.tr("Your network when training stopped")
        self._kept = run.serial, words

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    @Slot(object)
    def _on_evaluated(self, result: EvaluationResult) -> None:
        self.result = result
        ev = result.evaluation
        self.about.setText(self.tr("%1, test split of %2, %3 images. Accuracy: %4")
                           .replace("%1", result.description).replace("%2", result.dataset_name)
                           .replace("%3", f"{len(ev):,}").replace("%4", f"{ev.accuracy():.1%}"))
        self.matrix.set_matrix(ev.matrix, ev.class_names)
        self.scores.show_scores(ev)
        true, predicted = self._user_cell or ev.worst_cell()
        self.matrix.select(true, predicted)
        self._show_cell(true, predicted)
        self.evaluated.emit()

    @Slot(str, str)
    def _on_errored(self, message: str, hint: str) -> None:
        self.banner.show_message(self.tr("Cannot evaluate: %1").replace("%1", message), hint)

    @Slot()
    def _on_finished(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        job, self._pending = self._pending, None
        if job is not None:
            self._start(job)
            return
        self.cancel_button.setEnabled(False)
        self.progress.hide()

    @Slot(int, int)
    def _on_cell_selected(self, true: int, predicted: int) -> None:
        self._user_cell = (true, predicted)
        self._show_cell(true, predicted)
        self.tabs.setCurrentWidget(self.gallery)

    def _show_cell(self, true: int, predicted: int) -> None:
        """List the test images of one cell in the gallery, most confident first."""
        if self.result is None:
            return
        ev = self.result.evaluation
        rows = ev.cell(true, predicted)
        names = ev.class_names
        if len(rows) == 0:
            caption = self.tr("No test image of %1 was predicted as %2.")
        elif true == predicted:
            caption = self.tr("%3 images of %1 predicted right, least sure first.")
            rows = rows[::-1]
        else:
            caption = self.tr("%3 images of %1 predicted as %2, most confident first.")
        caption = (caption.replace("%3", f"{len(rows):,}").replace("%1", names[true])
                   .replace("%2", names[predicted]))
        if np.ndim(self.result.images) != 4:  # points or sequences: counted in the matrix, no pictures
            self.gallery.clear(self.tr("%1 test samples of %2 predicted as %3; they are not images, so "
                                       "there are no pictures to show.").replace("%1", f"{len(rows):,}")
                               .replace("%2", names[true]).replace("%3", names[predicted]))
            return
        self.gallery.show_examples(caption, rows, self.result.images, ev.labels, ev.predicted,
                                   ev.confidence, names)

    @Slot(int)
    def _on_example_chosen(self, index: int) -> None:
        if self.result is None:
            return
        self.drawing.show_example(np.asarray(self.result.images[index]))
        self.example_sent.emit(index)


def install_evaluation(host: DockHost, session: TrainingSession, drawing: DrawPanel,
                       draw_dock: QDockWidget) -> QDockWidget:
    """Add the Evaluation dock to ``host``, fed by the session and the drawing pad; an image sent to
    the pad raises ``draw_dock``."""
    panel = EvaluationPanel(session, drawing)
    title = QCoreApplication.translate("EvaluationPanel", "Evaluation")
    dock = host.add_dock(panel, title, "evaluation_dock", Qt.DockWidgetArea.RightDockWidgetArea)
    panel.example_sent.connect(draw_dock.raise_)
    return dock
