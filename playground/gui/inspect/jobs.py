"""Evaluation jobs for the trainer's latest snapshot or the drawing pad's sample model (GUI thread)."""

from __future__ import annotations

import copy

import torch
from PySide6.QtCore import QCoreApplication
from torch import nn

from playground.core.builder import build_model
from playground.core.spec import NetworkSpec
from playground.core.training import Trainer
from playground.data.sources import Dataset, load_dataset
from playground.errors import PlaygroundError
from playground.gui.draw.source import AnsweringModel
from playground.gui.inspect.evaluator import EvaluationJob

SAMPLE_DATASET = "mnist-sample"


def _tr(text: str) -> str:
    return QCoreApplication.translate("EvaluationPanel", text)


def ends_in_softmax(spec: NetworkSpec) -> bool:
    """True when the network's last layer already outputs probabilities."""
    return bool(spec.layers) and spec.layers[-1].activation == "softmax"


def model_copy(spec: NetworkSpec, dataset: Dataset, loss: str, state: dict[str, torch.Tensor]) -> nn.Module:
    """A fresh model for ``spec`` holding ``state``.

    It is built on the meta device, so making it draws nothing from torch's global random generator
    (which a training thread's dropout shares).
    """
    with torch.device("meta"):
        model = build_model(spec, dataset.input_shape, dataset.num_classes, loss=loss)
    model = model.to_empty(device="cpu")
    if set(dict(model.named_buffers())) - set(model.state_dict()):
        model = build_model(spec, dataset.input_shape, dataset.num_classes, loss=loss)  # unsaved buffers
    model.load_state_dict(state)
    return model.eval()


def live_job(trainer: Trainer, dataset: Dataset, description: str,
             state: dict[str, torch.Tensor] | None = None) -> EvaluationJob:
    """A job for ``state`` (by default the trainer's latest weight snapshot); PlaygroundError when
    there is none or it does not fit."""
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
    return EvaluationJob(model, ends_in_softmax(trainer.spec), lambda: dataset, description)


def sample_job(answering: AnsweringModel | None) -> EvaluationJob:
    """A job for the drawing pad's sample model on the bundled MNIST sample's test split."""
    if answering is None:
        raise PlaygroundError(_tr("No model can be tested: the sample model did not load."))
    if answering.live:
        raise PlaygroundError(_tr("The network being trained is tested after its next epoch."),
                              _tr("press Evaluate again once an epoch has finished"))
    model = copy.deepcopy(answering.model).eval()
    return EvaluationJob(model, ends_in_softmax(answering.spec), lambda: load_dataset(SAMPLE_DATASET),
                         _tr("Sample model (small CNN trained on the bundled MNIST sample)"))
