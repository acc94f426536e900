"""Look inside a network for one input: each layer's output, recurrent states and gates, weights, saliency."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.core.analysis import layer_shapes
from playground.core.builder import PlaygroundNet
from playground.core.inspect_rnn import recurrent_states
from playground.core.layers import LAYER_TYPES, SequenceOverRows, Shape
from playground.core.spec import NetworkSpec
from playground.data.tensors import normalise


@dataclass(frozen=True)
class LayerView:
    """One layer's output for one input.

    ``kind`` is "maps" for (C, H, W) values, "vector" for (N,), "sequence" for a recurrent layer's
    (T, H) hidden state at each time step (the top stacked layer's, before the block's activation:
    the block outputs the last step after it), or "none" when the layer has no output. ``gates``
    holds an LSTM's "input", "forget" and "output" gates or a GRU's "reset" and "update" gates,
    (T, H) each, values in [0, 1].
    """

    index: int
    type: str
    label: str
    kind: str
    values: np.ndarray
    gates: dict[str, np.ndarray] | None = None


@dataclass(frozen=True)
class Inside:
    """Everything ``look_inside`` sees: one view per spec layer, the class probabilities, the saliency."""

    layers: tuple[LayerView, ...]
    probabilities: np.ndarray
    saliency: np.ndarray


@contextlib.contextmanager
def _evaluating(model: nn.Module) -> Iterator[None]:
    """Eval mode (no dropout, BatchNorm running statistics) inside, the caller's mode restored after."""
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


def _device(model: nn.Module) -> torch.device:
    return next(model.parameters(), torch.empty(0)).device


def _pixels(model: nn.Module, image28: np.ndarray) -> torch.Tensor:
    """One image in [0, 1], (H, W) or (C, H, W), as a (1, C, H, W) tensor on the model's device."""
    x = torch.as_tensor(np.asarray(image28, dtype=np.float32))
    while x.dim() < 4:
        x = x.unsqueeze(0)
    return x.to(_device(model))


def _gradient_context(x: torch.Tensor) -> contextlib.AbstractContextManager:
    """cuDNN's recurrent layers cannot run backward in eval mode; the native kernels can."""
    if x.is_cuda:
        return torch.backends.cudnn.flags(enabled=False)
    return contextlib.nullcontext()


def _saliency_of(out: torch.Tensor, pixels: torch.Tensor, target: int | None) -> np.ndarray:
    """|d score / d pixel| of class ``target`` (the top class when None), the largest over channels."""
    index = int(out[0].argmax()) if target is None else target
    (grad,) = torch.autograd.grad(out[0, index], pixels)
    return grad[0].abs().amax(dim=0).cpu().numpy()


def saliency(model: nn.Module, image28: np.ndarray, mean: Sequence[float], std: Sequence[float],
             target: int | None = None) -> np.ndarray:
    """How much each pixel moves the top class's score: |d score / d input|, shaped like the image.

    Args:
        model: a network taking normalised (N, C, H, W) input; run in eval mode, its mode restored.
        image28: pixel values in [0, 1], (H, W) or (C, H, W).
        mean: the training normalisation mean, one value per channel.
        std: the training normalisation standard deviation, one value per channel.
        target: the class whose score to explain; the top class when None.

    Returns:
        float32 (H, W), non-negative.
    """
    pixels = _pixels(model, image28).requires_grad_(True)
    with _evaluating(model), torch.enable_grad(), _gradient_context(pixels):
        out = model(normalise(pixels, mean, std))
        return _saliency_of(out, pixels, target)


def _shape_text(values: np.ndarray, kind: str) -> str:
    if kind == "maps":
        c, h, w = values.shape
        return f"{c}@{h}x{w}"
    return "x".join(str(d) for d in values.shape)


def _view(index: int, type_name: str, block: nn.Module, output: torch.Tensor,
          block_input: torch.Tensor) -> LayerView:
    """The view of block ``index`` from its recorded input and output (batch of one)."""
    gates = None
    if isinstance(block.layer, SequenceOverRows):
        hidden, found = recurrent_states(block.layer.rnn, block_input)
        values, kind = hidden.cpu().numpy(), "sequence"
        if found is not None:
            gates = {name: gate.cpu().numpy() for name, gate in found.items()}
    else:
        values = output[0].cpu().numpy()
        kind = {3: "maps", 1: "vector"}.get(values.ndim, "none")
    return LayerView(index, type_name, f"{index + 1} {type_name} {_shape_text(values, kind)}", kind,
                     values, gates)


def look_inside(model: PlaygroundNet, spec: NetworkSpec, image28: np.ndarray, mean: Sequence[float],
                std: Sequence[float], *, ends_in_softmax: bool = False) -> Inside:
    """One forward pass (in eval mode, the model's mode restored) that records every layer's output.

    Args:
        model: the network built from ``spec`` (``blocks[i]`` is spec layer ``i``).
        spec: the network's spec, for the layer types.
        image28: pixel values in [0, 1], (H, W) or (C, H, W).
        mean: the training normalisation mean, one value per channel.
        std: the training normalisation standard deviation, one value per channel.
        ends_in_softmax: the network already outputs probabilities.

    Returns:
        one LayerView per spec layer, the class probabilities and the top class's saliency map.
    """
    recorded: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def recorder(index: int):
        def hook(_module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
            recorded[index] = (inputs[0].detach(), output.detach())
        return hook

    handles = [block.register_forward_hook(recorder(i)) for i, block in enumerate(model.blocks)]
    pixels = _pixels(model, image28).requires_grad_(True)
    try:
        with _evaluating(model), _gradient_context(pixels):
            with torch.enable_grad():
                out = model(normalise(pixels, mean, std))
                salient = _saliency_of(out, pixels, None)
            with torch.no_grad():
                views = tuple(_view(i, lay.type, model.blocks[i], recorded[i][1], recorded[i][0])
                              for i, lay in enumerate(spec.layers))
    finally:
        for handle in handles:
            handle.remove()
    scores = out.detach()[0].float().cpu()
    probs = scores if ends_in_softmax else torch.softmax(scores, dim=0)
    return Inside(views, probs.numpy(), salient)


def first_layer_weights(model: PlaygroundNet, spec: NetworkSpec,
                        input_shape: Shape) -> tuple[str, np.ndarray]:
    """The weights of the network's first weighted layer, shaped to be looked at.

    Returns:
        ("kernels", (F, C, k, k)) when it is a convolution; ("units", (K, H, W)) for a Linear that
        reads the flattened image (K neurons, each one's weights as an image; (K, C, H, W) when the
        image has several channels); ("none", an empty array) for anything else.
    """
    shapes = layer_shapes(spec, input_shape)
    for i, lay in enumerate(spec.layers):
        row = LAYER_TYPES[lay.type]
        if row.weights_view == "kernels":
            return "kernels", model.block(i).layer.get_parameter("weight").detach().cpu().numpy().copy()
        if row.weights_view == "units":
            image = next((s for s in reversed(shapes[:i + 1]) if s is not None and len(s) == 3), None)
            weight = model.block(i).layer.get_parameter("weight").detach().cpu().numpy()
            if image is None or weight.shape[1] != int(np.prod(image)):
                break
            units = weight.reshape(weight.shape[0], *image)
            return "units", (units[:, 0] if image[0] == 1 else units).copy()
        if row.weighted:
            break
    return "none", np.zeros((0,), dtype=np.float32)
