"""Transfer learning: give a trained network a new output layer and fine-tune it on a few examples."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground.core.builder import PlaygroundNet, build_model
from playground.core.layers import WEIGHTED
from playground.core.spec import NetworkSpec
from playground.data.tensors import augment
from playground.errors import PlaygroundError, SpecError, TrainingError

OUTPUT_HINT = "end the network with a Linear layer (its units are the classes)"
MIN_CLASSES, MAX_CLASSES = 2, 20
MIN_EXAMPLES = 5
EPOCHS = 40
BATCH = 96
LEARNING_RATE = 0.01
TRAIN_LAST = 2
"""Fine-tuning the hidden Linear too reads fresh drawings far better than the output alone
(5 vs 37 errors in 2,400 drawings of +, -, x taught with 5 each, 8 seeds)."""


def _weighted(spec: NetworkSpec) -> list[int]:
    return [i for i, lay in enumerate(spec.layers) if lay.type in WEIGHTED]


def replace_output(spec: NetworkSpec, num_classes: int) -> NetworkSpec:
    """A copy whose last weighted layer, which must be a Linear, has ``num_classes`` units.

    Raises:
        SpecError: if the network has no weighted layer, its last one is not a Linear, or
            ``num_classes`` is below 2.
    """
    if num_classes < 2:
        raise SpecError(f"a classifier needs at least 2 classes, not {num_classes}")
    weighted = _weighted(spec)
    if not weighted:
        raise SpecError("the network has no layer with weights to turn into an output", OUTPUT_HINT)
    last = weighted[-1]
    if spec.layers[last].type != "Linear":
        raise SpecError(
            f"the last layer with weights is a {spec.layers[last].type}, not a Linear", OUTPUT_HINT
        )
    return spec.replace_layer(last, spec.layers[last].with_params(units=num_classes))


def freeze_features(spec: NetworkSpec, train_last: int = 1) -> NetworkSpec:
    """A copy in which only the last ``train_last`` weighted layers train.

    Every earlier weighted layer, and every BatchNorm before the first layer that trains, gets
    ``trainable=False``; the trained layers (and any BatchNorm after the first of them) get True.

    Raises:
        SpecError: if ``train_last`` is below 1 or above the number of weighted layers.
    """
    weighted = _weighted(spec)
    if not 1 <= train_last <= len(weighted):
        raise SpecError(
            f"cannot train the last {train_last} of {len(weighted)} layers with weights",
            f"choose between 1 and {len(weighted)}" if weighted else OUTPUT_HINT,
        )
    first_trained = weighted[-train_last]
    layers = spec
    for i, lay in enumerate(spec.layers):
        if lay.type in WEIGHTED or lay.type == "BatchNorm":
            layers = layers.replace_layer(i, lay.with_trainable(i >= first_trained))
    return layers


def carry_weights(
    state: dict[str, torch.Tensor], model: nn.Module
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Copy into ``model`` every tensor of ``state`` whose name and shape match.

    Returns:
        (copied, skipped): the model's tensor names that were copied, and those left as they
        were because ``state`` lacks them or has another shape; both in the model's order.
    """
    target = model.state_dict()
    copied = tuple(
        name for name, tensor in target.items()
        if name in state and tuple(state[name].shape) == tuple(tensor.shape)
    )
    skipped = tuple(name for name in target if name not in copied)
    with torch.no_grad():
        for name in copied:
            target[name].copy_(state[name])
    return copied, skipped


class TeachingStopped(TrainingError):
    """Teaching was stopped before it finished; nothing was taught."""


@dataclass(frozen=True)
class TaughtModel:
    """A network fine-tuned on a user's examples, ready to read drawings of its classes."""

    spec: NetworkSpec
    model: PlaygroundNet
    class_names: tuple[str, ...]
    mean: float
    std: float
    train_accuracy: float
    seconds: float


def check_examples(images: np.ndarray, labels: np.ndarray, class_names: Sequence[str]) -> np.ndarray:
    """Refuse unusable examples with a PlaygroundError and a hint; return the count per class."""
    names = [str(n).strip() for n in class_names]
    if not MIN_CLASSES <= len(names) <= MAX_CLASSES:
        raise PlaygroundError(f"{len(names)} classes given",
                              f"teach between {MIN_CLASSES} and {MAX_CLASSES} symbols")
    if any(not n for n in names):
        raise PlaygroundError("a symbol has an empty name", "give every symbol a name")
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise PlaygroundError(f"the name '{twice}' is given twice", "give every symbol its own name")
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise PlaygroundError(f"examples must be 28x28 images, one label each, not {images.shape}")
    if not np.all(np.isfinite(images)):
        raise PlaygroundError("an example contains values that are not numbers")
    if labels.size and (labels.min() < 0 or labels.max() >= len(names)):
        raise PlaygroundError("an example has a label outside the symbols")
    counts = np.bincount(labels.astype(np.int64), minlength=len(names))
    few = [n for n, c in zip(names, counts, strict=True) if c < MIN_EXAMPLES]
    if few:
        raise PlaygroundError(f"too few examples of '{few[0]}'",
                              f"draw at least {MIN_EXAMPLES} examples of every symbol")
    return counts


def _loss(out: torch.Tensor, labels: torch.Tensor, ends_in_softmax: bool) -> torch.Tensor:
    if ends_in_softmax:
        return F.nll_loss(out.clamp_min(1e-12).log(), labels)
    return F.cross_entropy(out, labels)


def _set_mode(model: PlaygroundNet) -> None:
    """Train mode from the first block that learns on; the frozen blocks before it (BatchNorm
    statistics, Dropout) stay in eval mode."""
    learning = False
    for block in model.blocks:
        learning = learning or any(p.requires_grad for p in block.parameters())
        block.train(learning)


def teach(
    base_spec: NetworkSpec,
    base_state: dict[str, torch.Tensor],
    images: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    mean: float,
    std: float,
    *,
    epochs: int = EPOCHS,
    seed: int = 0,
    train_last: int = TRAIN_LAST,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TaughtModel:
    """Fine-tune a trained network on a few drawn examples of new classes.

    The output layer is replaced for ``class_names``, every weighted layer but the last
    ``train_last`` is frozen, the base weights are carried over, and the new layers learn with
    Adam from strongly augmented copies of the examples (each epoch sees every example in
    ``BATCH // len(images) + 1`` random shifts, rotations and scales).

    Args:
        base_spec: the trained network.
        base_state: its weights.
        images: (N, 28, 28) floats in [0, 1], as ``preprocess.to_mnist`` returns them.
        labels: (N,) class indices into ``class_names``.
        class_names: 2 to 20 unique, non-empty names.
        mean: the base network's input normalisation mean.
        std: its standard deviation.
        epochs: passes over the augmented examples.
        seed: makes the new layer's start and the augmentation repeat exactly.
        train_last: how many weighted layers (counted from the output) learn; at most all.
        progress: called with the fraction done after each epoch.
        should_stop: polled between epochs; True raises TeachingStopped.

    Raises:
        PlaygroundError: unusable examples or names, or a network that cannot be taught.
    """
    started = time.perf_counter()
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    check_examples(images, labels, class_names)
    names = tuple(str(n).strip() for n in class_names)
    spec = replace_output(base_spec, len(names))
    spec = freeze_features(spec, min(train_last, len(_weighted(spec))))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(spec, (1, 28, 28), len(names))
    _, skipped = carry_weights(base_state, model)
    frozen = {f"blocks.{i}." for i, lay in enumerate(spec.layers) if not lay.trainable}
    if any(name.startswith(tuple(frozen)) for name in skipped):
        raise PlaygroundError("the base network's weights do not fit its layers",
                              "teach from the sample model or a network trained in this app")
    ends_in_softmax = spec.layers[-1].activation == "softmax"
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=LEARNING_RATE)
    x = (torch.from_numpy(images).unsqueeze(1) - mean) / std
    y = torch.from_numpy(labels.astype(np.int64))
    copies = BATCH // len(y) + 1
    x_all, y_all = x.repeat(copies, 1, 1, 1), y.repeat(copies)
    generator = torch.Generator().manual_seed(seed)
    background = -mean / std  # a blank pixel, normalised
    for epoch in range(epochs):
        if should_stop is not None and should_stop():
            raise TeachingStopped("teaching was stopped")
        for group in optimizer.param_groups:
            group["lr"] = LEARNING_RATE * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))
        _set_mode(model)
        order = torch.randperm(len(y_all), generator=generator)
        for index in order.tensor_split(math.ceil(len(order) / BATCH)):
            batch = augment(x_all[index], generator, shift=0.08, degrees=15.0, scale=0.15,
                            background=background)
            loss = _loss(model(batch), y_all[index], ends_in_softmax)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        if progress is not None:
            progress((epoch + 1) / epochs)
    model.eval()
    with torch.no_grad():
        accuracy = float((model(x).argmax(1) == y).float().mean())
    return TaughtModel(spec, model, names, float(mean), float(std), accuracy,
                       time.perf_counter() - started)
