"""NetworkSpec -> torch module whose blocks map one-to-one to spec layers; init and freezing."""

from __future__ import annotations

import torch
from torch import nn

from playground.core.analysis import analyse
from playground.core.layers import LAYER_TYPES, Shape, make_activation
from playground.core.spec import NetworkSpec
from playground.errors import SpecError

INITS: dict[str, str] = {
    "default": "PyTorch default",
    "xavier_uniform": "Xavier / Glorot uniform",
    "kaiming_normal": "He / Kaiming normal",
    "normal": "Normal(0, 0.01)",
    "zeros": "Zeros (shows the symmetry problem)",
}


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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x


def _init_weights(module: nn.Module, init: str) -> None:
    for name, param in module.named_parameters(recurse=False):
        if name.startswith("bias"):
            nn.init.zeros_(param)
        elif param.dim() < 2:
            continue  # BatchNorm scale keeps its 1s
        elif init == "xavier_uniform":
            nn.init.xavier_uniform_(param)
        elif init == "kaiming_normal":
            nn.init.kaiming_normal_(param, nonlinearity="relu")
        elif init == "normal":
            nn.init.normal_(param, 0.0, 0.01)
        elif init == "zeros":
            nn.init.zeros_(param)


def build_model(
    spec: NetworkSpec,
    input_shape: Shape = (1, 28, 28),
    num_classes: int = 10,
    init: str = "default",
    loss: str = "cross_entropy",
) -> PlaygroundNet:
    """Build the module for ``spec``; a spec with errors raises SpecError naming the first one.

    Args:
        spec: the network.
        input_shape: one sample's shape.
        num_classes: classes of the dataset.
        init: a key of INITS.
        loss: the loss it will train with (only used to check the spec).
    """
    if init not in INITS:
        raise SpecError(f"unknown initialisation '{init}'", f"choose one of {', '.join(INITS)}")
    result = analyse(spec, input_shape, num_classes, loss)
    if not result.ok:
        raise SpecError(result.errors[0].text)
    blocks = []
    shape = tuple(input_shape)
    for lay, info in zip(spec.layers, result.layers, strict=True):
        module = LAYER_TYPES[lay.type].build(shape, dict(lay.params))
        block = Block(module, make_activation(lay.activation))
        if init != "default":
            for sub in block.modules():
                _init_weights(sub, init)
        block.requires_grad_(lay.trainable)
        blocks.append(block)
        shape = info.output_shape
    return PlaygroundNet(blocks)
