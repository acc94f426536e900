"""ThrottledView: the base of the views that recompute from the network when something changes."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

BUSY_SHARE = 0.25
"""On a slow or busy machine the wait grows so that recomputing takes at most this share of the GUI thread."""


class ThrottledView(QWidget):
    """Coalesces updates: ``schedule`` recomputes once when a single-shot timer fires (``throttle_ms``,
    longer when a recompute is slow; 0 recomputes at once, for tests), only while the view is shown; a
    hidden view stays dirty and catches up when shown. Subclasses draw in ``refresh`` and call
    ``_recomputed`` first thing there."""

    def __init__(self, throttle_ms: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.throttle_ms = throttle_ms
        self._dirty = True
        self._cost_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)

    def refresh(self) -> None:
        """Recompute and redraw now."""
        raise NotImplementedError

    @Slot()
    def schedule(self, *_args: object) -> None:
        """Recompute soon: at once when ``throttle_ms`` is 0, else once when the timer fires."""
        self._dirty = True
        if self.throttle_ms <= 0:
            self._on_timer()
        elif not self._timer.isActive():
            self._timer.start(max(self.throttle_ms, round(self._cost_ms / BUSY_SHARE)))

    @Slot()
    def _on_timer(self) -> None:
        """Recompute when shown; a hidden view stays dirty until it is shown."""
        if self.isVisible():
            start = time.perf_counter()
            self.refresh()
            self._cost_ms = (time.perf_counter() - start) * 1000

    def _recomputed(self) -> None:
        """What ``refresh`` does first: nothing is pending any more."""
        self._dirty = False
        self._timer.stop()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._dirty:
            self.schedule()
