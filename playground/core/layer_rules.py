"""What each catalogue row does with a shape: output shape, cost, torch module and script code."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

Shape = tuple[int, ...]
Params = dict[str, int | float]


class ShapeProblem(Exception):
    """Raised by a layer's shape rule when its input cannot feed it; analysis turns it into a message.

    Args:
        message: what is wrong, naming the shapes.
        fix: "flatten" (insert a Flatten before the layer) or the name of the layer's parameter to set.
        value: the value to set that parameter to.
    """

    def __init__(self, message: str, fix: str | None = None, value: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.value = value


@dataclass(frozen=True)
class Counts:
    """What one layer costs: parameters and multiply-adds per sample."""

    params: int
    macs: int


def fmt(shape: Shape) -> str:
    """(16, 7, 7) -> "16x7x7"."""
    return "x".join(str(d) for d in shape)


def _need_image(shape: Shape, what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ShapeProblem(
            f"{what} needs image maps (channels x height x width) but gets {fmt(shape)}"
            + (" flat features: move it before the Flatten" if len(shape) == 1 else "")
        )
    return shape[0], shape[1], shape[2]


def _out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def no_counts(inp: Shape, out: Shape, p: Params) -> Counts:
    """A layer without weights that does no multiply-adds worth counting."""
    return Counts(0, 0)


def same_shape(shape: Shape, p: Params) -> Shape:
    """The output has the input's shape."""
    return shape


# --- Linear ----------------------------------------------------------------------------------

def linear_infer(shape: Shape, p: Params) -> Shape:
    if len(shape) != 1:
        raise ShapeProblem(f"Linear after {fmt(shape)} needs Flatten: insert Flatten", "flatten")
    return (int(p["units"]),)


def linear_counts(inp: Shape, out: Shape, p: Params) -> Counts:
    units = int(p["units"])
    return Counts(inp[0] * units + units, inp[0] * units)


def linear_build(inp: Shape, p: Params) -> nn.Module:
    return nn.Linear(inp[0], int(p["units"]))


def linear_code(inp: Shape, p: Params) -> str:
    return f"nn.Linear({inp[0]}, {p['units']})"


# --- Conv2d ----------------------------------------------------------------------------------

def conv_infer(shape: Shape, p: Params) -> Shape:
    _, h, w = _need_image(shape, "Conv2d")
    k, s, pad = int(p["kernel"]), int(p["stride"]), int(p["padding"])
    if k > h + 2 * pad or k > w + 2 * pad:
        need = math.ceil((k - min(h, w)) / 2)
        raise ShapeProblem(
            f"kernel {k} is larger than the {h}x{w} input" + (f" (with padding {pad})" if pad else ""),
            "padding" if need <= k // 2 else "kernel",
            need if need <= k // 2 else min(h, w) + 2 * pad,
        )
    return (int(p["filters"]), _out_size(h, k, s, pad), _out_size(w, k, s, pad))


def conv_counts(inp: Shape, out: Shape, p: Params) -> Counts:
    filters, per_filter = int(p["filters"]), inp[0] * int(p["kernel"]) ** 2
    return Counts(filters * (per_filter + 1), per_filter * out[0] * out[1] * out[2])


def conv_build(inp: Shape, p: Params) -> nn.Module:
    return nn.Conv2d(inp[0], int(p["filters"]), int(p["kernel"]), int(p["stride"]), int(p["padding"]))


def conv_code(inp: Shape, p: Params) -> str:
    return (f"nn.Conv2d({inp[0]}, {p['filters']}, kernel_size={p['kernel']}, "
            f"stride={p['stride']}, padding={p['padding']})")


# --- Pooling ---------------------------------------------------------------------------------

def pool_infer(shape: Shape, p: Params) -> Shape:
    c, h, w = _need_image(shape, "Pooling")
    k, s = int(p["kernel"]), int(p["stride"])
    if k > h or k > w:
        raise ShapeProblem(f"kernel {k} is larger than the {h}x{w} input", "kernel", min(h, w))
    return (c, _out_size(h, k, s, 0), _out_size(w, k, s, 0))


def pool_counts(inp: Shape, out: Shape, p: Params) -> Counts:
    return Counts(0, out[0] * out[1] * out[2] * int(p["kernel"]) ** 2)


def pool_build(kind: type[nn.MaxPool2d] | type[nn.AvgPool2d]) -> Callable[[Shape, Params], nn.Module]:
    def build(inp: Shape, p: Params) -> nn.Module:
        return kind(int(p["kernel"]), int(p["stride"]))
    return build


def pool_code(name: str) -> Callable[[Shape, Params], str]:
    def code(inp: Shape, p: Params) -> str:
        return f"nn.{name}(kernel_size={p['kernel']}, stride={p['stride']})"
    return code


# --- Flatten, Dropout, Activation ------------------------------------------------------------

def flatten_infer(shape: Shape, p: Params) -> Shape:
    return (math.prod(shape),)


def dropout_build(inp: Shape, p: Params) -> nn.Module:
    return nn.Dropout(float(p["p"]))


def dropout_code(inp: Shape, p: Params) -> str:
    return f"nn.Dropout(p={float(p['p'])!r})"


# --- Normalisation ---------------------------------------------------------------------------

def batchnorm_infer(shape: Shape, p: Params) -> Shape:
    if len(shape) not in (1, 3):
        raise ShapeProblem(f"BatchNorm needs features or image maps, not {fmt(shape)}")
    return shape


def batchnorm_counts(inp: Shape, out: Shape, p: Params) -> Counts:
    return Counts(2 * inp[0], math.prod(inp))


def batchnorm_build(inp: Shape, p: Params) -> nn.Module:
    return nn.BatchNorm1d(inp[0]) if len(inp) == 1 else nn.BatchNorm2d(inp[0])


def batchnorm_code(inp: Shape, p: Params) -> str:
    return f"nn.BatchNorm1d({inp[0]})" if len(inp) == 1 else f"nn.BatchNorm2d({inp[0]})"


def layernorm_counts(inp: Shape, out: Shape, p: Params) -> Counts:
    return Counts(2 * math.prod(inp), 2 * math.prod(inp))


def layernorm_build(inp: Shape, p: Params) -> nn.Module:
    return nn.LayerNorm(list(inp))


def layernorm_code(inp: Shape, p: Params) -> str:
    return f"nn.LayerNorm({list(inp)})"


def groupnorm_infer(shape: Shape, p: Params) -> Shape:
    if len(shape) not in (1, 3):
        raise ShapeProblem(f"GroupNorm needs features or image maps, not {fmt(shape)}")
    groups, channels = int(p["groups"]), shape[0]
    if channels % groups:
        fits = max(g for g in range(1, min(groups, channels) + 1) if channels % g == 0)
        raise ShapeProblem(f"{groups} groups do not divide the {channels} channels evenly", "groups", fits)
    return shape


def groupnorm_build(inp: Shape, p: Params) -> nn.Module:
    return nn.GroupNorm(int(p["groups"]), inp[0])


def groupnorm_code(inp: Shape, p: Params) -> str:
    return f"nn.GroupNorm({p['groups']}, {inp[0]})"


# --- Recurrent layers ------------------------------------------------------------------------

class SequenceOverRows(nn.Module):
    """Reads (steps, features) sequences, or C x H x W maps as H steps of C*W features (the image's
    rows); returns the last hidden state."""

    def __init__(self, cell: type[nn.RNN] | type[nn.LSTM] | type[nn.GRU], features: int, hidden: int,
                 layers: int, memory: float = 0.0) -> None:
        super().__init__()
        self.rnn = cell(features, hidden, num_layers=layers, batch_first=True)
        self.memory = memory
        self.open_gates()

    def open_gates(self) -> None:
        """Bias the keep gates by ``memory`` (``recurrence.set_memory_bias``); nothing when it is 0. The
        builder calls it again after an initialisation has zeroed the biases."""
        if self.memory:
            from playground.core.keep_gates import set_memory_bias  # noqa: PLC0415

            set_memory_bias(self.rnn, self.memory)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:
            n, c, h, w = x.shape
            x = x.permute(0, 2, 1, 3).reshape(n, h, c * w)
        _, state = self.rnn(x)
        hidden = state[0] if isinstance(state, tuple) else state
        return hidden[-1]


GATES: dict[str, tuple[int, type[nn.RNN] | type[nn.LSTM] | type[nn.GRU]]] = {
    "RNN": (1, nn.RNN), "LSTM": (4, nn.LSTM), "GRU": (3, nn.GRU)}


def steps_and_features(shape: Shape) -> tuple[int, int]:
    """How a recurrent layer reads an input: (steps, features) as it is, or maps row by row."""
    if len(shape) == 2:
        return shape[0], shape[1]
    return shape[1], shape[0] * shape[2]


def rnn_infer(shape: Shape, p: Params) -> Shape:
    if len(shape) not in (2, 3):
        raise ShapeProblem(
            f"a recurrent layer reads a sequence (or an image's rows) as time steps but gets {fmt(shape)}"
            " flat features: move it before the Flatten"
        )
    return (int(p["hidden"]),)


def rnn_counts(kind: str) -> Callable[[Shape, Shape, Params], Counts]:
    gates = GATES[kind][0]

    def counts(inp: Shape, out: Shape, p: Params) -> Counts:
        (steps, features), hidden = steps_and_features(inp), int(p["hidden"])
        params = macs = 0
        for layer in range(int(p["layers"])):
            width = features if layer == 0 else hidden
            params += gates * (hidden * (width + hidden) + 2 * hidden)
            macs += steps * gates * hidden * (width + hidden)
        return Counts(params, macs)

    return counts


def rnn_build(kind: str) -> Callable[[Shape, Params], nn.Module]:
    cell = GATES[kind][1]

    def build(inp: Shape, p: Params) -> nn.Module:
        return SequenceOverRows(cell, steps_and_features(inp)[1], int(p["hidden"]), int(p["layers"]),
                                float(p.get("memory", 0.0)))

    return build


def rnn_code(kind: str) -> Callable[[Shape, Params], str]:
    def code(inp: Shape, p: Params) -> str:
        memory = float(p.get("memory", 0.0))
        return (f"SequenceOverRows(nn.{kind}, {steps_and_features(inp)[1]}, {p['hidden']}, {p['layers']}"
                + (f", memory={memory!r})" if memory else ")"))
    return code
