"""Activation curves against autograd and the article's formulas; pre-activations; saturated shares."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812

from playground.core.activations import ACTIVATIONS, SOFTMAX_INPUTS, make_activation
from playground.core.activations_view import (
    curve,
    fresh_model,
    max_derivative,
    mean_derivative,
    pre_activations,
    saturation,
    saturation_threshold,
)
from playground.core.builder import build_model
from playground.core.presets import preset
from playground.core.spec import NetworkSpec, layer
from playground.data.registry import load_dataset
from playground.data.tensors import normalise
from playground.errors import PlaygroundError
from tests.conftest import MNIST

X = np.array([-7.5, -3.0, -1.2, -0.4, -1e-3, 0.0, 1e-3, 0.3, 0.9, 2.5, 6.0])

FUNCTIONAL = {
    "none": lambda t: t,
    "relu": F.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "elu": F.elu,
    "gelu": F.gelu,
    "silu": F.silu,
    "softplus": lambda t: torch.log1p(torch.exp(t)),
    "mish": lambda t: t * torch.tanh(torch.log1p(torch.exp(t))),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def _autograd(fn, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of an elementwise ``fn``, one point at a time through torch.autograd."""
    values, grads = [], []
    for point in x:
        t = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        y = fn(t)
        (g,) = torch.autograd.grad(y, t)
        values.append(y.item())
        grads.append(g.item())
    return np.array(values), np.array(grads)


def test_every_catalogue_activation_is_checked() -> None:
    assert set(FUNCTIONAL) | {"softmax"} == set(ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(set(FUNCTIONAL) - {"none"}))
def test_the_plotted_function_is_what_the_network_computes(name: str) -> None:
    t = torch.tensor(X, dtype=torch.float64)[None]
    torch.testing.assert_close(ACTIVATIONS[name].function(t[0]), make_activation(name)(t)[0])


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_curve_matches_autograd_of_the_functional_form(name: str) -> None:
    values, grads = curve(name, X)
    want_values, want_grads = _autograd(FUNCTIONAL[name], X)
    np.testing.assert_allclose(values, want_values, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads, want_grads, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_derivative_matches_finite_differences_away_from_kinks(name: str) -> None:
    x = X[np.abs(X) > 0.01]
    h = 1e-6
    slope = (curve(name, x + h)[0] - curve(name, x - h)[0]) / (2 * h)
    np.testing.assert_allclose(curve(name, x)[1], slope, rtol=1e-5, atol=1e-8)


def test_the_articles_derivatives() -> None:
    s, ds = curve("sigmoid", X)
    np.testing.assert_allclose(ds, s * (1 - s), rtol=1e-12)
    t, dt = curve("tanh", X)
    np.testing.assert_allclose(dt, 1 - t**2, rtol=1e-12, atol=1e-15)
    _, dr = curve("relu", X)
    np.testing.assert_array_equal(dr, (X > 0).astype(float))  # ReLU'(0) = 0, PyTorch's convention
    assert curve("relu", np.array([0.0]))[1][0] == 0.0
    _, dl = curve("leaky_relu", X)
    np.testing.assert_allclose(dl, np.where(X > 0, 1.0, 0.01))


def test_softmax_is_the_diagonal_of_its_jacobian_on_a_slice() -> None:
    values, grads = curve("softmax", X)
    for point, value, grad in zip(X, values, grads, strict=True):
        z = torch.zeros(SOFTMAX_INPUTS, dtype=torch.float64)
        z[0] = point
        jac = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), z)
        s = torch.softmax(z, 0)[0].item()
        assert value == pytest.approx(s, rel=1e-12)
        assert grad == pytest.approx(jac[0, 0].item(), rel=1e-10, abs=1e-15)
        assert grad == pytest.approx(s * (1 - s), rel=1e-10, abs=1e-15)


def test_curve_keeps_shape_and_refuses_unknown_names() -> None:
    values, grads = curve("tanh", np.zeros((3, 4)))
    assert values.shape == grads.shape == (3, 4)
    with pytest.raises(PlaygroundError, match="unknown activation"):
        curve("swishy", X)


def test_saturation_threshold_and_share() -> None:
    assert max_derivative("sigmoid") == pytest.approx(0.25)
    assert saturation_threshold("sigmoid") == pytest.approx(0.0125)
    assert max_derivative("relu") == 1.0
    values = np.array([-10.0, -5.0, -4.0, 0.0, 4.0, 4.5, 10.0, 1.0])
    # sigmoid' < 0.0125 where |x| > ~4.36
    assert saturation("sigmoid", values) == pytest.approx(4 / 8)
    assert saturation("relu", values) == pytest.approx(4 / 8)  # x <= 0 passes no gradient
    assert saturation("none", values) == 0.0
    assert saturation("sigmoid", np.zeros(0)) == 0.0
    assert mean_derivative("relu", values) == pytest.approx(4 / 8)


def test_families_follow_the_derivative_far_from_zero() -> None:
    """Saturating curves lose the gradient on both sides; rectifiers keep it for positive inputs."""
    families = {name: row.family for name, row in ACTIVATIONS.items()}
    assert families["sigmoid"] == families["tanh"] == families["softmax"] == "saturating"
    assert {families[n] for n in ("relu", "leaky_relu", "softplus", "mish")} == {"rectifier"}
    assert families["none"] == "linear"
    assert set(families.values()) == {"saturating", "rectifier", "linear"}
    far = np.array([-12.0, 12.0])
    for name, family in families.items():
        left, right = curve(name, far)[1]
        if family == "saturating":
            assert max(abs(left), abs(right)) < 0.01 * max_derivative(name), name
        elif family == "rectifier":
            assert right == pytest.approx(1.0, abs=1e-3) and abs(left) < 0.05, name
        else:
            assert left == right == 1.0


@pytest.fixture(scope="module")
def sample():
    data = load_dataset("mnist-sample")
    return data.test_x[:96], data.mean, data.std


def test_pre_activations_equal_a_manual_forward_pass(sample) -> None:
    images, mean, std = sample
    spec = NetworkSpec((layer("Conv2d", "relu", filters=3, kernel=3), layer("MaxPool2d"),
                        layer("Flatten"), layer("Linear", "tanh", units=7), layer("Linear", units=10)))
    torch.manual_seed(1)
    model = build_model(spec, MNIST, 10).train()
    x = normalise(torch.tensor(images), mean, std)
    torch.testing.assert_close(x, (torch.tensor(images, dtype=torch.float32) / 255.0 - mean[0]) / std[0])
    with torch.no_grad():
        conv = model.blocks[0].layer(x)
        h = model.blocks[2](model.blocks[1](model.blocks[0](x)))
        linear = model.blocks[3].layer(h)
    got = pre_activations(model, spec, images, mean, std, 3)
    assert got.shape == (96 * 7,)
    np.testing.assert_allclose(got, linear.reshape(-1).numpy(), rtol=1e-5, atol=1e-6)
    capped = pre_activations(model, spec, images, mean, std, 0, max_samples=500)
    assert capped.shape == (500,)
    assert np.isin(capped, conv.reshape(-1).numpy()).all()
    assert model.training  # left as it was


def test_pre_activations_refuse_layers_without_activation(sample) -> None:
    images, mean, std = sample
    spec = preset("article-mlp")
    model = build_model(spec, MNIST, 10)
    for bad in (0, 2, 5, -1):
        with pytest.raises(PlaygroundError):
            pre_activations(model, spec, images, mean, std, bad)
    with pytest.raises(PlaygroundError, match="do not fit"):
        pre_activations(model, spec, images[:, :, :20, :20], mean, std, 1)


def test_deep_sigmoid_with_large_weights_saturates_more_than_a_fresh_relu_net(sample) -> None:
    images, mean, std = sample
    sigmoid_spec, relu_spec = preset("deep-sigmoid"), preset("article-mlp")
    large = fresh_model(sigmoid_spec, (1, 28, 28), 10, weight_std=1.0)
    relu = fresh_model(relu_spec, (1, 28, 28), 10)
    sigmoid_share = saturation("sigmoid", pre_activations(large, sigmoid_spec, images, mean, std, 1))
    relu_share = saturation("relu", pre_activations(relu, relu_spec, images, mean, std, 1))
    assert sigmoid_share > relu_share
    assert sigmoid_share > 0.7
    default = fresh_model(sigmoid_spec, (1, 28, 28), 10)
    assert saturation("sigmoid", pre_activations(default, sigmoid_spec, images, mean, std, 1)) < 0.05


def test_fresh_model_is_repeatable_and_leaves_the_global_rng_alone() -> None:
    spec = preset("article-mlp")
    torch.manual_seed(5)
    before = torch.rand(1)
    torch.manual_seed(5)
    a = fresh_model(spec, (1, 28, 28), 10, weight_std=1.0)
    after = torch.rand(1)
    b = fresh_model(spec, (1, 28, 28), 10, weight_std=1.0)
    assert torch.equal(before, after)
    assert torch.equal(a.blocks[1].layer.weight, b.blocks[1].layer.weight)
    assert a.blocks[1].layer.weight.std().item() == pytest.approx(1.0, rel=0.05)
