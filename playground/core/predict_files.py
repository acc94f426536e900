"""Prediction from files: open any model the app writes, read digit images, classify them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from torch import nn

from playground.core.analysis import analyse
from playground.core.builder import build_model
from playground.core.factcheck import check_class_names, check_input_shape, check_norm
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
        """Probabilities (N, classes) for (N, 28, 28) float images in [0, 1].

        Raises:
            PlaygroundError: the network's answer is not a number (its sums overflow), so there is none.
        """
        probs = probabilities(self.model, images, self.mean, self.std, self.ends_in_softmax)
        if not np.isfinite(probs).all():
            raise PlaygroundError("the network's answer is not a number (NaN or infinite)",
                                  "its weights are too large to compute with; use weights from a run that "
                                  "did not diverge")
        return probs


def _output_size(spec: NetworkSpec) -> int:
    """The number of outputs of ``spec`` on a 1x28x28 input: its number of classes. Every layer's ranges
    are checked before any shape is inferred, and the size caps after."""
    result = analyse(spec, MNIST_INPUT, 1)
    shape = result.output_shape
    if shape is None:
        raise SpecError(f"the network cannot read 28x28 digits: {result.errors[0].text}")
    if len(shape) != 1:
        raise SpecError("the network does not end in class scores", "end it with Flatten and Linear")
    result = analyse(spec, MNIST_INPUT, shape[0])
    if not result.ok:
        raise SpecError(f"the network cannot read 28x28 digits: {result.errors[0].text}")
    return shape[0]


def _reading(spec: NetworkSpec, facts: dict, where: Path) -> tuple[int, tuple[str, ...], float, float]:
    """What a network needs to read a digit, from ``facts`` (MNIST's where they are silent), checked:
    its number of classes, their names, the normalisation mean and std."""
    shape = check_input_shape(facts.get("input_shape", MNIST_INPUT), str(where))
    if shape != MNIST_INPUT:
        raise PlaygroundError(f"{where}: the model reads {'x'.join(map(str, shape))} inputs",
                              "prediction from image files needs a model for 28x28 grayscale images")
    try:
        count = _output_size(spec)
    except SpecError as exc:
        raise SpecError(f"{where}: {exc.message}", exc.hint) from None
    names = facts.get("class_names")
    names = tuple(map(str, range(count))) if names is None else check_class_names(names, count, str(where))
    mean, std = check_norm(facts.get("mean", MNIST_MEAN), facts.get("std", MNIST_STD), str(where))
    return count, names, mean, std


def _loaded(model: nn.Module, spec: NetworkSpec, facts: dict, where: Path) -> LoadedModel:
    _, names, mean, std = _reading(spec, facts, where)
    return _ready(model, spec, names, mean, std)


def _ready(model: nn.Module, spec: NetworkSpec, names: tuple[str, ...], mean: float,
           std: float) -> LoadedModel:
    last = spec.layers[-1] if spec.layers else None
    return LoadedModel(model.eval(), names, mean, std, bool(last and last.activation == "softmax"))


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
        count, names, mean, std = _reading(spec, facts, Path(spec_path))
        model = build_model(spec, MNIST_INPUT, count)
        load_weights(path, model)
        return _ready(model, spec, names, mean, std)
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
