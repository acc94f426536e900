"""Prediction from files: open any model the app writes, read digit images, classify them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from torch import nn

from playground.core.analysis import analyse
from playground.core.builder import build_model
from playground.core.factcheck import check_class_names
from playground.core.picture import read_levels
from playground.core.predict import probabilities
from playground.core.preprocess import to_mnist
from playground.core.spec import NetworkSpec
from playground.core.specfile import read_spec_data
from playground.data.dataset import CLASSIFICATION, DataFacts
from playground.errors import PlaygroundError, SpecError

if TYPE_CHECKING:
    from playground.core.project import Project
    from playground.core.training import TrainConfig

MNIST_INPUT = (1, 28, 28)
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
WEIGHTS_SUFFIXES = (".pt", ".pth", ".safetensors")


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to classify 28x28 digits, with what it needs to read them."""

    model: nn.Module
    class_names: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
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


def _loaded(model: nn.Module, spec: NetworkSpec, facts: DataFacts, where: Path) -> LoadedModel:
    """A model that reads digits; PlaygroundError when its facts say it reads something else."""
    if facts.input_shape != MNIST_INPUT or facts.task != CLASSIFICATION:
        shape = "x".join(map(str, facts.input_shape))
        what = "" if facts.input_shape != MNIST_INPUT else " and predicts values, not classes"
        raise PlaygroundError(f"{where}: the model reads {shape} inputs{what}",
                              "prediction from image files needs a classifier of 28x28 grayscale images")
    try:
        count = _output_size(spec)
    except SpecError as exc:
        raise SpecError(f"{where}: {exc.message}", exc.hint) from None
    if len(facts.class_names) != count:
        raise PlaygroundError(f"{where}: {len(facts.class_names)} class names for {count} outputs")
    return LoadedModel(model.eval(), facts.class_names, facts.mean, facts.std, spec.outputs_probabilities)


def open_model(path: str | Path, spec_path: str | Path | None = None) -> Project:
    """Open any model file the app writes as a project: a project (.nnproj), a model from
    ``train --save`` (.safetensors), or, with ``spec_path``, a state dict (.pt, .pth, .safetensors).

    A state dict (read weights-only) needs ``spec_path``: the network's JSON spec, which may also carry
    "mean", "std", "class_names" and "dataset"; without them MNIST's 0.1307 / 0.3081, the class numbers
    and "mnist" are used, with the default training settings.

    Raises:
        PlaygroundError: the file cannot be read, or does not fit the network.
    """
    from playground.core.project import (
        PROJECT_SUFFIX,
        facts_from_json,
        load_model,
        load_project,
        model_config,
    )
    from playground.core.training import TrainConfig

    path = Path(path)
    if spec_path is not None:
        from playground.core.weights import load_weights

        spec, data = read_spec_data(spec_path)
        try:
            count = _output_size(spec)
        except SpecError as exc:
            raise SpecError(f"{spec_path}: {exc.message}", exc.hint) from None
        names = data.get("class_names")
        names = [str(n) for n in range(count)] if names is None else check_class_names(names, count,
                                                                                      str(spec_path))
        dataset = data.get("dataset") if isinstance(data.get("dataset"), str) else "mnist"
        old_style = {"dataset": dataset or "mnist", "class_names": list(names), "num_classes": len(names),
                     "input_shape": data.get("input_shape", list(MNIST_INPUT)),
                     "mean": data.get("mean", MNIST_MEAN), "std": data.get("std", MNIST_STD)}
        facts = facts_from_json(old_style, str(spec_path), "fix the spec file's mean, std or class names")
        if facts.input_shape != MNIST_INPUT:
            raise PlaygroundError(f"{spec_path}: a state dict with a spec is read as 28x28 grayscale digits, "
                                  f"not {'x'.join(map(str, facts.input_shape))} inputs",
                                  "use the project (.nnproj) or model file (.safetensors) the app saved")
        model = build_model(spec, MNIST_INPUT, count)
        load_weights(path, model)
        return _as_project(spec, TrainConfig(), model, facts)
    if path.suffix.lower() == PROJECT_SUFFIX:
        return load_project(path)
    if path.suffix.lower() == ".safetensors":
        spec, model, model_facts = load_model(path)
        return _as_project(spec, model_config(path), model, model_facts)
    raise PlaygroundError(f"{path}: a {path.suffix or 'file without suffix'} model needs a spec file",
                          "give the network's spec (--spec FILE.json), or use a .nnproj project or a "
                          ".safetensors model from train --save")


def _as_project(spec: NetworkSpec, config: TrainConfig, model: nn.Module, facts: DataFacts) -> Project:
    """A project of a model file's network, weights and data facts (no runs)."""
    from playground.core.project import Project

    weights = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return Project(spec, config, facts, weights=weights)


def load_for_prediction(path: str | Path, spec_path: str | Path | None = None) -> LoadedModel:
    """Open a project (.nnproj), a model from ``train --save`` (.safetensors) or a state dict with a spec
    (see ``open_model``), ready to classify digits.

    Raises:
        PlaygroundError: the file cannot be read, has no trained weights, or does not fit the network.
    """
    project = open_model(path, spec_path)
    if project.weights is None:
        raise PlaygroundError(f"{path}: the project has no trained weights", "train it first")
    return _loaded(project.build(), project.spec, project.facts, Path(path))


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
