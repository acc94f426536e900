"""Run states, the metric records the trainer yields, accuracy, regression scores and the confusion matrix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import torch


class RunState(StrEnum):
    """Where a training run stands; the values are what projects and logs store."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"
    DIVERGED = "diverged"
    FAILED = "failed"

    @classmethod
    def parse(cls, text: str) -> RunState:
        """A stored state; "error", which older project files hold for a failed run, reads as FAILED.

        Raises:
            ValueError: ``text`` names no state.
        """
        return cls.FAILED if text == "error" else cls(text)

    @property
    def final(self) -> bool:
        """True for the states a run ends in."""
        return self in (RunState.FINISHED, RunState.STOPPED, RunState.DIVERGED, RunState.FAILED)


@dataclass(frozen=True)
class BatchRecord:
    """One training step.

    ``accuracy`` is the batch's share of right answers (None for regression). ``grad_norms`` holds the
    L2 norm of each spec layer's gradient (NaN for layers without weights); ``dead_fractions`` the
    fraction of ReLU units that gave 0 for the whole batch (NaN for layers without a ReLU). Both are
    measured at most ~30 times a second and on each epoch's first batch; other records carry None.
    ``lr_changed`` marks the first step after a learning-rate change made while running.
    """

    step: int
    epoch: int
    batch: int
    batches_per_epoch: int
    loss: float
    accuracy: float | None
    learning_rate: float
    samples_per_second: float
    grad_norms: tuple[float, ...] | None
    dead_fractions: tuple[float, ...] | None
    lr_changed: bool = False


@dataclass(frozen=True)
class Scores:
    """A model's mean loss on a split, with its accuracy (classification) or RMSE and R² (regression)."""

    loss: float
    accuracy: float | None = None
    rmse: float | None = None
    r2: float | None = None


@dataclass(frozen=True)
class EpochRecord:
    """One finished epoch, with test (and, when a split is held out, validation) figures.

    Classification fills the accuracies, regression the RMSE and R² (root mean squared error, and the
    share of the targets' variance the network explains); the others are None.
    """

    epoch: int
    train_loss: float
    train_accuracy: float | None
    test_loss: float
    test_accuracy: float | None
    seconds: float
    samples_per_second: float
    val_loss: float | None = None
    val_accuracy: float | None = None
    test_rmse: float | None = None
    test_r2: float | None = None
    val_rmse: float | None = None
    val_r2: float | None = None

    def line(self) -> str:
        """The article's report line (with RMSE and R² in place of the accuracy for regression)."""
        head = f"Epoch {self.epoch}, train loss: {self.train_loss:.4f}, test loss: {self.test_loss:.4f}"
        if self.test_accuracy is not None:
            return f"{head}, test acc: {self.test_accuracy:.4f}"
        return f"{head}, test rmse: {self.test_rmse:.4f}, test r2: {self.test_r2:.4f}"


@dataclass(frozen=True)
class StateRecord:
    """A change of the trainer's state: running, paused, finished, stopped or diverged."""

    state: RunState
    message: str = ""
    hint: str = ""


Record = BatchRecord | EpochRecord | StateRecord


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows whose largest logit is the label."""
    return float((logits.argmax(1) == labels).float().mean())


def regression_scores(predicted: torch.Tensor, targets: torch.Tensor) -> tuple[float, float]:
    """RMSE over all target values, and R² averaged over the targets (1: perfect, 0: no better than
    their mean; a constant target counts as 1 when predicted exactly, else 0)."""
    pred = predicted.reshape(len(predicted), -1).double()
    true = targets.reshape(len(targets), -1).double()
    residual = ((pred - true) ** 2).sum(0)
    spread = ((true - true.mean(0)) ** 2).sum(0)
    r2 = torch.where(spread > 0, 1.0 - residual / spread.clamp_min(1e-300),
                     (residual == 0).double())
    return float((residual.sum() / true.numel()).sqrt()), float(r2.mean())


def confusion_matrix(predicted: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts[true, predicted] as an int64 (C, C) tensor."""
    flat = labels.to(torch.int64) * num_classes + predicted.to(torch.int64)
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
