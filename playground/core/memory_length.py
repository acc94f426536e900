"""The memory-length experiment: RNN, LSTM and GRU of one size, one recipe, trained by the app's trainer
on seq:recall for a few lengths T; test accuracy against T shows how far back each cell remembers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from playground.core.metrics import EpochRecord, RunState, StateRecord
from playground.core.presets import PRESETS, RECALL_RECIPE
from playground.core.training import TrainConfig, Trainer
from playground.data.dataset import DataRef
from playground.data.registry import load_dataset
from playground.data.seq_source import LENGTHS
from playground.errors import PlaygroundError

CELLS = ("RNN", "LSTM", "GRU")
PRESET_OF = {"RNN": "rnn-recall", "LSTM": "lstm-recall", "GRU": "gru-recall"}
DEFAULT_LENGTHS = (10, 25, 50, 100)
Progress = Callable[[str, int, int, int, int], None]
"""(cell, length, epoch, epochs, run index from 0): called after every epoch of every run."""


@dataclass(frozen=True)
class LengthResult:
    """One trained run: its cell, the length T, the final test accuracy and the seconds it took."""

    cell: str
    length: int
    accuracy: float
    seconds: float
    epochs: int


def check_lengths(lengths: Sequence[int]) -> tuple[int, ...]:
    """``lengths`` sorted without repeats; one outside seq:recall's 5 to 200 is a PlaygroundError."""
    low, high = LENGTHS
    if not lengths:
        raise PlaygroundError("give at least one length T")
    bad = [t for t in lengths if isinstance(t, bool) or not isinstance(t, int) or not low <= t <= high]
    if bad:
        raise PlaygroundError(f"a length T must be a whole number from {low} to {high}, not {bad[0]!r}")
    return tuple(sorted(set(lengths)))


def run_experiment(lengths: Sequence[int] = DEFAULT_LENGTHS, cells: Sequence[str] = CELLS, *, seed: int = 0,
                   epochs: int | None = None, samples: int = 2500, progress: Progress | None = None,
                   cancel: threading.Event | None = None, done: Callable[[LengthResult], None] | None = None
                   ) -> list[LengthResult]:
    """Train ``rnn-recall``, ``lstm-recall`` and ``gru-recall`` (the same size and recipe) on
    ``seq:recall`` of each length; their test accuracy, in order of length then cell.

    Args:
        lengths: the lengths T (5 to 200).
        cells: which of "RNN", "LSTM", "GRU".
        seed: seeds the data and the weights: the same seed, the same table.
        epochs: epochs a run (the presets' recipe when None).
        samples: sequences generated a length (a fifth of them test).
        progress: hears of every epoch.
        cancel: set it to stop; the runs finished so far are returned.
        done: hears of each finished run.
    """
    unknown = [c for c in cells if c not in PRESET_OF]
    if unknown or not cells:
        raise PlaygroundError(f"unknown cell {unknown[0] if unknown else 'none'}", "cells: RNN, LSTM, GRU")
    results: list[LengthResult] = []
    base = TrainConfig.from_dict({**TrainConfig().to_dict(), **RECALL_RECIPE, "seed": seed})
    if epochs is not None:
        base = replace(base, epochs=epochs)
    index = 0
    for length in check_lengths(lengths):
        data = load_dataset(DataRef.of("seq:recall", {"length": length, "samples": samples, "seed": seed}))
        for cell in cells:
            if cancel is not None and cancel.is_set():
                return results
            trainer = Trainer(PRESETS[PRESET_OF[cell]].make(), data, base, cancel=cancel)
            started, accuracy, finished = time.perf_counter(), float("nan"), 0
            for record in trainer.run():
                if isinstance(record, EpochRecord):
                    accuracy, finished = float(record.test_accuracy or 0.0), record.epoch
                    if progress is not None:
                        progress(cell, length, record.epoch, base.epochs, index)
                elif isinstance(record, StateRecord) and record.state == RunState.DIVERGED:
                    accuracy = float("nan")
            if cancel is not None and cancel.is_set() and finished < base.epochs:
                return results
            result = LengthResult(cell, length, accuracy, time.perf_counter() - started, finished)
            results.append(result)
            if done is not None:
                done(result)
            index += 1
    return results


def table(results: Sequence[LengthResult]) -> list[str]:
    """A Markdown table: one row per length, one column per cell."""
    cells = [c for c in CELLS if any(r.cell == c for r in results)]
    lines = ["| T | " + " | ".join(cells) + " |", "| --- |" + " --- |" * len(cells)]
    for length in sorted({r.length for r in results}):
        row = {r.cell: r.accuracy for r in results if r.length == length}
        lines.append(f"| {length} | " + " | ".join(f"{row[c]:.3f}" if c in row else "" for c in cells) + " |")
    return lines
