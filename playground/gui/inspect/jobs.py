"""Evaluation jobs: a run's snapshot, the kept (trained or loaded) weights, the pad's sample (GUI thread)."""

from __future__ import annotations

import copy

import torch
from PySide6.QtCore import QCoreApplication
from torch import nn

from playground.core.analysis import analyse
from playground.core.builder import build_model
from playground.core.spec import NetworkSpec
from playground.core.trained import Trained
from playground.core.training import Trainer
from playground.data.dataset import CLASSIFICATION, Dataset
from playground.data.registry import load_dataset
from playground.errors import PlaygroundError
from playground.gui.draw.source import AnsweringModel
from playground.gui.inspect.evaluator import EvaluationJob
from playground.gui.session import TrainingSession

SAMPLE_DATASET = "mnist-sample"
KeptWords = tuple[int, str]
"""The serial of weights a run of this session left, and the words that describe them."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("EvaluationPanel", text)


def model_copy(spec: NetworkSpec, dataset: Dataset, loss: str, state: dict[str, torch.Tensor]) -> nn.Module:
    """A fresh model for ``spec`` holding ``state``.

    It is built on the meta device, so making it draws nothing from torch's global random generator
    (which a training thread's dropout shares).
    """
    with torch.device("meta"):
        model = build_model(spec, dataset.input_shape, dataset.outputs, loss=loss)
    model = model.to_empty(device="cpu")
    if set(dict(model.named_buffers())) - set(model.state_dict()):
        model = build_model(spec, dataset.input_shape, dataset.outputs, loss=loss)  # unsaved buffers
    model.load_state_dict(state)
    return model.eval()


def _classes(dataset: Dataset) -> None:
    """The confusion matrix needs classes: a regression dataset is a PlaygroundError."""
    if dataset.task != CLASSIFICATION:
        raise PlaygroundError(_tr("%1 holds values to predict, not classes: there is no confusion matrix "
                                  "to show.").replace("%1", dataset.name),
                              _tr("the training panel's loss and R² curves show how well it fits"))


def live_job(trainer: Trainer, dataset: Dataset, description: str, serial: int,
             state: dict[str, torch.Tensor] | None = None) -> EvaluationJob:
    """A job for ``state`` (by default the trainer's latest weight snapshot) of the run whose weights get
    ``serial``; PlaygroundError when there is none or it does not fit."""
    _classes(dataset)
    if state is None:
        _version, state = trainer.snapshot()
    if not state:
        raise PlaygroundError(_tr("The network has no weights to test yet."),
                              _tr("wait for the first batches, then press Evaluate"))
    try:
        model = model_copy(trainer.spec, dataset, trainer.config.loss, state)
    except (PlaygroundError, RuntimeError, ValueError) as exc:
        raise PlaygroundError(_tr("The training snapshot does not fit the network: %1")
                              .replace("%1", str(exc))) from None
    return EvaluationJob(model, trainer.spec.outputs_probabilities, lambda: dataset, description, serial)


def trained_job(trained: Trained, dataset: Dataset | None, loss: str, description: str) -> EvaluationJob:
    """A job for the weights a run left or a file gave, on ``dataset``'s test split; PlaygroundError
    when there is no dataset or the network does not fit its inputs or classes."""
    if dataset is None:
        raise PlaygroundError(_tr("Your network cannot be tested: no dataset is selected."),
                              _tr("choose a dataset in the Training panel, then press Evaluate"))
    _classes(dataset)
    shape = "×".join(str(d) for d in dataset.input_shape)
    layers = analyse(trained.spec, dataset.input_shape, dataset.outputs, loss).layers
    outputs = layers[-1].output_shape if layers else None
    try:
        model = model_copy(trained.spec, dataset, loss, trained.weights)
    except (PlaygroundError, RuntimeError, ValueError):
        model = None
    if model is None or outputs != (dataset.num_classes,):
        raise PlaygroundError(
            _tr("Your network does not fit %1, whose images are %2 with %3 classes.")
            .replace("%1", dataset.name).replace("%2", shape).replace("%3", str(dataset.num_classes)),
            _tr("choose the dataset the network was trained on, or train it on this one"))
    return EvaluationJob(model, trained.spec.outputs_probabilities, lambda: dataset, description,
                         trained.serial)


def kept_job(session: TrainingSession, kept: KeptWords | None) -> EvaluationJob:
    """A job for the session's kept weights on its dataset, described by ``kept``'s words when they are
    a run's weights, else as loaded weights."""
    trained = session.trained
    if trained is None:
        raise PlaygroundError(_tr("Your network has no trained weights to test yet."),
                              _tr("train it, or open a project or weights file"))
    loss = trained.config.loss if trained.config is not None else session.config.loss
    ours = kept is not None and kept[0] == trained.serial
    words = kept[1] if kept is not None and ours else _tr("Your network (loaded weights)")
    return trained_job(trained, session.dataset, loss, words)


def sample_job(answering: AnsweringModel | None) -> EvaluationJob:
    """A job for the drawing pad's sample model on the bundled MNIST sample's test split."""
    if answering is None:
        raise PlaygroundError(_tr("No model can be tested: the sample model did not load."))
    if answering.live:
        raise PlaygroundError(_tr("The network being trained is tested after its next epoch."),
                              _tr("press Evaluate again once an epoch has finished"))
    model = copy.deepcopy(answering.model).eval()
    return EvaluationJob(model, answering.spec.outputs_probabilities, lambda: load_dataset(SAMPLE_DATASET),
                         _tr("Sample model (small CNN trained on the bundled MNIST sample)"), 0)
