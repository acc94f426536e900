"""TensorFlow Playground's 2-D datasets (as its dataset.ts makes them), a 3-class spiral, splits, features."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from playground.errors import DatasetError
from playground.safe_read import short

DOMAIN = (-6.0, 6.0)
"""The square TFP draws its points and its decision boundary on (playground.ts ``xDomain``)."""
CLASSIFY_POINTS = 500
REGRESS_POINTS = 1200
POINTS_RANGE = (10, 20_000)
NOISE_RANGE = (0.0, 0.5)
RATIO_RANGE = (0.1, 0.9)
DEFAULT_RATIO = 0.5
DEFAULT_FEATURES = ("x1", "x2")
_TWO_CLASSES = ("negative (-1)", "positive (+1)")


@dataclass(frozen=True)
class ToySamples:
    """2-D points (N, 2) float32 with int64 classes (N,) or float32 regression targets (N, 1)."""

    points: np.ndarray
    targets: np.ndarray

    def __len__(self) -> int:
        return int(self.points.shape[0])


@dataclass(frozen=True)
class ToySplit:
    """A seeded train / test split of one set of samples."""

    train: ToySamples
    test: ToySamples


@dataclass(frozen=True)
class ToyDataset:
    """One row of the catalogue: a generator ``(points, noise, rng) -> samples`` and what it is."""

    id: str
    name: str
    description: str
    class_names: tuple[str, ...]
    """Empty for regression."""
    default_points: int
    generate: Callable[[int, float, np.random.Generator], ToySamples]

    @property
    def is_regression(self) -> bool:
        """True when the targets are values in about [-1, 1] rather than classes."""
        return not self.class_names


def _classes(points: np.ndarray, labels: np.ndarray) -> ToySamples:
    return ToySamples(points.astype(np.float32), labels.astype(np.int64))


def _values(points: np.ndarray, values: np.ndarray) -> ToySamples:
    return ToySamples(points.astype(np.float32), values.astype(np.float32).reshape(-1, 1))


def _counts(total: int, classes: int) -> list[int]:
    """Points per class, as even as possible; TFP's loops give numSamples / classes each."""
    return [total // classes + (k < total % classes) for k in range(classes)]


def circle(points: int, noise: float, rng: np.random.Generator) -> ToySamples:
    """Class 1 inside radius 2.5, class 0 in the ring 3.5-5; labels from the noisy position."""
    radius = 5.0
    inside, outside = _counts(points, 2)
    r = np.concatenate([rng.uniform(0, radius * 0.5, inside), rng.uniform(radius * 0.7, radius, outside)])
    angle = rng.uniform(0, 2 * math.pi, points)
    xy = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    shifted = xy + rng.uniform(-radius, radius, (points, 2)) * noise
    return _classes(xy, np.hypot(shifted[:, 0], shifted[:, 1]) < radius * 0.5)


def xor(points: int, noise: float, rng: np.random.Generator) -> ToySamples:
    """Uniform on [-5, 5]^2 pushed 0.3 away from the axes; class 1 where x1 * x2 >= 0."""
    xy = rng.uniform(-5, 5, (points, 2))
    xy += np.where(xy > 0, 0.3, -0.3)
    shifted = xy + rng.uniform(-5, 5, (points, 2)) * noise
    return _classes(xy, shifted[:, 0] * shifted[:, 1] >= 0)


def two_gauss(points: int, noise: float, rng: np.random.Generator) -> ToySamples:
    """Class 1 around (2, 2), class 0 around (-2, -2); variance 0.5 at noise 0 to 4 at noise 0.5."""
    variance = 0.5 + noise * (4.0 - 0.5) / 0.5
    positive, negative = _counts(points, 2)
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [positive, negative], axis=0)
    xy = centres + rng.normal(0.0, math.sqrt(variance), (points, 2))
    return _classes(xy, np.repeat([1, 0], [positive, negative]))


def _spiral(points: int, noise: float, rng: np.random.Generator, arms: int,
            label_of_arm: Callable[[int], int]) -> ToySamples:
    """Arms of 1.75 turns, radius 0 to 5, ``2 pi k / arms`` apart; noise is uniform +-noise."""
    xy, labels = [], []
    for arm, n in enumerate(_counts(points, arms)):
        i = np.arange(n)
        r = i / n * 5
        t = 1.75 * i / n * 2 * math.pi + 2 * math.pi * arm / arms
        xy.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + rng.uniform(-1, 1, (n, 2)) * noise)
        labels.append(np.full(n, label_of_arm(arm)))
    return _classes(np.concatenate(xy), np.concatenate(labels))


def spiral(points: int, noise: float, rng: np.random.Generator) -> ToySamples:
    """TFP's two interleaved spirals: class 1 starts at angle 0, class 0 at pi."""
    return _spiral(points, noise, rng, 2, lambda arm: 1 - arm)


def spiral3(points: int, noise: float, rng: np.random.Generator) -> ToySamples:
    """Three interleaved spirals built like TFP's, 120 degrees apart; arm k is class k."""
    return _spiral(points, noise, rng, 3, lambda arm: arm)


def _noisy_square(points: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform on [-6, 6]^2 and the noisy positions their values are read at."""
    radius = 6.0
    xy = rng.uniform(-radius, radius, (points, 2))
    return xy, xy + rng.uniform(-radius, radius, (points, 2)) * noise


def plane(points: int, noise: float, rng: np.random.Generator) -> ToySamples:
    """Value (x1 + x2) / 10 (TFP's scale maps [-10, 10] to [-1, 1] unclamped: corners reach 1.2)."""
    xy, shifted = _noisy_square(points, noise, rng)
    return _values(xy, shifted.sum(axis=1) / 10)


_GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def multi_gauss(points: int, noise: float, rng: np.random.Generator) -> ToySamples:
    """Six bumps of sign +-1 falling linearly to 0 at distance 2; the largest in size wins."""
    xy, shifted = _noisy_square(points, noise, rng)
    distance = np.hypot(shifted[:, None, 0] - _GAUSSIANS[:, 0], shifted[:, None, 1] - _GAUSSIANS[:, 1])
    bumps = _GAUSSIANS[:, 2] * np.clip(1 - distance / 2, 0, 1)
    strongest = np.abs(bumps).argmax(axis=1)
    return _values(xy, bumps[np.arange(points), strongest])


TOY_DATASETS: dict[str, ToyDataset] = {
    row.id: row
    for row in (
        ToyDataset("circle", "Circle", "One class in a disc, the other in a ring around it.",
                   _TWO_CLASSES, CLASSIFY_POINTS, circle),
        ToyDataset("xor", "XOR", "Classes by the sign of x1 * x2: opposite quadrants share a class.",
                   _TWO_CLASSES, CLASSIFY_POINTS, xor),
        ToyDataset("gauss", "Two Gaussians", "Two round clouds; noise makes them overlap.",
                   _TWO_CLASSES, CLASSIFY_POINTS, two_gauss),
        ToyDataset("spiral", "Spiral", "Two interleaved spiral arms: the hardest of TFP's four.",
                   _TWO_CLASSES, CLASSIFY_POINTS, spiral),
        ToyDataset("spiral3", "Three spirals", "Three interleaved spiral arms, one class each.",
                   ("arm 1", "arm 2", "arm 3"), CLASSIFY_POINTS, spiral3),
        ToyDataset("plane", "Plane", "Regression: the value rises evenly towards the top right.",
                   (), REGRESS_POINTS, plane),
        ToyDataset("multigauss", "Multi-Gaussian", "Regression: six bumps of value +1 or -1.",
                   (), REGRESS_POINTS, multi_gauss),
    )
}


def _check(name: str, value: float, bounds: tuple[float, float], hint: str) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not (
        low <= value <= high
    ):
        raise DatasetError(f"{name} must be between {low:g} and {high:g}, not {value!r}", hint)


def make_toy(dataset_id: str, points: int | None = None, noise: float = 0.0, seed: int = 0) -> ToySamples:
    """Generate ``points`` samples (the dataset's TFP default when None) of a catalogue dataset.

    Args:
        dataset_id: a key of TOY_DATASETS ("circle", "xor", ...).
        points: how many samples, within POINTS_RANGE.
        noise: TFP's noise slider as a fraction, 0 to 0.5.
        seed: seeds numpy's generator; the same arguments give the same samples.
    """
    row = TOY_DATASETS.get(dataset_id)
    if row is None:
        raise DatasetError(f"unknown 2-D dataset '{dataset_id}'", f"choose one of {', '.join(TOY_DATASETS)}")
    count = row.default_points if points is None else points
    if not isinstance(count, int) or isinstance(count, bool):
        raise DatasetError(f"the number of points must be a whole number, not {count!r}",
                           f"TFP uses {row.default_points}")
    _check("the number of points", count, POINTS_RANGE, f"TFP uses {row.default_points}")
    _check("noise", noise, NOISE_RANGE, "0.5 is TFP's 50 %")
    check_seed(seed)
    return row.generate(count, float(noise), np.random.default_rng(seed))


def check_seed(seed: int) -> None:
    """A seed must be a whole number from 0 to 2^31 - 1 (the trainer's range)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise DatasetError(f"the seed must be a whole number from 0 to 2147483647, not {seed!r}")


def split(samples: ToySamples, ratio: float = DEFAULT_RATIO, seed: int = 0) -> ToySplit:
    """Shuffle (seeded) and cut: the first ``floor(N * ratio)`` samples train, the rest test, as TFP does."""
    _check("the training ratio", ratio, RATIO_RANGE, "TFP's default is 0.5")
    check_seed(seed)
    if len(samples) < 2:
        raise DatasetError("at least two points are needed to split into train and test", "add points")
    order = np.random.default_rng(seed).permutation(len(samples))
    cut = min(max(int(math.floor(len(samples) * ratio)), 1), len(samples) - 1)
    train, test = order[:cut], order[cut:]
    return ToySplit(ToySamples(samples.points[train], samples.targets[train]),
                    ToySamples(samples.points[test], samples.targets[test]))


@dataclass(frozen=True)
class Feature:
    """One input feature TFP offers: a CLI name, a label for the screen, and a function of (x1, x2)."""

    name: str
    label: str
    function: Callable[[np.ndarray, np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    row.name: row
    for row in (
        Feature("x1", "x₁", lambda x1, x2: x1),
        Feature("x2", "x₂", lambda x1, x2: x2),
        Feature("x1sq", "x₁²", lambda x1, x2: x1 * x1),
        Feature("x2sq", "x₂²", lambda x1, x2: x2 * x2),
        Feature("x1x2", "x₁x₂", lambda x1, x2: x1 * x2),
        Feature("sinx1", "sin(x₁)", lambda x1, x2: np.sin(x1)),
        Feature("sinx2", "sin(x₂)", lambda x1, x2: np.sin(x2)),
    )
}


def check_features(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The names as a tuple; unknown, repeated or no names raise DatasetError."""
    names = tuple(names)
    known = f"features: {', '.join(FEATURES)}"
    if not names:
        raise DatasetError("choose at least one input feature", known)
    for name in names:
        if name not in FEATURES:
            raise DatasetError(f"unknown input feature {short(name)}", known)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DatasetError(f"the input feature {short(repeated[0])} is chosen twice",
                           "name each feature once")
    return names


def parse_features(text: str) -> tuple[str, ...]:
    """Feature names from a comma-separated list such as ``"x1,x2,x1x2"`` (spaces allowed)."""
    return check_features(tuple(part.strip() for part in text.split(",") if part.strip()))


def feature_matrix(points: np.ndarray, names: tuple[str, ...] | list[str]) -> np.ndarray:
    """The chosen features of (N, 2) points as an (N, F) float32 matrix, columns in the order named."""
    names = check_features(names)
    xy = np.asarray(points, dtype=np.float32)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise DatasetError(f"2-D points must be an (N, 2) array, not {xy.shape}")
    x1, x2 = xy[:, 0], xy[:, 1]
    return np.stack([FEATURES[name].function(x1, x2) for name in names], axis=1).astype(np.float32)
