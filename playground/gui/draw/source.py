"""ModelSource: which model reads the drawing: the shipped sample, a taught one, or the one training."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from playground.core.builder import PlaygroundNet
from playground.core.predict import Predictor
from playground.core.project import load_model
from playground.core.spec import NetworkSpec
from playground.core.transfer import TaughtModel
from playground.data.dataset import CLASSIFICATION, DataFacts
from playground.errors import PlaygroundError
from playground.gui.background import one_torch_thread
from playground.resources import sample_model_path

SAMPLE_MODEL = sample_model_path()
FEEDABLE = (1, 28, 28)
POLL_MS = 300
QUIET_SECONDS = 2.0
"""With no new snapshot for this long, the network no longer counts as training."""

SnapshotFn = Callable[[], tuple[int, dict[str, torch.Tensor]]]


@dataclass(frozen=True)
class AnsweringModel:
    """The model that reads the drawing now: the panel's own copy, to run on the GUI thread only."""

    spec: NetworkSpec
    model: PlaygroundNet
    mean: tuple[float, ...]
    std: tuple[float, ...]
    class_names: tuple[str, ...]
    version: int
    live: bool
    input_shape: tuple[int, ...] = FEEDABLE


class ModelSource(QObject):
    """Holds the Predictor that answers, with its class names, a description and any problem.

    The live network is only read through ``snapshot_fn`` (the trainer's ``snapshot``), polled on a
    timer; each new version is loaded into this object's own model copy, so the training thread's
    model never runs on the GUI thread.
    """

    weights_changed = Signal()
    description_changed = Signal(str)

    def __init__(self, sample_path: Path = SAMPLE_MODEL, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.predictor: Predictor | None = None
        self.class_names: tuple[str, ...] = ()
        self.problem = ""
        self.description = ""
        self.live = False
        self.taught: TaughtModel | None = None
        self._taught_version = 0
        self._snapshot_fn: SnapshotFn | None = None
        self._last_new = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._sample, self._sample_names, self._sample_problem = self._load_sample(sample_path)

    def _load_sample(self, path: Path) -> tuple[Predictor | None, tuple[str, ...], str]:
        """The sample model's predictor and class names, or a problem saying why there is none."""
        try:
            spec, model, facts = load_model(path)
            predictor = Predictor(spec, facts.input_shape, facts.outputs, facts.mean, facts.std)
            predictor.load(0, model.state_dict())
        except (PlaygroundError, KeyError, TypeError, ValueError, RuntimeError) as exc:
            return None, (), self.tr("The sample model cannot be loaded: %1").replace("%1", str(exc))
        return predictor, facts.class_names, ""

    def use_sample(self) -> None:
        """Answer with the shipped sample model and stop polling."""
        self._timer.stop()
        self._snapshot_fn, self.live, self.taught = None, False, None
        self.predictor, self.class_names = self._sample, self._sample_names
        self.problem = self._sample_problem
        self._set_description(self.tr("Sample model (small CNN trained on the bundled MNIST sample)"))
        self.weights_changed.emit()

    def use_live(self, spec: NetworkSpec, facts: DataFacts, snapshot_fn: SnapshotFn) -> None:
        """Answer with a copy of the network being trained (or the one it left) on data of ``facts``,
        fed from ``snapshot_fn`` every 300 ms."""
        self._timer.stop()
        self.live, self._snapshot_fn, self.predictor, self.taught = True, None, None, None
        self.class_names = facts.class_names or tuple(map(str, range(facts.outputs)))
        self.problem = ""
        if tuple(facts.input_shape) != FEEDABLE:
            shape = "×".join(str(d) for d in facts.input_shape)
            self.problem = self.tr("The drawing pad cannot feed this network: it takes %1 inputs, and "
                                   "drawings are 1×28×28 (one channel of 28×28 pixels).").replace("%1", shape)
        elif facts.task != CLASSIFICATION:
            self.problem = self.tr("The drawing pad shows class probabilities, and this network predicts "
                                   "values, not classes.")
        else:
            try:
                self.predictor = Predictor(spec, facts.input_shape, facts.outputs, facts.mean, facts.std)
            except (PlaygroundError, ValueError, RuntimeError) as exc:
                self.problem = self.tr("Your network cannot be built here: %1").replace("%1", str(exc))
        self._set_description(self.tr("Your network"))
        if self.predictor is not None:
            self._snapshot_fn = snapshot_fn
            self._last_new = 0.0
            self._timer.start()
            self._poll()
        self.weights_changed.emit()

    def use_taught(self, taught: TaughtModel) -> None:
        """Answer with a model taught new symbols (a copy of it; each one is a new version)."""
        self._timer.stop()
        self._snapshot_fn, self.live, self.taught = None, False, taught
        self._taught_version += 1
        self.predictor = Predictor(taught.spec, FEEDABLE, len(taught.class_names), taught.mean, taught.std)
        self.predictor.load(self._taught_version, taught.model.state_dict())
        self.class_names, self.problem = taught.class_names, ""
        self._set_description(self.tr("Taught symbols: %1").replace("%1", ", ".join(taught.class_names)))
        self.weights_changed.emit()

    def sample(self) -> AnsweringModel | None:
        """The shipped sample model (None when it cannot be loaded), whichever model answers now."""
        p = self._sample
        if p is None:
            return None
        return AnsweringModel(p.spec, p.model, p.mean, p.std, self._sample_names, p.version, False,
                              p.input_shape)

    def version(self) -> int:
        """The version of the loaded weights (-1 before the first snapshot; 0 for the sample)."""
        return -1 if self.predictor is None else self.predictor.version

    def answering(self) -> AnsweringModel | None:
        """The model answering now (None when none can), for views that look inside it."""
        p = self.predictor
        if p is None or self.problem:
            return None
        return AnsweringModel(p.spec, p.model, p.mean, p.std, self.class_names, p.version, self.live,
                              p.input_shape)

    def predict(self, image28: np.ndarray) -> np.ndarray | None:
        """Class probabilities for one (28, 28) input in [0, 1], or None when no model can answer."""
        if self.predictor is None:
            return None
        with one_torch_thread():
            return self.predictor.predict(image28[None])[0]

    @Slot()
    def _poll(self) -> None:
        """Load the trainer's latest snapshot when it is new; keep the label in step."""
        if self._snapshot_fn is None or self.predictor is None:
            return
        try:
            first = self.predictor.version == -1
            version, state = self._snapshot_fn()
            loaded = self.predictor.load(version, state)
        except (RuntimeError, ValueError, KeyError) as exc:
            self._timer.stop()
            self.predictor = None
            self.problem = self.tr("The training snapshot does not fit the network: %1").replace(
                "%1", str(exc))
            self.weights_changed.emit()
            return
        now = time.monotonic()
        if loaded and not first:  # the first weights are where it starts, not a sign of training
            self._last_new = now
        training = now - self._last_new < QUIET_SECONDS
        self._set_description(self.tr("Your network (training…)") if training else self.tr("Your network"))
        if loaded:
            self.weights_changed.emit()

    def _set_description(self, text: str) -> None:
        """Change the description, telling the listeners when it differs."""
        if text != self.description:
            self.description = text
            self.description_changed.emit(text)
