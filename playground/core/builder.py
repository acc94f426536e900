"""NetworkSpec -> torch module whose blocks map one-to-one to spec layers; init and freezing."""

from __future__ import annotations

from typing import cast

import torch
from torch import nn

from playground.core.activations import make_activation
from playground.core.analysis import analyse
from playground.core.choices import INITS, initialise
from playground.core.layers import LAYER_TYPES, SequenceOverRows, Shape
from playground.core.spec import NetworkSpec
from playground.errors import SpecError


class Block(nn.Module):
    """One spec layer: the layer itself, then its activation (if any)."""

    def __init__(self, layer: nn.Module, activation: nn.Module | None) -> None:
        super().__init__()
        self.layer = layer
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer(x)
        return self.activation(x) if self.activation is not None else x


class PlaygroundNet(nn.Module):
    """A stack of blocks; ``blocks[i]`` is spec layer ``i``."""

    def __init__(self, blocks: list[Block]) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(blocks)

    def block(self, index: int) -> Block:
        """Spec layer ``index``'s block."""
        return cast(Block, self.blocks[index])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x


def build_model(
    spec: NetworkSpec,
    input_shape: Shape,
    outputs: int,
    init: str = "default",
    loss: str = "cross_entropy",
) -> PlaygroundNet:
    """Build the module for ``spec``; a spec with errors raises SpecError naming the first one.

    Args:
        spec: the network.
        input_shape: one sample's shape.
        outputs: how many outputs it ends with (the classes, or the regression targets).
        init: a key of INITS; it sets the weights of the weighted layers.
        loss: the loss it will train with (only used to check the spec).
    """
    if init not in INITS:
        raise SpecError(f"unknown initialisation '{init}'", f"choose one of {', '.join(INITS)}")
    result = analyse(spec, input_shape, outputs, loss)
    if not result.ok:
        raise SpecError(result.errors[0].text)
    blocks = []
    shape = tuple(input_shape)
    for lay, info in zip(spec.layers, result.layers, strict=True):
        row = LAYER_TYPES[lay.type]
        block = Block(row.build(shape, dict(lay.params)), make_activation(lay.activation))
        if row.weighted:
            initialise(block, init)
            if isinstance(block.layer, SequenceOverRows):
                block.layer.open_gates()  # an initialisation zeroes the biases the memory setting opened
        block.requires_grad_(lay.trainable)
        blocks.append(block)
        if info.output_shape is None:
            raise SpecError(f"layer {info.index + 1}: its output shape is unknown")
        shape = info.output_shape
    return PlaygroundNet(blocks)
