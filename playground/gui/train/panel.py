"""TrainingPanel: dataset, hyperparameters, controls, live plots, log and run history, over a session."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QTabWidget, QWidget

from playground.core.choices import INITS
from playground.core.metrics import EpochRecord, RunState
from playground.core.overfitting import Turn
from playground.core.presets import PRESETS
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig, Trainer
from playground.data.dataset import DataRef, Dataset
from playground.errors import PlaygroundError
from playground.gui.session import TrainingSession
from playground.gui.train.arrange import arrange
from playground.gui.train.commands import RunCommands
from playground.gui.train.continuing import reset_button, watch_form
from playground.gui.train.controls import ControlBar, MessageBanner
from playground.gui.train.datasets import DatasetPicker
from playground.gui.train.form import HyperparameterForm
from playground.gui.train.history import RunTable
from playground.gui.train.lr_finder import LrFinderDialog
from playground.gui.train.notebook_export import export_notebook, summary
from playground.gui.train.overfit import OverfitNotice
from playground.gui.train.pipeline_strip import PipelineStrip, StepDetails
from playground.gui.train.plots import REFRESH_HZ, LivePlots
from playground.gui.train.reporting import RunReporter
from playground.gui.train.runlog import ProgressLine, RunLog
from playground.gui.train.runner import ActiveRun
from playground.gui.train.worker import RecordChunk


class TrainingPanel(QWidget):
    """The training dock: a view of ``session``. The form writes the settings into it, the picker the
    dataset, the controls start and steer its runs; its signals feed the plots, the log and the runs
    table. ``shutdown`` stops a run and a download (the main window calls it when it closes).
    """

    def __init__(self, session: TrainingSession, parent: QWidget | None = None,
                 refresh_hz: float = REFRESH_HZ) -> None:
        super().__init__(parent)
        self.session = session
        self.picker = DatasetPicker(session, self)
        self.form = HyperparameterForm(session.config, self)
        self.controls = ControlBar(self)
        self.banner = MessageBanner(self)
        self.progress = ProgressLine(self)
        self.plots = LivePlots(self, refresh_hz)
        self.overfit = OverfitNotice(self.form, self)
        self.pipeline = PipelineStrip(self)
        self.steps: StepDetails | None = None
        self._trace_seen = 0
        self._last_epoch: EpochRecord | None = None
        self._traced: Trainer | None = None  # the trainer the strip and the step window show
        self._plotted: NetworkSpec | None = None  # the network whose run the live plots show
        self.log = RunLog(self)
        self.runs = RunTable(session.history, self)
        self.reporter = RunReporter(self.plots, self.log, self.runs, self.controls, self.banner,
                                    self.progress, self)
        self._build_layout()
        self.commands = RunCommands(self.controls, session, self)
        self.commands.start_requested.connect(self.start)
        self.commands.toggled.connect(self._update_controls)
        watch_form(self.form, self._on_form_edited)
        self.reporter.status.connect(session.said)
        self.reporter.state_shown.connect(self._update_controls)
        self.picker.failed.connect(self._on_failed)
        self.picker.downloading_changed.connect(self._on_downloading_changed)
        self.runs.overlay_toggled.connect(self._on_overlay_toggled)
        self.runs.export_requested.connect(self.export_notebook)
        self.reset_button.clicked.connect(self.reset_weights)
        self.plots.export_button.failed.connect(self._on_failed)
        self.plots.overfitting.connect(self._on_overfitting)
        self.overfit.applied.connect(self.log.write)
        self.form.find_lr.clicked.connect(self.find_learning_rate)
        self.pipeline.step_clicked.connect(self.show_step)
        self.finder: LrFinderDialog | None = None
        session.network_changed.connect(self._update_controls)
        session.network_changed.connect(self._on_network_changed)
        session.dataset_changed.connect(self._on_dataset_changed)
        session.config_changed.connect(self._on_config_changed)
        session.weights_changed.connect(self._update_controls)
        session.run_started.connect(self._on_run_started)
        session.records_received.connect(self._on_records_received)
        session.run_finished.connect(self._on_run_finished)
        session.errored.connect(self._on_failed)
        session.history.runs_replaced.connect(self._on_runs_replaced)
        if session.dataset is not None:
            self.overfit.set_images(session.dataset.is_image)
        if self.picker.error:
            self.banner.show_message(*self.picker.error)
        self.controls.show_state(RunState.IDLE)
        self.progress.show_text(self.where_it_stands())
        self._update_controls()

    def _build_layout(self) -> None:
        self.form.rows.insertRow(0, self.tr("Dataset"), self.picker)
        self.reset_button = reset_button(self.form)
        self.form.rows.addRow(self.tr("Weights"), self.reset_button)
        self.bottom_tabs = QTabWidget(self)
        self.bottom_tabs.addTab(self.log, self.tr("Log"))
        self.bottom_tabs.addTab(self.runs, self.tr("Notebook"))
        arrange(self, self.form, self.controls, self.progress, self.banner, self.overfit, self.pipeline,
                self.plots, self.bottom_tabs)

    # --- what the window and the buttons ask ------------------------------------------------------

    @Slot(str)
    def start(self, step: str = "") -> bool:
        """Start a run with the form's values, a number typed but not yet committed included; ``step``
        "batch" or "epoch" starts it paused after that much. True when a run started."""
        if self.session.is_training:
            return False
        self.form.commit()
        self.session.set_config(self.form.config())
        return self.session.start(step)

    @Slot()
    def find_learning_rate(self) -> LrFinderDialog | None:
        """Open the learning-rate finder for the editor's network on the dataset with the form's settings
        and start its sweep; None (and the reason in the banner) when it cannot run now."""
        session = self.session
        problem = session.start_problem()
        if session.is_training:
            problem = self.tr("A run is going: the finder runs between runs")
        if problem or session.spec is None or session.dataset is None:
            self.banner.show_message(problem or self.tr("Build a network in the editor first"), "",
                                     error=False)
            return None
        if self.finder is not None:
            self.finder.shutdown()
            self.finder.close()
        self.form.commit()
        finder = self.finder = LrFinderDialog(session.spec, session.dataset, self.form.config(), parent=self)
        finder.applied.connect(self._on_rate_found)
        finder.finished.connect(self._on_finder_closed)
        finder.open()
        finder.start()
        return finder

    @Slot(float)
    def _on_rate_found(self, rate: float) -> None:
        self.form.learning_rate.setValue(rate)
        self.log.write(self.tr("Learning rate set to {0:g}, the finder's suggestion.").format(rate))

    @Slot()
    def _on_finder_closed(self) -> None:
        if self.finder is not None:
            self.finder.deleteLater()
        self.finder = None

    @Slot()
    def export_notebook(self) -> None:
        """Ask where, then write the lab notebook (Markdown or HTML, by the name's ending)."""
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export the lab notebook"), "notebook.md",
                                              self.tr("Markdown (*.md);;HTML (*.html)"))
        if name:
            self.export_notebook_to(Path(name))

    def export_notebook_to(self, path: Path) -> bool:
        """Write the lab notebook of every run to ``path`` with a plot per run; True when written."""
        try:
            files = export_notebook(path, self.session.history.runs)
        except PlaygroundError as exc:
            self._on_failed(exc.message, exc.hint or "")
            return False
        self.log.write(self.tr("Lab notebook written: {0} in {1}").format(summary(files), path.parent))
        return True

    def where_it_stands(self) -> str:
        """The progress line while no run goes: the trained epochs, or how to begin."""
        trained = self.session.trained
        if trained is not None and trained.epochs_done:
            return self.tr("Trained {0} epoch(s): Continue, or Reset to restart").format(trained.epochs_done)
        if trained is not None:
            return self.tr("Trained weights: Continue, or Reset to restart")
        spec = self.session.spec
        if spec is None or not spec.layers:
            return self.tr("Build a network, then press Start.")
        problem = self.session.start_problem()
        return problem or self.tr("Ready: press Start to train.")

    def show_project(self, line: str, warning: str = "") -> None:
        """Another project is open: log ``line`` (which one), its runs, and show where it stands and, in
        the banner, what did not go in."""
        self.banner.hide()
        self.log.write(line)
        runs = self.session.history.runs
        if runs and not self.session.is_training:
            last = runs[-1]
            self.log.write(self.tr("It has {0} earlier run(s); the last: {1}, {2}.").format(
                len(runs), last.label(), self.controls.state_label(last.state).lower()))
        if not self.session.is_training:
            self.plots.clear()
            self.controls.show_state(RunState.IDLE)
            self.progress.show_text(self.where_it_stands())
        if warning:
            self.banner.show_message(warning, "", error=False)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop a running worker (and download) cooperatively and wait; True when nothing runs."""
        finder = self.finder is None or self.finder.shutdown(timeout_ms)
        return finder & self.picker.shutdown(timeout_ms) & self.session.shutdown(timeout_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Closing the panel on its own stops its run."""
        self.shutdown()
        super().closeEvent(event)

    # --- keeping the widgets in step --------------------------------------------------------------

    @Slot()
    def _update_controls(self) -> None:
        session = self.session
        run = session.active
        mode = "idle" if run is None else "paused" if run.state == RunState.PAUSED else "running"
        problem = self.tr("A dataset is downloading") if self.picker.downloading else session.start_problem()
        self.controls.set_mode(mode, not problem, problem)
        can_continue = run is None and not problem and session.usable() is not None
        self.controls.start.setText(self.tr("Continue") if can_continue else self.tr("Start"))
        if can_continue:
            self.controls.start.setToolTip(self.tr("Continue training from the current weights"))
        self.reset_button.setEnabled(run is None and session.trained is not None)
        self.picker.setEnabled(run is None)
        self.form.set_running(run is not None)

    @Slot()
    def _on_network_changed(self) -> None:
        """Another network: the live plots of the last run (another network's curves, gradients and
        warnings) are cleared, that run stays in the notebook to overlay; before the first run, the
        progress line says whether this network can train."""
        session = self.session
        if session.is_training:
            return
        if self._plotted is not None and session.spec != self._plotted:
            self._plotted = None
            self.plots.clear()
            self.overfit.show_turn(None)
        if session.trained is None and not session.history.runs:
            self.progress.show_text(self.where_it_stands())

    def _on_form_edited(self, *_args: object) -> None:
        self.session.set_config(self.form.config())

    @Slot(object)
    def _on_config_changed(self, config: TrainConfig) -> None:
        if config != self.form.config():
            self.form.set_config(config)

    @Slot(str)
    def adopt_preset(self, name: str) -> None:
        """A preset made for one dataset was loaded: select that dataset and take the preset's settings
        (epochs, learning rate, batch size, optimizer, clipping), saying so; nothing while a run goes."""
        row = PRESETS.get(name)
        if row is None or not row.dataset or self.session.is_training:
            return
        current = self.session.dataset
        switch = current is None or current.ref.id != row.dataset
        if switch and not self.picker.select(DataRef(row.dataset)):
            return
        self.form.commit()
        config = replace(self.form.config(), **dict(row.recipe))
        self.form.set_config(config)
        self.session.set_config(config)
        dataset = self.session.dataset
        self.log.write(self.tr("{0}: {1}, with the preset's settings ({2} epochs, learning rate {3:g}, "
                               "batch {4}).").format(row.title, dataset.name if dataset else row.dataset,
                                                     config.epochs, config.learning_rate, config.batch_size))

    @Slot(object)
    def _on_dataset_changed(self, dataset: Dataset) -> None:
        self.banner.hide()
        self.overfit.set_images(dataset.is_image)
        self._update_controls()

    @Slot(object)
    def _on_overfitting(self, turn: Turn | None) -> None:
        """Name where the run began to overfit (once per run, in the log too), or hide the notice."""
        if turn is not None and (self.overfit.turn is None or self.overfit.turn.epoch != turn.epoch):
            self.log.write(self.tr("Overfitting from epoch {0}: the {1} loss has risen for {2} epoch(s) "
                                   "while the training loss falls.").format(
                turn.epoch, self.overfit.split_name(turn), turn.since))
        self.overfit.show_turn(turn)

    @Slot(bool)
    def _on_downloading_changed(self, _downloading: bool) -> None:
        self._update_controls()

    @Slot()
    def reset_weights(self) -> None:
        """Forget the trained weights (parked ones too): the next run starts from fresh ones."""
        if self.session.reset_weights():
            self.log.write(self.tr("Weights reset: the next run starts from fresh weights."))
            self.progress.show_text(self.where_it_stands())

    # --- what the session reports -----------------------------------------------------------------

    @Slot(str)
    def show_step(self, key: str) -> StepDetails:
        """The window of what each training step did, at step ``key``'s tab."""
        if self.steps is None:
            self.steps = StepDetails(self)
        self._fill_steps()
        self.steps.show_step(key)
        if self.steps.isVisible():
            self.steps.raise_()  # open already, perhaps behind the main window
        self.steps.show()
        return self.steps

    def _fill_steps(self) -> None:
        if self.steps is None:
            return
        trainer, dataset = self._traced, self.session.dataset
        trace = trainer.trace()[1] if trainer is not None else None
        config = trainer.config if trainer is not None else self.session.config
        trained = self.session.trained
        kept = self.tr("After every epoch the trainer keeps a copy of the weights in memory: the drawing "
                       "pad, the Inside view and Evaluate read it, and Continue trains on from it. File > "
                       "Save (Ctrl+S) writes them to the project file with the network, the settings, the "
                       "runs and the optimizer's state; File > Export writes TorchScript, ONNX or a "
                       "training script.")
        if trained is not None:
            kept += " " + self.tr("Kept now: weights trained for {0} epoch(s).").format(trained.epochs_done)
        facts = dataset.facts if dataset is not None else None
        self.steps.update_all(trace, trainer.initial_weights if trainer is not None else (),
                              trainer.fresh_weights if trainer is not None else True,
                              INITS[config.init].label, self._last_epoch, kept,
                              facts.class_names if facts is not None else (),
                              facts.mean if facts is not None else (), facts.std if facts is not None else ())

    def _follow_steps(self, run: ActiveRun, chunk: RecordChunk) -> None:
        """Light the steps the run went through in ``chunk``; refresh the step window on a new trace."""
        trainer = run.trainer
        version, trace = trainer.trace()
        if chunk.epochs:
            self._last_epoch = chunk.epochs[-1]
        if version != self._trace_seen and trace is not None and trace.stepped:
            self.pipeline.replay(["preprocess", "forward", "loss", "backward", "update"])  # a stepped batch
        elif chunk.epochs:
            self.pipeline.replay(["evaluate", "save"])
        elif run.state == RunState.RUNNING:
            self.pipeline.show_shares(trainer.phase_seconds)
        if version != self._trace_seen or chunk.epochs:
            self._trace_seen = version
            if self.steps is not None and self.steps.isVisible():
                self._fill_steps()

    @Slot(object)
    def _on_run_started(self, run: ActiveRun) -> None:
        self._traced, self._trace_seen, self._last_epoch = run.trainer, 0, None
        self._plotted = run.spec
        self.pipeline.replay(["initialise"])
        self.reporter.started(run)
        self.controls.show_state(RunState.RUNNING)
        self._update_controls()

    @Slot(object)
    def _on_records_received(self, chunk: RecordChunk) -> None:
        run = self.session.active
        if run is not None:
            self.reporter.chunk(run, chunk)
            self._follow_steps(run, chunk)

    @Slot(str, str)
    def _on_failed(self, message: str, hint: str) -> None:
        """A run's error, a failed dataset load, a refused setting or a failed export."""
        self.reporter.error(message, hint, self.session.is_training)
        self._update_controls()

    @Slot(object)
    def _on_run_finished(self, run: ActiveRun) -> None:
        self.pipeline.light(set())
        self._fill_steps()
        self.session.said.emit(self.reporter.finished(run))
        self._update_controls()

    @Slot()
    def _on_runs_replaced(self) -> None:
        """Another project's runs: the overlays of this one's go; once the new runs (and weights) are in,
        the last of them is shown."""
        self.plots.clear_overlays()
        QTimer.singleShot(0, self, self._show_restored_runs)

    def _show_restored_runs(self) -> None:
        """Overlay the opened project's last run."""
        runs = self.session.history.runs
        if runs and not self.session.is_training:
            self.runs.set_overlay(runs[-1].number, True)

    @Slot(int, bool)
    def _on_overlay_toggled(self, number: int, shown: bool) -> None:
        run = self.session.history.runs[number - 1]
        self.plots.show_overlay(number, run.label(), run.curves, shown)
