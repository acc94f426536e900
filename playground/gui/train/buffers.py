"""Growing numpy buffers for the live curves, and the exponential moving average."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from playground.core.metrics import EpochRecord
from playground.core.runs import ema

if TYPE_CHECKING:
    from playground.gui.train.worker import BatchChunk


class GrowingArray:
    """A pre-allocated array of rows that doubles its capacity when full; ``view`` is the filled part."""

    def __init__(self, width: int | None = None, capacity: int = 4096) -> None:
        shape = (capacity,) if width is None else (capacity, width)
        self._data = np.full(shape, np.nan)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def width(self) -> int | None:
        """Columns per row, or None for a 1-D array."""
        return self._data.shape[1] if self._data.ndim == 2 else None

    def extend(self, values: np.ndarray) -> None:
        """Append rows (amortised O(1): the storage doubles when it runs out)."""
        end = self._size + len(values)
        if end > len(self._data):
            grown = np.full((max(end, 2 * len(self._data)), *self._data.shape[1:]), np.nan)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : end] = values
        self._size = end

    @property
    def nbytes(self) -> int:
        """Bytes of storage (the capacity)."""
        return self._data.nbytes

    def view(self) -> np.ndarray:
        """The filled rows (a view: copy it to keep it)."""
        return self._data[: self._size]

    def last(self) -> float | np.ndarray:
        """The newest row."""
        return self._data[self._size - 1]

    def reset(self, width: int | None = None) -> None:
        """Forget the rows; keep the storage unless the row width changes."""
        if width != self.width:
            shape = (len(self._data),) if width is None else (len(self._data), width)
            self._data = np.full(shape, np.nan)
        self._size = 0


class CurveStore:
    """Every curve of one run as growing arrays; x is the position in epochs (epoch 1 ends at 1.0)."""

    BATCH_COLUMNS = ("x", "step", "epoch", "loss", "loss_ema", "accuracy", "accuracy_ema",
                     "learning_rate", "samples_per_second")
    EPOCH_COLUMNS = ("epoch_x", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                     "val_loss", "val_accuracy", "test_rmse", "test_r2", "val_rmse", "val_r2")

    def __init__(self, layers: int = 0) -> None:
        self.batch = {name: GrowingArray() for name in self.BATCH_COLUMNS}
        self.epochs = {name: GrowingArray(capacity=64) for name in self.EPOCH_COLUMNS}
        self.diag_x = GrowingArray(capacity=1024)
        self.grad_norms = GrowingArray(max(layers, 1), capacity=1024)
        self.dead_fractions = GrowingArray(max(layers, 1), capacity=1024)
        self.lr_changes: list[float] = []
        self.batches_per_epoch = 1
        self._clear_extremes()

    def _clear_extremes(self) -> None:
        self.loss_max = 0.0
        self.lr_low = self.grad_low = math.inf
        self.lr_high = self.grad_high = 0.0

    def __len__(self) -> int:
        return len(self.batch["x"])

    def reset(self, layers: int) -> None:
        """Empty every curve for a run of a network with ``layers`` spec layers."""
        for array in (*self.batch.values(), *self.epochs.values(), self.diag_x):
            array.reset()
        self.grad_norms.reset(max(layers, 1))
        self.dead_fractions.reset(max(layers, 1))
        self.lr_changes = []
        self.batches_per_epoch = 1
        self._clear_extremes()

    @property
    def x_last(self) -> float:
        """How far the run has got, in epochs."""
        return float(self.batch["x"].last()) if len(self) else 0.0

    def add_batches(self, chunk: BatchChunk) -> list[float]:
        """Append a BatchChunk; returns the x of the learning-rate changes it carries."""
        per = max(chunk.batches_per_epoch, 1)
        self.batches_per_epoch = per
        x = (chunk.epoch - 1) + chunk.batch / per
        b = self.batch
        last_loss = float(b["loss_ema"].last()) if len(b["loss_ema"]) else math.nan
        last_acc = float(b["accuracy_ema"].last()) if len(b["accuracy_ema"]) else math.nan
        for name, values in (("x", x), ("step", chunk.step), ("epoch", chunk.epoch),
                             ("loss", chunk.loss), ("loss_ema", ema(chunk.loss, last_loss)),
                             ("accuracy", chunk.accuracy),
                             ("accuracy_ema", ema(chunk.accuracy, last_acc)),
                             ("learning_rate", chunk.learning_rate),
                             ("samples_per_second", chunk.samples_per_second)):
            b[name].extend(values)
        finite = chunk.loss[np.isfinite(chunk.loss)]
        if len(finite):
            self.loss_max = max(self.loss_max, float(finite.max()))
        self.lr_low = min(self.lr_low, float(chunk.learning_rate.min()))
        self.lr_high = max(self.lr_high, float(chunk.learning_rate.max()))
        if len(chunk.diag_step) and chunk.grad_norms.shape[1] == self.grad_norms.width:
            positive = chunk.grad_norms[np.isfinite(chunk.grad_norms) & (chunk.grad_norms > 0)]
            if len(positive):
                self.grad_low = min(self.grad_low, float(positive.min()))
                self.grad_high = max(self.grad_high, float(positive.max()))
            offsets = np.searchsorted(chunk.step, chunk.diag_step)
            self.diag_x.extend(x[np.clip(offsets, 0, len(x) - 1)])
            self.grad_norms.extend(chunk.grad_norms)
            self.dead_fractions.extend(chunk.dead_fractions)
        changed = x[chunk.lr_changed].tolist()
        self.lr_changes.extend(changed)
        return changed

    def add_epoch(self, record: EpochRecord) -> None:
        """Append an EpochRecord; what it lacks (validation without a held-out split, accuracy for
        regression, RMSE and R² for classification) is NaN."""
        for loss in (record.test_loss, record.val_loss):
            if loss is not None and math.isfinite(loss):
                self.loss_max = max(self.loss_max, loss)
        for name in self.EPOCH_COLUMNS:
            value = record.epoch if name == "epoch_x" else getattr(record, name)
            self.epochs[name].extend(np.array([math.nan if value is None else value], dtype=np.float64))

    def column(self, name: str) -> np.ndarray:
        """A batch or epoch column (a view)."""
        return (self.batch[name] if name in self.batch else self.epochs[name]).view()

    def nbytes(self) -> int:
        """Bytes held by the buffers (their capacity, not just the filled rows)."""
        arrays = (*self.batch.values(), *self.epochs.values(), self.diag_x, self.grad_norms,
                  self.dead_fractions)
        return sum(a.nbytes for a in arrays)

    def final_test_accuracy(self, epoch: int | None = None) -> float:
        """The last (or ``epoch``'s) test accuracy, NaN before the first epoch ends."""
        acc = self.epochs["test_accuracy"]
        if epoch is not None:
            at = np.flatnonzero(self.epochs["epoch_x"].view() == epoch)
            return float(acc.view()[at[0]]) if len(at) else math.nan
        return float(acc.last()) if len(acc) else math.nan


@dataclass(frozen=True)
class RunCurves:
    """A finished run's curves, copied out for overlays: loss average per batch, test accuracy per epoch."""

    x: np.ndarray
    loss_ema: np.ndarray
    epoch_x: np.ndarray
    test_accuracy: np.ndarray
    train_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per epoch; empty in old projects
    test_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    val_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def from_store(cls, store: CurveStore) -> RunCurves:
        """Copies of the store's curves."""
        return cls(store.column("x").copy(), store.column("loss_ema").copy(),
                   store.column("epoch_x").copy(), store.column("test_accuracy").copy(),
                   store.column("train_loss").copy(), store.column("test_loss").copy(),
                   store.column("val_loss").copy())
