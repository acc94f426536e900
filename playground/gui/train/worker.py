"""The training worker: a QThread that advances ``Trainer.run()`` and emits coalesced plain data."""

from __future__ import annotations

import logging
import os
import time
import weakref
from dataclasses import dataclass

import numpy as np
import torch
from PySide6.QtCore import QObject, QThread, Signal

from playground.core.metrics import BatchRecord, EpochRecord, StateRecord
from playground.core.training import Trainer
from playground.errors import PlaygroundError

log = logging.getLogger(__name__)
EMIT_INTERVAL = 1 / 30  # seconds between emissions of batch data, at most ~30 a second
_threads: weakref.WeakSet[QThread] = weakref.WeakSet()


def gui_torch_threads() -> int:
    """Intra-op threads for training beside a GUI: one core is left for the GUI thread.

    With every core in torch's OpenMP team, each repaint of the GUI preempts one team member and the
    whole team waits at its barrier; on a 2-core machine that halves the training speed or worse.
    """
    return max(1, min(torch.get_num_threads(), (os.cpu_count() or 1) - 1))


def running_threads() -> list[QThread]:
    """Threads started by this package that are still running (tests check none outlives them)."""
    return [thread for thread in list(_threads) if thread.isRunning()]


def track(thread: QThread) -> None:
    """Remember ``thread`` for ``running_threads``."""
    _threads.add(thread)


@dataclass(frozen=True)
class BatchChunk:
    """Consecutive BatchRecords as columns; diagnostics only for the records that carry them."""

    step: np.ndarray  # int64 (n,)
    epoch: np.ndarray  # int64 (n,)
    batch: np.ndarray  # int64 (n,)
    loss: np.ndarray  # float64 (n,)
    accuracy: np.ndarray
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
        cols = np.array([(r.step, r.epoch, r.batch, r.loss, r.accuracy, r.learning_rate,
                          r.samples_per_second, r.lr_changed) for r in records], dtype=np.float64)
        diag = [r for r in records if r.grad_norms is not None]
        if diag:
            width = len(diag[0].grad_norms)
            norms = np.array([r.grad_norms for r in diag], dtype=np.float64)
            dead = np.array([r.dead_fractions or (np.nan,) * width for r in diag], dtype=np.float64)
        else:
            norms = dead = np.empty((0, 0))
        ints = cols[:, :3].astype(np.int64)
        return cls(ints[:, 0], ints[:, 1], ints[:, 2], cols[:, 3], cols[:, 4], cols[:, 5], cols[:, 6],
                   cols[:, 7] > 0, records[-1].batches_per_epoch,
                   np.array([r.step for r in diag], dtype=np.int64), norms, dead)


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


class TrainingWorker(QThread):
    """Advances a Trainer's generator on its own thread; never touches widgets.

    ``records_ready`` carries a RecordChunk at most every ``interval`` seconds, and at once for a
    state change (so "paused" arrives before the generator blocks). ``errored`` carries the message
    and hint of any exception; QThread's ``finished`` follows in every case. Control the run with
    the trainer's own thread-safe methods.
    """

    records_ready = Signal(object)
    errored = Signal(str, str)

    def __init__(self, trainer: Trainer, interval: float = EMIT_INTERVAL, threads: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.trainer = trainer
        self.interval = interval
        self.threads = threads or gui_torch_threads()
        self.setObjectName("TrainingWorker")
        track(self)

    def run(self) -> None:
        """The thread's body: advance the generator; every exception ends as ``errored``."""
        pending = _Pending()
        saved = torch.get_num_threads()
        torch.set_num_threads(self.threads)  # this thread's OpenMP team (the GUI thread keeps its own)
        try:
            error = self._guarded(self._advance, pending)
            if pending:
                error = self._guarded(lambda p: self.records_ready.emit(p.take()), pending) or error
        finally:
            torch.set_num_threads(saved)
        if error is not None:
            self.errored.emit(*error)

    def _advance(self, pending: _Pending) -> None:
        """Iterate the trainer, emitting at most every ``interval`` seconds and on state changes."""
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

    def _guarded(self, step, pending: _Pending) -> tuple[str, str] | None:
        """Run ``step(pending)``; an exception becomes (message, hint)."""
        try:
            step(pending)
        except PlaygroundError as exc:
            return exc.message, exc.hint or ""
        except Exception as exc:  # every failure must reach the GUI thread
            log.exception("training failed")
            return (f"{type(exc).__name__}: {exc}",
                    self.tr("this is a bug in the app; the log has the details"))
        return None

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop the trainer cooperatively and wait (bounded); True when the thread has ended."""
        self.trainer.stop()
        return self.wait(max(int(timeout_ms), 0))
