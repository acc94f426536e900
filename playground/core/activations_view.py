"""Activation curves and derivatives, a layer's pre-activations over a batch, and their saturated share."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import torch

from playground.core.activations import ACTIVATIONS
from playground.core.builder import PlaygroundNet, build_model
from playground.core.layers import Shape
from playground.core.spec import NetworkSpec
from playground.data.tensors import normalise
from playground.errors import PlaygroundError

SATURATED = 0.05
"""A value is saturated where the derivative is below this fraction of its largest value."""
LARGE_WEIGHT_STD = 1.0
"""The standard deviation of the "large weights" initialisation (the 1980s habit that saturates)."""
_MAX_GRID = np.linspace(-20.0, 20.0, 8001)
_CHUNK = 256


def curve(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Activation ``name`` and its derivative at ``x``, computed by torch autograd (float64).

    Each row's ``function`` gives f; softmax acts on a vector, so it is shown as a slice: f(x) = s_1 of
    softmax(x, 0, ..., 0) over ``SOFTMAX_INPUTS`` inputs, and f'(x) = ds_1/dx_1 = s_1 (1 - s_1), the
    Jacobian's diagonal. ReLU-like kinks take PyTorch's convention (ReLU'(0) = 0).

    Raises:
        PlaygroundError: ``name`` is not in the activation catalogue.
    """
    if name not in ACTIVATIONS:
        raise PlaygroundError(f"unknown activation '{name}'", f"known: {', '.join(ACTIVATIONS)}")
    flat = np.asarray(x, dtype=np.float64).ravel()
    t = torch.tensor(flat, dtype=torch.float64, requires_grad=True)
    with torch.enable_grad():
        y = ACTIVATIONS[name].function(t)
        (grad,) = torch.autograd.grad(y.sum(), t)
    shape = np.shape(x)
    return y.detach().numpy().reshape(shape), grad.numpy().reshape(shape)


@cache
def max_derivative(name: str) -> float:
    """The largest value of activation ``name``'s derivative (over -20..20)."""
    return float(curve(name, _MAX_GRID)[1].max())


def saturation_threshold(name: str) -> float:
    """The derivative below which a value counts as saturated: 5% of the derivative's maximum."""
    return SATURATED * max_derivative(name)


def saturation(name: str, values: np.ndarray) -> float:
    """The share of ``values`` where the derivative of ``name`` is below 5% of its maximum (0 if empty)."""
    values = np.asarray(values)
    if values.size == 0:
        return 0.0
    grad = curve(name, values)[1]
    return float(np.mean(grad < saturation_threshold(name)))


def mean_derivative(name: str, values: np.ndarray) -> float:
    """The average derivative of ``name`` over ``values``: how much gradient passes on average."""
    values = np.asarray(values)
    return float(curve(name, values)[1].mean()) if values.size else 0.0


def pre_activations(model: PlaygroundNet, spec: NetworkSpec, inputs: np.ndarray, mean: Sequence[float],
                    std: Sequence[float], layer: int, max_samples: int = 20000) -> np.ndarray:
    """The inputs to layer ``layer``'s activation (its Block's layer output) over a batch, flattened.

    Args:
        model: the network, built from ``spec``; it runs in eval mode and is left as it was.
        spec: the network's spec, to check ``layer``.
        inputs: a batch as the dataset holds it: uint8 images (N, C, H, W), or float features.
        mean: the per-channel normalisation mean the model was trained with (empty for float inputs).
        std: the per-channel normalisation standard deviation.
        layer: a spec layer index whose activation is not "none".
        max_samples: at most this many values come back, an even random subsample (fixed seed).

    Returns:
        float32 values, one per output unit (and position) per image, at most ``max_samples``.

    Raises:
        PlaygroundError: the layer does not exist, has no activation, or the images do not fit.
    """
    if len(spec.layers) != len(model.blocks):
        raise PlaygroundError("the model does not match its network spec")
    if not 0 <= layer < len(spec.layers):
        raise PlaygroundError(f"layer {layer + 1} does not exist", f"the network has {len(spec)} layers")
    if spec.layers[layer].activation == "none":
        raise PlaygroundError(f"layer {layer + 1} has no activation")
    x = normalise(torch.tensor(np.asarray(inputs)), mean, std)  # a copy: splits are read-only
    device = next(model.parameters(), torch.zeros(0)).device
    was_training = model.training
    model.eval()
    parts = []
    try:
        with torch.no_grad():
            for start in range(0, len(x), _CHUNK):
                h = x[start:start + _CHUNK].to(device)
                for block in model.blocks[:layer]:
                    h = block(h)
                parts.append(model.block(layer).layer(h).float().cpu().reshape(-1).numpy())
    except RuntimeError as exc:
        raise PlaygroundError(f"the images do not fit this network: {exc}") from exc
    finally:
        model.train(was_training)
    values = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    if len(values) > max_samples:
        keep = np.random.default_rng(0).choice(len(values), max_samples, replace=False)
        values = values[np.sort(keep)]
    return values


def fresh_model(spec: NetworkSpec, input_shape: Shape, outputs: int,
                weight_std: float | None = None, seed: int = 0) -> PlaygroundNet:
    """An untrained model of ``spec``: PyTorch's default init, or weights drawn from N(0, weight_std).

    The global random state is left as it was. Raises SpecError for a network with errors.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(spec, input_shape, outputs)
        if weight_std is not None:
            with torch.no_grad():
                for name, param in model.named_parameters():
                    if param.dim() >= 2 and "weight" in name:
                        param.normal_(0.0, weight_std)
    return model.eval()
