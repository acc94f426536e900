"""The training worker: a BackgroundJob that advances ``Trainer.run()`` and emits coalesced plain data."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from playground.core.metrics import BatchRecord, EpochRecord, StateRecord
from playground.core.training import Trainer
from playground.gui.background import BackgroundJob

EMIT_INTERVAL = 1 / 30  # seconds between emissions of batch data, at most ~30 a second


@dataclass(frozen=True)
class BatchChunk:
    """Consecutive BatchRecords as columns; diagnostics only for the records that carry them."""

    step: np.ndarray  # int64 (n,)
    epoch: np.ndarray  # int64 (n,)
    batch: np.ndarray  # int64 (n,)
    loss: np.ndarray  # float64 (n,)
    accuracy: np.ndarray  # NaN for regression
    learning_rate: np.ndarray
    samples_per_second: np.ndarray
    lr_changed: np.ndarray  # bool (n,)
    batches_per_epoch: int
    diag_step: np.ndarray  # int64 (k,)
    grad_norms: np.ndarray  # float64 (k, layers), NaN for layers without weights
    dead_fractions: np.ndarray  # float64 (k, layers), NaN for layers without a ReLU

    def __len__(self) -> int:
        return len(self.step)

    @classmethod
    def from_records(cls, records: list[BatchRecord]) -> BatchChunk:
        """Columns of ``records`` (one list, in order)."""
        cols = np.array([(r.step, r.epoch, r.batch, r.loss, math.nan if r.accuracy is None else r.accuracy,
                          r.learning_rate, r.samples_per_second, r.lr_changed) for r in records],
                        dtype=np.float64)
        diag = [(r, r.grad_norms) for r in records if r.grad_norms is not None]
        if diag:
            width = len(diag[0][1])
            norms = np.array([grad_norms for _, grad_norms in diag], dtype=np.float64)
            dead = np.array([r.dead_fractions or (np.nan,) * width for r, _ in diag], dtype=np.float64)
        else:
            norms = dead = np.empty((0, 0))
        ints = cols[:, :3].astype(np.int64)
        return cls(ints[:, 0], ints[:, 1], ints[:, 2], cols[:, 3], cols[:, 4], cols[:, 5], cols[:, 6],
                   cols[:, 7] > 0, records[-1].batches_per_epoch,
                   np.array([r.step for r, _ in diag], dtype=np.int64), norms, dead)


@dataclass(frozen=True)
class RecordChunk:
    """What one emission carries: batches first, then epochs, then state changes."""

    batches: BatchChunk | None
    epochs: tuple[EpochRecord, ...]
    states: tuple[StateRecord, ...]


class _Pending:
    """Records gathered on the worker thread since the last emission."""

    def __init__(self) -> None:
        self.batches: list[BatchRecord] = []
        self.epochs: list[EpochRecord] = []
        self.states: list[StateRecord] = []

    def __bool__(self) -> bool:
        return bool(self.batches or self.epochs or self.states)

    def take(self) -> RecordChunk:
        """The pending records as one chunk; empties the lists."""
        chunk = RecordChunk(BatchChunk.from_records(self.batches) if self.batches else None,
                            tuple(self.epochs), tuple(self.states))
        self.batches, self.epochs, self.states = [], [], []
        return chunk


class TrainingWorker(BackgroundJob):
    """Advances a Trainer's generator on its own thread; never touches widgets.

    ``records_ready`` carries a RecordChunk at most every ``interval`` seconds, and at once for a
    state change (so "paused" arrives before the generator blocks); what is pending when the run ends
    (or fails) is sent before ``errored`` and QThread's ``finished``. The worker's ``cancel`` is the
    trainer's: setting it (or ``shutdown``) stops the run at the next batch boundary. Control the run
    otherwise with the trainer's own thread-safe methods.
    """

    records_ready = Signal(object)

    def __init__(self, trainer: Trainer, interval: float = EMIT_INTERVAL, threads: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__("TrainingWorker", parent, cancel=trainer.cancel, threads=threads)
        self.trainer = trainer
        self.interval = interval

    def work(self) -> None:
        """Iterate the trainer, emitting at most every ``interval`` seconds and on state changes."""
        pending = _Pending()
        try:
            last = time.perf_counter()
            for record in self.trainer.run():
                if isinstance(record, BatchRecord):
                    pending.batches.append(record)
                elif isinstance(record, EpochRecord):
                    pending.epochs.append(record)
                else:
                    pending.states.append(record)
                now = time.perf_counter()
                if isinstance(record, StateRecord) or now - last >= self.interval:
                    self.records_ready.emit(pending.take())
                    last = now
        finally:
            if pending:
                self.records_ready.emit(pending.take())
