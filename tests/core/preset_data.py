"""What each preset is made for: the MNIST image, or its own dataset's shape and outputs."""

from playground.core.presets import PRESETS
from playground.data.dataset import DataRef, Dataset
from playground.data.registry import dataset_info, load_dataset

MNIST_SHAPE = (1, 28, 28)


def preset_input(name: str) -> tuple[tuple[int, ...], int]:
    """(input shape, outputs) of the data preset ``name`` is made for."""
    data = PRESETS[name].dataset
    if not data:
        return MNIST_SHAPE, 10
    info = dataset_info(data)
    assert info.input_shape is not None
    return info.input_shape, len(info.class_names) or 1


def small_preset_dataset(name: str) -> Dataset:
    """A few hundred points or short sequences of the preset's own dataset (fast to train on)."""
    data = PRESETS[name].dataset
    options = {"points": 200} if data.startswith("toy:") else {"samples": 400, "length": 5}
    return load_dataset(DataRef.of(data, options))
