"""The training catalogue: one row per optimizer, loss, learning-rate schedule and weight initialisation.

Each row has the factory the app calls and the same thing as Python source (``code``), which the exported
training script carries, so the script trains as the app does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

CLASSIFICATION, REGRESSION = "classification", "regression"


@dataclass(frozen=True, kw_only=True)
class Optimizer:
    """An optimizer: ``make(params, learning_rate, weight_decay)``; ``code`` the same as a lambda."""

    name: str
    label: str
    make: Callable[[list[nn.Parameter], float, float], torch.optim.Optimizer]
    code: str


@dataclass(frozen=True, kw_only=True)
class Loss:
    """A loss of the outputs against the targets: class indices (int64) or values (float).

    ``tasks`` are those it can train; ``log_softmax`` says that it applies log-softmax itself (so a
    softmax before it squashes twice).
    """

    name: str
    label: str
    compute: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    code: str
    tasks: tuple[str, ...]
    log_softmax: bool = False


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """A learning-rate schedule: ``factor(step, total_steps)`` multiplies the learning rate."""

    name: str
    label: str
    factor: Callable[[int, int], float]
    code: str


@dataclass(frozen=True, kw_only=True)
class Init:
    """A weight initialisation: ``fill`` sets a weight tensor in place (None keeps PyTorch's default)."""

    name: str
    label: str
    fill: Callable[[torch.Tensor], object] | None
    code: str


def mse_targets(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Targets for mean squared error: one-hot rows for class indices, the values shaped like the outputs."""
    if targets.is_floating_point():
        return targets.reshape(outputs.shape).to(outputs.dtype)
    return F.one_hot(targets, outputs.shape[1]).to(outputs.dtype)


def _step_factor(step: int, total: int) -> float:
    return 0.01 if step >= 0.75 * max(total, 1) else 0.1 if step >= 0.5 * max(total, 1) else 1.0


def _cosine_factor(step: int, total: int) -> float:
    return 0.5 * (1.0 + math.cos(math.pi * min(step / max(total, 1), 1.0)))


OPTIMIZERS: dict[str, Optimizer] = {
    row.name: row
    for row in (
        Optimizer(name="sgd", label="SGD",
                  make=lambda p, lr, wd: torch.optim.SGD(p, lr=lr, weight_decay=wd),
                  code="lambda p, lr, wd: torch.optim.SGD(p, lr=lr, weight_decay=wd)"),
        Optimizer(name="momentum", label="SGD with momentum 0.9",
                  make=lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=wd),
                  code="lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=wd)"),
        Optimizer(name="nesterov", label="SGD with Nesterov momentum",
                  make=lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True,
                                                         weight_decay=wd),
                  code="lambda p, lr, wd: torch.optim.SGD(\n    p, lr=lr, momentum=0.9, nesterov=True, "
                  "weight_decay=wd\n)"),
        Optimizer(name="adam", label="Adam",
                  make=lambda p, lr, wd: torch.optim.Adam(p, lr=lr, weight_decay=wd),
                  code="lambda p, lr, wd: torch.optim.Adam(p, lr=lr, weight_decay=wd)"),
        Optimizer(name="adamw", label="AdamW",
                  make=lambda p, lr, wd: torch.optim.AdamW(p, lr=lr, weight_decay=wd),
                  code="lambda p, lr, wd: torch.optim.AdamW(p, lr=lr, weight_decay=wd)"),
        Optimizer(name="rmsprop", label="RMSprop",
                  make=lambda p, lr, wd: torch.optim.RMSprop(p, lr=lr, weight_decay=wd),
                  code="lambda p, lr, wd: torch.optim.RMSprop(p, lr=lr, weight_decay=wd)"),
    )
}

LOSSES: dict[str, Loss] = {
    row.name: row
    for row in (
        Loss(name="cross_entropy", label="Cross-entropy", compute=F.cross_entropy, code="F.cross_entropy",
             tasks=(CLASSIFICATION,), log_softmax=True),
        Loss(name="mse", label="Mean squared error (one-hot targets)",
             compute=lambda out, y: F.mse_loss(out, mse_targets(out, y)),
             code="lambda out, y: F.mse_loss(out, mse_targets(out, y))", tasks=(CLASSIFICATION, REGRESSION)),
    )
}

SCHEDULES: dict[str, Schedule] = {
    row.name: row
    for row in (
        Schedule(name="none", label="Constant", factor=lambda step, total: 1.0,
                 code="lambda step, total: 1.0"),
        Schedule(name="step", label="Step (x0.1 at 1/2 and 3/4)", factor=_step_factor,
                 code="lambda step, total: (\n    0.01 if step >= 0.75 * max(total, 1)\n    else 0.1 if step "
                 ">= 0.5 * max(total, 1)\n    else 1.0\n)"),
        Schedule(name="cosine", label="Cosine", factor=_cosine_factor,
                 code="lambda step, total: 0.5 * (\n"
                 "    1.0 + math.cos(math.pi * min(step / max(total, 1), 1.0))\n)"),
    )
}

INITS: dict[str, Init] = {
    row.name: row
    for row in (
        Init(name="default", label="PyTorch default", fill=None, code="None"),
        Init(name="xavier_uniform", label="Xavier / Glorot uniform", fill=nn.init.xavier_uniform_,
             code="nn.init.xavier_uniform_"),
        Init(name="kaiming_normal", label="He / Kaiming normal",
             fill=lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
             code='lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")'),
        Init(name="normal", label="Normal(0, 0.01)", fill=lambda w: nn.init.normal_(w, 0.0, 0.01),
             code="lambda w: nn.init.normal_(w, 0.0, 0.01)"),
        Init(name="zeros", label="Zeros (shows the symmetry problem)", fill=nn.init.zeros_,
             code="nn.init.zeros_"),
    )
}


def default_loss(task: str) -> str:
    """The first loss that can train ``task``'s targets: cross-entropy for classes, MSE for values."""
    return next(name for name, row in LOSSES.items() if task in row.tasks)


def initialise(module: nn.Module, init: str) -> None:
    """Set the weights of ``module`` (and its children) with ``init``; biases start at zero.

    Tensors of fewer than two dimensions other than biases (a normalisation layer's scale) are left alone.
    """
    fill = INITS[init].fill
    if fill is None:
        return
    for name, param in module.named_parameters():
        if name.rsplit(".", 1)[-1].startswith("bias"):
            nn.init.zeros_(param)
        elif param.dim() >= 2:
            fill(param)
