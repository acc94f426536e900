"""Looking inside a network: per-layer views match the analysis, recurrent gates, weights, saliency."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from playground.core.analysis import analyse
from playground.core.builder import build_model
from playground.core.inspect import first_layer_weights, look_inside, saliency
from playground.core.predict import probabilities
from playground.core.presets import preset
from playground.core.spec import NetworkSpec, layer
from tests.conftest import MNIST

MEAN, STD = (0.1307,), (0.3081,)
ALL_KINDS = NetworkSpec((
    layer("Conv2d", "relu", filters=4, kernel=3, padding=1),
    layer("BatchNorm"),
    layer("MaxPool2d", kernel=2, stride=2),
    layer("AvgPool2d", kernel=2, stride=2),
    layer("GRU", "tanh", hidden=8, layers=2),
    layer("Dropout", p=0.5),
    layer("Linear", "sigmoid", units=12),
    layer("Activation", "relu"),
    layer("Linear", units=10),
))


@pytest.fixture
def digit(sample_dataset) -> np.ndarray:
    """A real test digit as floats in [0, 1]."""
    return sample_dataset.test_x[0, 0].astype(np.float32) / 255.0


def build(spec: NetworkSpec) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model(spec, MNIST, 10)


@pytest.mark.parametrize("name", ["article-mlp", "lenet5", "small-cnn", "lstm-rows", "deep-sigmoid"])
def test_each_view_has_the_shape_the_analysis_predicts(name: str, digit: np.ndarray) -> None:
    spec = preset(name)
    inside = look_inside(build(spec), spec, digit, MEAN, STD)
    infos = analyse(spec, MNIST, 10).layers
    assert len(inside.layers) == len(spec.layers)
    for view, info in zip(inside.layers, infos, strict=True):
        assert view.index == info.index and view.type == info.type
        if view.kind == "sequence":
            assert view.values.shape == (28, *info.output_shape)
        else:
            assert view.values.shape == info.output_shape
            assert view.kind == ("maps" if len(info.output_shape) == 3 else "vector")
        assert np.isfinite(view.values).all()
    assert inside.probabilities.shape == (10,)
    assert inside.probabilities.sum() == pytest.approx(1.0, abs=1e-5)


def test_views_are_the_outputs_of_the_blocks(digit: np.ndarray) -> None:
    spec = preset("small-cnn")
    model = build(spec).eval()
    inside = look_inside(model, spec, digit, MEAN, STD)
    x = (torch.as_tensor(digit)[None, None] - MEAN[0]) / STD[0]
    with torch.no_grad():
        for view, block in zip(inside.layers, model.blocks, strict=True):
            x = block(x)
            np.testing.assert_allclose(view.values, x[0].numpy(), rtol=1e-5, atol=1e-6)
    assert inside.layers[0].label == "1 Conv2d 16@28x28"
    assert inside.layers[4].label == "5 Flatten 1568"
    expected = probabilities(model, digit[None], MEAN, STD)[0]
    np.testing.assert_allclose(inside.probabilities, expected, rtol=1e-5, atol=1e-6)


def test_every_layer_type_gives_a_view(digit: np.ndarray) -> None:
    inside = look_inside(build(ALL_KINDS), ALL_KINDS, digit, MEAN, STD)
    kinds = [view.kind for view in inside.layers]
    assert kinds == ["maps", "maps", "maps", "maps", "sequence", "vector", "vector", "vector", "vector"]
    gru = inside.layers[4]
    assert gru.values.shape == (7, 8)  # 7 rows after two poolings, 8 units
    assert set(gru.gates) == {"reset", "update"}
    assert all(g.shape == (7, 8) and g.min() >= 0 and g.max() <= 1 for g in gru.gates.values())


def test_lstm_gates_rebuild_pytorchs_hidden_states(digit: np.ndarray) -> None:
    spec = NetworkSpec((layer("LSTM", hidden=16, layers=2), layer("Linear", units=10)))
    model = build(spec)
    view = look_inside(model, spec, digit, MEAN, STD).layers[0]
    assert view.kind == "sequence" and view.values.shape == (28, 16)
    assert set(view.gates) == {"input", "forget", "output"}
    lstm = model.blocks[0].layer.rnn
    x = (torch.as_tensor(digit) - MEAN[0]) / STD[0]  # 28 rows of 28 features, one channel
    with torch.no_grad():
        for number in range(2):  # the candidate g comes from the weights; i, f, o from the view
            w_ih, w_hh = getattr(lstm, f"weight_ih_l{number}"), getattr(lstm, f"weight_hh_l{number}")
            b = getattr(lstm, f"bias_ih_l{number}") + getattr(lstm, f"bias_hh_l{number}")
            h, c, hidden = torch.zeros(16), torch.zeros(16), []
            for t in range(28):
                pre = w_ih @ x[t] + w_hh @ h + b
                if number == 0:
                    i, f, o = (torch.sigmoid(pre[k * 16:(k + 1) * 16]) for k in (0, 1, 3))
                else:
                    i, f, o = (torch.as_tensor(view.gates[n][t]) for n in ("input", "forget", "output"))
                    np.testing.assert_allclose(i, torch.sigmoid(pre[:16]), rtol=1e-4, atol=1e-6)
                c = f * c + i * torch.tanh(pre[32:48])
                h = o * torch.tanh(c)
                hidden.append(h)
            x = torch.stack(hidden)
        pytorch_out, _ = lstm(((torch.as_tensor(digit) - MEAN[0]) / STD[0])[None])
    np.testing.assert_allclose(x.numpy(), pytorch_out[0].numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(view.values, pytorch_out[0].numpy(), rtol=1e-4, atol=1e-6)
    forget = view.gates["forget"]
    assert forget.min() >= 0 and forget.max() <= 1 and forget.std() > 0


def test_saliency_is_an_image_of_finite_non_negative_values(digit: np.ndarray) -> None:
    spec = preset("small-cnn")
    model = build(spec)
    inside = look_inside(model, spec, digit, MEAN, STD)
    assert inside.saliency.shape == (28, 28)
    assert np.isfinite(inside.saliency).all() and inside.saliency.min() >= 0 and inside.saliency.max() > 0
    top = int(inside.probabilities.argmax())
    np.testing.assert_allclose(saliency(model, digit, MEAN, STD), inside.saliency, rtol=1e-5)
    other = saliency(model, digit, MEAN, STD, target=(top + 1) % 10)
    assert not np.allclose(other, inside.saliency)
    assert all(p.grad is None for p in model.parameters())  # explaining leaves no gradients behind


def test_a_training_model_is_looked_at_in_eval_mode_and_given_back_training(digit: np.ndarray) -> None:
    spec = NetworkSpec((layer("Flatten"), layer("Dropout", p=0.9), layer("Linear", units=10)))
    model = build(spec).train()
    first = look_inside(model, spec, digit, MEAN, STD)
    second = look_inside(model, spec, digit, MEAN, STD)
    assert model.training and all(m.training for m in model.modules())
    np.testing.assert_array_equal(first.layers[1].values, first.layers[0].values)  # no dropout
    np.testing.assert_array_equal(first.probabilities, second.probabilities)
    saliency(model, digit, MEAN, STD)
    assert model.training


def test_first_layer_weights_of_an_mlp_are_images_and_of_a_cnn_kernels() -> None:
    mlp, cnn, lstm = preset("article-mlp"), preset("small-cnn"), preset("lstm-rows")
    model = build(mlp)
    kind, units = first_layer_weights(model, mlp, (1, 28, 28))
    assert kind == "units" and units.shape == (128, 28, 28)
    np.testing.assert_array_equal(units[5].ravel(), model.blocks[1].layer.weight[5].detach().numpy())
    kind, kernels = first_layer_weights(build(cnn), cnn, (1, 28, 28))
    assert kind == "kernels" and kernels.shape == (16, 1, 3, 3)
    pooled = NetworkSpec((layer("MaxPool2d", kernel=2, stride=2), layer("Flatten"),
                          layer("Linear", units=10)))
    assert first_layer_weights(build(pooled), pooled, (1, 28, 28))[1].shape == (10, 14, 14)
    kind, nothing = first_layer_weights(build(lstm), lstm, (1, 28, 28))
    assert kind == "none" and nothing.size == 0


def test_weights_are_a_copy_that_later_training_does_not_change() -> None:
    spec = preset("small-cnn")
    model = build(spec)
    _, kernels = first_layer_weights(model, spec, (1, 28, 28))
    before = kernels.copy()
    with torch.no_grad():
        model.blocks[0].layer.weight.add_(1.0)
    np.testing.assert_array_equal(kernels, before)
