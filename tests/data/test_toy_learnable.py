"""The 2-D datasets are learnable as TFP teaches: the right feature makes a linear model enough."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from playground.data.toy import feature_matrix, make_toy, split


def fit(model: nn.Module, dataset: str, features: tuple[str, ...], steps: int, lr: float,
        regression: bool = False) -> float:
    """Full-batch Adam on the train half; test accuracy (or test MSE for regression)."""
    torch.manual_seed(0)
    parts = split(make_toy(dataset, seed=0), 0.5, seed=0)
    x = torch.from_numpy(feature_matrix(parts.train.points, features))
    y = torch.from_numpy(parts.train.targets)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = F.mse_loss(model(x), y) if regression else F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        out = model(torch.from_numpy(feature_matrix(parts.test.points, features)))
        test = torch.from_numpy(parts.test.targets)
        return float(F.mse_loss(out, test)) if regression else float((out.argmax(1) == test).float().mean())


@pytest.mark.parametrize(("dataset", "features"), [
    ("circle", ("x1sq", "x2sq")),
    ("xor", ("x1x2",)),
    ("gauss", ("x1", "x2")),
])
def test_one_linear_layer_separates_a_dataset_given_the_right_features(dataset, features):
    assert fit(nn.Linear(len(features), 2), dataset, features, steps=300, lr=0.1) >= 0.97


def test_without_the_right_feature_a_linear_layer_cannot_separate_xor():
    assert fit(nn.Linear(2, 2), "xor", ("x1", "x2"), steps=300, lr=0.1) < 0.75


def test_the_plane_is_exactly_linear_in_x1_and_x2():
    assert fit(nn.Linear(2, 1), "plane", ("x1", "x2"), steps=500, lr=0.05, regression=True) < 1e-4
