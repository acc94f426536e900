"""EvaluationWorker: evaluates its own model copy on a test split on a QThread, emitting plain data."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from PySide6.QtCore import QEvent, QObject, QThread, Signal
from torch import nn

from playground.core.evaluation import Evaluation, EvaluationCancelled, evaluate_model
from playground.data.sources import Dataset
from playground.errors import PlaygroundError
from playground.gui.train.worker import gui_torch_threads, track

log = logging.getLogger(__name__)
BATCH = 250  # images per forward pass: a few progress steps and a quick cancel even for a CNN on 10,000


@dataclass(frozen=True)
class EvaluationJob:
    """One evaluation to run: a model copy nobody else uses, where its data comes from, and words.

    ``load`` returns the dataset (it runs on the worker thread, so a first load of the bundled
    sample does not block the GUI); ``description`` says which weights and split were used.
    """

    model: nn.Module
    ends_in_softmax: bool
    load: Callable[[], Dataset]
    description: str


@dataclass(frozen=True)
class EvaluationResult:
    """What comes back: the evaluation, the test images it was made on, and the job's words."""

    evaluation: Evaluation
    images: np.ndarray  # uint8 (N, H, W): the test split, for the gallery
    dataset_name: str
    description: str


class EvaluationWorker(QThread):
    """Runs one EvaluationJob; never touches widgets.

    ``progressed`` carries (images done, total); ``evaluated`` an EvaluationResult; ``errored`` a
    message and hint. Nothing but QThread's ``finished`` comes after a cancel (``cancel.set()``).
    """

    progressed = Signal(int, int)
    evaluated = Signal(object)
    errored = Signal(str, str)

    def __init__(self, job: EvaluationJob, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.cancel = threading.Event()
        self.setObjectName("EvaluationWorker")
        track(self)

    def run(self) -> None:
        """The thread's body: load the data, evaluate, emit the result or the problem."""
        saved = torch.get_num_threads()
        torch.set_num_threads(gui_torch_threads())
        try:
            dataset = self.job.load()
            evaluation = evaluate_model(
                self.job.model, dataset.test_images, dataset.test_labels, dataset.mean, dataset.std,
                dataset.class_names, batch_size=BATCH, ends_in_softmax=self.job.ends_in_softmax,
                should_stop=self.cancel.is_set, progress=self.progressed.emit)
        except EvaluationCancelled:
            return
        except PlaygroundError as exc:
            self.errored.emit(exc.message, exc.hint or "")
            return
        except Exception as exc:  # every failure must reach the GUI thread
            log.exception("evaluation failed")
            self.errored.emit(f"{type(exc).__name__}: {exc}",
                              self.tr("this is a bug in the app; the log has the details"))
            return
        finally:
            torch.set_num_threads(saved)
        self.evaluated.emit(EvaluationResult(evaluation, dataset.test_images, dataset.name,
                                             self.job.description))

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel and wait (bounded); True when the thread has ended."""
        self.cancel.set()
        return self.wait(max(int(timeout_ms), 0))


class ShutdownOnClose(QObject):
    """Calls ``shutdown`` when ``window`` gets its Close event (its child widgets get none)."""

    def __init__(self, shutdown: Callable[[], object], window: QObject) -> None:
        super().__init__(window)
        self._shutdown = shutdown
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """On Close, stop the thread and wait for it; the event itself goes on unchanged."""
        if event.type() == QEvent.Type.Close:
            self._shutdown()
        return False
