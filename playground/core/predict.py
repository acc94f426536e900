"""Class probabilities for drawn images from a model copy fed with weight snapshots."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from playground.core.builder import build_model
from playground.core.layers import Shape
from playground.core.spec import NetworkSpec
from playground.data.tensors import normalise


def probabilities(model: nn.Module, images: np.ndarray, mean: Sequence[float], std: Sequence[float],
                  ends_in_softmax: bool = False) -> np.ndarray:
    """Run ``model`` (in eval mode) on float images in [0, 1] shaped (N, H, W) or (N, C, H, W).

    Args:
        model: a network taking normalised (N, C, H, W) input.
        images: pixel values in [0, 1] (what ``preprocess.to_mnist`` returns).
        mean: the training normalisation mean, one value per channel.
        std: the training normalisation standard deviation, one value per channel.
        ends_in_softmax: the network already outputs probabilities.

    Returns:
        float32 (N, classes) rows that sum to 1.
    """
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    if x.dim() == 3:
        x = x.unsqueeze(1)
    x = normalise(x, mean, std)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(x.to(next(model.parameters()).device)).float().cpu()
    model.train(was_training)
    probs = out if ends_in_softmax else torch.softmax(out, dim=1)
    return probs.numpy()


class Predictor:
    """Owns its own model copy; loads the trainer's snapshots and answers on the caller's thread."""

    def __init__(self, spec: NetworkSpec, input_shape: Shape, outputs: int,
                 mean: Sequence[float], std: Sequence[float]) -> None:
        self.model = build_model(spec, input_shape, outputs).eval()
        self.spec, self.input_shape, self.outputs = spec, tuple(input_shape), outputs
        self.mean, self.std = tuple(mean), tuple(std)
        self.ends_in_softmax = spec.outputs_probabilities
        self.version = -1

    def load(self, version: int, state: dict[str, torch.Tensor]) -> bool:
        """Load a snapshot unless it is the one already loaded; True when weights changed."""
        if version == self.version or not state:
            return False
        self.model.load_state_dict(state)
        self.version = version
        return True

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (N, classes) for float images in [0, 1]."""
        return probabilities(self.model, images, self.mean, self.std, self.ends_in_softmax)
