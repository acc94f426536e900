"""Class probabilities for 28x28 images from a model copy fed with weight snapshots."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from playground.core.builder import build_model
from playground.core.layers import Shape
from playground.core.spec import NetworkSpec


def probabilities(model: nn.Module, images: np.ndarray, mean: float, std: float,
                  ends_in_softmax: bool = False) -> np.ndarray:
    """Run ``model`` (in eval mode) on float images in [0, 1] shaped (N, H, W) or (N, C, H, W).

    Args:
        model: a network taking normalised (N, C, H, W) input.
        images: pixel values in [0, 1] (what ``preprocess.to_mnist`` returns).
        mean: the training normalisation mean.
        std: the training normalisation standard deviation.
        ends_in_softmax: the network already outputs probabilities.

    Returns:
        float32 (N, classes) rows that sum to 1.
    """
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    if x.dim() == 3:
        x = x.unsqueeze(1)
    x = (x - mean) / std
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(x.to(next(model.parameters()).device)).float().cpu()
    model.train(was_training)
    probs = out if ends_in_softmax else torch.softmax(out, dim=1)
    return probs.numpy()


class Predictor:
    """Owns its own model copy; loads the trainer's snapshots and answers on the caller's thread."""

    def __init__(self, spec: NetworkSpec, input_shape: Shape, num_classes: int,
                 mean: float, std: float) -> None:
        self.model = build_model(spec, input_shape, num_classes).eval()
        self.spec, self.input_shape, self.num_classes = spec, tuple(input_shape), num_classes
        self.mean, self.std = mean, std
        last = spec.layers[-1] if spec.layers else None
        self.ends_in_softmax = bool(last and last.activation == "softmax")
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
