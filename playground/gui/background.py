"""BackgroundJob, a QThread that runs one job and reports failures as plain data; one_torch_thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from PySide6.QtCore import QObject, QThread, Signal

from playground.errors import PlaygroundError
from playground.gui.train.worker import gui_torch_threads, track

log = logging.getLogger(__name__)


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
    """Subclasses put the job in ``work`` (which emits its own result signal) and never touch widgets.

    ``errored`` carries a message and hint for any failure; the exceptions in ``quiet`` (a stop the
    user asked for through ``cancel``) end the job silently. QThread's ``finished`` follows in every case.
    """

    errored = Signal(str, str)
    quiet: tuple[type[BaseException], ...] = ()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.cancel = threading.Event()
        track(self)

    def work(self) -> None:
        """The job itself, on the worker thread."""
        raise NotImplementedError

    def run(self) -> None:
        """Run ``work`` with the GUI's share of torch threads; send any failure back."""
        saved = torch.get_num_threads()
        torch.set_num_threads(gui_torch_threads())
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
