"""Prediction from files: open any model the app writes, read digit images, classify them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from torch import nn

from playground.core.builder import build_model
from playground.core.layers import LAYER_TYPES, ShapeProblem
from playground.core.predict import probabilities
from playground.core.preprocess import to_mnist
from playground.core.spec import NetworkSpec
from playground.data.dataset import CLASSIFICATION, DataFacts, channel_stats
from playground.errors import PlaygroundError, SpecError

if TYPE_CHECKING:
    from playground.core.project import Project
    from playground.core.training import TrainConfig

MNIST_INPUT = (1, 28, 28)
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
MAX_IMAGE_SIDE = 2048  # larger pictures are shrunk first; the network sees 28x28 anyway
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


def _spec_with_facts(path: Path) -> tuple[NetworkSpec, dict]:
    """Read a spec file; besides its layers it may hold "mean", "std" and "class_names"."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except json.JSONDecodeError as exc:
        raise SpecError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    try:
        spec = NetworkSpec.from_dict(data)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc.message}", exc.hint) from None
    return spec, data


def _facts(facts: DataFacts) -> dict:
    """A model file's or project's data facts in the form a spec file's facts take."""
    return {"input_shape": facts.input_shape, "class_names": facts.class_names, "mean": facts.mean,
            "std": facts.std, "task": facts.task}


def _loaded(model: nn.Module, spec: NetworkSpec, facts: dict, where: Path) -> LoadedModel:
    shape = tuple(facts.get("input_shape", MNIST_INPUT))
    if shape != MNIST_INPUT or facts.get("task", CLASSIFICATION) != CLASSIFICATION:
        raise PlaygroundError(f"{where}: the model reads {'x'.join(map(str, shape))} inputs"
                              + ("" if shape != MNIST_INPUT else " and predicts values, not classes"),
                              "prediction from image files needs a classifier of 28x28 grayscale images")
    count = _output_size(spec)
    names = tuple(str(n) for n in facts.get("class_names") or range(count))
    try:
        mean, std = channel_stats(facts.get("mean", MNIST_MEAN)), channel_stats(facts.get("std", MNIST_STD))
    except (TypeError, ValueError):
        mean = std = ()
    if len(names) != count or len(mean) != 1 or len(std) != 1 or not std[0] > 0:
        raise PlaygroundError(f"{where}: the class names, mean or std do not fit the network")
    return LoadedModel(model.eval(), names, mean, std, spec.outputs_probabilities)


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

        spec, facts = _spec_with_facts(Path(spec_path))
        count = _output_size(spec)
        model = build_model(spec, MNIST_INPUT, count)
        load_weights(path, model)
        names = facts.get("class_names") or [str(n) for n in range(count)]
        dataset = facts.get("dataset") if isinstance(facts.get("dataset"), str) else "mnist"
        data = {"dataset": dataset or "mnist", "class_names": names, "num_classes": len(names),
                "input_shape": list(MNIST_INPUT), "mean": facts.get("mean", MNIST_MEAN),
                "std": facts.get("std", MNIST_STD)}
        return _as_project(spec, TrainConfig(), model, facts_from_json(data, str(spec_path)))
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
    return _loaded(project.build(), project.spec, _facts(project.facts), Path(path))


def read_digit(path: str | Path) -> np.ndarray | None:
    """A picture file (PNG, JPEG, ...) as an MNIST-style (28, 28) float image, or None if it has no ink.

    The picture is made grayscale (transparent parts count as paper) and inverted when its border is
    light, so dark ink on paper becomes light ink on black like MNIST.

    Raises:
        PlaygroundError: the file cannot be read as a picture.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as raw:
            picture = ImageOps.exif_transpose(raw)
            picture.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
                paper = Image.new("RGBA", picture.size, "white")
                picture = Image.alpha_composite(paper, picture.convert("RGBA"))
            gray = np.asarray(picture.convert("L"), dtype=np.uint8)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise PlaygroundError(f"cannot read the image {path}: {reason}",
                              "give a PNG or JPEG picture of one digit") from None
    border = np.concatenate((gray[0], gray[-1], gray[:, 0], gray[:, -1]))
    if np.median(border) > 127:
        gray = 255 - gray
    return to_mnist(gray)
