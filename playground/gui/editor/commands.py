"""One undo command for every edit: specs are immutable, so undo swaps the old spec back in."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from playground.core.spec import NetworkSpec

MERGE_ID = 1
Apply = Callable[[NetworkSpec, int | None], None]
"""Makes a spec current with a layer selected (or none): the editor model's ``_apply``."""


class SpecCommand(QUndoCommand):
    """Replace the current spec by ``after`` through ``apply``; undo puts ``before`` and the old
    selection back.

    Commands with the same ``merge_key`` that follow each other merge, so typing "120" into a spin
    box is one undo step, not three.
    """

    def __init__(
        self,
        apply: Apply,
        before: NetworkSpec,
        after: NetworkSpec,
        text: str,
        select_before: int | None,
        select_after: int | None,
        merge_key: tuple | None = None,
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self.before, self.after = before, after
        self._select_before, self._select_after = select_before, select_after
        self.merge_key = merge_key

    def id(self) -> int:
        """Mergeable commands share one id; the rest never merge."""
        return MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Absorb a following edit of the same field of the same layer."""
        if not isinstance(other, SpecCommand) or other.merge_key != self.merge_key:
            return False
        self.after, self._select_after = other.after, other._select_after
        self.setObsolete(self.after == self.before)
        return True

    def redo(self) -> None:
        """Apply the new spec."""
        self._apply(self.after, self._select_after)

    def undo(self) -> None:
        """Restore the old spec and selection."""
        self._apply(self.before, self._select_before)
