"""Prediction from files: open any model the app writes, read digit images, classify them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from torch import nn

from playground.core.builder import build_model
from playground.core.layers import LAYER_TYPES, ShapeProblem
from playground.core.picture import read_levels
from playground.core.predict import probabilities
from playground.core.preprocess import to_mnist
from playground.core.spec import NetworkSpec
from playground.core.specfile import read_spec_data
from playground.errors import PlaygroundError, SpecError

MNIST_INPUT = (1, 28, 28)
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
WEIGHTS_SUFFIXES = (".pt", ".pth", ".safetensors")


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to classify 28x28 digits, with what it needs to read them."""

    model: nn.Module
    class_names: tuple[str, ...]
    mean: float
    std: float
    ends_in_softmax: bool

    def classify(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (N, classes) for (N, 28, 28) float images in [0, 1]."""
        return probabilities(self.model, images, self.mean, self.std, self.ends_in_softmax)


def _output_size(spec: NetworkSpec) -> int:
    """The number of outputs of ``spec`` on a 1x28x28 input: its number of classes."""
    shape: tuple[int, ...] = MNIST_INPUT
    try:
        for lay in spec.layers:
            shape = LAYER_TYPES[lay.type].infer(shape, dict(lay.params))
    except ShapeProblem as exc:
        raise SpecError(f"the network cannot read 28x28 digits: {exc.message}") from None
    if len(shape) != 1:
        raise SpecError("the network does not end in class scores", "end it with Flatten and Linear")
    return shape[0]


def _loaded(model: nn.Module, spec: NetworkSpec, facts: dict, where: Path) -> LoadedModel:
    shape = tuple(facts.get("input_shape", MNIST_INPUT))
    if shape != MNIST_INPUT:
        raise PlaygroundError(f"{where}: the model reads {'x'.join(map(str, shape))} inputs",
                              "prediction from image files needs a model for 28x28 grayscale images")
    count = _output_size(spec)
    names = tuple(str(n) for n in facts.get("class_names") or range(count))
    mean, std = facts.get("mean", MNIST_MEAN), facts.get("std", MNIST_STD)
    if len(names) != count or not all(isinstance(v, int | float) for v in (mean, std)) or not std > 0:
        raise PlaygroundError(f"{where}: the class names, mean or std do not fit the network")
    last = spec.layers[-1] if spec.layers else None
    return LoadedModel(model.eval(), names, float(mean), float(std),
                       bool(last and last.activation == "softmax"))


def load_for_prediction(path: str | Path, spec_path: str | Path | None = None) -> LoadedModel:
    """Open a project (.nnproj), a model from ``train --save`` (.safetensors) or a state dict with a spec.

    A ``.pt``/``.pth`` state dict (read weights-only) needs ``spec_path``: the network's JSON spec, which
    may also carry "mean", "std" and "class_names"; without them MNIST's 0.1307 / 0.3081 and the class
    numbers are used.

    Raises:
        PlaygroundError: the file cannot be read, or does not fit the network.
    """
    from playground.core.project import PROJECT_SUFFIX, load_model, load_project

    path = Path(path)
    if spec_path is not None:
        from playground.core.weights import load_weights

        spec, facts = read_spec_data(spec_path)
        model = build_model(spec, MNIST_INPUT, _output_size(spec))
        load_weights(path, model)
        return _loaded(model, spec, facts, path)
    if path.suffix.lower() == PROJECT_SUFFIX:
        project = load_project(path)
        if project.weights is None:
            raise PlaygroundError(f"{path}: the project has no trained weights", "train it first")
        facts = {"input_shape": project.input_shape, "class_names": project.class_names,
                 "mean": project.mean, "std": project.std}
        return _loaded(project.build(), project.spec, facts, path)
    if path.suffix.lower() == ".safetensors":
        spec, model, facts = load_model(path)
        return _loaded(model, spec, facts, path)
    raise PlaygroundError(f"{path}: a {path.suffix or 'file without suffix'} model needs a spec file",
                          "give the network's spec (--spec FILE.json), or use a .nnproj project or a "
                          ".safetensors model from train --save")


def read_digit(path: str | Path) -> np.ndarray | None:
    """A picture file (PNG, JPEG, ...) as an MNIST-style (28, 28) float image, or None if it has no ink.

    Any mode Pillow reads keeps its real contrast (16-bit and float data included, see
    ``picture.unit_levels``); transparent parts become paper of the colour the ink is not; the picture is
    inverted when its border is light, so dark ink on paper becomes light ink on black like MNIST.

    Raises:
        PlaygroundError: the file cannot be read as a picture, or is too large.
    """
    gray = read_levels(path)
    border = np.concatenate((gray[0], gray[-1], gray[:, 0], gray[:, -1]))
    if np.median(border) > 0.5:
        gray = 1.0 - gray
    return to_mnist(gray)
