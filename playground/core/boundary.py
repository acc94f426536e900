"""The decision boundary: a model's output and every hidden neuron's output over a grid of the plane."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.core.builder import Block, PlaygroundNet
from playground.data.toy import DEFAULT_FEATURES, DOMAIN, check_features, feature_matrix
from playground.errors import PlaygroundError

RESOLUTION = 100
"""TFP's DENSITY: the boundary is drawn from 100 x 100 grid points."""
RESOLUTION_RANGE = (2, 400)

# Modules that keep one value per unit: they belong to the neuron layer of the Linear before them.
_PER_UNIT = (
    nn.Identity, nn.Flatten, nn.Dropout, nn.BatchNorm1d, nn.LayerNorm, nn.ReLU, nn.LeakyReLU, nn.ELU,
    nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh, nn.Softplus, nn.Mish, nn.Softmax,
)


@dataclass(frozen=True)
class Grid:
    """Grid points of the plane and their input features, built once and reused for every redraw.

    Row ``r``, column ``c`` of every (H, W) map is the point ``(xs[c], ys[r])``: ``ys`` rises with
    the row index, so a view that draws row 0 at the top flips the maps vertically.
    """

    xs: np.ndarray
    ys: np.ndarray
    features: tuple[str, ...]
    inputs: torch.Tensor
    """(H * W, F) float32: the features of each grid point, row by row."""

    @property
    def shape(self) -> tuple[int, int]:
        """(H, W): rows and columns of the maps."""
        return len(self.ys), len(self.xs)


def make_grid(features: tuple[str, ...] | list[str] = DEFAULT_FEATURES, resolution: int = RESOLUTION,
              domain: tuple[float, float] = DOMAIN) -> Grid:
    """A ``resolution`` x ``resolution`` grid over ``domain`` squared, ends included (as TFP's).

    Args:
        features: input feature names (see ``playground.data.toy.FEATURES``), in the network's order.
        resolution: grid points per side, within RESOLUTION_RANGE.
        domain: (low, high) of both axes.
    """
    names = check_features(features)
    low, high = RESOLUTION_RANGE
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not low <= resolution <= high:
        raise PlaygroundError(f"the grid resolution must be a whole number from {low} to {high}, "
                              f"not {resolution!r}", f"TFP uses {RESOLUTION}")
    if not (np.isfinite(domain).all() and domain[0] < domain[1]):
        raise PlaygroundError(f"the plane's range must be two finite numbers, low before high, not {domain}")
    axis = np.linspace(domain[0], domain[1], resolution, dtype=np.float32)
    gx, gy = np.meshgrid(axis, axis)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    inputs = torch.from_numpy(feature_matrix(points, names))
    return Grid(axis, axis.copy(), names, inputs)


def _leaves(module: nn.Module) -> list[nn.Module]:
    """The modules a sequential container runs, in order; other modules are leaves."""
    if isinstance(module, nn.Sequential | nn.ModuleList | PlaygroundNet | Block):
        return [leaf for child in module.children() for leaf in _leaves(child)]
    return [module]


def dense_layers(model: nn.Module) -> list[list[nn.Module]] | None:
    """The model as neuron layers (a Linear and the per-unit modules after it), or None if not dense.

    A dense network is a sequential stack of Linear layers and per-unit modules (activations,
    dropout, normalisation); the last neuron layer is the output.
    """
    layers: list[list[nn.Module]] = []
    for leaf in _leaves(model):
        if isinstance(leaf, nn.Linear):
            layers.append([leaf])
        elif isinstance(leaf, _PER_UNIT) and (layers or isinstance(leaf, nn.Identity | nn.Flatten)):
            if layers:
                layers[-1].append(leaf)
        else:
            return None
    return layers or None


@dataclass(frozen=True)
class Boundary:
    """The model over a grid: the output per cell and, for a dense network, each hidden neuron's."""

    grid: Grid
    output: np.ndarray
    """(H, W, C): class probabilities summing to 1 per cell, or the regression outputs."""
    neurons: tuple[np.ndarray, ...] | None
    """Per hidden layer, (H, W, units) outputs after its activation; None when not dense or not asked."""
    regression: bool

    @property
    def predicted(self) -> np.ndarray:
        """(H, W) int64: the most probable class of each cell (classification only)."""
        return self.output.argmax(axis=2)

    @property
    def confidence(self) -> np.ndarray:
        """(H, W): the probability of the predicted class (classification only)."""
        return self.output.max(axis=2)


def evaluate(model: nn.Module, grid: Grid, regression: bool = False, neurons: bool = True) -> Boundary:
    """Run ``model`` once on all grid points (eval mode, no autograd) and shape the results as maps.

    Args:
        model: a network whose input is ``grid.features``, e.g. a ``PlaygroundNet`` of Linear layers.
        grid: from ``make_grid``.
        regression: return the raw outputs instead of softmax probabilities.
        neurons: also return every hidden neuron's output (dense networks only).
    """
    height, width = grid.shape
    stack = dense_layers(model)
    features = grid.inputs.shape[1]
    if stack is not None and stack[0][0].in_features != features:
        raise PlaygroundError(f"the network reads {stack[0][0].in_features} inputs but {features} "
                              "input features are chosen", "make the first layer's inputs match the features")
    layers = stack if neurons else None
    ends_in_softmax = stack is not None and isinstance(stack[-1][-1], nn.Softmax)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            hidden: list[torch.Tensor] = []
            if layers is None:
                out = model(grid.inputs)
            else:
                out = grid.inputs
                for index, layer in enumerate(layers):
                    for module in layer:
                        out = module(out)
                    if index < len(layers) - 1:
                        hidden.append(out)
            if not regression and not ends_in_softmax:
                # Along rows of a (classes, points) copy: 3-4x faster than softmax over a dim of 2.
                out = torch.softmax(out.T.contiguous(), dim=0).T.contiguous()
    finally:
        model.train(was_training)
    if out.ndim != 2 or out.shape[0] != height * width:
        raise PlaygroundError(f"the network's output has shape {tuple(out.shape)} for {height * width} "
                              "grid points", "end the network with a Linear layer")
    maps = out.numpy().reshape(height, width, -1)
    per_neuron = None
    if layers is not None:
        per_neuron = tuple(h.numpy().reshape(height, width, -1) for h in hidden)
    return Boundary(grid, maps, per_neuron, regression)
