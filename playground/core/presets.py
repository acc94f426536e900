"""Ready networks: the article's MLP, LeNet-5, a small CNN, an LSTM over rows, a deep sigmoid MLP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playground.core.spec import NetworkSpec, layer
from playground.errors import SpecError


@dataclass(frozen=True)
class Preset:
    """A named network with a sentence on what it shows."""

    name: str
    title: str
    description: str
    make: Callable[[], NetworkSpec]


def _article_mlp() -> NetworkSpec:
    return NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=128),
                        layer("Linear", units=10)))


def _lenet5() -> NetworkSpec:
    return NetworkSpec((
        layer("Conv2d", "tanh", filters=6, kernel=5, padding=2),
        layer("AvgPool2d", kernel=2, stride=2),
        layer("Conv2d", "tanh", filters=16, kernel=5),
        layer("AvgPool2d", kernel=2, stride=2),
        layer("Flatten"),
        layer("Linear", "tanh", units=120),
        layer("Linear", "tanh", units=84),
        layer("Linear", units=10),
    ))


def _small_cnn() -> NetworkSpec:
    return NetworkSpec((
        layer("Conv2d", "relu", filters=16, kernel=3, padding=1),
        layer("MaxPool2d", kernel=2, stride=2),
        layer("Conv2d", "relu", filters=32, kernel=3, padding=1),
        layer("MaxPool2d", kernel=2, stride=2),
        layer("Flatten"),
        layer("Linear", "relu", units=128),
        layer("Linear", units=10),
    ))


def _lstm_rows() -> NetworkSpec:
    return NetworkSpec((layer("LSTM", hidden=128, layers=1), layer("Linear", units=10)))


def _deep_sigmoid() -> NetworkSpec:
    hidden = tuple(layer("Linear", "sigmoid", units=64) for _ in range(8))
    return NetworkSpec((layer("Flatten"), *hidden, layer("Linear", units=10)))


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("article-mlp", "Article MLP (784-128-10)",
               "The article's network: one hidden layer of 128 ReLU neurons.", _article_mlp),
        Preset("lenet5", "LeNet-5",
               "LeCun's classic CNN: two convolutions with average pooling, then three "
               "fully connected layers (61,706 parameters).", _lenet5),
        Preset("small-cnn", "Small CNN",
               "Two convolutions with max pooling and two linear layers: fast and accurate.",
               _small_cnn),
        Preset("lstm-rows", "LSTM over rows",
               "An LSTM reads the image as 28 rows, one time step each, and classifies from its "
               "last hidden state.", _lstm_rows),
        Preset("deep-sigmoid", "Deep sigmoid MLP (8 x 64)",
               "Eight sigmoid layers: watch the first layers' gradients vanish.", _deep_sigmoid),
    )
}


def preset(name: str) -> NetworkSpec:
    """The spec of preset ``name``; an unknown name is a SpecError listing the known ones."""
    if name not in PRESETS:
        raise SpecError(f"unknown preset '{name}'", f"presets: {', '.join(PRESETS)}")
    return PRESETS[name].make()
