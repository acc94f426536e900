"""A model's answers on a whole test split: confusion matrix, per-class precision and recall, mistakes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.core.metrics import confusion_matrix
from playground.data.tensors import normalise
from playground.errors import PlaygroundError

DIVERGED_HINT = "train again with a lower learning rate"


class EvaluationCancelled(Exception):
    """``cancel`` asked ``evaluate_model`` to give up before the last batch."""


@dataclass(frozen=True, eq=False)
class Evaluation:
    """What a model answered for each image of a split, with the counts[true, predicted] matrix."""

    labels: np.ndarray  # (N,) int64 true classes
    predicted: np.ndarray  # (N,) int64
    confidence: np.ndarray  # (N,) float32 probability of the predicted class
    probabilities: np.ndarray  # (N, C) float32
    class_names: tuple[str, ...]
    matrix: np.ndarray  # (C, C) int64 counts[true, predicted]

    @property
    def num_classes(self) -> int:
        """How many classes the matrix has."""
        return len(self.class_names)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def precision(self) -> np.ndarray:
        """Per class: the share of the images predicted as it that truly are it (NaN if none were)."""
        return _ratio(np.diag(self.matrix), self.matrix.sum(axis=0))

    def recall(self) -> np.ndarray:
        """Per class: the share of its images predicted as it (NaN for a class with no images)."""
        return _ratio(np.diag(self.matrix), self.matrix.sum(axis=1))

    def accuracy(self) -> float:
        """The share of all images predicted right (NaN for an empty split)."""
        total = int(self.matrix.sum())
        return float(np.trace(self.matrix)) / total if total else float("nan")

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indexes of the images of class ``true`` predicted as ``predicted``, most confident first."""
        found = np.flatnonzero((self.labels == true) & (self.predicted == predicted))
        return found[np.argsort(-self.confidence[found], kind="stable")]

    def worst_cell(self) -> tuple[int, int]:
        """The (true, predicted) cell off the diagonal with the most images; the first such on ties.

        With no mistakes at all it is still an off-diagonal cell (holding 0); a one-class matrix
        gives (0, 0).
        """
        c = self.num_classes
        if c < 2:
            return 0, 0
        off = self.matrix.astype(np.int64, copy=True)
        np.fill_diagonal(off, -1)
        true, predicted = np.unravel_index(int(np.argmax(off)), off.shape)
        return int(true), int(predicted)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator as float64, NaN where the denominator is 0."""
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def evaluate_model(
    model: nn.Module,
    inputs: np.ndarray,
    labels: np.ndarray,
    mean: Sequence[float],
    std: Sequence[float],
    class_names: Sequence[str],
    *,
    batch_size: int = 1000,
    ends_in_softmax: bool = False,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Run ``model`` (in eval mode, without gradients) over a split and tally its answers.

    Args:
        model: a network taking normalised input and giving (N, classes).
        inputs: the split's inputs as the dataset holds them: uint8 images (N, C, H, W), or float
            features (N, ...).
        labels: the true classes (N,).
        mean: the training normalisation mean, one value per channel (empty for float inputs).
        std: the training normalisation standard deviation, one value per channel.
        class_names: one name per class; the model must have that many outputs.
        batch_size: samples per forward pass.
        ends_in_softmax: the network already outputs probabilities.
        cancel: checked before each batch; once set, EvaluationCancelled is raised.
        progress: called with (samples done, total) after each batch.

    Raises:
        PlaygroundError: the targets are not class labels, the inputs and labels differ in number, a
            label is out of range, the model's outputs do not match the classes, or its output is not a
            number (diverged weights).
        EvaluationCancelled: ``cancel`` was set.
    """
    names = tuple(str(n) for n in class_names)
    if np.issubdtype(np.asarray(labels).dtype, np.floating):
        raise PlaygroundError("the confusion matrix needs class labels, and these targets are values",
                              "evaluate a classification dataset")
    y = np.asarray(labels, dtype=np.int64)
    pixels = np.asarray(inputs)
    if pixels.shape[0] != y.shape[0]:
        raise PlaygroundError(f"{pixels.shape[0]} images but {y.shape[0]} labels")
    if y.size and (y.min() < 0 or y.max() >= len(names)):
        raise PlaygroundError(f"a label lies outside the {len(names)} classes")
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    n, chunks = y.shape[0], []
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, n, max(int(batch_size), 1)):
                if cancel is not None and cancel.is_set():
                    raise EvaluationCancelled
                batch = torch.tensor(pixels[start : start + batch_size])  # a copy: splits are read-only
                out = model(normalise(batch.to(device), mean, std)).float().cpu()
                chunks.append(out if ends_in_softmax else torch.softmax(out, dim=1))
                if progress is not None:
                    progress(min(start + batch_size, n), n)
    finally:
        model.train(was_training)
    probs = torch.cat(chunks) if chunks else torch.zeros((0, len(names)))
    if probs.dim() != 2 or probs.shape[1] != len(names):
        raise PlaygroundError(f"the network gives {tuple(probs.shape[1:])} outputs per image, "
                              f"not one for each of the {len(names)} classes")
    if not bool(torch.isfinite(probs).all()):
        raise PlaygroundError("the network's output is not a number: its weights have diverged",
                              DIVERGED_HINT)
    confidence, predicted = probs.max(dim=1)
    matrix = confusion_matrix(predicted, torch.tensor(y), len(names))
    return Evaluation(y, predicted.numpy().astype(np.int64), confidence.numpy().astype(np.float32),
                      probs.numpy().astype(np.float32, copy=False), names, matrix.numpy())
