"""Shared fixtures: tiny datasets cut from the bundled MNIST sample, and tiny specs."""

import numpy as np
import pytest

from playground.core.spec import NetworkSpec, layer
from playground.data.sources import Dataset, load_dataset


@pytest.fixture(scope="session")
def sample_dataset() -> Dataset:
    """The bundled 4,000 / 1,000 MNIST sample."""
    return load_dataset("mnist-sample")


def cut(dataset: Dataset, train: int, test: int) -> Dataset:
    """The first ``train`` / ``test`` images of a dataset (the bundled split is shuffled)."""
    return Dataset(dataset.id, dataset.name, dataset.class_names,
                   dataset.train_images[:train], dataset.train_labels[:train],
                   dataset.test_images[:test], dataset.test_labels[:test],
                   dataset.mean, dataset.std)


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
