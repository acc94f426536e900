"""BackgroundJob, the one QThread base of every worker: one way to cancel, one funnel for failures."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog

from playground.errors import PlaygroundError

log = logging.getLogger(__name__)


def gui_torch_threads() -> int:
    """Intra-op threads for work beside a GUI: one core is left for the GUI thread.

    With every core in torch's OpenMP team, each repaint of the GUI preempts one team member and the
    whole team waits at its barrier; on a 2-core machine that halves the training speed or worse.
    """
    return max(1, min(torch.get_num_threads(), (os.cpu_count() or 1) - 1))


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """For one image on the GUI thread: one thread is fastest and leaves the other cores to training."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


class BackgroundJob(QThread):
    """Subclasses put the job in ``work`` (which emits its own result signals) and never touch widgets.

    Every worker cancels one way: ``cancel`` (a threading.Event the job's loop checks; pass one to share
    it with the code that runs, a Trainer's for a training run) or ``shutdown``, which sets it and waits.
    ``errored`` carries a message and hint for any failure; the exceptions in ``quiet`` (a stop the user
    asked for) end the job silently. QThread's ``finished`` follows in every case.
    """

    errored = Signal(str, str)
    quiet: tuple[type[BaseException], ...] = ()

    def __init__(self, name: str, parent: QObject | None = None, *, cancel: threading.Event | None = None,
                 threads: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.cancel = cancel if cancel is not None else threading.Event()
        self.threads = threads or gui_torch_threads()

    def work(self) -> None:
        """The job itself, on the worker thread."""
        raise NotImplementedError

    def run(self) -> None:
        """Run ``work`` with the GUI's share of torch threads; send any failure back."""
        saved = torch.get_num_threads()
        torch.set_num_threads(self.threads)  # this thread's OpenMP team (the GUI thread keeps its own)
        try:
            self.work()
        except self.quiet:
            return
        except PlaygroundError as exc:
            self.errored.emit(exc.message, exc.hint or "")
        except Exception as exc:  # every failure must reach the GUI thread
            log.exception("%s failed", self.objectName())
            self.errored.emit(f"{type(exc).__name__}: {exc}",
                              self.tr("this is a bug in the app; the log has the details"))
        finally:
            torch.set_num_threads(saved)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Ask the job to stop and wait (bounded); True when the thread has ended."""
        self.cancel.set()
        return self.wait(max(int(timeout_ms), 0))


class WorkerDialog(QDialog):
    """A dialog that runs one BackgroundJob at a time in ``worker``: accepting, rejecting or closing it
    cancels the job first, and ``shutdown`` (for the window's close) waits for it, bounded."""

    worker: BackgroundJob | None = None

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel the job and wait for it (bounded); True when none runs."""
        worker = self.worker
        return worker is None or worker.shutdown(timeout_ms)

    def done(self, result: int) -> None:
        """Accept, reject or close: a running job is cancelled first."""
        self.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.shutdown()
        super().closeEvent(event)
