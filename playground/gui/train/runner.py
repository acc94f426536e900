"""RunController: owns the run in progress (trainer + worker thread); Trained: the weights a run leaves."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import torch
from PySide6.QtCore import QObject, Signal, Slot
from torch import nn

from playground.core.analysis import analyse
from playground.core.builder import PlaygroundNet, build_model
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig, Trainer
from playground.data.sources import Dataset
from playground.errors import PlaygroundError, TrainingError
from playground.gui.train.worker import EMIT_INTERVAL, RecordChunk, TrainingWorker

if TYPE_CHECKING:
    from playground.core.resume import ResumeState

FINAL_STATES = ("finished", "stopped", "diverged", "error")
RESUME_FREE = ("epochs", "learning_rate")
"""Settings that may change between a run and the run continuing it (the others shape the optimizer
state or the batches, so a change starts a fresh optimizer from the current weights)."""


def weights_fit(weights: dict[str, torch.Tensor], spec: NetworkSpec, input_shape: tuple[int, ...],
                num_classes: int) -> bool:
    """True when ``weights`` have exactly the names and shapes of ``spec``'s model (built without memory).

    A last layer whose units differ from ``num_classes`` still fits: the weights keep their use for
    transfer learning until that layer is replaced.
    """
    result = analyse(spec, input_shape, num_classes)
    last = result.layers[-1].output_shape if result.layers else None
    if not result.ok and last is not None and len(last) == 1:
        num_classes = int(last[0])
    try:
        with torch.device("meta"):
            expected = build_model(spec, input_shape, num_classes).state_dict()
    except PlaygroundError:
        return False
    return set(expected) == set(weights) and all(
        tuple(expected[k].shape) == tuple(weights[k].shape) for k in expected)


def copy_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A CPU copy of ``model``'s state dict that later training cannot change."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


@dataclass(frozen=True)
class Trained:
    """Weights that training (or a file) left, the network they belong to, and where a run can go on.

    ``resume`` is only used while ``spec``, ``dataset_id`` and ``config`` (but RESUME_FREE) still
    hold; otherwise the next run starts a fresh optimizer from ``weights``.
    """

    spec: NetworkSpec
    weights: dict[str, torch.Tensor]
    dataset_id: str = ""
    config: TrainConfig | None = None
    resume: ResumeState | None = None
    epochs_done: int = 0

    def resumes_with(self, spec: NetworkSpec, dataset_id: str, config: TrainConfig) -> bool:
        """True when a run of ``spec`` on ``dataset_id`` with ``config`` can continue exactly."""
        if self.resume is None or self.config is None or spec != self.spec or dataset_id != self.dataset_id:
            return False
        free = {name: getattr(config, name) for name in RESUME_FREE}
        return replace(self.config, **free) == config

    def model(self, spec: NetworkSpec, input_shape: tuple[int, ...], num_classes: int,
              config: TrainConfig) -> PlaygroundNet:
        """``spec``'s model (frozen layers as ``spec`` says) holding these weights."""
        model = build_model(spec, input_shape, num_classes, config.init, config.loss)
        model.load_state_dict(self.weights)
        return model


@dataclass
class ActiveRun:
    """A run and what is known about it so far (updated on the GUI thread from each chunk)."""

    worker: TrainingWorker
    trainer: Trainer
    config: TrainConfig
    spec: NetworkSpec
    dataset: Dataset
    number: int
    started: float = field(default_factory=time.monotonic)
    state: str = "running"
    step: int = 0
    batches_per_epoch: int = 0
    samples_per_second: float = 0.0
    epoch_seconds: float = 0.0
    epoch_samples: float = 0.0

    def absorb(self, chunk: RecordChunk) -> None:
        """Update the totals from a chunk."""
        if chunk.batches is not None:
            self.step = int(chunk.batches.step[-1])
            self.batches_per_epoch = chunk.batches.batches_per_epoch
            self.samples_per_second = float(chunk.batches.samples_per_second[-1])
        for record in chunk.epochs:
            self.epoch_seconds += record.seconds
            self.epoch_samples += record.samples_per_second * record.seconds
        for record in chunk.states:
            self.state = record.state

    @property
    def speed(self) -> float:
        """Samples per second over the finished epochs (the latest batch's figure before that)."""
        return self.epoch_samples / self.epoch_seconds if self.epoch_seconds > 0 else self.samples_per_second

    @property
    def final_state(self) -> str:
        """How the run ended: finished, stopped, diverged or error."""
        return self.state if self.state in FINAL_STATES else "stopped"

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

    ``chunk_received`` follows the totals' update; ``run_ended`` comes once per run, after the
    worker thread has ended, with the ActiveRun (its ``final_state`` says how).
    """

    chunk_received = Signal(object)
    errored = Signal(str, str)
    run_ended = Signal(object)

    def __init__(self, emit_interval: float = EMIT_INTERVAL, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.emit_interval = emit_interval
        self.active: ActiveRun | None = None

    def prepare(self, spec: NetworkSpec, dataset: Dataset, config: TrainConfig, number: int,
                step: str = "", model: PlaygroundNet | None = None, resume: ResumeState | None = None
                ) -> ActiveRun:
        """Build the trainer (on this thread) and its worker; ``step`` "batch"/"epoch" starts paused
        after that much; ``model`` (with its weights) and ``resume`` continue earlier training.
        Raises PlaygroundError when the network or settings cannot train."""
        if self.active is not None:
            raise TrainingError("a run is already in progress", "stop it first")
        analysis = analyse(spec, dataset.input_shape, dataset.num_classes, config.loss)
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
        self.active = ActiveRun(worker, trainer, config, spec, dataset, number)
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
        if run.state == "paused":
            run.trainer.resume()
            run.state = "running"
        else:
            run.trainer.pause()
            run.state = "paused"

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
            self.active.state = "error"
        self.errored.emit(message, hint)

    @Slot()
    def _on_finished(self) -> None:
        run, self.active = self.active, None
        if run is not None:
            run.worker.wait()
            self.run_ended.emit(run)
