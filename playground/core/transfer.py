"""Transfer learning: give a trained network a new output layer and fine-tune it on a few examples."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from playground.core.builder import PlaygroundNet, build_model
from playground.core.layers import LAYER_TYPES
from playground.core.metrics import EpochRecord, RunState, StateRecord
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig, Trainer
from playground.data.dataset import DataRef, channel_stats, make_dataset
from playground.data.tensors import Augmentation
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
STRONG = Augmentation(shift=0.08, degrees=15.0, scale=0.15)
"""A few examples need stronger shifts, turns and zooms than a whole dataset does."""
EXAMPLES = DataRef("taught-examples")


def weighted_layers(spec: NetworkSpec) -> list[int]:
    """The indexes of the layers that own weights (dense, convolution, recurrent)."""
    return [i for i, lay in enumerate(spec.layers) if LAYER_TYPES[lay.type].weighted]


def replace_output(spec: NetworkSpec, num_classes: int) -> NetworkSpec:
    """A copy whose last weighted layer, which must be a Linear, has ``num_classes`` units.

    Raises:
        SpecError: if the network has no weighted layer, its last one is not a Linear, or
            ``num_classes`` is below 2.
    """
    if num_classes < 2:
        raise SpecError(f"a classifier needs at least 2 classes, not {num_classes}")
    weighted = weighted_layers(spec)
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

    Every earlier weighted layer, and every normalisation layer before the first layer that trains,
    gets ``trainable=False``; the trained layers (and any normalisation after the first of them) get True.

    Raises:
        SpecError: if ``train_last`` is below 1 or above the number of weighted layers.
    """
    weighted = weighted_layers(spec)
    if not 1 <= train_last <= len(weighted):
        raise SpecError(
            f"cannot train the last {train_last} of {len(weighted)} layers with weights",
            f"choose between 1 and {len(weighted)}" if weighted else OUTPUT_HINT,
        )
    first_trained = weighted[-train_last]
    layers = spec
    for i, lay in enumerate(spec.layers):
        row = LAYER_TYPES[lay.type]
        if row.weighted or row.family == "normalisation":
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
    mean: tuple[float, ...]
    std: tuple[float, ...]
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


def teach(
    base_spec: NetworkSpec,
    base_state: dict[str, torch.Tensor],
    images: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    mean: float | Sequence[float],
    std: float | Sequence[float],
    *,
    epochs: int = EPOCHS,
    seed: int = 0,
    train_last: int = TRAIN_LAST,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> TaughtModel:
    """Fine-tune a trained network on a few drawn examples of new classes, with the Trainer.

    The output layer is replaced for ``class_names``, every weighted layer but the last
    ``train_last`` is frozen, the base weights are carried over, and the new layers learn with
    Adam and a cosine schedule from strongly augmented copies of the examples (each epoch sees every
    example in ``BATCH // len(images) + 1`` random shifts, rotations and scales).

    Args:
        base_spec: the trained network.
        base_state: its weights.
        images: (N, 28, 28) floats in [0, 1], as ``preprocess.to_mnist`` returns them.
        labels: (N,) class indices into ``class_names``.
        class_names: 2 to 20 unique, non-empty names.
        mean: the base network's input normalisation mean (one value per channel).
        std: its standard deviation.
        epochs: passes over the augmented examples.
        seed: makes the new layer's start and the augmentation repeat exactly.
        train_last: how many weighted layers (counted from the output) learn; at most all.
        progress: called with the fraction done after each epoch.
        cancel: set it to stop; teaching then raises TeachingStopped.

    Raises:
        PlaygroundError: unusable examples or names, or a network that cannot be taught.
    """
    started = time.perf_counter()
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    check_examples(images, labels, class_names)
    names = tuple(str(n).strip() for n in class_names)
    spec = replace_output(base_spec, len(names))
    spec = freeze_features(spec, min(train_last, len(weighted_layers(spec))))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(spec, (1, 28, 28), len(names))
    _, skipped = carry_weights(base_state, model)
    frozen = {f"blocks.{i}." for i, lay in enumerate(spec.layers) if not lay.trainable}
    if any(name.startswith(tuple(frozen)) for name in skipped):
        raise PlaygroundError("the base network's weights do not fit its layers",
                              "teach from the sample model or a network trained in this app")
    pixels = np.round(np.clip(images, 0.0, 1.0) * 255).astype(np.uint8)[:, None]
    targets = labels.astype(np.int64)
    copies = BATCH // len(targets) + 1
    repeated = (np.tile(pixels, (copies, 1, 1, 1)), np.tile(targets, copies))
    examples = make_dataset(EXAMPLES, "your examples", repeated, (pixels, targets), class_names=names)
    examples = replace(examples, mean=channel_stats(mean), std=channel_stats(std))
    config = TrainConfig(optimizer="adam", learning_rate=LEARNING_RATE, batch_size=BATCH, epochs=epochs,
                         seed=seed, augment=True, schedule="cosine", device="cpu")
    with torch.random.fork_rng(devices=[]):
        trainer = Trainer(spec, examples, config, model=model, augmentation=STRONG, cancel=cancel)
        accuracy = 0.0
        for record in trainer.run():
            if isinstance(record, EpochRecord):
                accuracy = record.test_accuracy or 0.0
                if progress is not None:
                    progress(record.epoch / epochs)
            elif isinstance(record, StateRecord) and record.state == RunState.STOPPED:
                raise TeachingStopped("teaching was stopped")
            elif isinstance(record, StateRecord) and record.state == RunState.DIVERGED:
                raise TrainingError(f"teaching diverged: {record.message}", record.hint)
    model.eval()
    return TaughtModel(spec, model, names, examples.mean, examples.std, accuracy,
                       time.perf_counter() - started)
