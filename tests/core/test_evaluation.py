"""Evaluation of a model on a test split: confusion counts, cells, precision and recall."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from torch import nn

from playground.core.builder import build_model
from playground.core.evaluation import Evaluation, EvaluationCancelled, evaluate_model
from playground.core.project import load_model
from playground.core.spec import NetworkSpec, layer
from playground.errors import PlaygroundError
from playground.resources import sample_model_path
from tests.conftest import MNIST
from tests.core.test_sample_model import notes

SAMPLE_MODEL = sample_model_path()


class Fixed(nn.Module):
    """Answers with given logits row by row, whatever the input (a mean of 0 keeps order)."""

    def __init__(self, logits: np.ndarray) -> None:
        super().__init__()
        self.logits = torch.tensor(logits, dtype=torch.float32)
        self.weight = nn.Parameter(torch.zeros(1))
        self.seen = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.logits[self.seen : self.seen + x.shape[0]]
        self.seen += x.shape[0]
        return out


def tiny_evaluation() -> Evaluation:
    """Six images of three classes with known answers and confidences."""
    labels = np.array([0, 0, 1, 1, 2, 2])
    logits = np.log(np.array([
        [0.8, 0.1, 0.1],   # 0 -> 0
        [0.2, 0.7, 0.1],   # 0 -> 1
        [0.1, 0.6, 0.3],   # 1 -> 1
        [0.1, 0.9, 0.0001],  # 1 -> 1
        [0.1, 0.6, 0.3],   # 2 -> 1
        [0.1, 0.8, 0.1],   # 2 -> 1
    ]))
    images = np.zeros((6, 28, 28), np.uint8)
    return evaluate_model(Fixed(logits), images, labels, 0.0, 1.0, "abc", batch_size=4)


def test_tiny_case_counts_precision_recall_and_cells() -> None:
    ev = tiny_evaluation()
    assert ev.matrix.tolist() == [[1, 1, 0], [0, 2, 0], [0, 2, 0]]
    assert ev.predicted.tolist() == [0, 1, 1, 1, 1, 1]
    # precision: class 0 1/1, class 1 2/5, class 2 never predicted -> NaN
    np.testing.assert_allclose(ev.precision()[:2], [1.0, 0.4])
    assert np.isnan(ev.precision()[2])
    np.testing.assert_allclose(ev.recall(), [0.5, 1.0, 0.0])
    assert ev.accuracy() == pytest.approx(3 / 6)
    assert ev.cell(2, 1).tolist() == [5, 4]  # 0.8 before 0.6
    assert ev.cell(1, 1).tolist() == [3, 2]
    assert ev.cell(0, 2).tolist() == []
    assert ev.worst_cell() == (2, 1)
    assert ev.confidence.dtype == np.float32 and ev.probabilities.shape == (6, 3)
    np.testing.assert_allclose(ev.probabilities.sum(1), 1.0, rtol=1e-5)
    assert ev.class_names == ("a", "b", "c")


def test_worst_cell_without_mistakes_and_with_one_class() -> None:
    ev = Evaluation(np.array([0, 1]), np.array([0, 1]), np.ones(2, np.float32), np.eye(2, dtype=np.float32),
                    ("x", "y"), np.array([[1, 0], [0, 1]]))
    assert ev.worst_cell() in ((0, 1), (1, 0))
    one = Evaluation(np.array([0]), np.array([0]), np.ones(1, np.float32), np.ones((1, 1), np.float32),
                     ("x",), np.array([[1]]))
    assert one.worst_cell() == (0, 0)


def test_sample_model_on_the_real_test_split(sample_dataset) -> None:
    spec, model, facts = load_model(SAMPLE_MODEL)
    ds = sample_dataset
    done: list[tuple[int, int]] = []
    ev = evaluate_model(model, ds.test_x, ds.test_y, ds.mean, ds.std, ds.class_names,
                        batch_size=300, progress=lambda k, n: done.append((k, n)))
    assert ev.matrix.sum() == len(ds.test_y) == 1000
    direct = np.zeros((10, 10), np.int64)
    np.add.at(direct, (ds.test_y, ev.predicted), 1)
    assert np.array_equal(ev.matrix, direct)
    x = torch.tensor(ds.test_x, dtype=torch.float32) / 255.0
    with torch.no_grad():
        expected = model.eval()((x - ds.mean[0]) / ds.std[0]).argmax(1).numpy()
    assert np.array_equal(ev.predicted, expected)
    assert ev.accuracy() == pytest.approx(notes(SAMPLE_MODEL)["test_accuracy"], abs=0.005)
    true, predicted = ev.worst_cell()
    members = ev.cell(true, predicted)
    assert len(members) == ev.matrix[true, predicted] > 0
    assert set(members) == set(np.flatnonzero((ds.test_y == true) & (ev.predicted == predicted)))
    assert np.all(np.diff(ev.confidence[members]) <= 0)
    assert done == [(300, 1000), (600, 1000), (900, 1000), (1000, 1000)]


def test_a_model_ending_in_softmax_keeps_its_probabilities(tiny_dataset) -> None:
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=10, activation="softmax")))
    torch.manual_seed(0)
    model = build_model(spec, MNIST, 10)
    ds = tiny_dataset
    ev = evaluate_model(model, ds.test_x, ds.test_y, ds.mean, ds.std, ds.class_names,
                        ends_in_softmax=True)
    x = torch.tensor(ds.test_x, dtype=torch.float32) / 255.0
    with torch.no_grad():
        probs = model.eval()((x - ds.mean[0]) / ds.std[0]).numpy()
    np.testing.assert_allclose(ev.probabilities, probs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ev.confidence, probs.max(1), rtol=1e-5)
    assert ev.matrix.sum() == len(ds.test_y)


def test_four_dimensional_input_and_the_training_flag_is_kept(tiny_dataset) -> None:
    model = build_model(NetworkSpec((layer("Flatten"), layer("Linear", units=10))), MNIST, 10)
    model.train()
    ds = tiny_dataset
    ev = evaluate_model(model, ds.test_x, ds.test_y, ds.mean, ds.std, ds.class_names)
    assert model.training
    assert len(ev) == len(ds.test_y)


def test_cancel_and_bad_inputs_raise_clear_errors(tiny_dataset) -> None:
    ds = tiny_dataset
    model = build_model(NetworkSpec((layer("Flatten"), layer("Linear", units=10))), MNIST, 10)
    stopped = threading.Event()
    stopped.set()
    with pytest.raises(EvaluationCancelled):
        evaluate_model(model, ds.test_x, ds.test_y, ds.mean, ds.std, ds.class_names, cancel=stopped)
    with pytest.raises(PlaygroundError, match="classes"):
        evaluate_model(model, ds.test_x, ds.test_y, ds.mean, ds.std, ("a", "b"))
    with pytest.raises(PlaygroundError, match="class labels"):
        evaluate_model(model, ds.test_x, ds.test_y.astype(np.float32), ds.mean, ds.std, ds.class_names)
    with pytest.raises(PlaygroundError, match="outside"):
        evaluate_model(model, ds.test_x, ds.test_y + 10, ds.mean, ds.std, ds.class_names)
    with pytest.raises(PlaygroundError, match="labels"):
        evaluate_model(model, ds.test_x[:3], ds.test_y, ds.mean, ds.std, ds.class_names)
    with torch.no_grad():
        model.blocks[1].layer.weight.fill_(float("nan"))
    with pytest.raises(PlaygroundError, match="diverged"):
        evaluate_model(model, ds.test_x, ds.test_y, ds.mean, ds.std, ds.class_names)
