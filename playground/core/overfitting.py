"""Overfitting named: the epoch where the held-out loss turned up while the training loss kept falling,
and early stopping at the best epoch."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from playground.core.metrics import EpochRecord

PATIENCE = 3  # epochs the held-out loss must stay above its best before the turn is named
MARGIN = 0.02  # ... and by at least this share of the best loss, so noise is not named overfitting
EARLY_STOP_RANGE = (1, 100)  # patience of early stopping, in epochs
IMPROVEMENT = 1e-4  # a held-out loss counts as better when it is below the best by this share


def held_out(record: EpochRecord) -> tuple[float, str]:
    """The loss that judges generalisation, and its split's name: validation when one is held out
    (the test set then stays untouched by the choice of epoch), else test."""
    if record.val_loss is not None:
        return record.val_loss, "validation"
    return record.test_loss, "test"


@dataclass(frozen=True)
class Turn:
    """Where overfitting began: ``epoch`` had the lowest held-out loss; ``since`` epochs later it is
    higher by more than the margin, while the training loss fell."""

    epoch: int
    since: int
    split: str
    best: float
    now: float
    train_at_best: float
    train_now: float

    def text(self) -> str:
        """One line for a plot, a status line or the command line."""
        return (f"overfitting from epoch {self.epoch}: the {self.split} loss rose from {self.best:.4f} to "
                f"{self.now:.4f} over {self.since} epoch{'s' if self.since != 1 else ''} while the training "
                f"loss fell from {self.train_at_best:.4f} to {self.train_now:.4f}")


def turn_of(epochs: Sequence[int], train: Sequence[float], held: Sequence[float], split: str = "test",
            patience: int = PATIENCE, margin: float = MARGIN) -> Turn | None:
    """The turn in columns of figures (epoch numbers, training and held-out losses), or None.

    The turn is the epoch of the lowest held-out loss, named only when at least ``patience`` epochs
    followed it, the latest held-out loss is above that best by more than ``margin`` (a share of it),
    and the training loss is lower now than at the best epoch: the network still fits its training
    data better while it generalises worse. Non-finite figures are skipped.
    """
    rows = [(e, t, h) for e, t, h in zip(epochs, train, held, strict=True)
            if math.isfinite(t) and math.isfinite(h)]
    if len(rows) <= patience:
        return None
    best_index = min(range(len(rows)), key=lambda i: rows[i][2])
    since = len(rows) - 1 - best_index
    epoch, train_best, best = rows[best_index]
    _, train_now, now = rows[-1]
    if since < patience or now <= best * (1 + margin) + 1e-12 or train_now >= train_best:
        return None
    return Turn(epoch, since, split, best, now, train_best, train_now)


def find_turn(records: Sequence[EpochRecord], patience: int = PATIENCE,
              margin: float = MARGIN) -> Turn | None:
    """:func:`turn_of` on a run's epoch records (validation loss when held out, else test loss)."""
    if not records:
        return None
    split = held_out(records[-1])[1]
    return turn_of([r.epoch for r in records], [r.train_loss for r in records],
                   [held_out(r)[0] for r in records], split, patience, margin)


def best_epoch(records: Sequence[EpochRecord]) -> int | None:
    """The epoch with the lowest held-out loss (the first of equals), or None without epochs."""
    finite = [r for r in records if math.isfinite(held_out(r)[0])]
    return min(finite, key=lambda r: held_out(r)[0]).epoch if finite else None


class EarlyStopping:
    """Stop when the held-out loss has not improved for ``patience`` epochs; remembers the best epoch.

    ``update`` takes each finished epoch and answers (improved, stop): improved means this epoch is the
    new best (keep its weights), stop that the run should end now.
    """

    def __init__(self, patience: int) -> None:
        low, high = EARLY_STOP_RANGE
        if not low <= patience <= high:
            raise ValueError(f"patience must be between {low} and {high} epochs, not {patience}")
        self.patience = patience
        self.best: float = math.inf
        self.best_epoch: int | None = None
        self.split = "test"
        self.waited = 0

    def update(self, record: EpochRecord) -> tuple[bool, bool]:
        """Take one finished epoch; (is it the new best, should the run stop)."""
        loss, self.split = held_out(record)
        if math.isfinite(loss) and (self.best_epoch is None or loss < self.best * (1 - IMPROVEMENT)):
            self.best, self.best_epoch, self.waited = loss, record.epoch, 0
            return True, False
        self.waited += 1
        return False, self.waited >= self.patience

    def text(self, stopped_at: int, restored: bool) -> str:
        """What happened, for the run's final line."""
        kept = "its weights are restored" if restored else "the last epoch's weights are kept"
        return (f"stopped early after epoch {stopped_at}: the {self.split} loss has not improved for "
                f"{self.patience} epoch{'s' if self.patience != 1 else ''}; epoch {self.best_epoch} was best "
                f"({self.split} loss {self.best:.4f}), {kept}")
