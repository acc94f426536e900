"""Seeded sequence tasks (seq:sine, seq:recall, seq:adding), time-series windows and free-running a model."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.errors import DatasetError

SAMPLES_RANGE = (1, 100_000)
LENGTH_RANGE = (5, 200)
"""Sequence lengths T of seq:recall and seq:adding (the issue's 5 to 200)."""
WINDOW_RANGE = (2, 500)
NOISE_RANGE = (0.0, 1.0)
SINE_PERIODS = (25.0, 9.0, 61.0)
SINE_AMPLITUDES = (0.6, 0.3, 0.1)


@dataclass(frozen=True)
class SequenceSamples:
    """Sequences x (N, T, F) float32 and targets y: int64 classes (N,) or float32 values (N, outputs)."""

    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return int(self.x.shape[0])


def _whole(name: str, value: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        raise DatasetError(f"{name} must be a whole number from {low} to {high}, not {value!r}")


def _rng(seed: int) -> np.random.Generator:
    _whole("the seed", seed, (0, 2**31 - 1))
    return np.random.default_rng(seed)


def windows(series: np.ndarray, window: int, horizon: int = 1,
            targets: tuple[int, ...] | None = None) -> SequenceSamples:
    """Cut a numeric time series into (window -> value ``horizon`` steps after it) samples.

    Sample ``i`` reads rows ``i .. i + window - 1`` and targets row ``i + window - 1 + horizon``.

    Args:
        series: (T,) or (T, columns) numbers, oldest first (e.g. the numeric columns of a CSV).
        window: past steps each sample sees.
        horizon: how far ahead of the window's last step the target lies (1 = the next step).
        targets: the columns to predict; all columns when None.
    """
    values = np.asarray(series, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[1] == 0:
        raise DatasetError(f"a time series must be a (steps, columns) table, not shape {values.shape}")
    if not np.isfinite(values).all():
        row = int(np.argwhere(~np.isfinite(values))[0, 0])
        raise DatasetError(f"the time series has a missing or non-finite value in row {row + 1}",
                           "fill or drop that row")
    _whole("the window", window, WINDOW_RANGE)
    _whole("the horizon", horizon, (1, max(1, len(values))))
    columns = tuple(range(values.shape[1])) if targets is None else tuple(targets)
    if not columns or any(not 0 <= c < values.shape[1] for c in columns):
        raise DatasetError(f"target columns {columns} are not among the series' {values.shape[1]} columns")
    count = len(values) - window - horizon + 1
    if count < 1:
        raise DatasetError(f"a series of {len(values)} steps is too short for a window of {window} "
                           f"and a horizon of {horizon}", "use a shorter window or a longer series")
    view = np.lib.stride_tricks.sliding_window_view(values[:count + window - 1], window, axis=0)
    x = view.transpose(0, 2, 1).astype(np.float32)
    y = values[window - 1 + horizon:, columns][:count].astype(np.float32)
    return SequenceSamples(np.ascontiguousarray(x), y)


def sine_series(steps: int, noise: float = 0.05, seed: int = 0) -> np.ndarray:
    """A sum of three sines (periods 25, 9 and 61 steps, random phases) plus Gaussian noise, (steps,)."""
    rng = _rng(seed)
    _whole("the number of steps", steps, (1, SAMPLES_RANGE[1] + WINDOW_RANGE[1]))
    low, high = NOISE_RANGE
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not (
        math.isfinite(noise) and low <= noise <= high
    ):
        raise DatasetError(f"the noise must be from {NOISE_RANGE[0]:g} to {NOISE_RANGE[1]:g}, not {noise!r}")
    t = np.arange(steps)
    phases = rng.uniform(0, 2 * math.pi, len(SINE_PERIODS))
    clean = sum(a * np.sin(2 * math.pi * t / p + phase)
                for a, p, phase in zip(SINE_AMPLITUDES, SINE_PERIODS, phases, strict=True))
    return (clean + rng.normal(0.0, noise, steps)).astype(np.float32)


def sine(samples: int = 2000, window: int = 20, noise: float = 0.05, seed: int = 0) -> SequenceSamples:
    """seq:sine: from ``window`` past values of the noisy sum of sines, predict the next (regression)."""
    _whole("the number of samples", samples, SAMPLES_RANGE)
    _whole("the window", window, WINDOW_RANGE)
    return windows(sine_series(samples + window, noise, seed), window)


def recall(samples: int = 2500, length: int = 50, classes: int = 16, seed: int = 0) -> SequenceSamples:
    """seq:recall: ``length`` random tokens of ``classes`` kinds; name the first one after the last step.

    Each step is the one-hot token (``classes`` features) plus a marker feature that is 1 only at
    the first step ("remember this"). The later tokens are drawn from the same kinds, so they
    cannot be told apart by their input alone: the network must hold the marked token and let the
    rest pass, which a gate (LSTM, GRU) does and a plain RNN finds hard over many steps.
    """
    _whole("the number of samples", samples, SAMPLES_RANGE)
    _whole("the sequence length", length, LENGTH_RANGE)
    _whole("the number of classes", classes, (2, 16))
    rng = _rng(seed)
    tokens = rng.integers(0, classes, (samples, length))
    x = np.zeros((samples, length, classes + 1), dtype=np.float32)
    x[np.arange(samples)[:, None], np.arange(length)[None, :], tokens] = 1.0
    x[:, 0, classes] = 1.0
    return SequenceSamples(x, tokens[:, 0].astype(np.int64))


def adding(samples: int = 2000, length: int = 50, seed: int = 0) -> SequenceSamples:
    """seq:adding (Hochreiter & Schmidhuber): (value, marker) pairs; the target is the two marked values' sum.

    Values are uniform on [0, 1]; one marker falls in the first half, one in the second.
    """
    _whole("the number of samples", samples, SAMPLES_RANGE)
    _whole("the sequence length", length, LENGTH_RANGE)
    rng = _rng(seed)
    values = rng.uniform(0.0, 1.0, (samples, length))
    half = length // 2
    first, second = rng.integers(0, half, samples), rng.integers(half, length, samples)
    markers = np.zeros((samples, length))
    rows = np.arange(samples)
    markers[rows, first] = markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=2).astype(np.float32)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)[:, None]
    return SequenceSamples(x, y)


def split_sequences(samples: SequenceSamples, test_fraction: float = 0.2) -> tuple[SequenceSamples,
                                                                                    SequenceSamples]:
    """Train on the first samples and test on the last ``test_fraction``: for a time series, the future."""
    if not (isinstance(test_fraction, int | float) and 0.05 <= test_fraction <= 0.5):
        raise DatasetError(f"the test fraction must be from 0.05 to 0.5, not {test_fraction!r}")
    if len(samples) < 2:
        raise DatasetError("at least two samples are needed to split into train and test")
    cut = min(max(len(samples) - round(len(samples) * test_fraction), 1), len(samples) - 1)
    return (SequenceSamples(samples.x[:cut], samples.y[:cut]),
            SequenceSamples(samples.x[cut:], samples.y[cut:]))


def free_run(model: nn.Module, start: np.ndarray, steps: int) -> np.ndarray:
    """Feed a model its own predictions: from a (window, F) start, predict ``steps`` rows of F values.

    The model maps (1, window, F) to (1, F), the next row (a seq:sine model has F = 1); each
    prediction is appended to the window and the oldest row dropped.
    """
    window = torch.as_tensor(np.asarray(start, dtype=np.float32))
    if window.ndim == 1:
        window = window[:, None]
    _whole("the number of steps", steps, (1, 10_000))
    was_training = model.training
    model.eval()
    predicted = []
    try:
        with torch.no_grad():
            for _ in range(steps):
                out = model(window[None])
                if out.shape != (1, window.shape[1]):
                    raise DatasetError(f"free-running needs a model that predicts the next row of "
                                       f"{window.shape[1]} values, not an output of shape {tuple(out.shape)}")
                predicted.append(out[0])
                window = torch.cat([window[1:], out])
    finally:
        model.train(was_training)
    return torch.stack(predicted).numpy()


@dataclass(frozen=True)
class SequenceTask:
    """One row of the catalogue: ``generate(samples, length, seed)`` with the task's other defaults."""

    id: str
    name: str
    description: str
    regression: bool
    default_samples: int
    default_length: int
    """T of recall and adding; the window of sine."""
    generate: Callable[[int, int, int], SequenceSamples]


SEQUENCE_TASKS: dict[str, SequenceTask] = {
    row.id: row
    for row in (
        SequenceTask("sine", "Noisy sines", "Predict the next value of a noisy sum of three sines from "
                     "a window of past values.", True, 2000, 20,
                     lambda n, length, seed: sine(n, length, 0.05, seed)),
        SequenceTask("recall", "Recall the first token", "Name the first token of a sequence after "
                     "reading tokens of the same kinds to its end: memory over time.", False, 2500, 50,
                     lambda n, length, seed: recall(n, length, 16, seed)),
        SequenceTask("adding", "Adding problem", "Add the two marked numbers of a long sequence of "
                     "(value, marker) pairs.", True, 2000, 50, adding),
    )
}
