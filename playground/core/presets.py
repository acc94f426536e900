"""Ready networks: the article's MLP, LeNet-5, a small CNN, an LSTM over rows, a deep sigmoid MLP, and
recurrent networks for the sequence tasks (each with the dataset and training recipe it is made for)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from playground.core.spec import NetworkSpec, layer
from playground.errors import SpecError


@dataclass(frozen=True)
class Preset:
    """A named network with a sentence on what it shows; a preset made for one dataset names it and the
    training settings (TrainConfig fields) it is meant to train with."""

    name: str
    title: str
    description: str
    make: Callable[[], NetworkSpec]
    dataset: str = ""
    recipe: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


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


RECALL_HIDDEN = 32
"""One size for rnn-recall, lstm-recall and gru-recall, so that the comparison is fair."""
RECALL_EPOCHS = 25
RECALL_RECIPE = MappingProxyType({"optimizer": "adam", "learning_rate": 0.005, "batch_size": 32,
                                  "epochs": RECALL_EPOCHS, "clip_norm": 1.0})
"""benchmarks/memory_length.py's recipe, the same for the three cells."""


def _recall(kind: str) -> Callable[[], NetworkSpec]:
    def make() -> NetworkSpec:
        recurrent = layer(kind, hidden=RECALL_HIDDEN, layers=1)
        if kind != "RNN":
            recurrent = recurrent.with_params(memory=4.0)
        return NetworkSpec((recurrent, layer("Linear", units=16)))

    return make


def _lstm_sine() -> NetworkSpec:
    return NetworkSpec((layer("LSTM", hidden=32, layers=1), layer("Linear", units=1)))


def _tanh_2d() -> NetworkSpec:
    return NetworkSpec((layer("Linear", "tanh", units=8), layer("Linear", "tanh", units=8),
                        layer("Linear", units=2)))


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
        Preset("tanh-2d", "2-D: two layers of 8 tanh",
               "TensorFlow Playground's kind of network on 2-D points: the decision boundary view "
               "shows it bend around the circle.", _tanh_2d, "toy:circle",
               MappingProxyType({"optimizer": "adam", "learning_rate": 0.03, "batch_size": 10,
                                 "epochs": 100})),
        Preset("rnn-recall", "RNN recall (32 units)",
               "A plain RNN of 32 units on seq:recall: it must carry the first token to the last step, "
               "and over 50 steps its gradient vanishes before it learns to.", _recall("RNN"),
               "seq:recall", RECALL_RECIPE),
        Preset("lstm-recall", "LSTM recall (32 units)",
               "An LSTM of the same size, its forget gates open at the start (memory 4): the cell "
               "holds the first token over 50 steps and more.", _recall("LSTM"), "seq:recall", RECALL_RECIPE),
        Preset("gru-recall", "GRU recall (32 units)",
               "A GRU of the same size, its update gates open at the start: two gates instead of "
               "three, the same memory.", _recall("GRU"), "seq:recall", RECALL_RECIPE),
        Preset("lstm-sine", "LSTM sine forecast",
               "An LSTM of 32 units reads 20 past values of a noisy sum of sines and predicts the "
               "next; free-running, it feeds itself its own predictions.", _lstm_sine, "seq:sine",
               MappingProxyType({"optimizer": "adam", "learning_rate": 0.003, "batch_size": 32,
                                 "epochs": 60})),
    )
}


def preset(name: str) -> NetworkSpec:
    """The spec of preset ``name``; an unknown name is a SpecError listing the known ones."""
    if name not in PRESETS:
        raise SpecError(f"unknown preset '{name}'", f"presets: {', '.join(PRESETS)}")
    return PRESETS[name].make()
