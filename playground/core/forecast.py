"""A next-value model over the test part of a time series: its one-step predictions against the truth, and
free-running, fed its own predictions from a chosen start (seq:sine, or any window of one column)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.data.dataset import REGRESSION, Dataset
from playground.data.sequences import free_run
from playground.data.tensors import normalise
from playground.errors import PlaygroundError


@dataclass(frozen=True)
class Forecast:
    """The test series (``truth``), the one-step predictions, and ``free`` values predicted from
    ``start`` on (the window of test sample ``start`` is the last the model saw of the truth)."""

    truth: np.ndarray
    one_step: np.ndarray
    start: int
    free: np.ndarray

    @property
    def one_step_rmse(self) -> float:
        """RMSE of the one-step predictions over the whole test series."""
        return float(np.sqrt(np.mean((self.one_step - self.truth) ** 2)))

    @property
    def free_rmse(self) -> float:
        """RMSE of the free-running values against the truth they stand for."""
        truth = self.truth[self.start:self.start + len(self.free)]
        return float(np.sqrt(np.mean((self.free[:len(truth)] - truth) ** 2))) if len(truth) else math.nan


def can_forecast(dataset: Dataset) -> bool:
    """True for a regression of the next value of a one-column series from a window of it."""
    return (dataset.task == REGRESSION and len(dataset.input_shape) == 2 and dataset.input_shape[1] == 1
            and dataset.outputs == 1)


@torch.no_grad()
def forecast(model: nn.Module, dataset: Dataset, start: int = 0, steps: int = 50) -> Forecast:
    """One-step predictions over the test windows, and ``steps`` free-running ones from window ``start``.

    The test windows follow each other one step at a time (as ``sequences.windows`` cuts a series), so
    their targets are the test series itself.

    Raises:
        PlaygroundError: the dataset is not a one-column next-value task, or ``start`` is not a test sample.
    """
    if not can_forecast(dataset):
        raise PlaygroundError(f"{dataset.name} is not a series to forecast",
                              "forecasting needs windows of one column that predict the next value")
    count = len(dataset.test_y)
    if not 0 <= start < count:
        raise PlaygroundError(f"the start must be a test sample from 1 to {count}, not {start + 1}")
    was_training = model.training
    model.eval()
    try:
        x = normalise(torch.from_numpy(np.array(dataset.test_x)), dataset.mean, dataset.std)
        one_step = torch.cat([model(part) for part in x.split(1000)]).numpy()[:, 0]
        free = free_run(model, x[start].numpy(), steps)[:, 0]
    finally:
        model.train(was_training)
    truth = np.asarray(dataset.test_y, dtype=np.float32).reshape(count)
    return Forecast(truth, one_step.astype(np.float32), start, free.astype(np.float32))
