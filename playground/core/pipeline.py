"""The article's eight training steps as data the trainer records: a trace of one batch through them
(the samples before and after preprocessing, the outputs and probabilities, the loss, the gradient
norms and the size of each layer's update), the initial weight distribution, and the share of time
each step of the loop takes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.core.builder import PlaygroundNet

# (key, title, what it does) in the article's order: 数据预处理, 模型初始化, 前向传播, 损失计算, 反向传播,
# 参数更新, 模型评估, 模型保存.
STEPS = (
    ("preprocess", "Preprocess", "scale each sample by the data's mean and spread (and move images a little "
     "when augmentation is on)"),
    ("initialise", "Initialise", "set the starting weights, drawn at random by the chosen rule"),
    ("forward", "Forward", "run the batch through every layer to the outputs"),
    ("loss", "Loss", "measure how far the outputs are from the targets"),
    ("backward", "Backward", "send the error back through the layers by the chain rule: a gradient for "
     "every weight"),
    ("update", "Update", "move every weight a small step against its gradient"),
    ("evaluate", "Evaluate", "after each epoch, score the network on the test data it never trains on"),
    ("save", "Save", "keep the weights: after each epoch in memory (the drawing pad reads them), on disk "
     "when the project is saved"),
)
STEP_KEYS = tuple(key for key, _, _ in STEPS)
TIMED = ("preprocess", "forward", "loss", "backward", "update")  # the steps of every batch, timed
SAMPLES = 6  # samples of the batch a trace keeps
# ||dw|| / ||w|| per step: Karpathy's rule of thumb is about 1e-3; measured here on the sample, training
# runs gave 3e-3 to 5e-2 (Adam's first steps the most), an SGD run at lr 1e-4 that barely learnt 3e-5.
HEALTHY_UPDATE = (1e-4, 1e-1)


@dataclass(frozen=True)
class WeightHistogram:
    """The distribution of one layer's weights (its biases left out)."""

    layer: int
    edges: np.ndarray  # (bins + 1,)
    counts: np.ndarray  # (bins,)
    mean: float
    std: float


@dataclass(frozen=True)
class BatchTrace:
    """One batch through the steps, for the first SAMPLES samples (and every layer)."""

    step: int
    epoch: int
    batch: int
    raw: np.ndarray  # (k, *input_shape): the samples as stored (0-255 for images)
    prepared: np.ndarray  # (k, *input_shape): what the first layer reads, normalised (and augmented)
    targets: np.ndarray  # (k,) classes, or (k, outputs) values
    outputs: np.ndarray  # (k, outputs): the last layer's values (logits for classes)
    probabilities: np.ndarray | None  # (k, outputs) softmax of the outputs, for classification
    loss: float  # the batch's loss (all of it, not only the k samples)
    loss_name: str
    learning_rate: float
    augmented: bool
    grad_norms: tuple[float, ...]  # per layer: L2 norm of its gradient; NaN without weights
    update_ratios: tuple[float, ...]  # per layer: ||dw|| / ||w|| of this step; NaN without weights
    layer_names: tuple[str, ...] = field(default=())
    stepped: bool = False  # the user stepped this one batch (Batch), rather than the run passing by

    def update_text(self, layer: int) -> str:
        """Whether layer ``layer``'s update size is in the usual healthy range."""
        ratio = self.update_ratios[layer]
        if not math.isfinite(ratio):
            return "no weights"
        low, high = HEALTHY_UPDATE
        if ratio < low:
            return "small: this layer barely learns (a larger learning rate? vanishing gradients?)"
        if ratio > high:
            return "large: the weights jump (lower the learning rate)"
        return "healthy (1e-3 to 1e-2 is usual)"


def weight_histograms(model: PlaygroundNet, bins: int = 40) -> tuple[WeightHistogram, ...]:
    """The weight distribution of each layer with weights (matrices and kernels; biases left out)."""
    out = []
    for i, block in enumerate(model.blocks):
        weights = [p.detach().float().flatten() for p in block.parameters() if p.dim() > 1]
        if not weights:
            continue
        values = torch.cat(weights).cpu().numpy()
        counts, edges = np.histogram(values, bins=bins)
        out.append(WeightHistogram(i, edges, counts, float(values.mean()), float(values.std())))
    return tuple(out)


class Tracer:
    """What the trainer calls around one batch to trace it: ``before_step`` after the backward pass
    (it copies the weights), ``finish`` after the optimizer step (it measures the update)."""

    def __init__(self, model: PlaygroundNet) -> None:
        self.model = model
        self.params: list[tuple[int, torch.nn.Parameter]] = [
            (i, p) for i, block in enumerate(model.blocks) for p in block.parameters() if p.requires_grad]
        self._before: list[torch.Tensor] = []

    def before_step(self) -> None:
        """Copy the trainable weights (the update is measured against them)."""
        self._before = [p.detach().clone() for _, p in self.params]

    def norms(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(gradient norms, update ratios) per layer, after the step."""
        count = len(self.model.blocks)
        grad_sq, delta_sq, weight_sq = [0.0] * count, [0.0] * count, [0.0] * count
        has = [False] * count
        for (i, p), before in zip(self.params, self._before, strict=True):
            has[i] = True
            if p.grad is not None:
                grad_sq[i] += float(p.grad.detach().float().square().sum())
            delta_sq[i] += float((p.detach() - before).float().square().sum())
            weight_sq[i] += float(before.float().square().sum())
        grads = tuple(math.sqrt(g) if h else math.nan for g, h in zip(grad_sq, has, strict=True))
        ratios = tuple(math.sqrt(d) / math.sqrt(w) if h and w > 0 else math.nan
                       for d, w, h in zip(delta_sq, weight_sq, has, strict=True))
        return grads, ratios


def phase_shares(seconds: dict[str, float]) -> dict[str, float]:
    """Each timed step's share of the loop's time (0 to 1; all 0 before the first batch)."""
    total = sum(seconds.get(key, 0.0) for key in TIMED)
    return {key: (seconds.get(key, 0.0) / total if total > 0 else 0.0) for key in TIMED}
