"""The decision boundary: grid layout, probabilities and hidden-neuron maps equal per-point forwards."""

import numpy as np
import pytest
import torch
from torch import nn

from playground.core.boundary import dense_layers, evaluate, make_grid
from playground.core.builder import build_model
from playground.core.spec import NetworkSpec, layer
from playground.data.toy import feature_matrix
from playground.errors import PlaygroundError


def two_hidden(features: int = 2, outputs: int = 2, activation: str = "tanh"):
    torch.manual_seed(0)
    spec = NetworkSpec((layer("Linear", activation, units=5), layer("Linear", activation, units=3),
                        layer("Linear", units=outputs)))
    return build_model(spec, (features,), outputs)


def test_grid_is_tfp_100_by_100_over_minus_6_to_6_with_rising_rows():
    grid = make_grid()
    assert grid.shape == (100, 100) and grid.features == ("x1", "x2")
    assert grid.xs[0] == -6 and grid.xs[-1] == 6 and np.all(np.diff(grid.ys) > 0)
    assert grid.inputs.shape == (10_000, 2) and grid.inputs.dtype == torch.float32
    r, c = 17, 83
    np.testing.assert_array_equal(grid.inputs[r * 100 + c].numpy(), [grid.xs[c], grid.ys[r]])


def test_grid_inputs_are_the_chosen_features_of_each_point():
    grid = make_grid(("x1sq", "x1x2", "sinx2"), resolution=7, domain=(-1.0, 3.0))
    points = np.stack(np.meshgrid(grid.xs, grid.ys), axis=-1).reshape(-1, 2)
    np.testing.assert_allclose(grid.inputs.numpy(), feature_matrix(points, ("x1sq", "x1x2", "sinx2")))


def test_probabilities_and_neuron_maps_equal_a_forward_of_each_point():
    model = two_hidden()
    grid = make_grid(resolution=20)
    result = evaluate(model, grid)
    assert result.output.shape == (20, 20, 2) and not result.regression
    np.testing.assert_allclose(result.output.sum(axis=2), 1.0, rtol=1e-6)
    assert [n.shape for n in result.neurons] == [(20, 20, 5), (20, 20, 3)]
    for r, c in ((0, 0), (3, 17), (19, 19)):
        point = torch.tensor([[grid.xs[c], grid.ys[r]]])
        with torch.no_grad():
            first = model.blocks[0](point)
            second = model.blocks[1](first)
            probs = torch.softmax(model.blocks[2](second), dim=1)
        np.testing.assert_allclose(result.output[r, c], probs[0].numpy(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(result.neurons[0][r, c], first[0].numpy(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(result.neurons[1][r, c], second[0].numpy(), rtol=1e-5, atol=1e-7)


def test_a_network_that_reads_the_sign_of_x1_predicts_by_column():
    model = nn.Sequential(nn.Linear(2, 2))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[-5.0, 0.0], [5.0, 0.0]]))
        model[0].bias.zero_()
    result = evaluate(model, make_grid(resolution=10))
    right = result.grid.xs > 0
    assert np.all(result.predicted[:, right] == 1) and np.all(result.predicted[:, ~right] == 0)
    assert result.confidence.min() > 0.5 and result.neurons == ()


def test_regression_returns_raw_outputs():
    model = two_hidden(outputs=1)
    grid = make_grid(resolution=12)
    result = evaluate(model, grid, regression=True)
    with torch.no_grad():
        expected = model(grid.inputs).numpy().reshape(12, 12, 1)
    np.testing.assert_allclose(result.output, expected, rtol=1e-6)


def test_evaluation_runs_in_eval_mode_and_restores_training_mode():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
    grid = make_grid(resolution=8)
    first, second = evaluate(model, grid), evaluate(model, grid)
    np.testing.assert_array_equal(first.output, second.output)
    assert model.training and len(first.neurons) == 1


def test_a_final_softmax_is_not_applied_twice():
    model = nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=1))
    grid = make_grid(resolution=5)
    with torch.no_grad():
        expected = model(grid.inputs).numpy().reshape(5, 5, 3)
    np.testing.assert_allclose(evaluate(model, grid).output, expected, rtol=1e-6)
    np.testing.assert_allclose(evaluate(model, grid, neurons=False).output, expected, rtol=1e-6)


class NotSequential(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(2, 4), nn.Linear(2, 4)
        self.out = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.tanh(self.a(x)) * self.b(x))


def test_a_network_that_is_not_a_dense_stack_gets_its_boundary_but_no_neuron_maps():
    assert dense_layers(NotSequential()) is None
    assert dense_layers(nn.Sequential(nn.Linear(2, 3), nn.Conv1d(1, 1, 1))) is None
    result = evaluate(NotSequential(), make_grid(resolution=6))
    assert result.neurons is None and result.output.shape == (6, 6, 2)


def test_dense_layers_groups_each_linear_with_its_per_unit_modules():
    model = two_hidden(activation="relu")
    layers = dense_layers(model)
    assert [[type(m).__name__ for m in group] for group in layers] == [
        ["Linear", "ReLU"], ["Linear", "ReLU"], ["Linear"]]
    assert evaluate(model, make_grid(resolution=4), neurons=False).neurons is None


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"resolution": 1}, "resolution"),
    ({"resolution": 1000}, "resolution"),
    ({"resolution": 50.0}, "resolution"),
    ({"domain": (6.0, -6.0)}, "range"),
    ({"domain": (0.0, float("nan"))}, "range"),
    ({"features": ("x9",)}, "unknown input feature"),
])
def test_bad_grids_are_refused_with_a_message(kwargs, words):
    with pytest.raises(PlaygroundError, match=words):
        make_grid(**kwargs)


def test_a_network_whose_input_does_not_match_the_features_is_refused_with_a_message():
    model = two_hidden(features=3)
    with pytest.raises(PlaygroundError, match="reads 3 inputs but 2 input features"):
        evaluate(model, make_grid(resolution=4))
    assert model.training


def test_an_output_that_is_not_one_row_per_point_is_a_clear_error():
    model = nn.Sequential(nn.Linear(2, 2), nn.Flatten(0))
    with pytest.raises(PlaygroundError, match="output has shape"):
        evaluate(model, make_grid(resolution=4), regression=True)
