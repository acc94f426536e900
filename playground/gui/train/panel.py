"""TrainingPanel: dataset, hyperparameters, controls, live plots, log and run history in one widget."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from playground.core.analysis import Analysis
from playground.core.metrics import StateRecord
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig, Trainer
from playground.data.sources import Dataset
from playground.errors import PlaygroundError
from playground.gui.train.buffers import RunCurves
from playground.gui.train.continuing import continuing_line, reset_button, watch_form
from playground.gui.train.controls import ControlBar, MessageBanner, scrolled, splitter
from playground.gui.train.datasets import DatasetPicker
from playground.gui.train.form import HyperparameterForm
from playground.gui.train.history import Run, RunHistory, RunTable, spec_summary
from playground.gui.train.parked import ParkedWeights
from playground.gui.train.plots import REFRESH_HZ, LivePlots
from playground.gui.train.runlog import ProgressLine, RunLog
from playground.gui.train.runner import ActiveRun, RunController, Trained, copy_state, weights_fit
from playground.gui.train.worker import EMIT_INTERVAL, RecordChunk

STATUS_SECONDS = 0.25


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
        self._last_status = 0.0
        self.last_state = "idle"
        self.trained: Trained | None = None
        self.parked = ParkedWeights()
        self.history = RunHistory(self)
        self.picker = DatasetPicker(dataset, self)
        self.form = HyperparameterForm(config, self)
        self.controls = ControlBar(self)
        self.banner = MessageBanner(self)
        self.progress = ProgressLine(self)
        self.plots = LivePlots(self, refresh_hz)
        self.log = RunLog(self)
        self.runs = RunTable(self.history, self)
        self._build_layout()
        self.picker.dataset_changed.connect(self._on_dataset_changed)
        self.picker.failed.connect(self._on_failed)
        self.picker.downloading_changed.connect(self._on_downloading_changed)
        self.form.learning_rate_edited.connect(self._on_learning_rate_edited)
        self.controls.start.clicked.connect(self._on_start_clicked)
        self.controls.pause.clicked.connect(self._on_pause_clicked)
        self.controls.step_batch.clicked.connect(self._on_step_batch_clicked)
        self.controls.step_epoch.clicked.connect(self._on_step_epoch_clicked)
        self.controls.stop.clicked.connect(self._on_stop_clicked)
        self.runner.chunk_received.connect(self._on_chunk)
        self.runner.errored.connect(self._on_failed)
        self.runner.run_ended.connect(self._on_run_ended)
        self.runs.overlay_toggled.connect(self._on_overlay_toggled)
        self.history.runs_replaced.connect(self._on_runs_replaced)
        self.reset_button.clicked.connect(self.reset_weights)
        watch_form(self.form, self.config_edited)
        self.plots.export_button.failed.connect(self._on_failed)
        space = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        space.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        space.activated.connect(self._on_pause_clicked)
        if self.picker.error:
            self.banner.show_message(*self.picker.error)
        self.controls.show_state("idle")
        self._show_where_it_stands()
        self._update_controls()

    def _build_layout(self) -> None:
        self.form.layout().insertRow(0, self.tr("Dataset"), self.picker)
        self.reset_button = reset_button(self.form)
        self.form.layout().addRow(self.tr("Weights"), self.reset_button)
        self.bottom_tabs = QTabWidget(self)
        self.bottom_tabs.addTab(self.log, self.tr("Log"))
        self.bottom_tabs.addTab(self.runs, self.tr("Runs"))
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 4, 4, 4)
        status_row = QHBoxLayout()
        status_row.addWidget(self.controls.state, 0, Qt.AlignmentFlag.AlignTop)
        status_row.addWidget(self.progress, 1)
        right_layout.addWidget(self.controls)
        right_layout.addLayout(status_row)
        right_layout.addWidget(self.banner)
        plots_and_log = splitter(Qt.Orientation.Vertical, (self.plots, 3), (self.bottom_tabs, 1))
        plots_and_log.setSizes([520, 160])
        right_layout.addWidget(plots_and_log, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter(Qt.Orientation.Horizontal, (scrolled(self.form), 0), (right, 1)))

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
        trained = self.trained
        if self.is_training:
            self._update_controls()
            return
        if trained is not None and spec != trained.spec:
            self.parked.park(trained)
            if self._fits(trained, spec):
                self._take(Trained(spec, trained.weights, trained.dataset_id))
            else:
                self._take(None)
                self.status_changed.emit(self.tr("The trained weights do not fit this network; Undo brings "
                                                 "them back"))
        back = self.parked.find(spec)
        if back is not None and (self.trained is None or back.weights is self.trained.weights):
            if self.trained is None:
                self.status_changed.emit(self.tr("The weights trained for this network are back"))
            self._take(self.parked.take(spec))
        self._update_controls()

    def _fits(self, trained: Trained, spec: NetworkSpec) -> bool:
        dataset = self.picker.current
        return dataset is not None and weights_fit(trained.weights, spec, dataset.input_shape,
                                                   dataset.num_classes)

    def set_trained(self, trained: Trained | None) -> None:
        """Take ``trained`` (or None: fresh weights next time) as the weights to continue from; the
        weights it replaces are parked for their network."""
        if self.trained is not None and self.trained is not trained:
            self.parked.park(self.trained)
        self._take(trained)

    def forget_weights(self) -> None:
        """No trained weights and none parked (a new or opened project)."""
        self.parked.clear()
        self._take(None)

    def _take(self, trained: Trained | None) -> None:
        self.trained = trained
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
            self._show_where_it_stands()

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

    def _update_controls(self) -> None:
        run = self.runner.active
        mode = "idle" if run is None else "paused" if run.state == "paused" else "running"
        problem = self._start_problem()
        self.controls.set_mode(mode, not problem, problem)
        can_continue = run is None and not problem and self.trained is not None and self._spec is not None \
            and self._fits(self.trained, self._spec)
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
        trained = self.trained if self.trained is not None and self._fits(self.trained, self._spec) else None
        resume = trained.resume if trained and trained.resumes_with(self._spec, dataset.id, config) else None
        try:
            model = trained.model(self._spec, dataset.input_shape, dataset.num_classes, config) \
                if trained else None
            run = self.runner.prepare(self._spec, dataset, config, number, step, model, resume)
        except PlaygroundError as exc:
            self._show_error(exc.message, exc.hint or "")
            return False
        names = run.layer_names(self.tr("Layer {0}: {1}"))
        self.plots.start_run(len(run.spec.layers), names,
                             {i: names.get(i, str(i + 1)) for i in run.relu_layers()},
                             run.config.epochs, run.config.validation_fraction > 0)
        if number > 1:
            self.runs.set_overlay(number - 1, True)
        self.banner.hide()
        self.log.started(number, run.dataset.name, spec_summary(run.spec), run.config)
        if resume is not None:
            self.log.write(continuing_line(resume.epoch, resume.batch))
            if config.learning_rate != resume.base_lr:
                run.trainer.set_learning_rate(config.learning_rate)
        elif trained is not None:
            self.log.write(self.tr("Starting from the current weights with a fresh optimizer."))
        self.controls.show_state("running")
        self._update_controls()
        self.runner.launch()
        self.training_started.emit(run.trainer, run.dataset)
        return True

    @Slot()
    def _on_start_clicked(self) -> None:
        self.start()

    @Slot()
    def _on_pause_clicked(self) -> None:
        self.runner.toggle_pause()
        self._update_controls()

    @Slot()
    def _on_step_batch_clicked(self) -> None:
        if self.runner.active is None:
            self.start("batch")
        else:
            self.runner.active.trainer.step_batch()

    @Slot()
    def _on_step_epoch_clicked(self) -> None:
        if self.runner.active is None:
            self.start("epoch")
        else:
            self.runner.active.trainer.step_epoch()

    @Slot()
    def _on_stop_clicked(self) -> None:
        if self.runner.active is not None:
            self.runner.active.trainer.stop()
            self.controls.stop.setEnabled(False)

    @Slot(float)
    def _on_learning_rate_edited(self, lr: float) -> None:
        if self.runner.active is not None:
            try:
                self.runner.active.trainer.set_learning_rate(lr)
            except PlaygroundError as exc:
                self._show_error(exc.message, exc.hint or "")

    # --- what the worker reports ------------------------------------------------------------------

    @Slot(object)
    def _on_chunk(self, chunk: RecordChunk) -> None:
        run = self.runner.active
        if run is None:
            return
        self.plots.add_chunk(chunk)
        b = chunk.batches
        if b is not None:
            for lr, step in zip(b.learning_rate[b.lr_changed], b.step[b.lr_changed], strict=True):
                self.log.write(self.tr("Learning rate set to {0:g} from step {1}").format(lr, step))
        for record in chunk.epochs:
            self.log.epoch(record)
            self.epoch_finished.emit(record)
        for state in chunk.states:
            self._on_state(state)
        self._report_progress(run)


    def _on_state(self, record: StateRecord) -> None:
        self.controls.show_state(record.state)
        if record.message:
            self.log.write(record.message[:1].upper() + record.message[1:]
                           + (self.tr(" (hint: {0})").format(record.hint) if record.hint else ""))
        if record.state == "diverged":
            self.banner.show_message(self.tr("Training diverged: {0}").format(record.message), record.hint)
        self._update_controls()

    def _report_progress(self, run: ActiveRun, force: bool = False) -> None:
        """Progress line and status-bar text, at most every STATUS_SECONDS while running."""
        now = time.monotonic()
        if now - self._last_status < STATUS_SECONDS and run.state == "running" and not force:
            return
        self._last_status = now
        self.status_changed.emit(self.progress.show_progress(run))

    @Slot(str, str)
    def _on_failed(self, message: str, hint: str) -> None:
        """A worker error, a failed dataset load or a failed export."""
        self._show_error(message, hint)
        self._update_controls()

    def _show_error(self, message: str, hint: str) -> None:
        self.banner.show_message(message, hint)
        self.log.problem(message, hint)
        if self.runner.active is not None:
            self.controls.show_state("error")

    @Slot(object)
    def _on_run_ended(self, run: ActiveRun) -> None:
        self.plots.finish_run()
        state = self.last_state = run.final_state
        seconds = time.monotonic() - run.started
        store = self.plots.store
        accuracy = store.final_test_accuracy()
        self.history.add(Run(run.number, run.config.to_dict(), spec_summary(run.spec), run.spec.to_json(),
                             run.dataset.id, state, RunCurves.from_store(store), accuracy, seconds,
                             run.speed, list(store.lr_changes)))
        if state != "error":
            self._keep_weights(run)
        summary = self.progress.show_summary(run, self.controls.state_label(state), accuracy, seconds)
        self.log.write(summary)
        self.controls.show_state(state)
        self._update_controls()
        self.status_changed.emit(summary)
        self.training_stopped.emit(state)

    def _keep_weights(self, run: ActiveRun) -> None:
        """The run's weights and resume state, copied now that its thread has ended."""
        trainer = run.trainer
        done = trainer.resume_state()
        self.set_trained(Trained(run.spec, copy_state(trainer.model), run.dataset.id, run.config, done,
                                 done.epoch if done is not None else 0))

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

    def _show_where_it_stands(self) -> None:
        """The progress line while no run goes: the trained epochs, or how to begin."""
        if self.trained is not None and self.trained.epochs_done:
            self.progress.show_text(self.tr("Trained {0} epoch(s): Continue, or Reset to restart")
                                    .format(self.trained.epochs_done))
        elif self.trained is not None:
            self.progress.show_text(self.tr("Trained weights: Continue, or Reset to restart"))
        else:
            self.progress.show_text(self.tr("Build a network, then press Start."))

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
