"""The catalogue: one table row per layer type and per activation."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

Shape = tuple[int, ...]


class ShapeProblem(Exception):
    """Raised by a layer's shape rule when its input cannot feed it; analysis turns it into a message.

    Args:
        message: what is wrong, naming the shapes.
        fix: a short machine-readable fix name understood by analysis ("flatten", "padding", ...).
    """

    def __init__(self, message: str, fix: str | None = None, value: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.value = value


@dataclass(frozen=True)
class ParamDef:
    """One parameter of a layer type, with its range and a sentence for the tooltip."""

    name: str
    kind: type
    default: int | float
    minimum: int | float
    maximum: int | float
    help: str


@dataclass(frozen=True)
class Counts:
    """What one layer costs: parameters, multiply-adds and output values per sample."""

    params: int
    macs: int


@dataclass(frozen=True)
class LayerType:
    """One row of the layer catalogue."""

    name: str
    category: str
    description: str
    params: tuple[ParamDef, ...]
    has_activation: bool
    infer: Callable[[Shape, dict], Shape]
    counts: Callable[[Shape, Shape, dict], Counts]
    build: Callable[[Shape, dict], nn.Module]

    def param(self, name: str) -> ParamDef:
        """The definition of parameter ``name``."""
        return next(p for p in self.params if p.name == name)

    def defaults(self) -> dict[str, int | float]:
        """Default parameter values."""
        return {p.name: p.default for p in self.params}


@dataclass(frozen=True)
class Activation:
    """One row of the activation catalogue: factory, formula and derivative for teaching views."""

    name: str
    label: str
    factory: Callable[[], nn.Module] | None
    formula: str
    derivative: str


def _fmt(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)


def _need_image(shape: Shape, what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ShapeProblem(
            f"{what} needs image maps (channels x height x width) but gets {_fmt(shape)} flat"
            " features: move it before the Flatten"
        )
    return shape  # type: ignore[return-value]


def _out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


# --- Linear ----------------------------------------------------------------------------------

def _linear_infer(shape: Shape, p: dict) -> Shape:
    if len(shape) != 1:
        raise ShapeProblem(f"Linear after {_fmt(shape)} needs Flatten: insert Flatten", "flatten")
    return (p["units"],)


def _linear_counts(inp: Shape, out: Shape, p: dict) -> Counts:
    return Counts(inp[0] * p["units"] + p["units"], inp[0] * p["units"])


def _linear_build(inp: Shape, p: dict) -> nn.Module:
    return nn.Linear(inp[0], p["units"])


# --- Conv2d ----------------------------------------------------------------------------------

def _conv_infer(shape: Shape, p: dict) -> Shape:
    _, h, w = _need_image(shape, "Conv2d")
    k, s, pad = p["kernel"], p["stride"], p["padding"]
    if k > h + 2 * pad or k > w + 2 * pad:
        need = math.ceil((k - min(h, w)) / 2)
        raise ShapeProblem(
            f"kernel {k} is larger than the {h}x{w} input"
            + (f" (with padding {pad})" if pad else ""),
            "padding" if need <= k // 2 else "kernel",
            need if need <= k // 2 else min(h, w) + 2 * pad,
        )
    return (p["filters"], _out_size(h, k, s, pad), _out_size(w, k, s, pad))


def _conv_counts(inp: Shape, out: Shape, p: dict) -> Counts:
    per_filter = inp[0] * p["kernel"] ** 2
    return Counts(p["filters"] * (per_filter + 1), per_filter * out[0] * out[1] * out[2])


def _conv_build(inp: Shape, p: dict) -> nn.Module:
    return nn.Conv2d(inp[0], p["filters"], p["kernel"], p["stride"], p["padding"])


# --- Pooling ---------------------------------------------------------------------------------

def _pool_infer(shape: Shape, p: dict) -> Shape:
    c, h, w = _need_image(shape, "Pooling")
    k, s = p["kernel"], p["stride"]
    if k > h or k > w:
        raise ShapeProblem(f"kernel {k} is larger than the {h}x{w} input", "kernel", min(h, w))
    return (c, _out_size(h, k, s, 0), _out_size(w, k, s, 0))


def _pool_counts(inp: Shape, out: Shape, p: dict) -> Counts:
    return Counts(0, out[0] * out[1] * out[2] * p["kernel"] ** 2)


# --- Shape-keeping layers --------------------------------------------------------------------

def _flatten_infer(shape: Shape, p: dict) -> Shape:
    return (math.prod(shape),)


def _same_infer(shape: Shape, p: dict) -> Shape:
    return shape


def _no_counts(inp: Shape, out: Shape, p: dict) -> Counts:
    return Counts(0, 0)


def _batchnorm_infer(shape: Shape, p: dict) -> Shape:
    if len(shape) not in (1, 3):
        raise ShapeProblem(f"BatchNorm needs features or image maps, not {_fmt(shape)}")
    return shape


def _batchnorm_counts(inp: Shape, out: Shape, p: dict) -> Counts:
    return Counts(2 * inp[0], math.prod(inp))


def _batchnorm_build(inp: Shape, p: dict) -> nn.Module:
    return nn.BatchNorm1d(inp[0]) if len(inp) == 1 else nn.BatchNorm2d(inp[0])


# --- Recurrent layers ------------------------------------------------------------------------

class SequenceOverRows(nn.Module):
    """Reads C x H x W maps as H time steps of C*W features and returns the last hidden state."""

    def __init__(self, cell: type[nn.RNNBase], features: int, hidden: int, layers: int) -> None:
        super().__init__()
        self.rnn = cell(features, hidden, num_layers=layers, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        seq = x.permute(0, 2, 1, 3).reshape(n, h, c * w)
        _, state = self.rnn(seq)
        hidden = state[0] if isinstance(state, tuple) else state
        return hidden[-1]


_GATES = {"RNN": (1, nn.RNN), "LSTM": (4, nn.LSTM), "GRU": (3, nn.GRU)}


def _rnn_infer(shape: Shape, p: dict) -> Shape:
    if len(shape) != 3:
        raise ShapeProblem(
            f"a recurrent layer reads image rows as time steps but gets {_fmt(shape)} flat"
            " features: move it before the Flatten"
        )
    return (p["hidden"],)


def _rnn_counts_for(kind: str) -> Callable[[Shape, Shape, dict], Counts]:
    gates = _GATES[kind][0]

    def counts(inp: Shape, out: Shape, p: dict) -> Counts:
        steps, features, hidden = inp[1], inp[0] * inp[2], p["hidden"]
        params = macs = 0
        for layer in range(p["layers"]):
            width = features if layer == 0 else hidden
            params += gates * (hidden * (width + hidden) + 2 * hidden)
            macs += steps * gates * hidden * (width + hidden)
        return Counts(params, macs)

    return counts


def _rnn_build_for(kind: str) -> Callable[[Shape, dict], nn.Module]:
    cell = _GATES[kind][1]

    def build(inp: Shape, p: dict) -> nn.Module:
        return SequenceOverRows(cell, inp[0] * inp[2], p["hidden"], p["layers"])

    return build


# --- The tables ------------------------------------------------------------------------------

_KERNEL = ParamDef("kernel", int, 3, 1, 15, "Side of the square window, in pixels.")
_STRIDE = ParamDef("stride", int, 1, 1, 8, "How many pixels the window moves each step.")
_POOL_KERNEL = ParamDef("kernel", int, 2, 1, 8, "Side of the square pooling window.")
_POOL_STRIDE = ParamDef("stride", int, 2, 1, 8, "How many pixels the window moves each step.")
_HIDDEN = ParamDef("hidden", int, 64, 1, 1024, "Size of the memory (hidden state) per step.")
_RNN_LAYERS = ParamDef("layers", int, 1, 1, 4, "Recurrent layers stacked on each other.")

_RNN_TEXT = {
    "RNN": "A recurrent layer reads the image row by row, 28 time steps, carrying a memory "
    "(hidden state) from one row to the next; plain RNNs forget quickly because gradients "
    "vanish over many steps.",
    "LSTM": "An LSTM reads the image row by row with a memory cell guarded by gates: the forget "
    "gate decides what to keep, the input gate what to write, the output gate what to show, "
    "so gradients survive many time steps.",
    "GRU": "A GRU reads the image row by row like an LSTM but with two gates (update and reset), "
    "fewer parameters and often the same accuracy.",
}

LAYER_TYPES: dict[str, LayerType] = {
    row.name: row
    for row in (
        LayerType(
            "Linear", "dense",
            "A fully connected layer: every output neuron weighs every input and adds a bias.",
            (ParamDef("units", int, 128, 1, 4096, "Number of neurons (outputs)."),),
            True, _linear_infer, _linear_counts, _linear_build,
        ),
        LayerType(
            "Conv2d", "convolution",
            "A convolution slides small filters over the image: each output looks only at a "
            "local patch (local connections) and every position uses the same filter "
            "(weight sharing), so it finds the same pattern anywhere with few parameters.",
            (
                ParamDef("filters", int, 16, 1, 512, "Number of filters (output channels)."),
                _KERNEL, _STRIDE,
                ParamDef("padding", int, 0, 0, 7, "Zero pixels added around each border."),
            ),
            True, _conv_infer, _conv_counts, _conv_build,
        ),
        LayerType(
            "MaxPool2d", "pooling",
            "Max pooling keeps the strongest response in each window, shrinking the maps and "
            "making the network tolerant to small shifts.",
            (_POOL_KERNEL, _POOL_STRIDE), False, _pool_infer, _pool_counts,
            lambda inp, p: nn.MaxPool2d(p["kernel"], p["stride"]),
        ),
        LayerType(
            "AvgPool2d", "pooling",
            "Average pooling replaces each window by its mean, shrinking the maps smoothly.",
            (_POOL_KERNEL, _POOL_STRIDE), False, _pool_infer, _pool_counts,
            lambda inp, p: nn.AvgPool2d(p["kernel"], p["stride"]),
        ),
        LayerType(
            "Flatten", "shape",
            "Flatten lays image maps out as one long vector so that Linear layers can read them.",
            (), False, _flatten_infer, _no_counts, lambda inp, p: nn.Flatten(),
        ),
        LayerType(
            "Dropout", "regularisation",
            "Dropout switches off a random fraction of values while training, so the network "
            "cannot rely on any single neuron; it does nothing at test time.",
            (ParamDef("p", float, 0.5, 0.0, 0.95, "Fraction of values dropped in training."),),
            False, _same_infer, _no_counts, lambda inp, p: nn.Dropout(p["p"]),
        ),
        LayerType(
            "BatchNorm", "normalisation",
            "Batch normalisation rescales each feature (or channel) to zero mean and unit "
            "variance over the batch, then learns a scale and shift; it steadies training.",
            (), False, _batchnorm_infer, _batchnorm_counts, _batchnorm_build,
        ),
        *(
            LayerType(
                kind, "recurrent", _RNN_TEXT[kind], (_HIDDEN, _RNN_LAYERS), True,
                _rnn_infer, _rnn_counts_for(kind), _rnn_build_for(kind),
            )
            for kind in ("RNN", "LSTM", "GRU")
        ),
        LayerType(
            "Activation", "activation",
            "A non-linear function applied to every value on its own; without one, stacked "
            "layers collapse into a single linear map.",
            (), True, _same_infer, _no_counts, lambda inp, p: nn.Identity(),
        ),
    )
}

ACTIVATIONS: dict[str, Activation] = {
    row.name: row
    for row in (
        Activation("none", "None", None, "f(x) = x", "f'(x) = 1"),
        Activation("relu", "ReLU", nn.ReLU, "f(x) = max(0, x)", "f'(x) = 1 if x > 0 else 0"),
        Activation(
            "leaky_relu", "LeakyReLU", lambda: nn.LeakyReLU(0.01),
            "f(x) = x if x > 0 else 0.01x", "f'(x) = 1 if x > 0 else 0.01",
        ),
        Activation(
            "elu", "ELU", nn.ELU, "f(x) = x if x > 0 else e^x - 1",
            "f'(x) = 1 if x > 0 else e^x",
        ),
        Activation(
            "gelu", "GELU", nn.GELU, "f(x) = x * Phi(x)", "f'(x) = Phi(x) + x * phi(x)",
        ),
        Activation(
            "silu", "SiLU", nn.SiLU, "f(x) = x * sigmoid(x)",
            "f'(x) = sigmoid(x) * (1 + x * (1 - sigmoid(x)))",
        ),
        Activation(
            "sigmoid", "Sigmoid", nn.Sigmoid, "f(x) = 1 / (1 + e^-x)",
            "f'(x) = f(x) * (1 - f(x))  (at most 0.25)",
        ),
        Activation(
            "tanh", "Tanh", nn.Tanh, "f(x) = (e^x - e^-x) / (e^x + e^-x)", "f'(x) = 1 - f(x)^2",
        ),
        Activation(
            "softmax", "Softmax", lambda: nn.Softmax(dim=1), "f(x)_i = e^x_i / sum_j e^x_j",
            "df_i/dx_j = f_i * (delta_ij - f_j)",
        ),
    )
}

# Layer types that own weights a user may want to inspect or freeze.
WEIGHTED = frozenset(
    name for name, row in LAYER_TYPES.items() if row.category in ("dense", "convolution", "recurrent")
)


def make_activation(name: str) -> nn.Module | None:
    """A fresh module for activation ``name``, or None for "none"."""
    factory = ACTIVATIONS[name].factory
    return factory() if factory else None
