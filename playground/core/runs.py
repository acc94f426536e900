"""A finished run as a project keeps it (settings, end state, thinned curves), for the GUI and the CLI."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from playground.core.metrics import BatchRecord, EpochRecord, Record, RunState, StateRecord
from playground.core.spec import NetworkSpec

EMA_WEIGHT = 0.05  # weight of the newest batch in the loss and accuracy averages
SAVED_POINTS = 4000
"""At most this many points of a run's loss curve are kept in a project (enough for an overlay)."""
CURVE_NAMES = ("x", "loss_ema", "epoch_x", "test_accuracy")
# Per-epoch losses, kept since the notebook names overfitting from them; older projects lack them.
EPOCH_LOSSES = ("train_loss", "test_loss", "val_loss")


def ema(values: np.ndarray, start: float, weight: float = EMA_WEIGHT) -> np.ndarray:
    """The exponential moving average of ``values`` continuing from ``start`` (NaN: from the first)."""
    out = np.empty(len(values))
    current = start
    keep = 1.0 - weight
    for i, value in enumerate(values.tolist()):
        current = value if math.isnan(current) else keep * current + weight * value
        out[i] = current
    return out


def spec_summary(spec: NetworkSpec) -> str:
    """A one-line description of a network: "Flatten, Linear(128) relu, Linear(10)"."""
    parts = []
    for lay in spec.layers:
        values = ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in lay.params.values())
        parts.append(lay.type + (f"({values})" if values else "")
                     + (f" {lay.activation}" if lay.activation != "none" else ""))
    return ", ".join(parts)


def floats(values: Any) -> list[float | None]:
    """Plain JSON numbers, NaN and infinities as null."""
    return [None if not math.isfinite(v) else v for v in np.asarray(values, dtype=np.float64).tolist()]


def run_dict(number: int, config: Mapping[str, Any], network: str, spec_json: str, dataset_id: str,
             state: str, curves: Mapping[str, np.ndarray], final_test_accuracy: float, seconds: float,
             samples_per_second: float, lr_changes: Sequence[float], *, note: str = "",
             best_epoch: int | None = None, stopped_early: bool = False) -> dict[str, Any]:
    """One run as the JSON record of a project's history (a long loss curve thinned to SAVED_POINTS).

    Args:
        curves: the arrays named in CURVE_NAMES: x (position in epochs) and loss_ema per batch,
            epoch_x and test_accuracy per epoch; and those of EPOCH_LOSSES per epoch, where known.
        note: what the user wrote about the run, in the notebook.
        best_epoch, stopped_early: early stopping ended the run and kept ``best_epoch``'s weights.
    """
    step = max(1, -(-len(curves["x"]) // SAVED_POINTS))
    thinned = {name: floats(curves[name][::step] if name in ("x", "loss_ema") else curves[name])
               for name in CURVE_NAMES}
    thinned.update({name: floats(curves[name]) for name in EPOCH_LOSSES if name in curves})
    return {"number": number, "config": dict(config), "network": network, "spec_json": spec_json,
            "dataset_id": dataset_id, "state": state, "curves": thinned,
            "final_test_accuracy": floats([final_test_accuracy])[0], "seconds": seconds,
            "samples_per_second": samples_per_second, "lr_changes": [float(x) for x in lr_changes],
            "note": note, "best_epoch": best_epoch, "stopped_early": stopped_early}


class RunRecorder:
    """Collects a Trainer's records into the curves and figures of one run's history record."""

    def __init__(self) -> None:
        self._x: list[float] = []
        self._loss: list[float] = []
        self.epochs: list[EpochRecord] = []
        self.state = RunState.FINISHED
        self.kept: int | None = None  # the epoch whose weights the run ended with, when not the last
        self.best_epoch: int | None = None
        self.stopped = False

    def add(self, record: Record) -> None:
        """Take one record from ``Trainer.run()``."""
        if isinstance(record, BatchRecord):
            self._x.append(record.epoch - 1 + record.batch / max(record.batches_per_epoch, 1))
            self._loss.append(record.loss)
        elif isinstance(record, EpochRecord):
            self.epochs.append(record)
        elif isinstance(record, StateRecord) and record.state.final:
            self.state = record.state

    def stopped_early(self, best_epoch: int | None, restored: bool) -> None:
        """Early stopping ended the run; ``best_epoch`` was best, and its weights (and figures) were kept
        when ``restored``."""
        self.best_epoch, self.stopped = best_epoch, True
        self.kept = best_epoch if restored else None

    @property
    def test_accuracy(self) -> float:
        """The kept (by default the last) epoch's test accuracy, NaN before the first epoch ends (and for
        regression)."""
        kept = [e for e in self.epochs if e.epoch == self.kept] or self.epochs[-1:]
        last = kept[0].test_accuracy if kept else None
        return math.nan if last is None else last

    @property
    def samples_per_second(self) -> float:
        """Training throughput over every finished epoch."""
        seconds = sum(e.seconds for e in self.epochs)
        return sum(e.samples_per_second * e.seconds for e in self.epochs) / seconds if seconds else 0.0

    def to_dict(self, number: int, config: Mapping[str, Any], spec: NetworkSpec, dataset_id: str,
                seconds: float) -> dict[str, Any]:
        """The run's history record, like the window's after a run of its own."""
        def column(name: str) -> np.ndarray:
            return np.array([math.nan if getattr(e, name) is None else getattr(e, name) for e in self.epochs],
                            dtype=np.float64)

        curves = {"x": np.array(self._x), "loss_ema": ema(np.array(self._loss), math.nan),
                  "epoch_x": np.array([float(e.epoch) for e in self.epochs]),
                  "test_accuracy": column("test_accuracy"), **{name: column(name) for name in EPOCH_LOSSES}}
        return run_dict(number, config, spec_summary(spec), spec.to_json(), dataset_id, self.state, curves,
                        self.test_accuracy, seconds, self.samples_per_second, (), best_epoch=self.best_epoch,
                        stopped_early=self.stopped)
