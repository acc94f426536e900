"""The activation catalogue: one row per activation, with all the builder, script and teaching views need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

SOFTMAX_INPUTS = 10
"""Softmax is drawn as output 1 of softmax(x, 0, ..., 0) over this many inputs, as input 1 varies."""

_SATURATED = "%1% of pre-activations are where %2′ < %3: saturated, so little gradient flows back."
_NEARLY_OFF = ("%1% of pre-activations are on the flat negative side, where %2′ < %3: almost no gradient "
               "flows (nearly inactive units).")


@dataclass(frozen=True, kw_only=True)
class Activation:
    """One row of the activation catalogue.

    ``factory`` makes the module (None for "none"), ``code`` is the same module as script source ("" for
    none), ``function`` is f on a tensor of values for the explorer's plot of f and f' (softmax, which acts
    on a vector, as a slice: see SOFTMAX_INPUTS). ``family`` is "saturating" (the derivative vanishes on
    both sides), "rectifier" (the gradient passes for positive inputs, (almost) not for negative ones) or
    "linear". ``note`` says what the derivative means for learning; ``low_gradient`` says what share of a
    layer's inputs gets little gradient (%1 the percent, %2 the label, %3 the threshold).
    ``probabilities``: the outputs are a probability distribution.
    """

    name: str
    label: str
    factory: Callable[[], nn.Module] | None
    code: str
    function: Callable[[torch.Tensor], torch.Tensor]
    formula: str
    derivative: str
    family: str
    note: str
    low_gradient: str
    probabilities: bool = False


def _softmax_slice(t: torch.Tensor) -> torch.Tensor:
    """Output 1 of softmax(t_i, 0, ..., 0) over SOFTMAX_INPUTS inputs, for each value t_i."""
    rest = torch.zeros(len(t), SOFTMAX_INPUTS - 1, dtype=t.dtype)
    return torch.softmax(torch.cat([t[:, None], rest], dim=1), dim=1)[:, 0]


ACTIVATIONS: dict[str, Activation] = {
    row.name: row
    for row in (
        Activation(
            name="none", label="None", factory=None, code="", function=lambda t: t * 1.0,
            formula="f(x) = x", derivative="f'(x) = 1", family="linear",
            note="Without an activation the derivative is 1 everywhere: the gradient passes unchanged, but "
            "stacked linear layers collapse into a single linear map.",
            low_gradient="%1% of pre-activations are where %2′ < %3.",
        ),
        Activation(
            name="relu", label="ReLU", factory=nn.ReLU, code="nn.ReLU()", function=torch.relu,
            formula="f(x) = max(0, x)", derivative="f'(x) = 1 if x > 0 else 0", family="rectifier",
            note="ReLU passes the gradient unchanged (1) for positive inputs and blocks it (0) for negative "
            "ones: a unit whose inputs are always negative stops learning (a dead unit).",
            low_gradient="%1% of pre-activations are x ≤ 0, where %2′ = 0: no gradient flows (inactive "
            "units).",
        ),
        Activation(
            name="leaky_relu", label="LeakyReLU", factory=lambda: nn.LeakyReLU(0.01),
            code="nn.LeakyReLU(0.01)", function=lambda t: nn.functional.leaky_relu(t, 0.01),
            formula="f(x) = x if x > 0 else 0.01x", derivative="f'(x) = 1 if x > 0 else 0.01",
            family="rectifier",
            note="LeakyReLU keeps a slope of 0.01 for negative inputs, so units there still get a little "
            "gradient and cannot die completely.",
            low_gradient="%1% of pre-activations are x ≤ 0, where %2′ = 0.01: only a trickle of gradient "
            "flows (the leaky side).",
        ),
        Activation(
            name="elu", label="ELU", factory=nn.ELU, code="nn.ELU()", function=nn.functional.elu,
            formula="f(x) = x if x > 0 else e^x - 1", derivative="f'(x) = 1 if x > 0 else e^x",
            family="rectifier",
            note="ELU's derivative falls smoothly from 1 towards 0 for negative inputs: some gradient "
            "survives there, and the outputs stay closer to zero mean.",
            low_gradient=_NEARLY_OFF,
        ),
        Activation(
            name="gelu", label="GELU", factory=nn.GELU, code="nn.GELU()", function=nn.functional.gelu,
            formula="f(x) = x * Phi(x)", derivative="f'(x) = Phi(x) + x * phi(x)", family="rectifier",
            note="GELU is a smooth ReLU: its derivative rises from 0 to a little above 1 around zero, so "
            "slightly negative inputs still learn.",
            low_gradient=_NEARLY_OFF,
        ),
        Activation(
            name="silu", label="SiLU", factory=nn.SiLU, code="nn.SiLU()", function=nn.functional.silu,
            formula="f(x) = x * sigmoid(x)", derivative="f'(x) = sigmoid(x) * (1 + x * (1 - sigmoid(x)))",
            family="rectifier",
            note="SiLU (swish) is a smooth ReLU like GELU: its derivative dips just below 0 for negative "
            "inputs and peaks near 1.1.",
            low_gradient=_NEARLY_OFF,
        ),
        Activation(
            name="softplus", label="Softplus", factory=nn.Softplus, code="nn.Softplus()",
            function=nn.functional.softplus, formula="f(x) = ln(1 + e^x)", derivative="f'(x) = sigmoid(x)",
            family="rectifier",
            note="Softplus is a smooth ReLU whose derivative is the sigmoid: it rises from 0 to 1, so "
            "negative inputs get a little gradient and no unit dies completely, but its outputs are never "
            "negative.",
            low_gradient=_NEARLY_OFF,
        ),
        Activation(
            name="mish", label="Mish", factory=nn.Mish, code="nn.Mish()", function=nn.functional.mish,
            formula="f(x) = x * tanh(s), s = ln(1 + e^x)",
            derivative="f'(x) = tanh(s) + x * sigmoid(x) * (1 - tanh(s)^2)", family="rectifier",
            note="Mish is a smooth ReLU like SiLU: its derivative dips to about −0.11 for negative inputs "
            "and peaks near 1.09, so slightly negative inputs still learn.",
            low_gradient=_NEARLY_OFF,
        ),
        Activation(
            name="sigmoid", label="Sigmoid", factory=nn.Sigmoid, code="nn.Sigmoid()", function=torch.sigmoid,
            formula="f(x) = 1 / (1 + e^-x)", derivative="f'(x) = f(x) * (1 - f(x))  (at most 0.25)",
            family="saturating",
            note="The sigmoid's derivative is at most 0.25 and almost 0 beyond |x| ≈ 4, so the gradient "
            "shrinks at every sigmoid layer it flows back through: the vanishing gradient of deep sigmoid "
            "networks.",
            low_gradient=_SATURATED,
        ),
        Activation(
            name="tanh", label="Tanh", factory=nn.Tanh, code="nn.Tanh()", function=torch.tanh,
            formula="f(x) = (e^x - e^-x) / (e^x + e^-x)", derivative="f'(x) = 1 - f(x)^2",
            family="saturating",
            note="tanh's derivative reaches 1 at zero, four times the sigmoid's best, and its outputs are "
            "centred on zero, but it saturates too once |x| passes about 2.",
            low_gradient=_SATURATED,
        ),
        Activation(
            name="softmax", label="Softmax", factory=lambda: nn.Softmax(dim=1), code="nn.Softmax(dim=1)",
            function=_softmax_slice, formula="f(x)_i = e^x_i / sum_j e^x_j",
            derivative="df_i/dx_j = f_i * (delta_ij - f_j)", family="saturating",
            note="Softmax acts on a whole vector of scores. Shown: output 1 of softmax(x, 0, …, 0) over ten "
            "scores as x varies; its derivative is the Jacobian's diagonal s(1 − s), at most 0.25 and near "
            "0 once one class takes almost all the probability.",
            low_gradient=_SATURATED, probabilities=True,
        ),
    )
}


def make_activation(name: str) -> nn.Module | None:
    """A fresh module for activation ``name``, or None for "none"."""
    factory = ACTIVATIONS[name].factory
    return factory() if factory else None
