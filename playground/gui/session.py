"""TrainingSession: the window's one run model, the place that knows what is trained on what."""

from __future__ import annotations

import math
import time

import torch
from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from playground.core.analysis import Analysis
from playground.core.choices import LOSSES, default_loss
from playground.core.metrics import RunState
from playground.core.runs import spec_summary
from playground.core.spec import NetworkSpec
from playground.core.trained import Trained, WeightStore, copy_state
from playground.core.training import TrainConfig, Trainer
from playground.data.dataset import DataFacts, DataRef, Dataset
from playground.data.registry import load_dataset
from playground.errors import PlaygroundError
from playground.gui.train.buffers import RunCurves
from playground.gui.train.history import Run, RunHistory
from playground.gui.train.runner import ActiveRun, RunController
from playground.gui.train.worker import EMIT_INTERVAL, RecordChunk


def _tr(source: str) -> str:
    return QCoreApplication.translate("TrainingSession", source)


class TrainingSession(QObject):
    """The selected dataset, the training settings, the trained (and parked) weights, the run history
    and the active run, with past-tense signals; panels, docks, the project document and recovery
    subscribe to it instead of reading each other's widgets.

    ``dataset_changed`` carries the Dataset, ``config_changed`` the TrainConfig (from ``set_config``),
    ``weights_changed`` comes when the weights Start continues from change or go (``weights_serial``
    then names the new ones), ``run_started`` / ``run_finished`` carry the ActiveRun (once finished, its
    ``record`` is the history's entry), ``records_received`` each RecordChunk of the run, ``epoch_finished``
    each EpochRecord; ``errored`` a message and hint, ``said`` a line for the status bar. The editor's
    network comes in through ``set_network``, which ``network_changed`` follows.
    """

    network_changed = Signal()
    dataset_changed = Signal(object)
    config_changed = Signal(object)
    weights_changed = Signal()
    run_started = Signal(object)
    records_received = Signal(object)
    epoch_finished = Signal(object)
    run_finished = Signal(object)
    errored = Signal(str, str)
    said = Signal(str)

    def __init__(self, dataset: Dataset | None = None, config: TrainConfig | None = None,
                 emit_interval: float = EMIT_INTERVAL, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.config = config or TrainConfig()
        self.history = RunHistory(self)
        self.runner = RunController(emit_interval, self)
        self.store = WeightStore()
        self.last_state = RunState.IDLE
        self._spec: NetworkSpec | None = None
        self._analysis: Analysis | None = None
        self._project_facts: DataFacts | None = None
        self.runner.chunk_received.connect(self._on_chunk)
        self.runner.errored.connect(self.errored)
        self.runner.run_ended.connect(self._on_run_ended)

    # --- what it holds ------------------------------------------------------------------------------

    @property
    def trained(self) -> Trained | None:
        """The weights Start continues from (while they fit), or None."""
        return self.store.trained

    @property
    def weights_serial(self) -> int:
        """The serial number of the kept weights (0 for none): it changes only with the weights."""
        return self.store.trained.serial if self.store.trained is not None else 0

    @property
    def active(self) -> ActiveRun | None:
        """The run in progress (running or paused), if any."""
        return self.runner.active

    @property
    def is_training(self) -> bool:
        """True while a run (running or paused) exists."""
        return self.runner.active is not None

    @property
    def trainer(self) -> Trainer | None:
        """The trainer of the run in progress, if any."""
        return self.runner.active.trainer if self.runner.active else None

    @property
    def spec(self) -> NetworkSpec | None:
        """The editor's network, as ``set_network`` last gave it."""
        return self._spec

    def facts(self) -> DataFacts | None:
        """The data facts of the selected dataset, else those the open project was saved with."""
        return self.dataset.facts if self.dataset is not None else self._project_facts

    def snapshot(self) -> tuple[int, dict[str, torch.Tensor]]:
        """(serial, weights) of the kept weights, for the drawing pad's predictor."""
        trained = self.store.trained
        return (trained.serial, trained.weights) if trained is not None else (0, {})

    # --- changes from the editor, the form, the picker and the document ----------------------------

    @Slot(object, object)
    def set_network(self, spec: NetworkSpec, analysis: Analysis) -> None:
        """Keep the editor's latest network and its analysis. Trained weights that no longer fit (another
        shape) are parked, saying so; weights that still fit stay, for the next run to start from with a
        fresh optimizer. Those parked for exactly ``spec`` come back."""
        self._spec, self._analysis = spec, analysis
        if self.is_training:
            self.network_changed.emit()
            return
        before = self.store.trained
        said = self.store.follow(spec, self.facts())
        if said == "parked":
            self.said.emit(_tr("The trained weights do not fit this network; Undo brings them back"))
        elif said == "back":
            self.said.emit(_tr("The weights trained for this network are back"))
        if self.store.trained is not before:
            self.weights_changed.emit()
        self.network_changed.emit()

    def set_config(self, config: TrainConfig) -> None:
        """Take ``config`` as the settings of the next run; while a run goes its learning rate applies
        to it from the next batch."""
        if config == self.config:
            return
        self.config = config
        run = self.runner.active
        if run is not None and config.learning_rate != run.trainer.base_lr:
            try:
                run.trainer.set_learning_rate(config.learning_rate)
            except PlaygroundError as exc:
                self.errored.emit(exc.message, exc.hint or "")
        self.config_changed.emit(config)

    def select_dataset(self, ref: DataRef | str) -> Dataset:
        """Load ``ref`` (from disk or memory) and select it.

        Raises:
            PlaygroundError: it cannot be loaded (not downloaded, missing or bad files) or a run goes.
        """
        if self.is_training:
            raise PlaygroundError(_tr("A run is going"), _tr("stop it to choose another dataset"))
        dataset = load_dataset(ref)
        self.set_dataset(dataset)
        return dataset

    def set_dataset(self, dataset: Dataset) -> None:
        """Select a loaded dataset; the settings change to a loss that fits its task when theirs does not."""
        self.dataset = dataset
        if dataset.task not in LOSSES[self.config.loss].tasks:
            loss = default_loss(dataset.task)
            self.set_config(TrainConfig.from_dict({**self.config.to_dict(), "loss": loss}))
        self.dataset_changed.emit(dataset)

    def set_project_facts(self, facts: DataFacts | None) -> None:
        """The data facts of an opened project, for when its dataset cannot be loaded here."""
        self._project_facts = facts

    def set_trained(self, trained: Trained | None) -> None:
        """Take ``trained`` (None: fresh weights next time) as the weights to continue from; the weights
        it replaces are parked for their network."""
        self.store.set(trained)
        self.weights_changed.emit()

    def forget_weights(self) -> None:
        """No trained weights and none parked (a new or opened project)."""
        self.store.forget()
        self.weights_changed.emit()

    def reset_weights(self) -> bool:
        """Forget the trained weights (parked ones too): the next run starts from fresh ones."""
        if self.store.trained is None or self.is_training:
            return False
        self.forget_weights()
        self.said.emit(_tr("Weights reset"))
        return True

    # --- runs ---------------------------------------------------------------------------------------

    def start_problem(self) -> str:
        """Why Start cannot run now ("" when it can)."""
        if self.dataset is None:
            return _tr("Choose a dataset first")
        if self._spec is None or self._analysis is None:
            return _tr("Build a network in the editor first")
        if not self._analysis.ok:
            return self._analysis.errors[0].text
        return ""

    def usable(self) -> Trained | None:
        """The kept weights when the next run can start from them (they fit the network and data)."""
        return self.store.usable(self._spec, self.facts())

    def start(self, step: str = "") -> bool:
        """Start a run of the editor's network with ``config``; ``step`` "batch" or "epoch" starts it
        paused after that much. It continues from the kept weights while they fit, exactly where the run
        stopped while network, data and settings (but the epochs and learning rate) are unchanged.
        Problems go to ``errored``; True when a run started."""
        problem = self.start_problem()
        if self.is_training or problem or self._spec is None or self.dataset is None:
            return False
        spec, dataset, config = self._spec, self.dataset, self.config
        trained = self.usable()
        resume = trained.resume if trained and trained.resumes_with(spec, dataset.ref, config) else None
        try:
            model = trained.model(spec, dataset.facts, config) if trained else None
            run = self.runner.prepare(spec, dataset, config, self.history.next_number(), self.store.reserve(),
                                      step, model, resume)
        except PlaygroundError as exc:
            self.errored.emit(exc.message, exc.hint or "")
            return False
        if resume is not None and config.learning_rate != resume.base_lr:
            run.trainer.set_learning_rate(config.learning_rate)
        self.run_started.emit(run)
        self.runner.launch()
        return True

    def toggle_pause(self) -> None:
        """Pause the running run, resume a paused one."""
        self.runner.toggle_pause()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop a run cooperatively and wait; True when no thread is left running."""
        return self.runner.shutdown(timeout_ms)

    @Slot(object)
    def _on_chunk(self, chunk: RecordChunk) -> None:
        run = self.runner.active
        if run is None:
            return
        self.records_received.emit(chunk)
        for record in chunk.epochs:
            self.epoch_finished.emit(record)

    @Slot(object)
    def _on_run_ended(self, run: ActiveRun) -> None:
        run.record = self._record(run)
        self.last_state = run.record.state
        if run.record.state != RunState.FAILED:
            done = run.trainer.resume_state()
            self.store.set(Trained(run.spec, copy_state(run.trainer.model), run.dataset.ref, run.config, done,
                                   done.epoch if done is not None else 0, run.serial))
            self.weights_changed.emit()
        self.history.add(run.record)
        self.run_finished.emit(run)

    def _record(self, run: ActiveRun) -> Run:
        """The history's entry for ``run``: settings, network, how it ended, its curves."""
        curves = run.curves
        trainer = run.trainer
        kept = trainer.best_epoch if trainer.stopped_early and run.config.restore_best else None
        accuracy = curves.final_test_accuracy(kept)  # early stopping restored the best epoch's weights
        return Run(run.number, run.config.to_dict(), spec_summary(run.spec), run.spec.to_json(),
                   run.dataset.ref.key, run.final_state, RunCurves.from_store(curves),
                   accuracy if math.isfinite(accuracy) else math.nan, time.monotonic() - run.started,
                   run.speed, list(curves.lr_changes),
                   best_epoch=trainer.best_epoch if trainer.stopped_early else None,
                   stopped_early=trainer.stopped_early)
