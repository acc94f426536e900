"""EvaluationWorker: evaluates its own model copy on a test split on a QThread, emitting plain data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal
from torch import nn

from playground.core.evaluation import Evaluation, EvaluationCancelled, evaluate_model
from playground.data.dataset import Dataset
from playground.gui.background import BackgroundJob

BATCH = 250  # images per forward pass: a few progress steps and a quick cancel even for a CNN on 10,000


@dataclass(frozen=True)
class EvaluationJob:
    """One evaluation to run: a model copy nobody else uses, where its data comes from, and words.

    ``load`` returns the dataset (it runs on the worker thread, so a first load of the bundled
    sample does not block the GUI); ``description`` says which weights and split were used;
    ``serial`` is the session's number of those weights (0 for the sample model, which stays).
    """

    model: nn.Module
    ends_in_softmax: bool
    load: Callable[[], Dataset]
    description: str
    serial: int


@dataclass(frozen=True)
class EvaluationResult:
    """What comes back: the evaluation, the test images it was made on, and the job's words."""

    evaluation: Evaluation
    images: np.ndarray  # uint8 (N, C, H, W): the test split, for the gallery
    dataset_name: str
    description: str
    serial: int


class EvaluationWorker(BackgroundJob):
    """Runs one EvaluationJob; never touches widgets.

    ``progressed`` carries (images done, total); ``evaluated`` an EvaluationResult; ``errored`` a
    message and hint. Nothing but QThread's ``finished`` comes after a cancel (``cancel.set()``).
    """

    progressed = Signal(int, int)
    evaluated = Signal(object)
    quiet = (EvaluationCancelled,)

    def __init__(self, job: EvaluationJob, parent: QObject | None = None) -> None:
        super().__init__("EvaluationWorker", parent)
        self.job = job

    def work(self) -> None:
        """Load the data, evaluate, emit the result."""
        dataset = self.job.load()
        evaluation = evaluate_model(
            self.job.model, dataset.test_x, dataset.test_y, dataset.mean, dataset.std,
            dataset.class_names, batch_size=BATCH, ends_in_softmax=self.job.ends_in_softmax,
            cancel=self.cancel, progress=self.progressed.emit)
        self.evaluated.emit(EvaluationResult(evaluation, dataset.test_x, dataset.name,
                                             self.job.description, self.job.serial))
