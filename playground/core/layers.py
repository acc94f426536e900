"""The layer catalogue: one row per layer type, with everything the app needs to know about it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from playground.core import layer_rules as rules
from playground.core.layer_rules import Counts, Params, SequenceOverRows, Shape, ShapeProblem

__all__ = ["LAYER_TYPES", "Counts", "LayerType", "ParamDef", "SequenceOverRows", "Shape", "ShapeProblem"]


@dataclass(frozen=True)
class ParamDef:
    """One parameter of a layer type, with its range and a sentence for the tooltip."""

    name: str
    kind: type
    default: int | float
    minimum: int | float
    maximum: int | float
    help: str


@dataclass(frozen=True, kw_only=True)
class LayerType:
    """One row of the layer catalogue.

    ``infer`` gives the output shape (or raises ShapeProblem), ``counts`` the cost, ``build`` the torch
    module and ``code`` the same module as Python source for the exported script (which then also needs
    ``script_helper``, the source of a helper class, when that is not empty). ``family`` groups the rows
    in the palette ("dense", "convolution", "pooling", "shape", "regularisation", "normalisation",
    "recurrent", "activation"); ``caption`` says what the inside view's picture of its output shows.
    ``weighted`` layers own the weights a learner inspects, initialises and freezes; ``keeps_shape``
    layers leave their input's shape as it is; ``weights_view`` is how the first weighted layer's
    weights are drawn ("kernels", "units" or "" for not at all); ``output_param`` is the parameter a fix
    sets to give the network as many outputs as the task needs ("" when the layer cannot be the
    output); ``flattens`` marks the layer that lays maps out flat.
    """

    name: str
    family: str
    description: str
    caption: str
    params: tuple[ParamDef, ...]
    has_activation: bool
    infer: Callable[[Shape, Params], Shape]
    counts: Callable[[Shape, Shape, Params], Counts]
    build: Callable[[Shape, Params], nn.Module]
    code: Callable[[Shape, Params], str]
    weighted: bool
    keeps_shape: bool
    weights_view: str = ""
    output_param: str = ""
    flattens: bool = False
    script_helper: str = ""

    def param(self, name: str) -> ParamDef:
        """The definition of parameter ``name``."""
        return next(p for p in self.params if p.name == name)

    def defaults(self) -> dict[str, int | float]:
        """Default parameter values."""
        return {p.name: p.default for p in self.params}


_KERNEL = ParamDef("kernel", int, 3, 1, 15, "Side of the square window, in pixels.")
_STRIDE = ParamDef("stride", int, 1, 1, 8, "How many pixels the window moves each step.")
_POOL_KERNEL = ParamDef("kernel", int, 2, 1, 8, "Side of the square pooling window.")
_POOL_STRIDE = ParamDef("stride", int, 2, 1, 8, "How many pixels the window moves each step.")
_HIDDEN = ParamDef("hidden", int, 64, 1, 1024, "Size of the memory (hidden state) per step.")
_RNN_LAYERS = ParamDef("layers", int, 1, 1, 4, "Recurrent layers stacked on each other.")
_MEMORY = ParamDef("memory", float, 0.0, 0.0, 8.0,
                   "Memory at the start: the bias that opens the keep gates before training (an LSTM's "
                   "forget gate, a GRU's update gate). 0 keeps PyTorch's start, gates half open, so a fresh "
                   "layer halves its memory every step; 4 keeps 98 % a step, enough to learn over 50-100 "
                   "steps.")

_RNN_TEXT = {
    "RNN": "A recurrent layer reads a sequence one time step at a time (an image row by row), carrying a "
    "memory (hidden state) from one step to the next; plain RNNs forget quickly because gradients "
    "vanish over many steps.",
    "LSTM": "An LSTM reads a sequence step by step (an image row by row) with a memory cell guarded by "
    "gates: the forget gate decides what to keep, the input gate what to write, the output gate what to "
    "show, so gradients survive many time steps.",
    "GRU": "A GRU reads a sequence step by step like an LSTM but with two gates (update and reset), "
    "fewer parameters and often the same accuracy.",
}
_RNN_CAPTION = ("Each row is one time step (one row of the image, top to bottom) and each column one unit "
                "of the memory: watch the state build up as the network reads the digit.")


def _recurrent(kind: str) -> LayerType:
    return LayerType(
        name=kind, family="recurrent", description=_RNN_TEXT[kind], caption=_RNN_CAPTION,
        params=(_HIDDEN, _RNN_LAYERS) + ((_MEMORY,) if kind != "RNN" else ()), has_activation=True,
        infer=rules.rnn_infer,
        counts=rules.rnn_counts(kind), build=rules.rnn_build(kind), code=rules.rnn_code(kind),
        weighted=True, keeps_shape=False, script_helper="SequenceOverRows",
    )


def _pool(kind: type[nn.MaxPool2d] | type[nn.AvgPool2d], description: str, caption: str) -> LayerType:
    return LayerType(
        name=kind.__name__, family="pooling", description=description, caption=caption,
        params=(_POOL_KERNEL, _POOL_STRIDE), has_activation=False, infer=rules.pool_infer,
        counts=rules.pool_counts, build=rules.pool_build(kind), code=rules.pool_code(kind.__name__),
        weighted=False, keeps_shape=False,
    )


LAYER_TYPES: dict[str, LayerType] = {
    row.name: row
    for row in (
        LayerType(
            name="Linear", family="dense",
            description="A fully connected layer: every output neuron weighs every input and adds a bias.",
            caption="Each cell is one neuron, which weighs every value of the layer before and adds a "
            "bias: bright neurons respond strongly to this drawing.",
            params=(ParamDef("units", int, 128, 1, 4096, "Number of neurons (outputs)."),),
            has_activation=True, infer=rules.linear_infer, counts=rules.linear_counts,
            build=rules.linear_build, code=rules.linear_code, weighted=True, keeps_shape=False,
            weights_view="units", output_param="units",
        ),
        LayerType(
            name="Conv2d", family="convolution",
            description="A convolution slides small filters over the image: each output looks only at a "
            "local patch (local connections) and every position uses the same filter (weight sharing), so "
            "it finds the same pattern anywhere with few parameters.",
            caption="Each map shows where one filter found its pattern: a filter looks at a small patch at "
            "a time (local connections) and the same filter slides over the whole image (weight sharing).",
            params=(ParamDef("filters", int, 16, 1, 512, "Number of filters (output channels)."),
                    _KERNEL, _STRIDE,
                    ParamDef("padding", int, 0, 0, 7, "Zero pixels added around each border.")),
            has_activation=True, infer=rules.conv_infer, counts=rules.conv_counts, build=rules.conv_build,
            code=rules.conv_code, weighted=True, keeps_shape=False, weights_view="kernels",
        ),
        _pool(nn.MaxPool2d, "Max pooling keeps the strongest response in each window, shrinking the maps "
              "and making the network tolerant to small shifts.",
              "Max pooling keeps the strongest response in each window: the maps shrink, but what was "
              "found survives even if it moved a little."),
        _pool(nn.AvgPool2d, "Average pooling replaces each window by its mean, shrinking the maps smoothly.",
              "Average pooling replaces each window by its mean: the maps shrink and become smoother."),
        LayerType(
            name="Flatten", family="shape",
            description="Flatten lays image maps out as one long vector so that Linear layers can read them.",
            caption="Flatten lays the maps out as one long list of numbers (shown here in rows) so that "
            "dense layers can read them.",
            params=(), has_activation=False, infer=rules.flatten_infer, counts=rules.no_counts,
            build=lambda inp, p: nn.Flatten(), code=lambda inp, p: "nn.Flatten()", weighted=False,
            keeps_shape=False, flattens=True,
        ),
        LayerType(
            name="Dropout", family="regularisation",
            description="Dropout switches off a random fraction of values while training, so the network "
            "cannot rely on any single neuron; it does nothing at test time.",
            caption="Dropout only acts while training: when the network reads a drawing these are the "
            "same values as the layer before.",
            params=(ParamDef("p", float, 0.5, 0.0, 0.95, "Fraction of values dropped in training."),),
            has_activation=False, infer=rules.same_shape, counts=rules.no_counts, build=rules.dropout_build,
            code=rules.dropout_code, weighted=False, keeps_shape=True,
        ),
        LayerType(
            name="BatchNorm", family="normalisation",
            description="Batch normalisation rescales each feature (or channel) to zero mean and unit "
            "variance over the batch, then learns a scale and shift; it steadies training.",
            caption="Batch normalisation rescales every channel with statistics learned in training, so "
            "the next layer gets values of a steady size.",
            params=(), has_activation=False, infer=rules.batchnorm_infer, counts=rules.batchnorm_counts,
            build=rules.batchnorm_build, code=rules.batchnorm_code, weighted=False, keeps_shape=True,
        ),
        LayerType(
            name="LayerNorm", family="normalisation",
            description="Layer normalisation rescales all the values of one sample to zero mean and unit "
            "variance, then learns a scale and shift per value; unlike BatchNorm it does not depend on "
            "the batch.",
            caption="Layer normalisation rescales this drawing's values by their own mean and spread, so "
            "the next layer gets values of a steady size whatever the batch.",
            params=(), has_activation=False, infer=rules.same_shape, counts=rules.layernorm_counts,
            build=rules.layernorm_build, code=rules.layernorm_code, weighted=False, keeps_shape=True,
        ),
        LayerType(
            name="GroupNorm", family="normalisation",
            description="Group normalisation splits the channels into groups and rescales each group of "
            "one sample to zero mean and unit variance; it works with any batch size, even 1.",
            caption="Group normalisation rescales each group of channels by the group's own mean and "
            "spread in this drawing, then applies a learned scale and shift per channel.",
            params=(ParamDef("groups", int, 4, 1, 512, "How many groups the channels are split into; "
                             "it must divide the number of channels."),),
            has_activation=False, infer=rules.groupnorm_infer, counts=rules.batchnorm_counts,
            build=rules.groupnorm_build, code=rules.groupnorm_code, weighted=False, keeps_shape=True,
        ),
        *(_recurrent(kind) for kind in ("RNN", "LSTM", "GRU")),
        LayerType(
            name="Activation", family="activation",
            description="A non-linear function applied to every value on its own; without one, stacked "
            "layers collapse into a single linear map.",
            caption="The activation function bends every value on its own; without it, stacked layers "
            "would add up to a single linear map.",
            params=(), has_activation=True, infer=rules.same_shape, counts=rules.no_counts,
            build=lambda inp, p: nn.Identity(), code=lambda inp, p: "nn.Identity()", weighted=False,
            keeps_shape=True,
        ),
    )
}
