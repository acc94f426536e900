"""RunReporter: a run's start, chunks, states, errors and end, shown in the training panel's widgets."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QObject, Signal

from playground.core.metrics import RunState, StateRecord
from playground.core.runs import spec_summary
from playground.gui.train.continuing import continuing_line
from playground.gui.train.controls import ControlBar, MessageBanner
from playground.gui.train.history import RunTable
from playground.gui.train.plots import LivePlots
from playground.gui.train.runlog import ProgressLine, RunLog
from playground.gui.train.runner import ActiveRun
from playground.gui.train.worker import RecordChunk

STATUS_SECONDS = 0.25


def _tr(source: str) -> str:
    return QCoreApplication.translate("TrainingPanel", source)


class RunReporter(QObject):
    """Shows what a run reports in the panel's widgets.

    ``status`` carries the status-bar text (progress at most every STATUS_SECONDS while running) and
    ``state_shown`` follows each state change the run reports.
    """

    status = Signal(str)
    state_shown = Signal()

    def __init__(self, plots: LivePlots, log: RunLog, runs: RunTable, controls: ControlBar,
                 banner: MessageBanner, progress: ProgressLine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plots, self.log, self.runs, self.controls = plots, log, runs, controls
        self.banner, self.progress = banner, progress
        self._last_status = 0.0

    def started(self, run: ActiveRun) -> None:
        """Fresh plots of the run's curves (the previous run overlaid) and the log lines of its start."""
        names = run.layer_names(_tr("Layer {0}: {1}"))
        self.plots.start_run(run.curves, names, {i: names.get(i, str(i + 1)) for i in run.relu_layers()},
                             run.config.epochs, run.config.validation_fraction > 0, run.dataset.task)
        if run.number > 1:
            self.runs.set_overlay(run.number - 1, True)
        self.banner.hide()
        self.log.started(run.number, run.dataset.name, spec_summary(run.spec), run.config)
        if run.resume is not None:
            self.log.write(continuing_line(run.resume.epoch, run.resume.batch))
        elif run.from_weights:
            self.log.write(_tr("Starting from the current weights with a fresh optimizer."))

    def chunk(self, run: ActiveRun, chunk: RecordChunk) -> None:
        """Plot and log ``chunk`` of ``run``: learning-rate changes, epochs and states, then the progress."""
        self.plots.add_chunk(chunk)
        b = chunk.batches
        if b is not None:
            for lr, step in zip(b.learning_rate[b.lr_changed], b.step[b.lr_changed], strict=True):
                self.log.write(_tr("Learning rate set to {0:g} from step {1}").format(lr, step))
        for record in chunk.epochs:
            self.log.epoch(record)
        for state in chunk.states:
            self._state(state)
        self._progress(run)

    def error(self, message: str, hint: str, running: bool) -> None:
        """Show an error in the banner and the log (and the state label while a run goes)."""
        self.banner.show_message(message, hint)
        self.log.problem(message, hint)
        if running:
            self.controls.show_state(RunState.FAILED)

    def finished(self, run: ActiveRun) -> str:
        """Finish the plots, show and log how ``run`` ended; returns the status-bar text."""
        self.plots.finish_run()
        kept = run.record
        assert kept is not None, "a finished run has its record"
        summary = self.progress.show_summary(run, self.controls.state_label(kept.state),
                                             kept.final_test_accuracy, kept.seconds)
        self.log.write(summary)
        self.controls.show_state(kept.state)
        return summary

    def _state(self, record: StateRecord) -> None:
        self.controls.show_state(record.state)
        if record.message:
            self.log.write(record.message[:1].upper() + record.message[1:]
                           + (_tr(" (hint: {0})").format(record.hint) if record.hint else ""))
        if record.state == RunState.DIVERGED:
            self.banner.show_message(_tr("Training diverged: {0}").format(record.message), record.hint)
        self.state_shown.emit()

    def _progress(self, run: ActiveRun) -> None:
        now = time.monotonic()
        if now - self._last_status < STATUS_SECONDS and run.state == RunState.RUNNING:
            return
        self._last_status = now
        self.status.emit(self.progress.show_progress(run))
