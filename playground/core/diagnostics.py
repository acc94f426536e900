"""Per-layer gradient norms and dead-ReLU fractions of a training step, measured without syncing."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from playground.core.builder import PlaygroundNet


class Diagnostics:
    """Per-layer gradient norms and dead-ReLU fractions, computed on the device without syncing.

    The ReLU outputs are recorded on forward passes while ``armed`` (the trainer disarms it before it
    evaluates), in train and eval mode alike: frozen blocks run in eval mode.
    """

    def __init__(self, model: PlaygroundNet) -> None:
        self.count = len(model.blocks)
        self.params: list[nn.Parameter] = []
        owners: list[int] = []
        for i, block in enumerate(model.blocks):
            for p in block.parameters():
                if p.requires_grad:
                    self.params.append(p)
                    owners.append(i)
        self.owners = torch.tensor(owners, dtype=torch.int64)
        self.weighted = torch.zeros(self.count, dtype=torch.bool)
        self.weighted[self.owners] = True
        self.relu = [i for i, b in enumerate(model.blocks) if isinstance(b.activation, nn.ReLU)]
        self.alive: dict[int, torch.Tensor] = {}
        self.armed = True
        for i in self.relu:
            activation = model.block(i).activation
            if activation is not None:
                activation.register_forward_hook(self._hook(i))

    def _hook(self, index: int) -> Callable[[nn.Module, tuple, torch.Tensor], None]:
        def hook(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
            if self.armed:
                self.alive[index] = (out > 0).flatten(1).any(0).float().mean()
        return hook

    def grad_norms(self) -> torch.Tensor:
        """L2 gradient norm per block, as a (blocks,) tensor; NaN where nothing trains."""
        out = torch.full((self.count,), float("nan"))
        grads = [p.grad for p in self.params if p.grad is not None]
        if len(grads) == len(self.params) and grads:
            norms = torch.stack(torch._foreach_norm(grads)).float().cpu()
            sums = torch.zeros(self.count).index_add_(0, self.owners, norms.square())
            out = torch.where(self.weighted, sums.sqrt(), out)
        return out

    def dead_fractions(self) -> list[float]:
        """Fraction of ReLU units that were 0 for the whole last batch (NaN for other layers)."""
        dead = [math.nan] * self.count
        if self.alive:
            values = torch.stack([self.alive[i] for i in self.relu]).tolist()
            for i, alive in zip(self.relu, values, strict=True):
                dead[i] = 1.0 - alive
        return dead
