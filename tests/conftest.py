"""Shared fixtures: tiny datasets cut from the bundled MNIST sample, and tiny specs."""

from dataclasses import replace

import numpy as np
import pytest

from playground.core.spec import NetworkSpec, layer
from playground.data.dataset import DataFacts, DataRef, Dataset
from playground.data.registry import load_dataset

MNIST = (1, 28, 28)
"""The shape of one MNIST image with its channel axis."""


@pytest.fixture(scope="session")
def sample_dataset() -> Dataset:
    """The bundled 4,000 / 1,000 MNIST sample."""
    return load_dataset("mnist-sample")


def cut(dataset: Dataset, train: int, test: int) -> Dataset:
    """The first ``train`` / ``test`` samples of a dataset (the bundled split is shuffled)."""
    return replace(dataset, train_x=dataset.train_x[:train], train_y=dataset.train_y[:train],
                   test_x=dataset.test_x[:test], test_y=dataset.test_y[:test])


@pytest.fixture
def tiny_dataset(sample_dataset) -> Dataset:
    """256 training and 128 test images: an epoch takes milliseconds."""
    return cut(sample_dataset, 256, 128)


@pytest.fixture
def tiny_spec() -> NetworkSpec:
    """One Linear layer after Flatten."""
    return NetworkSpec((layer("Flatten"), layer("Linear", units=10)))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def facts_of(input_shape: tuple[int, ...] = MNIST, class_names: object = tuple("0123456789"),
             mean: float = 0.1307, std: float = 0.3081) -> DataFacts:
    """Data facts of images with one mean and std per channel (the same for each)."""
    channels = input_shape[0] if len(input_shape) == 3 else 0
    return DataFacts(DataRef("test-images"), tuple(input_shape), tuple(str(n) for n in class_names),
                     (mean,) * channels, (std,) * channels)
