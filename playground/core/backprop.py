"""Backprop step by step on one batch: each term of dL/dw = dL/dy * dy/dz * dz/dw, with real numbers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from playground.core.boundary import dense_layers
from playground.errors import PlaygroundError

Derivative = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""dy/dz from the pre-activation z and the output y."""


def _gelu(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1 + torch.erf(z / math.sqrt(2))) + z * torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _silu(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(z)
    return s * (1 + z * (1 - s))


def _mish(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    soft = F.softplus(z)
    return torch.tanh(soft) + z * (1 - torch.tanh(soft) ** 2) * torch.sigmoid(z)


def _local(module: nn.Module | None) -> tuple[str, Derivative]:
    """The catalogue name of an element-wise activation and its derivative; others are refused."""
    if module is None or isinstance(module, nn.Identity):
        return "none", lambda z, y: torch.ones_like(z)
    if isinstance(module, nn.Tanh):
        return "tanh", lambda z, y: 1 - y * y
    if isinstance(module, nn.Sigmoid):
        return "sigmoid", lambda z, y: y * (1 - y)
    if isinstance(module, nn.ReLU):
        return "relu", lambda z, y: (z > 0).to(z.dtype)
    if isinstance(module, nn.LeakyReLU):
        slope = module.negative_slope
        return "leaky_relu", lambda z, y: torch.where(z > 0, 1.0, slope).to(z.dtype)
    if isinstance(module, nn.ELU):
        alpha = module.alpha
        return "elu", lambda z, y: torch.where(z > 0, torch.ones_like(z), alpha * torch.exp(z))
    if isinstance(module, nn.GELU) and module.approximate == "none":
        return "gelu", _gelu
    if isinstance(module, nn.SiLU):
        return "silu", _silu
    if isinstance(module, nn.Softplus) and module.beta == 1:
        limit = module.threshold
        return "softplus", lambda z, y: torch.where(z > limit, torch.ones_like(z), torch.sigmoid(z))
    if isinstance(module, nn.Mish):
        return "mish", _mish
    raise PlaygroundError(f"step-by-step backprop cannot follow a {type(module).__name__} layer",
                          "use Linear layers with one element-wise activation each (tanh, ReLU, ...)")


@dataclass(frozen=True)
class Selection:
    """What to follow: the weight from ``input`` to ``unit`` of dense layer ``layer``, or its bias.

    Layers count the network's Linear layers from 0 (the last one is the output); ``input=None``
    picks the neuron itself, whose bias has dz/db = 1.
    """

    layer: int
    unit: int
    input: int | None = None


@dataclass(frozen=True)
class BackpropTerms:
    """Every number of one backprop step for one weight or bias, per sample (N,) where it varies."""

    selection: Selection
    activation: str
    """Catalogue name of the unit's activation ("tanh", "relu", "none", ...)."""
    loss_name: str
    z: torch.Tensor
    """(N,) the unit's pre-activation w . x + b."""
    y: torch.Tensor
    """(N,) the unit's output after its activation: the forward value."""
    loss: float
    """The batch loss (mean over the batch, as training uses), without the penalty."""
    dloss_doutput: torch.Tensor
    """(N, C) dL/d(network output), the 1/N of the batch mean included."""
    dloss_dy: torch.Tensor
    """(N,) dL/dy of the unit."""
    dy_dz: torch.Tensor
    """(N,) the activation's local derivative at z."""
    dz_dw: torch.Tensor
    """(N,) the weight's input x (or 1 for the bias)."""
    next_weights: torch.Tensor | None
    """(units of the next layer,) weights from this unit onward; None for the output layer."""
    next_dloss_dz: torch.Tensor | None
    """(N, units of the next layer) dL/dz there: dL/dy = next_dloss_dz @ next_weights."""
    penalty_gradient: float
    """rate * dR/dw for the L1 (sign w) or L2 (w) penalty; 0 without one and for biases."""
    gradient: float
    """dL/dw = sum over samples of dL/dy * dy/dz * dz/dw, plus the penalty gradient."""
    autograd_gradient: float
    """The same derivative as autograd computes it, for comparison."""
    weight: float
    learning_rate: float
    optimizer_weight: float | None
    """The weight after the given optimizer's real step, or None when no optimizer was given."""

    @property
    def dloss_dz(self) -> torch.Tensor:
        """(N,) dL/dz = dL/dy * dy/dz: the unit's error signal (delta)."""
        return self.dloss_dy * self.dy_dz

    @property
    def per_sample(self) -> torch.Tensor:
        """(N,) each sample's share dL/dy * dy/dz * dz/dw of the gradient."""
        return self.dloss_dz * self.dz_dw

    @property
    def sgd_weight(self) -> float:
        """Plain gradient descent's update w - lr * dL/dw."""
        return self.weight - self.learning_rate * self.gradient


def _loss_gradient(out: torch.Tensor, targets: torch.Tensor, loss: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The batch loss and dL/d(out), written out: softmax - one-hot over N, or 2 (out - t) over N * C."""
    n, classes = out.shape
    if targets.dtype == torch.int64:
        if targets.shape != (n,) or targets.min() < 0 or targets.max() >= classes:
            raise PlaygroundError(f"class labels must be {n} values from 0 to {classes - 1}")
        if loss == "cross_entropy":
            probs = torch.softmax(out, dim=1)
            picked = probs.gather(1, targets[:, None])[:, 0]
            return -torch.log(picked).mean(), (probs - F.one_hot(targets, classes).to(out.dtype)) / n
        targets = F.one_hot(targets, classes).to(out.dtype)
    elif loss != "mse":
        raise PlaygroundError("cross-entropy needs class labels", "use mse for regression targets")
    if targets.shape != out.shape:
        raise PlaygroundError(f"targets of shape {tuple(targets.shape)} for outputs {tuple(out.shape)}")
    return ((out - targets) ** 2).mean(), 2 * (out - targets) / out.numel()


def _autograd_loss(out: torch.Tensor, targets: torch.Tensor, loss: str) -> torch.Tensor:
    if targets.dtype == torch.int64:
        if loss == "cross_entropy":
            return F.cross_entropy(out, targets)
        targets = F.one_hot(targets, out.shape[1]).to(out.dtype)
    return F.mse_loss(out, targets)


def _penalty(weights: list[torch.Tensor], penalty: str, rate: float) -> torch.Tensor:
    """rate * sum |w| (L1) or rate * sum w^2 / 2 (L2, TFP's), over the Linear weights (not biases)."""
    total = torch.zeros(())
    for w in weights:
        if penalty == "l1":
            total = total + w.abs().sum()
        elif penalty == "l2":
            total = total + (w * w).sum() / 2
    return rate * total


def _check(selection: Selection, linears: list[nn.Linear]) -> None:
    if not 0 <= selection.layer < len(linears):
        raise PlaygroundError(f"there is no layer {selection.layer}", f"layers 0 to {len(linears) - 1}")
    lin = linears[selection.layer]
    if not 0 <= selection.unit < lin.out_features:
        raise PlaygroundError(f"layer {selection.layer} has no unit {selection.unit}",
                              f"units 0 to {lin.out_features - 1}")
    if selection.input is not None and not 0 <= selection.input < lin.in_features:
        raise PlaygroundError(f"layer {selection.layer} has no input {selection.input}",
                              f"inputs 0 to {lin.in_features - 1}")
    if selection.input is None and lin.bias is None:
        raise PlaygroundError(f"layer {selection.layer} has no bias", "pick a weight")


def backprop_step(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, selection: Selection,
                  learning_rate: float, loss: str = "cross_entropy", penalty: str = "none",
                  penalty_rate: float = 0.0, optimizer: torch.optim.Optimizer | None = None) -> BackpropTerms:
    """Follow one weight (or bias) through a forward and backward pass on one batch.

    The terms are computed by the chain rule written out layer by layer; the model is not changed
    unless ``optimizer`` is given, which then takes one real step on the batch (autograd gradients).

    Args:
        model: a dense stack of Linear layers, each followed by at most one element-wise activation.
        inputs: (N, features) batch.
        targets: (N,) int64 classes or (N, outputs) float regression targets.
        selection: the weight or neuron to follow.
        learning_rate: for the plain SGD update shown.
        loss: "cross_entropy" or "mse" (one-hot targets for classes, as the trainer does).
        penalty: "none", "l1" or "l2" regularisation of the weights, with ``penalty_rate``.
        optimizer: an optimizer over ``model``'s parameters to take the real step with.
    """
    if loss not in ("cross_entropy", "mse") or penalty not in ("none", "l1", "l2"):
        raise PlaygroundError(f"unknown loss '{loss}' or penalty '{penalty}'",
                              "losses: cross_entropy, mse; penalties: none, l1, l2")
    for name, value in (("learning rate", learning_rate), ("penalty rate", penalty_rate)):
        if not math.isfinite(value) or value < 0:
            raise PlaygroundError(f"the {name} must be a finite number of at least 0, not {value}")
    layers = dense_layers(model)
    if layers is None or any(len(group) > 2 for group in layers):
        raise PlaygroundError("step-by-step backprop follows dense networks only",
                              "use Linear layers with one element-wise activation each")
    linears = [group[0] for group in layers if isinstance(group[0], nn.Linear)]
    acts = [group[1] if len(group) == 2 else None for group in layers]
    locals_ = [_local(act) for act in acts]
    _check(selection, linears)
    if inputs.ndim != 2 or inputs.shape[0] < 1 or inputs.shape[1] != linears[0].in_features:
        raise PlaygroundError(f"the batch must be (samples, {linears[0].in_features}) inputs, "
                              f"not {tuple(inputs.shape)}")
    chosen = linears[selection.layer]
    if not (chosen.weight if selection.input is not None else chosen.bias).requires_grad:
        raise PlaygroundError(f"layer {selection.layer} is frozen: its weights do not learn",
                              "unfreeze the layer to follow its weights")
    with torch.no_grad():
        activations, pre = [inputs], []
        for lin, act in zip(linears, acts, strict=True):
            pre.append(F.linear(activations[-1], lin.weight, lin.bias))
            activations.append(act(pre[-1]) if act is not None else pre[-1])
        batch_loss, dloss_dout = _loss_gradient(activations[-1], targets, loss)
        dloss_dy = dloss_dout
        next_weights = next_dz = None
        for index in range(len(linears) - 1, selection.layer, -1):
            next_dz = dloss_dy * locals_[index][1](pre[index], activations[index + 1])
            dloss_dy = next_dz @ linears[index].weight
            next_weights = linears[index].weight[:, selection.unit].clone()
        unit, lin = selection.unit, linears[selection.layer]
        z, y = pre[selection.layer][:, unit], activations[selection.layer + 1][:, unit]
        dy_dz = locals_[selection.layer][1](pre[selection.layer], activations[selection.layer + 1])[:, unit]
        source = activations[selection.layer]
        dz_dw = source[:, selection.input].clone() if selection.input is not None else torch.ones_like(z)
        param = lin.weight if selection.input is not None else lin.bias
        where = (unit, selection.input) if selection.input is not None else (unit,)
        weight = float(param[where])
        penalty_grad = 0.0
        if selection.input is not None and penalty != "none":
            penalty_grad = penalty_rate * (math.copysign(1.0, weight) if penalty == "l1" else weight)
            penalty_grad = 0.0 if penalty == "l1" and weight == 0 else penalty_grad
        gradient = float((dloss_dy[:, unit] * dy_dz * dz_dw).sum()) + penalty_grad

    total = _autograd_loss(model(inputs), targets, loss) + _penalty([m.weight for m in linears], penalty,
                                                                    penalty_rate)
    (auto,) = torch.autograd.grad(total, param, retain_graph=optimizer is not None)
    new_weight = None
    if optimizer is not None:
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        new_weight = float(param.detach()[where])
    return BackpropTerms(
        selection, locals_[selection.layer][0], loss, z, y, float(batch_loss), dloss_dout,
        dloss_dy[:, unit].clone(), dy_dz, dz_dw, next_weights, next_dz,
        penalty_grad, gradient, float(auto[where]), weight, learning_rate, new_weight,
    )
