"""RunController: owns the run in progress (trainer + worker thread) and the curves it draws."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from torch import nn

from playground.core.analysis import analyse
from playground.core.builder import PlaygroundNet
from playground.core.metrics import RunState
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig, Trainer
from playground.data.dataset import Dataset
from playground.errors import TrainingError
from playground.gui.train.buffers import CurveStore
from playground.gui.train.worker import EMIT_INTERVAL, RecordChunk, TrainingWorker

if TYPE_CHECKING:
    from playground.core.resume import ResumeState
    from playground.gui.train.history import Run


@dataclass(eq=False)
class ActiveRun:
    """A run and what is known about it so far (updated on the GUI thread from each chunk).

    ``curves`` gathers everything the run reported, for the live plots and the run's record; ``serial``
    is the number its weights get once kept; ``record`` is the history entry, set when the run ended.
    """

    worker: TrainingWorker
    trainer: Trainer
    config: TrainConfig
    spec: NetworkSpec
    dataset: Dataset
    number: int
    serial: int
    resume: ResumeState | None = None
    from_weights: bool = False
    curves: CurveStore = field(default_factory=CurveStore)
    started: float = field(default_factory=time.monotonic)
    state: RunState = RunState.RUNNING
    step: int = 0
    batches_per_epoch: int = 0
    samples_per_second: float = 0.0
    epoch_seconds: float = 0.0
    epoch_samples: float = 0.0
    record: Run | None = None

    def absorb(self, chunk: RecordChunk) -> None:
        """Update the totals and the curves from a chunk."""
        if chunk.batches is not None:
            self.step = int(chunk.batches.step[-1])
            self.batches_per_epoch = chunk.batches.batches_per_epoch
            self.samples_per_second = float(chunk.batches.samples_per_second[-1])
            self.curves.add_batches(chunk.batches)
        for record in chunk.epochs:
            self.epoch_seconds += record.seconds
            self.epoch_samples += record.samples_per_second * record.seconds
            self.curves.add_epoch(record)
        for state in chunk.states:
            self.state = state.state

    @property
    def speed(self) -> float:
        """Samples per second over the finished epochs (the latest batch's figure before that)."""
        return self.epoch_samples / self.epoch_seconds if self.epoch_seconds > 0 else self.samples_per_second

    @property
    def final_state(self) -> RunState:
        """How the run ended: finished, stopped, diverged or failed."""
        return self.state if self.state.final else RunState.STOPPED

    def layer_names(self, label: str) -> dict[int, str]:
        """Spec index -> ``label.format(number, type)`` for the layers with trainable weights."""
        blocks = self.trainer.model.blocks
        return {i: label.format(i + 1, lay.type) for i, lay in enumerate(self.spec.layers)
                if any(p.requires_grad for p in blocks[i].parameters())}

    def relu_layers(self) -> list[int]:
        """Spec indexes of the layers followed by a ReLU (the ones with a dead-unit fraction)."""
        return [i for i, b in enumerate(self.trainer.model.blocks) if isinstance(b.activation, nn.ReLU)]


class RunController(QObject):
    """Starts runs and relays what their worker reports; the controls call the trainer directly.

    ``chunk_received`` follows the run's update from a chunk; ``run_ended`` comes once per run, after
    the worker thread has ended, with the ActiveRun (its ``final_state`` says how).
    """

    chunk_received = Signal(object)
    errored = Signal(str, str)
    run_ended = Signal(object)

    def __init__(self, emit_interval: float = EMIT_INTERVAL, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.emit_interval = emit_interval
        self.active: ActiveRun | None = None

    def prepare(self, spec: NetworkSpec, dataset: Dataset, config: TrainConfig, number: int, serial: int,
                step: str = "", model: PlaygroundNet | None = None, resume: ResumeState | None = None
                ) -> ActiveRun:
        """Build the trainer (on this thread) and its worker; ``step`` "batch"/"epoch" starts paused
        after that much; ``model`` (with its weights) and ``resume`` continue earlier training.
        Raises PlaygroundError when the network or settings cannot train."""
        if self.active is not None:
            raise TrainingError("a run is already in progress", "stop it first")
        analysis = analyse(spec, dataset.input_shape, dataset.outputs, config.loss, dataset.task)
        if not analysis.ok:
            raise TrainingError(analysis.errors[0].text, self.tr("fix the network for this dataset"))
        trainer = Trainer(spec, dataset, config, model=model, resume=resume)
        if step == "batch":
            trainer.step_batch()
        elif step == "epoch":
            trainer.step_epoch()
        worker = TrainingWorker(trainer, self.emit_interval)
        worker.records_ready.connect(self._on_records)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_finished)
        self.active = ActiveRun(worker, trainer, config, spec, dataset, number, serial, resume,
                                model is not None)
        self.active.curves.reset(len(spec.layers))
        return self.active

    def launch(self) -> None:
        """Start the prepared run's thread."""
        if self.active is not None and not self.active.worker.isRunning():
            self.active.worker.start()

    def toggle_pause(self) -> None:
        """Pause a running run, resume a paused one."""
        run = self.active
        if run is None:
            return
        if run.state == RunState.PAUSED:
            run.trainer.resume()
            run.state = RunState.RUNNING
        else:
            run.trainer.pause()
            run.state = RunState.PAUSED

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop the run cooperatively and wait (bounded); True when no thread is left running."""
        return self.active is None or self.active.worker.shutdown(timeout_ms)

    @Slot(object)
    def _on_records(self, chunk: RecordChunk) -> None:
        if self.active is not None:
            self.active.absorb(chunk)
            self.chunk_received.emit(chunk)

    @Slot(str, str)
    def _on_errored(self, message: str, hint: str) -> None:
        if self.active is not None:
            self.active.state = RunState.FAILED
        self.errored.emit(message, hint)

    @Slot()
    def _on_finished(self) -> None:
        run, self.active = self.active, None
        if run is not None:
            run.worker.wait()
            self.run_ended.emit(run)
