"""ParkedWeights: trained weights set aside by an edit they do not fit, ready for Undo to bring back."""

from __future__ import annotations

from playground.core.spec import NetworkSpec
from playground.gui.train.runner import Trained

MAX_PARKED = 8


class ParkedWeights:
    """A small store of Trained weights keyed by the exact network they belong to, newest last.

    At most ``limit`` are kept (the oldest go first); one network holds one set (the newest).
    """

    def __init__(self, limit: int = MAX_PARKED) -> None:
        self.limit = limit
        self._items: list[Trained] = []

    def __len__(self) -> int:
        return len(self._items)

    def park(self, trained: Trained) -> None:
        """Keep ``trained`` for its network, in place of any set kept for that network."""
        self._items = [t for t in self._items if t.spec != trained.spec]
        self._items.append(trained)
        del self._items[:-self.limit]

    def find(self, spec: NetworkSpec) -> Trained | None:
        """The set kept for exactly ``spec``, or None."""
        return next((trained for trained in self._items if trained.spec == spec), None)

    def take(self, spec: NetworkSpec) -> Trained | None:
        """The set kept for exactly ``spec`` (and no longer kept here), or None."""
        trained = self.find(spec)
        if trained is not None:
            self._items.remove(trained)
        return trained

    def clear(self) -> None:
        """Forget every kept set."""
        self._items.clear()
