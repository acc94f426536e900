"""Activation curves and derivatives, a layer's pre-activations over a batch, and their saturated share."""

from __future__ import annotations

from functools import cache

import numpy as np
import torch

from playground.core.builder import PlaygroundNet, build_model
from playground.core.layers import ACTIVATIONS, Shape, make_activation
from playground.core.spec import NetworkSpec
from playground.errors import PlaygroundError

SOFTMAX_INPUTS = 10
"""Softmax is drawn as output 1 of softmax(x, 0, ..., 0) over this many inputs, as input 1 varies."""
SATURATED = 0.05
"""A value is saturated where the derivative is below this fraction of its largest value."""
LARGE_WEIGHT_STD = 1.0
"""The standard deviation of the "large weights" initialisation (the 1980s habit that saturates)."""
SATURATING = frozenset({"sigmoid", "tanh", "softmax"})
"""Activations whose derivative vanishes on both sides: large inputs saturate them."""
RECTIFIERS = frozenset({"relu", "leaky_relu", "elu", "gelu", "silu"})
"""Activations that pass the gradient for positive inputs and (almost) block it for negative ones."""
_MAX_GRID = np.linspace(-20.0, 20.0, 8001)
_CHUNK = 256


def curve(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Activation ``name`` and its derivative at ``x``, computed by torch autograd (float64).

    Softmax acts on a vector, so it is shown as a slice: f(x) = s_1 of softmax(x, 0, ..., 0) over
    ``SOFTMAX_INPUTS`` inputs, and f'(x) = ds_1/dx_1 = s_1 (1 - s_1), the Jacobian's diagonal.
    ReLU-like kinks take PyTorch's convention (ReLU'(0) = 0).

    Raises:
        PlaygroundError: ``name`` is not in the activation catalogue.
    """
    if name not in ACTIVATIONS:
        raise PlaygroundError(f"unknown activation '{name}'", f"known: {', '.join(ACTIVATIONS)}")
    flat = np.asarray(x, dtype=np.float64).ravel()
    t = torch.tensor(flat, dtype=torch.float64, requires_grad=True)
    with torch.enable_grad():
        if name == "softmax":
            rest = torch.zeros(len(flat), SOFTMAX_INPUTS - 1, dtype=torch.float64)
            y = torch.softmax(torch.cat([t[:, None], rest], dim=1), dim=1)[:, 0]
        else:
            module = make_activation(name)
            y = t * 1.0 if module is None else module(t)
        (grad,) = torch.autograd.grad(y.sum(), t)
    shape = np.shape(x)
    return y.detach().numpy().reshape(shape), grad.numpy().reshape(shape)


@cache
def activation_family(name: str) -> str:
    """ "saturating" (sigmoid, tanh, softmax), "rectifier" (ReLU and its kin) or "linear" (none).

    Raises:
        PlaygroundError: ``name`` is not in the activation catalogue.
    """
    if name not in ACTIVATIONS:
        raise PlaygroundError(f"unknown activation '{name}'", f"known: {', '.join(ACTIVATIONS)}")
    if name in SATURATING:
        return "saturating"
    return "rectifier" if name in RECTIFIERS else "linear"


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


def _inputs(images: np.ndarray, mean: float, std: float) -> torch.Tensor:
    """uint8 (N, H, W) or (N, C, H, W) images -> normalised float32 (N, C, H, W)."""
    x = torch.as_tensor(np.asarray(images, dtype=np.float32) / 255.0)
    if x.dim() == 3:
        x = x.unsqueeze(1)
    return (x - mean) / std


def pre_activations(model: PlaygroundNet, spec: NetworkSpec, images_uint8: np.ndarray, mean: float,
                    std: float, layer: int, max_samples: int = 20000) -> np.ndarray:
    """The inputs to layer ``layer``'s activation (its Block's layer output) over a batch, flattened.

    Args:
        model: the network, built from ``spec``; it runs in eval mode and is left as it was.
        spec: the network's spec, to check ``layer``.
        images_uint8: pixels 0-255, (N, H, W) or (N, C, H, W).
        mean: the normalisation mean the model was trained with (pixels scaled to [0, 1]).
        std: the normalisation standard deviation.
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
    x = _inputs(images_uint8, mean, std)
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
                parts.append(model.blocks[layer].layer(h).float().cpu().reshape(-1).numpy())
    except RuntimeError as exc:
        raise PlaygroundError(f"the images do not fit this network: {exc}") from exc
    finally:
        model.train(was_training)
    values = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    if len(values) > max_samples:
        keep = np.random.default_rng(0).choice(len(values), max_samples, replace=False)
        values = values[np.sort(keep)]
    return values


def fresh_model(spec: NetworkSpec, input_shape: Shape, num_classes: int,
                weight_std: float | None = None, seed: int = 0) -> PlaygroundNet:
    """An untrained model of ``spec``: PyTorch's default init, or weights drawn from N(0, weight_std).

    The global random state is left as it was. Raises SpecError for a network with errors.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(spec, input_shape, num_classes)
        if weight_std is not None:
            with torch.no_grad():
                for name, param in model.named_parameters():
                    if param.dim() >= 2 and "weight" in name:
                        param.normal_(0.0, weight_std)
    return model.eval()
