"""Datasets as the app sees them: a reference (id and options), facts known without loading, loaded arrays.

Inputs are (C, H, W) uint8 images with the channel axis (C = 1 or 3), (features,) float32 rows or 2-D
points, or (steps, features) float32 sequences; float inputs come already standardised. Targets are
int64 class indices (classification) or float32 values, (N,) or (N, k) (regression).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.data.checks import pixel_stats
from playground.errors import DatasetError

CLASSIFICATION, REGRESSION = "classification", "regression"
TASKS = (CLASSIFICATION, REGRESSION)
Shape = tuple[int, ...]
OptionValue = int | float | str | bool


@dataclass(frozen=True)
class OptionDef:
    """One option of a parametrised source (points, noise, seed, ...), with its range and a tooltip."""

    name: str
    kind: type
    default: OptionValue
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""

    def check(self, value: Any) -> OptionValue:
        """``value`` as this option's type; a wrong type or a value out of range is a DatasetError."""
        if self.kind is bool:
            ok = isinstance(value, bool)
        elif self.kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.kind is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            value = float(value) if ok else value
        else:
            ok = isinstance(value, str)
        if not ok:
            raise DatasetError(f"option '{self.name}' must be {self.kind.__name__}, not {value!r}")
        low, high = self.minimum, self.maximum
        if isinstance(value, int | float) and not isinstance(value, bool) and (
                (low is not None and value < low) or (high is not None and value > high)):
            raise DatasetError(f"option '{self.name}' must be between {low:g} and {high:g}, not {value}")
        return value

    def parse(self, text: str) -> OptionValue:
        """A value typed on the command line ("200", "0.1", "true") as this option's type, checked."""
        try:
            value: Any = (text.lower() in ("1", "true", "yes") if self.kind is bool
                          else self.kind(text))
        except ValueError:
            raise DatasetError(f"option '{self.name}' must be {self.kind.__name__}, not {text!r}") from None
        return self.check(value)


@dataclass(frozen=True)
class DataRef:
    """Which dataset: a source id ("mnist", "idx:/data/digits", "toy:spiral") and its options.

    Plain, hashable and JSON-friendly: projects store it, the CLI builds it from its flags. Two refs are
    equal when the id and every option are.
    """

    id: str
    options: tuple[tuple[str, OptionValue], ...] = ()

    @classmethod
    def of(cls, dataset_id: str, options: Mapping[str, OptionValue] | None = None) -> DataRef:
        """A ref with its options in a fixed (sorted) order."""
        return cls(dataset_id, tuple(sorted((options or {}).items())))

    def values(self) -> dict[str, OptionValue]:
        """The options as a dict."""
        return dict(self.options)

    @property
    def key(self) -> str:
        """One string for the ref: the id, followed by the options as JSON when there are any."""
        if not self.options:
            return self.id
        return f"{self.id} {json.dumps(self.values(), sort_keys=True, separators=(',', ':'))}"

    def __str__(self) -> str:
        return self.key

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"id": self.id, "options": self.values()}

    @classmethod
    def from_dict(cls, data: Any) -> DataRef:
        """Read what ``to_dict`` wrote; anything else is a DatasetError."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
            raise DatasetError("a dataset reference needs an id")
        options = data.get("options", {})
        if not isinstance(options, dict) or not all(
                isinstance(k, str) and isinstance(v, int | float | str | bool) for k, v in options.items()):
            raise DatasetError(f"dataset {data['id']!r}: its options must be names with plain values")
        return cls.of(data["id"], options)


@dataclass(frozen=True)
class DatasetInfo:
    """What a source knows about its dataset without loading it.

    ``input_shape`` is None while it is only known once loaded (an IDX folder); ``unavailable`` says in
    a few words why it cannot be loaded yet when that is not a missing download.
    """

    ref: DataRef
    name: str
    description: str
    input_shape: Shape | None
    class_names: tuple[str, ...]
    task: str = CLASSIFICATION
    available: bool = True
    location: str | None = None
    needs_download: bool = False
    unavailable: str = ""


@dataclass(frozen=True)
class DataFacts:
    """What a network needs to know of its data to read an input: shape, outputs, normalisation.

    ``mean`` and ``std`` hold one value per image channel ((pixels / 255 - mean) / std); they are empty
    for float inputs, which the network reads as they are.
    """

    dataset: DataRef
    input_shape: Shape
    class_names: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    task: str = CLASSIFICATION
    target_names: tuple[str, ...] = ()

    @property
    def num_classes(self) -> int:
        """How many classes the labels index (0 for regression)."""
        return len(self.class_names)

    @property
    def outputs(self) -> int:
        """How many outputs the network must give: one per class, or one per regression target."""
        return len(self.class_names) if self.task == CLASSIFICATION else len(self.target_names)


@dataclass(eq=False)
class Dataset:
    """A loaded dataset: read-only inputs (N, *input_shape) and targets (N,) or (N, k), and statistics.

    Build one with ``make_dataset``, which checks and freezes the arrays and computes the statistics.
    """

    ref: DataRef
    name: str
    class_names: tuple[str, ...]
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    mean: tuple[float, ...]
    std: tuple[float, ...]
    task: str = CLASSIFICATION
    target_names: tuple[str, ...] = ()
    description: str = field(default="", compare=False)

    @property
    def input_shape(self) -> Shape:
        """The shape of one input: (C, H, W), (features,) or (steps, features)."""
        return tuple(int(d) for d in self.train_x.shape[1:])

    @property
    def num_classes(self) -> int:
        """How many classes the labels index (0 for regression)."""
        return len(self.class_names)

    @property
    def outputs(self) -> int:
        """How many outputs a network for it gives: one per class, or one per regression target."""
        return self.facts.outputs

    @property
    def is_image(self) -> bool:
        """True for (C, H, W) uint8 images."""
        return self.train_x.ndim == 4

    @property
    def facts(self) -> DataFacts:
        """Its facts, for a project or a model file."""
        return DataFacts(self.ref, self.input_shape, self.class_names, self.mean, self.std, self.task,
                         self.target_names)


def channel_stats(value: float | Sequence[float]) -> tuple[float, ...]:
    """A normalisation value as one number per channel: files before colour images held a single number."""
    if isinstance(value, int | float):
        return (float(value),)
    return tuple(float(v) for v in value)


def _targets(name: str, y: np.ndarray, task: str, classes: int) -> np.ndarray:
    if task == CLASSIFICATION:
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise DatasetError(f"{name}: class labels must be whole numbers, one per sample")
        if y.size and (int(y.min()) < 0 or int(y.max()) >= classes):
            raise DatasetError(f"{name}: a label lies outside the {classes} classes")
        return y.astype(np.int64, copy=False)
    if y.ndim not in (1, 2) or not np.all(np.isfinite(y)):
        raise DatasetError(f"{name}: regression targets must be finite numbers, (N,) or (N, k)")
    return y.astype(np.float32, copy=False)


def make_dataset(ref: DataRef, name: str, train: tuple[np.ndarray, np.ndarray],
                 test: tuple[np.ndarray, np.ndarray], *, class_names: Sequence[str] = (),
                 task: str = CLASSIFICATION, target_names: Sequence[str] = (),
                 description: str = "") -> Dataset:
    """A Dataset from its arrays: the one place where loaded arrays are checked, frozen and measured.

    Args:
        ref: which dataset this is.
        name: its name for people.
        train: inputs (N, *shape) and targets of the training split.
        test: the same for the test split.
        class_names: one name per class (classification).
        task: CLASSIFICATION or REGRESSION.
        target_names: one name per regression target (default "target 1", ...).
        description: a sentence on what it holds.

    Raises:
        DatasetError: empty splits, splits of different shapes or dtypes, or targets that do not fit.
    """
    if task not in TASKS:
        raise DatasetError(f"{name}: unknown task {task!r}")
    (train_x, train_y), (test_x, test_y) = train, test
    if len(train_x) == 0 or len(test_x) == 0:
        raise DatasetError(f"{name}: the training or test set holds no samples")
    if train_x.shape[1:] != test_x.shape[1:] or train_x.dtype != test_x.dtype:
        raise DatasetError(f"{name}: training inputs are {train_x.dtype} {train_x.shape[1:]} but test "
                           f"inputs {test_x.dtype} {test_x.shape[1:]}",
                           hint="both splits must hold inputs of one kind")
    if len(train_x) != len(train_y) or len(test_x) != len(test_y):
        raise DatasetError(f"{name}: the inputs and targets differ in number")
    image = train_x.ndim == 4
    if image and train_x.dtype != np.uint8:
        raise DatasetError(f"{name}: images must be uint8 (N, C, H, W), not {train_x.dtype}")
    if not image and train_x.ndim not in (2, 3):
        raise DatasetError(f"{name}: inputs must be images, rows of features or sequences, "
                           f"not {train_x.shape}")
    if not image:
        train_x, test_x = (np.asarray(x, dtype=np.float32) for x in (train_x, test_x))
        if not (np.all(np.isfinite(train_x)) and np.all(np.isfinite(test_x))):
            raise DatasetError(f"{name}: the inputs hold values that are not finite numbers")
    names = tuple(str(n) for n in class_names)
    train_y, test_y = (_targets(name, y, task, len(names)) for y in (train_y, test_y))
    if task == REGRESSION:
        width = 1 if train_y.ndim == 1 else train_y.shape[1]
        if test_y.shape[1:] != train_y.shape[1:]:
            raise DatasetError(f"{name}: the splits have different numbers of targets")
        targets = tuple(str(n) for n in target_names) or tuple(f"target {i + 1}" for i in range(width))
        if len(targets) != width:
            raise DatasetError(f"{name}: {len(targets)} target names for {width} targets")
        names = ()
    else:
        targets = ()
    mean, std = pixel_stats(train_x, name) if image else ((), ())
    for array in (train_x, train_y, test_x, test_y):
        array.setflags(write=False)
    return Dataset(ref, name, names, train_x, train_y, test_x, test_y, mean, std, task, targets, description)
