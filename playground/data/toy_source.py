"""The 2-D datasets as sources: ``toy:circle``, ``toy:xor``, ``toy:gauss``, ``toy:spiral``, ``toy:spiral3``,
``toy:plane`` and ``toy:multigauss``, with TFP's settings as options (points, noise, training ratio, seed,
input features). The input is a vector of the chosen features of each point."""

from __future__ import annotations

import threading

from playground.data.dataset import (
    CLASSIFICATION,
    REGRESSION,
    DataRef,
    Dataset,
    DatasetInfo,
    OptionDef,
    make_dataset,
)
from playground.data.download import Progress
from playground.data.toy import (
    DEFAULT_FEATURES,
    DEFAULT_RATIO,
    NOISE_RANGE,
    POINTS_RANGE,
    RATIO_RANGE,
    TOY_DATASETS,
    ToyDataset,
    feature_matrix,
    make_toy,
    parse_features,
    split,
)
from playground.errors import DatasetError

PREFIX = "toy:"
OPTIONS = (
    OptionDef("points", int, 0, 0, POINTS_RANGE[1],
              f"How many points, {POINTS_RANGE[0]:,} to {POINTS_RANGE[1]:,}; 0 takes TensorFlow Playground's "
              "number (500 for classes, 1,200 for values)."),
    OptionDef("noise", float, 0.0, *NOISE_RANGE, "Noise, 0 to 0.5 (TFP's slider at 0 to 50 %)."),
    OptionDef("ratio", float, DEFAULT_RATIO, *RATIO_RANGE,
              "The share of the points that train; the rest test."),
    OptionDef("seed", int, 0, 0, 2**31 - 1,
              "Seeds the points and the split: the same seed, the same points."),
    OptionDef("features", str, ",".join(DEFAULT_FEATURES), None, None,
              "The inputs, comma-separated: x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2."),
)


def _row(ref: DataRef) -> ToyDataset:
    name = ref.id[len(PREFIX):]
    row = TOY_DATASETS.get(name)
    if row is None:
        known = ", ".join(PREFIX + key for key in TOY_DATASETS)
        raise DatasetError(f"unknown 2-D dataset '{ref.id}'", f"choose one of {known}")
    return row


class ToySource:
    """One 2-D dataset with its options; the points are made when loaded (milliseconds)."""

    def __init__(self, ref: DataRef) -> None:
        self.ref = ref
        self.row = _row(ref)
        self.features = parse_features(str(ref.values().get("features", ",".join(DEFAULT_FEATURES))))

    @property
    def name(self) -> str:
        """The dataset's name for people: "Spiral (2-D)"."""
        return f"{self.row.name} (2-D)"

    def info(self) -> DatasetInfo:
        task = REGRESSION if self.row.is_regression else CLASSIFICATION
        return DatasetInfo(self.ref, self.name, self.row.description, (len(self.features),),
                           self.row.class_names, task)

    def load(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> Dataset:
        options = self.ref.values()
        points = int(options.get("points", 0)) or None
        samples = make_toy(self.row.id, points, float(options.get("noise", 0.0)), int(options.get("seed", 0)))
        halves = split(samples, float(options.get("ratio", DEFAULT_RATIO)), int(options.get("seed", 0)))
        train = (feature_matrix(halves.train.points, self.features), halves.train.targets)
        test = (feature_matrix(halves.test.points, self.features), halves.test.targets)
        if self.row.is_regression:
            return make_dataset(self.ref, self.name, train, test, task=REGRESSION,
                                target_names=("value",), description=self.row.description)
        return make_dataset(self.ref, self.name, train, test, class_names=self.row.class_names,
                            description=self.row.description)


def ids() -> tuple[str, ...]:
    """Every 2-D dataset id."""
    return tuple(PREFIX + key for key in TOY_DATASETS)

