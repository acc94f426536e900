"""The editor's network with the weights the session has for it, for the views that look at it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from PySide6.QtCore import QCoreApplication
from torch import nn

from playground.core.builder import build_model
from playground.errors import PlaygroundError

if TYPE_CHECKING:
    from playground.gui.session import TrainingSession


def _tr(text: str) -> str:
    return QCoreApplication.translate("SessionModel", text)


def session_model(session: TrainingSession) -> tuple[nn.Module, str]:
    """The editor's network built for the selected dataset, holding the weights of the run in progress
    (its latest snapshot), else the kept ones, else fresh ones (seeded with the settings' seed); and how
    to name those weights ("the run in progress", "weights trained for 3 epoch(s)", ...).

    Raises:
        PlaygroundError: no dataset or no network; SpecError (one) when the network does not fit the data.
    """
    dataset, spec, config = session.dataset, session.spec, session.config
    if dataset is None or spec is None or not spec.layers:
        raise PlaygroundError(_tr("Choose a dataset and build a network first"))
    torch.manual_seed(config.seed or 0)
    model = build_model(spec, dataset.input_shape, dataset.outputs, config.init, config.loss)
    trainer = session.trainer
    if trainer is not None:
        _version, weights = trainer.snapshot()
        if weights:
            model.load_state_dict(weights)
            return model, _tr("the run in progress")
    trained = session.usable()
    if trained is not None:
        model.load_state_dict(trained.weights)
        return model, _tr("weights trained for {0} epoch(s)").format(trained.epochs_done)
    return model, _tr("fresh, untrained weights")
