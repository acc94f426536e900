"""The learning-rate finder: an exponential sweep of the learning rate over about 100 batches of fresh
weights, the smoothed loss at each rate, and the rate where it falls fastest as the suggestion
(Smith's range test, as fastai's ``lr_find`` and Lightning's ``Tuner.lr_find`` run it)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import torch

from playground.core.builder import build_model
from playground.core.choices import LOSSES, OPTIMIZERS
from playground.core.memory import check_batch_fits
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig, Trainer, resolve_device
from playground.data.dataset import Dataset
from playground.data.tensors import TensorSplit, batch_indices, normalise
from playground.errors import TrainingError

START, END, STEPS = 1e-7, 10.0, 100
STOP_FACTOR = 4.0  # the sweep ends once the smoothed loss passes this multiple of its best
BETA = 0.9  # smoothing: a bias-corrected moving average; fastai's 0.98 lags ~50 batches, 2 decades here
SKIP_START, SKIP_END = 10, 5  # points the steepest-descent search leaves out: a flat start, a noisy end
STEPS_RANGE = (20, 1000)
FLAT = 0.1  # a sweep whose smoothed loss never fell by this share of its start suggests nothing


@dataclass(frozen=True)
class Sweep:
    """One finder run: the rate and loss of each batch (raw and smoothed), why it ended, the suggestion."""

    rates: tuple[float, ...]
    losses: tuple[float, ...]
    smoothed: tuple[float, ...]
    stopped: str  # "diverged" (passed STOP_FACTOR x the best), "end" (reached END), "cancelled"
    suggestion: float | None  # the rate of steepest descent of the smoothed loss; None with too few points
    lowest: float | None  # the rate of the lowest smoothed loss (a tenth of it is fastai's other rule)

    def text(self) -> str:
        """One line: the suggestion and how the sweep went."""
        if self.suggestion is None and self.flat:
            return (f"no suggestion: in {len(self.rates)} batches, at rates from {self.rates[0]:.2g} to "
                    f"{self.rates[-1]:.2g}, the smoothed loss never fell by {FLAT:.0%}: with these settings "
                    "the network barely learns; try more steps, Adam, or ReLU in place of sigmoid")
        if self.suggestion is None:
            return (f"no suggestion: the sweep ended after {len(self.rates)} batches, too few to tell "
                    "where the loss falls fastest; use more steps or a smaller batch")
        ended = {"diverged": f"the loss passed {STOP_FACTOR:g}x its best at {self.rates[-1]:.3g}",
                 "end": f"it reached {self.rates[-1]:.3g}", "cancelled": "it was cancelled"}[self.stopped]
        return (f"suggested learning rate: {self.suggestion:.2g} (where the smoothed loss falls fastest; "
                f"the lowest loss was at {self.lowest:.2g}); {len(self.rates)} batches, {ended}")

    @property
    def flat(self) -> bool:
        """The smoothed loss never fell clearly below its start."""
        return bool(self.smoothed) and min(self.smoothed) > (1 - FLAT) * self.smoothed[0]

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {"rates": list(self.rates), "losses": list(self.losses), "smoothed": list(self.smoothed),
                "stopped": self.stopped, "suggestion": self.suggestion, "lowest": self.lowest}


def suggest(rates: tuple[float, ...], smoothed: tuple[float, ...]) -> tuple[float | None, float | None]:
    """(steepest descent, lowest loss) rates of a sweep; None where there are too few points, or the loss
    never fell clearly. The steepest descent is looked for before the lowest point, past the flat start."""
    if not smoothed:
        return None, None
    bottom = int(np.argmin(smoothed))
    lowest = rates[bottom]
    stop = min(len(smoothed) - SKIP_END, bottom + 1)
    if stop - SKIP_START < 3 or smoothed[bottom] > (1 - FLAT) * smoothed[0]:
        return None, lowest
    slope = np.gradient(np.asarray(smoothed), np.log10(np.asarray(rates)))
    return float(rates[SKIP_START + int(np.argmin(slope[SKIP_START:stop]))]), lowest


def find_lr(spec: NetworkSpec, dataset: Dataset, config: TrainConfig, steps: int = STEPS,
            start: float = START, end: float = END, cancel: threading.Event | None = None,
            progress: Callable[[int, float, float], None] | None = None) -> Sweep:
    """Sweep the learning rate from ``start`` to ``end`` over ``steps`` batches of fresh weights (seeded
    by ``config``, with its optimizer, batch size, loss, initialisation and weight decay; no
    augmentation) and say where the loss falls fastest. ``progress(batch, rate, loss)`` hears of each
    batch; ``cancel`` ends the sweep early. The user's weights are not touched.

    Raises:
        TrainingError: the settings cannot train this dataset (as ``Trainer`` checks them), the steps
            or rates are out of range, or the training set is empty.
    """
    low, high = STEPS_RANGE
    if not low <= steps <= high:
        raise TrainingError(f"the finder takes {low} to {high} steps, not {steps}")
    if not (0 < start < end and math.isfinite(end)):
        raise TrainingError(f"the sweep must go up from a positive rate, not {start:g} to {end:g}")
    config = replace(config, augment=False, validation_fraction=0.0, early_stop=0)
    Trainer(spec, dataset, config)  # the same checks as a run: loss and task, device
    device = resolve_device(config.device)
    check_batch_fits(spec, dataset.input_shape, dataset.outputs, config.batch_size, device)
    if config.seed is not None:
        torch.manual_seed(config.seed)
    model = build_model(spec, dataset.input_shape, dataset.outputs, config.init, config.loss).to(device)
    model.train()
    train = TensorSplit.from_numpy(dataset.train_x, dataset.train_y, device)
    if len(train) == 0:
        raise TrainingError("the training set is empty")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise TrainingError("every layer is frozen: nothing to train", "make at least one layer trainable")
    optimizer = OPTIMIZERS[config.optimizer].make(params, start, config.weight_decay)
    compute = LOSSES[config.loss].compute
    shuffle = torch.Generator().manual_seed(config.seed or 0)
    factor = (end / start) ** (1 / (steps - 1))
    rates: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    best, average, stopped = math.inf, 0.0, "end"
    batches: Iterator[torch.Tensor] = iter(())
    for i in range(steps):
        if cancel is not None and cancel.is_set():
            stopped = "cancelled"
            break
        index: torch.Tensor | None = next(batches, None)
        if index is None:  # another pass over the data, shuffled again
            batches = iter(batch_indices(len(train), config.batch_size, shuffle, device))
            index = next(batches)
        rate = start * factor**i
        for group in optimizer.param_groups:
            group["lr"] = rate
        loss = compute(model(normalise(train.x[index], dataset.mean, dataset.std)), train.y[index])
        value = loss.item()
        if not math.isfinite(value):
            stopped = "diverged"
            break
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        average = BETA * average + (1 - BETA) * value
        smooth_value = average / (1 - BETA ** (i + 1))
        rates.append(rate)
        losses.append(value)
        smoothed.append(smooth_value)
        if progress is not None:
            progress(i + 1, rate, value)
        best = min(best, smooth_value)
        if i > 0 and smooth_value > STOP_FACTOR * best:
            stopped = "diverged"
            break
    suggestion, lowest = suggest(tuple(rates), tuple(smoothed))
    return Sweep(tuple(rates), tuple(losses), tuple(smoothed), stopped, suggestion, lowest)
