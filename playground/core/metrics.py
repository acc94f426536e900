"""Metric records the trainer yields, plus accuracy and the confusion matrix."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class BatchRecord:
    """One training step.

    ``grad_norms`` holds the L2 norm of each spec layer's gradient (NaN for layers without
    weights); ``dead_fractions`` the fraction of ReLU units that gave 0 for the whole batch
    (NaN for layers without a ReLU). Both are measured at most ~30 times a second and on each
    epoch's first batch; other records carry None. ``lr_changed`` marks the first step after a learning-rate
    change made while running.
    """

    step: int
    epoch: int
    batch: int
    batches_per_epoch: int
    loss: float
    accuracy: float
    learning_rate: float
    samples_per_second: float
    grad_norms: tuple[float, ...] | None
    dead_fractions: tuple[float, ...] | None
    lr_changed: bool = False


@dataclass(frozen=True)
class EpochRecord:
    """One finished epoch, with test (and, when a split is held out, validation) figures."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float
    samples_per_second: float
    val_loss: float | None = None
    val_accuracy: float | None = None

    def line(self) -> str:
        """The article's report line."""
        return (
            f"Epoch {self.epoch}, train loss: {self.train_loss:.4f}, "
            f"test loss: {self.test_loss:.4f}, test acc: {self.test_accuracy:.4f}"
        )


@dataclass(frozen=True)
class StateRecord:
    """A change of the trainer's state: running, paused, finished, stopped or diverged."""

    state: str
    message: str = ""
    hint: str = ""


Record = BatchRecord | EpochRecord | StateRecord


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of rows whose largest logit is the label."""
    return float((logits.argmax(1) == labels).float().mean())


def confusion_matrix(predicted: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts[true, predicted] as an int64 (C, C) tensor."""
    flat = labels.to(torch.int64) * num_classes + predicted.to(torch.int64)
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
