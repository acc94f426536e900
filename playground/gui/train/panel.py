"""TrainingPanel: dataset, hyperparameters, controls, live plots, log and run history in one widget."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QTabWidget, QWidget

from playground.core.analysis import Analysis
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig, Trainer
from playground.data.sources import Dataset
from playground.errors import PlaygroundError
from playground.gui.train.arrange import arrange
from playground.gui.train.commands import RunCommands
from playground.gui.train.continuing import reset_button, watch_form
from playground.gui.train.controls import ControlBar, MessageBanner
from playground.gui.train.datasets import DatasetPicker
from playground.gui.train.form import HyperparameterForm
from playground.gui.train.history import RunHistory, RunTable
from playground.gui.train.keeper import WeightKeeper
from playground.gui.train.parked import ParkedWeights
from playground.gui.train.plots import REFRESH_HZ, LivePlots
from playground.gui.train.reporting import RunReporter
from playground.gui.train.runlog import ProgressLine, RunLog
from playground.gui.train.runner import ActiveRun, RunController, Trained
from playground.gui.train.worker import EMIT_INTERVAL, RecordChunk


class TrainingPanel(QWidget):
    """The training dock: choose data and hyperparameters, train on a worker thread, watch it live.

    The main window calls ``set_network`` after every edit, listens to ``dataset_changed``,
    ``training_started``/``training_stopped``, ``epoch_finished`` (an EpochRecord) and
    ``status_changed``, and calls ``shutdown`` when it closes.

    ``trained`` holds the weights the last run left (or a file gave): Start continues from them while
    they fit the network, exactly where the run stopped while the network, data and settings are
    unchanged; ``weights_changed`` comes whenever they change or go, ``config_edited`` after a
    setting is edited. Weights an edit does not fit (and weights ``set_trained`` replaces) are parked
    in ``parked``; they come back when the network is again the one they belong to (Undo).
    """

    dataset_changed = Signal(str, object, int)
    training_started = Signal(object, object)
    training_stopped = Signal(str)
    status_changed = Signal(str)
    epoch_finished = Signal(object)
    weights_changed = Signal()
    config_edited = Signal()

    def __init__(self, parent: QWidget | None = None, *, dataset: Dataset | None = None,
                 config: TrainConfig | None = None, emit_interval: float = EMIT_INTERVAL,
                 refresh_hz: float = REFRESH_HZ) -> None:
        super().__init__(parent)
        self._spec: NetworkSpec | None = None
        self._analysis: Analysis | None = None
        self.runner = RunController(emit_interval, self)
        self.last_state = "idle"
        self.keeper = WeightKeeper(self)
        self.history = RunHistory(self)
        self.picker = DatasetPicker(dataset, self)
        self.form = HyperparameterForm(config, self)
        self.controls = ControlBar(self)
        self.banner = MessageBanner(self)
        self.progress = ProgressLine(self)
        self.plots = LivePlots(self, refresh_hz)
        self.log = RunLog(self)
        self.runs = RunTable(self.history, self)
        self.reporter = RunReporter(self.plots, self.log, self.runs, self.controls, self.banner,
                                    self.progress, self)
        self._build_layout()
        self.keeper.changed.connect(self._on_weights_changed)
        self.keeper.said.connect(self.status_changed)
        self.reporter.epoch_finished.connect(self.epoch_finished)
        self.reporter.status.connect(self.status_changed)
        self.reporter.state_shown.connect(self._update_controls)
        self.picker.dataset_changed.connect(self._on_dataset_changed)
        self.picker.failed.connect(self._on_failed)
        self.picker.downloading_changed.connect(self._on_downloading_changed)
        self.commands = RunCommands(self.controls, self.form, self.runner, self)
        self.commands.start_requested.connect(self._on_start_requested)
        self.commands.toggled.connect(self._update_controls)
        self.commands.failed.connect(self._show_error)
        self.runner.chunk_received.connect(self._on_chunk)
        self.runner.errored.connect(self._on_failed)
        self.runner.run_ended.connect(self._on_run_ended)
        self.runs.overlay_toggled.connect(self._on_overlay_toggled)
        self.history.runs_replaced.connect(self._on_runs_replaced)
        self.reset_button.clicked.connect(self.reset_weights)
        watch_form(self.form, self.config_edited)
        self.plots.export_button.failed.connect(self._on_failed)
        if self.picker.error:
            self.banner.show_message(*self.picker.error)
        self.controls.show_state("idle")
        self.progress.show_text(self.keeper.where_it_stands())
        self._update_controls()

    def _build_layout(self) -> None:
        self.form.layout().insertRow(0, self.tr("Dataset"), self.picker)
        self.reset_button = reset_button(self.form)
        self.form.layout().addRow(self.tr("Weights"), self.reset_button)
        self.bottom_tabs = QTabWidget(self)
        self.bottom_tabs.addTab(self.log, self.tr("Log"))
        self.bottom_tabs.addTab(self.runs, self.tr("Runs"))
        arrange(self, self.form, self.controls, self.progress, self.banner, self.plots, self.bottom_tabs)

    # --- interface for the main window ------------------------------------------------------------

    @Slot(object, object)
    def set_network(self, spec: NetworkSpec, analysis: Analysis) -> None:
        """Keep the latest network and its analysis; Start is disabled while it has errors.

        Trained weights that no longer fit (another shape) are parked, saying so; weights that
        still fit (a layer frozen, an activation changed) stay, for the next run to start from
        with a fresh optimizer. Those parked for exactly ``spec`` come back when there are no
        weights, or when they are these weights (with the resume state they had for ``spec``).
        """
        self._spec, self._analysis = spec, analysis
        if not self.is_training:
            self.keeper.follow(spec, self.picker.current)
        self._update_controls()

    @property
    def trained(self) -> Trained | None:
        """The weights Start continues from (while they fit), or None."""
        return self.keeper.trained

    @property
    def parked(self) -> ParkedWeights:
        """Weights an edit did not fit (or ``set_trained`` replaced), kept for their network."""
        return self.keeper.parked

    def set_trained(self, trained: Trained | None) -> None:
        """Take ``trained`` (or None: fresh weights next time) as the weights to continue from; the
        weights it replaces are parked for their network."""
        self.keeper.set(trained)

    def forget_weights(self) -> None:
        """No trained weights and none parked (a new or opened project)."""
        self.keeper.forget()

    @Slot()
    def _on_weights_changed(self) -> None:
        self._update_controls()
        self.weights_changed.emit()

    @Slot()
    def reset_weights(self) -> None:
        """Forget the trained weights (parked ones too): the next run starts from freshly initialised ones."""
        if self.trained is None or self.is_training:
            return
        self.forget_weights()
        self.log.write(self.tr("Weights reset: the next run starts from fresh weights."))
        self.status_changed.emit(self.tr("Weights reset"))

    def show_project(self, line: str) -> None:
        """Another project is open: log ``line`` (which one), its runs, and show where it stands."""
        self.banner.hide()
        self.log.write(line)
        runs = self.history.runs
        if runs and not self.is_training:
            last = runs[-1]
            self.log.write(self.tr("It has {0} earlier run(s); the last: {1}, {2}.").format(
                len(runs), last.label(), self.controls.state_label(last.state).lower()))
        if not self.is_training:
            self.plots.clear()
            self.controls.show_state("idle")
            self.progress.show_text(self.keeper.where_it_stands())

    def select_dataset(self, dataset_id: str) -> bool:
        """Load and select ``dataset_id`` (e.g. "idx:/folder"); False (with a message) when it fails."""
        if self.is_training:
            return False
        if dataset_id != self.picker.current_id:
            self.picker.select(dataset_id)
        return self.picker.current_id == dataset_id

    @property
    def dataset(self) -> Dataset | None:
        """The selected dataset."""
        return self.picker.current

    @property
    def is_training(self) -> bool:
        """True while a run (running or paused) exists."""
        return self.runner.active is not None

    @property
    def trainer(self) -> Trainer | None:
        """The trainer of the run in progress, if any."""
        return self.runner.active.trainer if self.runner.active else None

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop a running worker (and download) cooperatively and wait; True when nothing runs."""
        return self.picker.shutdown(timeout_ms) & self.runner.shutdown(timeout_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Closing the panel on its own stops its run."""
        self.shutdown()
        super().closeEvent(event)

    # --- starting and controlling a run -----------------------------------------------------------

    def _start_problem(self) -> str:
        if self.picker.downloading:
            return self.tr("A dataset is downloading")
        if self.picker.current is None:
            return self.tr("Choose a dataset first")
        if self._spec is None or self._analysis is None:
            return self.tr("Build a network in the editor first")
        if not self._analysis.ok:
            return self._analysis.errors[0].text
        return ""

    @Slot()
    def _update_controls(self) -> None:
        run = self.runner.active
        mode = "idle" if run is None else "paused" if run.state == "paused" else "running"
        problem = self._start_problem()
        self.controls.set_mode(mode, not problem, problem)
        can_continue = run is None and not problem and (
            self.keeper.usable(self._spec, self.picker.current) is not None)
        self.controls.start.setText(self.tr("Continue") if can_continue else self.tr("Start"))
        if can_continue:
            self.controls.start.setToolTip(self.tr("Continue training from the current weights"))
        self.reset_button.setEnabled(run is None and self.trained is not None)
        self.picker.setEnabled(run is None)
        self.form.set_running(run is not None)

    def start(self, step: str = "") -> bool:
        """Start a run with the latest network; ``step`` "batch" or "epoch" starts it paused after that
        much. Problems go to the banner. True when a run started."""
        if self.is_training or self._start_problem():
            return False
        number, dataset, config = self.history.next_number(), self.picker.current, self.form.config()
        trained = self.keeper.usable(self._spec, dataset)
        resume = trained.resume if trained and trained.resumes_with(self._spec, dataset.id, config) else None
        try:
            model = trained.model(self._spec, dataset.input_shape, dataset.num_classes, config) \
                if trained else None
            run = self.runner.prepare(self._spec, dataset, config, number, step, model, resume)
        except PlaygroundError as exc:
            self._show_error(exc.message, exc.hint or "")
            return False
        self.reporter.started(run, resume, trained is not None)
        if resume is not None and config.learning_rate != resume.base_lr:
            run.trainer.set_learning_rate(config.learning_rate)
        self.controls.show_state("running")
        self._update_controls()
        self.runner.launch()
        self.training_started.emit(run.trainer, run.dataset)
        return True

    @Slot(str)
    def _on_start_requested(self, step: str) -> None:
        self.start(step)

    # --- what the worker reports ------------------------------------------------------------------

    @Slot(object)
    def _on_chunk(self, chunk: RecordChunk) -> None:
        if self.runner.active is not None:
            self.reporter.chunk(self.runner.active, chunk)

    @Slot(str, str)
    def _on_failed(self, message: str, hint: str) -> None:
        """A worker error, a failed dataset load or a failed export."""
        self._show_error(message, hint)
        self._update_controls()

    @Slot(str, str)
    def _show_error(self, message: str, hint: str) -> None:
        self.reporter.error(message, hint, self.runner.active is not None)

    @Slot(object)
    def _on_run_ended(self, run: ActiveRun) -> None:
        self.last_state = run.final_state
        kept = self.reporter.record(run, self.history)
        if kept.state != "error":
            self.keeper.keep(run)
        summary = self.reporter.summary(run, kept)
        self._update_controls()
        self.status_changed.emit(summary)
        self.training_stopped.emit(kept.state)

    @Slot()
    def _on_runs_replaced(self) -> None:
        """Another project's runs: the overlays of this one's go; once the new runs (and weights) are in,
        the last of them is shown."""
        self.plots.clear_overlays()
        QTimer.singleShot(0, self, self._show_restored_runs)

    def _show_restored_runs(self) -> None:
        """Overlay the opened project's last run."""
        runs = self.history.runs
        if runs and not self.is_training:
            self.runs.set_overlay(runs[-1].number, True)

    @Slot(int, bool)
    def _on_overlay_toggled(self, number: int, shown: bool) -> None:
        run = self.history.runs[number - 1]
        self.plots.show_overlay(number, run.label(), run.curves, shown)

    @Slot(object)
    def _on_dataset_changed(self, dataset: Dataset) -> None:
        self.banner.hide()
        self._update_controls()
        self.dataset_changed.emit(dataset.id, dataset.input_shape, dataset.num_classes)

    @Slot(bool)
    def _on_downloading_changed(self, _downloading: bool) -> None:
        self._update_controls()
