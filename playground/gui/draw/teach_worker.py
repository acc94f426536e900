"""TeachWorker: fine-tunes the sample model on drawn examples on its own thread; symbol name parsing."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import QCoreApplication, QObject, Signal

from playground.core.spec import NetworkSpec
from playground.core.transfer import MAX_CLASSES, MIN_CLASSES, TeachingStopped, teach
from playground.gui.background import BackgroundJob


def parse_names(text: str) -> list[str]:
    """Symbol names from what the user typed: comma-separated, or space-separated without commas."""
    parts = text.split(",") if "," in text else text.split()
    return [part.strip() for part in parts if part.strip()]


def names_problem(names: list[str]) -> str:
    """Why these names cannot be taught (a sentence for the user), or "" when they can."""
    tr = QCoreApplication.translate
    if len(names) < MIN_CLASSES:
        return tr("TeachBox", "Name at least two symbols, separated by commas.")
    if len(names) > MAX_CLASSES:
        return tr("TeachBox", "At most %1 symbols can be taught.").replace("%1", str(MAX_CLASSES))
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice is not None:
        return tr("TeachBox", "“%1” is listed twice.").replace("%1", twice)
    return ""


class TeachWorker(BackgroundJob):
    """Runs ``core.transfer.teach`` once; never touches widgets.

    ``progressed`` carries the fraction done, ``taught`` the TaughtModel (its model is not used on
    this thread again), ``errored`` a message and hint; a stop request ends quietly. QThread's
    ``finished`` follows in every case.
    """

    progressed = Signal(float)
    taught = Signal(object)
    quiet = (TeachingStopped,)

    def __init__(self, spec: NetworkSpec, state: dict[str, torch.Tensor], images: np.ndarray,
                 labels: np.ndarray, names: list[str], mean: tuple[float, ...], std: tuple[float, ...],
                 parent: QObject | None = None) -> None:
        super().__init__("TeachWorker", parent)
        self._args = (spec, state, images, labels, names, mean, std)

    def work(self) -> None:
        """Teach, and send the result back."""
        self.taught.emit(teach(*self._args, progress=self.progressed.emit, cancel=self.cancel))
