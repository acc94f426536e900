"""Backprop step by step: every term matches autograd to 1e-6 for several activations and both losses."""

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from playground.core.backprop import Selection, backprop_step
from playground.core.builder import build_model
from playground.core.spec import NetworkSpec, layer
from playground.errors import PlaygroundError

TOLERANCE = {"rtol": 1e-6, "atol": 1e-6}
MODULES = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "none": nn.Identity,
           "leaky_relu": lambda: nn.LeakyReLU(0.01), "elu": nn.ELU, "gelu": nn.GELU, "silu": nn.SiLU}
ACTIVATIONS = list(MODULES)


def network(activation: str, outputs: int = 3, seed: int = 0):
    torch.manual_seed(seed)
    spec = NetworkSpec((layer("Linear", activation, units=5), layer("Linear", activation, units=4),
                        layer("Linear", units=outputs)))
    return build_model(spec, (2,), outputs)


def batch(loss: str, outputs: int = 3, n: int = 16):
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(n, 2, generator=generator) * 2
    if loss == "regression":
        return x, torch.randn(n, outputs, generator=generator)
    return x, torch.randint(0, outputs, (n,), generator=generator)


def autograd_reference(model, x, targets, loss):
    """z and y of every layer with their gradients, by hooks and retain_grad on the real model."""
    seen = []
    for block in model.blocks:
        block.layer.register_forward_hook(lambda m, a, out: seen.append(("z", out)))
        if block.activation is not None:
            block.activation.register_forward_hook(lambda m, a, out: seen.append(("y", out)))
    out = model(x)
    zs, ys, pending = [], [], None
    for kind, value in seen:
        value.retain_grad()
        if kind == "z":
            if pending is not None:
                ys.append(pending)
            zs.append(value)
            pending = value
        else:
            pending = value
    ys.append(pending)
    if targets.dtype == torch.int64 and loss == "cross_entropy":
        total = F.cross_entropy(out, targets)
    elif targets.dtype == torch.int64:
        total = F.mse_loss(out, F.one_hot(targets, out.shape[1]).float())
    else:
        total = F.mse_loss(out, targets)
    total.backward()
    return out, total, zs, ys


def chosen(model, selection):
    """The chosen parameter of a model and the index of the weight or bias in it."""
    lin = model.blocks[selection.layer].layer
    if selection.input is None:
        return lin.bias, (selection.unit,)
    return lin.weight, (selection.unit, selection.input)


def per_sample_autograd(model, x, targets, loss, selection):
    """Each sample's share of the batch gradient, from its own term of the mean loss."""
    param, where = chosen(model, selection)
    out = model(x)
    n = x.shape[0]
    if targets.dtype == torch.int64 and loss == "cross_entropy":
        shares = F.cross_entropy(out, targets, reduction="none") / n
    else:
        goal = F.one_hot(targets, out.shape[1]).float() if targets.dtype == torch.int64 else targets
        shares = F.mse_loss(out, goal, reduction="none").sum(1) / out.numel()
    return torch.stack([torch.autograd.grad(s, param, retain_graph=True)[0][where] for s in shares])


CASES = [(act, loss) for act in ACTIVATIONS for loss in ("cross_entropy", "mse", "regression")]


@pytest.mark.parametrize(("activation", "loss"), CASES)
@pytest.mark.parametrize("selection", [Selection(0, 3, 1), Selection(1, 2, 4), Selection(2, 1, 0),
                                       Selection(1, 0), Selection(2, 2)])
def test_every_term_matches_autograd(activation, loss, selection):
    model = network(activation)
    x, targets = batch(loss)
    loss_name = "mse" if loss == "regression" else loss
    terms = backprop_step(model, x, targets, selection, 0.1, loss_name)
    reference = copy.deepcopy(model)
    out, total, zs, ys = autograd_reference(reference, x, targets, loss_name)
    unit, k = selection.unit, selection.layer
    param, where = chosen(reference, selection)

    torch.testing.assert_close(terms.z, zs[k][:, unit].detach(), **TOLERANCE)
    torch.testing.assert_close(terms.y, ys[k][:, unit].detach(), **TOLERANCE)
    assert terms.loss == pytest.approx(float(total.detach()), rel=1e-6, abs=1e-6)
    torch.testing.assert_close(terms.dloss_doutput, out.grad, **TOLERANCE)
    torch.testing.assert_close(terms.dloss_dy, ys[k].grad[:, unit], **TOLERANCE)
    torch.testing.assert_close(terms.dloss_dz, zs[k].grad[:, unit], **TOLERANCE)
    act = MODULES[activation]() if k < 2 else nn.Identity()
    z = zs[k][:, unit].detach().requires_grad_()
    (local,) = torch.autograd.grad(act(z).sum(), z)
    torch.testing.assert_close(terms.dy_dz, local, **TOLERANCE)
    source = x if k == 0 else ys[k - 1].detach()
    expected_input = source[:, selection.input] if selection.input is not None else torch.ones(len(x))
    torch.testing.assert_close(terms.dz_dw, expected_input, **TOLERANCE)
    torch.testing.assert_close(terms.per_sample, per_sample_autograd(copy.deepcopy(model), x, targets,
                                                                     loss_name, selection), **TOLERANCE)
    assert terms.gradient == pytest.approx(float(param.grad[where]), rel=1e-6, abs=1e-6)
    assert terms.autograd_gradient == pytest.approx(float(param.grad[where]), rel=1e-6, abs=1e-6)
    assert terms.weight == float(param.detach()[where])
    assert terms.sgd_weight == pytest.approx(terms.weight - 0.1 * terms.gradient)
    assert terms.activation == (activation if k < 2 else "none")


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_a_hidden_units_dl_dy_is_the_next_layers_errors_times_its_weights(activation):
    model = network(activation)
    x, targets = batch("cross_entropy")
    terms = backprop_step(model, x, targets, Selection(0, 2, 1), 0.01)
    assert terms.next_weights.shape == (4,) and terms.next_dloss_dz.shape == (16, 4)
    torch.testing.assert_close(terms.next_weights, model.blocks[1].layer.weight[:, 2].detach())
    torch.testing.assert_close(terms.dloss_dy, terms.next_dloss_dz @ terms.next_weights, **TOLERANCE)
    output = backprop_step(model, x, targets, Selection(2, 0, 0), 0.01)
    assert output.next_weights is None and output.next_dloss_dz is None


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_a_penalty_adds_its_gradient_to_weights_but_not_biases(penalty):
    model = network("tanh")
    x, targets = batch("cross_entropy")
    plain = backprop_step(model, x, targets, Selection(1, 1, 3), 0.1)
    terms = backprop_step(model, x, targets, Selection(1, 1, 3), 0.1, penalty=penalty, penalty_rate=0.03)
    w = terms.weight
    expected = 0.03 * (1.0 if w > 0 else -1.0) if penalty == "l1" else 0.03 * w
    assert terms.penalty_gradient == pytest.approx(expected)
    assert terms.gradient == pytest.approx(plain.gradient + terms.penalty_gradient, rel=1e-6)
    assert terms.autograd_gradient == pytest.approx(terms.gradient, rel=1e-6, abs=1e-6)
    bias = backprop_step(model, x, targets, Selection(1, 1), 0.1, penalty=penalty, penalty_rate=0.03)
    assert bias.penalty_gradient == 0.0 and bias.autograd_gradient == pytest.approx(bias.gradient, abs=1e-6)


def test_without_an_optimizer_the_model_is_untouched():
    model = network("tanh")
    before = copy.deepcopy(model.state_dict())
    x, targets = batch("cross_entropy")
    terms = backprop_step(model, x, targets, Selection(0, 0, 0), 0.5)
    assert terms.optimizer_weight is None
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name])
    assert all(p.grad is None for p in model.parameters())


def test_plain_sgd_takes_exactly_the_update_shown():
    model = network("sigmoid")
    x, targets = batch("mse")
    terms = backprop_step(model, x, targets, Selection(1, 3, 2), 0.5, "mse",
                          optimizer=torch.optim.SGD(model.parameters(), lr=0.5))
    assert terms.optimizer_weight == pytest.approx(terms.sgd_weight, rel=1e-6, abs=1e-7)
    assert float(model.blocks[1].layer.weight.detach()[3, 2]) == terms.optimizer_weight


def test_adam_takes_its_own_step_which_differs_from_sgd():
    model = network("relu")
    twin = copy.deepcopy(model)
    x, targets = batch("cross_entropy")
    terms = backprop_step(model, x, targets, Selection(0, 1, 0), 0.01,
                          optimizer=torch.optim.Adam(model.parameters(), lr=0.01))
    adam = torch.optim.Adam(twin.parameters(), lr=0.01)
    F.cross_entropy(twin(x), targets).backward()
    adam.step()
    twin_weight = float(twin.blocks[0].layer.weight.detach()[1, 0])
    assert terms.optimizer_weight == pytest.approx(twin_weight, abs=1e-7)
    # Adam's first step moves every weight with a gradient by about lr.
    assert abs(terms.optimizer_weight - terms.weight) == pytest.approx(0.01, rel=1e-3)
    assert terms.optimizer_weight != pytest.approx(terms.sgd_weight, abs=1e-9)


def test_a_plain_torch_sequential_works_too():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))
    x, targets = batch("cross_entropy", outputs=2)
    terms = backprop_step(model, x, targets, Selection(0, 1, 1), 0.1)
    assert terms.gradient == pytest.approx(terms.autograd_gradient, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("model", [
    nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Linear(3, 2)),
    nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2)),
    nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=1), nn.Linear(3, 2)),
    nn.Sequential(nn.Conv1d(1, 1, 1)),
])
def test_networks_it_cannot_follow_are_refused_with_a_hint(model):
    x, targets = batch("cross_entropy", outputs=2)
    with pytest.raises(PlaygroundError) as caught:
        backprop_step(model, x, targets, Selection(0, 0, 0), 0.1)
    assert caught.value.hint


@pytest.mark.parametrize(("selection", "kwargs", "words"), [
    (Selection(3, 0, 0), {}, "no layer 3"),
    (Selection(0, 5, 0), {}, "no unit 5"),
    (Selection(1, 0, 5), {}, "no input 5"),
    (Selection(0, 0, 0), {"loss": "hinge"}, "unknown loss"),
    (Selection(0, 0, 0), {"penalty": "l3"}, "penalty"),
    (Selection(0, 0, 0), {"learning_rate": float("nan")}, "learning rate"),
    (Selection(0, 0, 0), {"penalty_rate": -1.0}, "penalty rate"),
])
def test_bad_selections_and_settings_are_refused(selection, kwargs, words):
    x, targets = batch("cross_entropy")
    args = {"learning_rate": 0.1, **kwargs}
    with pytest.raises(PlaygroundError, match=words):
        backprop_step(network("tanh"), x, targets, selection, **args)


def test_a_batch_of_the_wrong_width_or_no_samples_is_refused():
    model, (x, labels) = network("tanh"), batch("cross_entropy")
    with pytest.raises(PlaygroundError, match=r"\(samples, 2\)"):
        backprop_step(model, x[:, :1], labels, Selection(0, 0, 0), 0.1)
    with pytest.raises(PlaygroundError, match=r"\(samples, 2\)"):
        backprop_step(model, x[:0], labels[:0], Selection(0, 0, 0), 0.1)


def test_a_frozen_layer_is_refused_but_a_layer_after_it_can_be_followed():
    model, (x, labels) = network("tanh"), batch("cross_entropy")
    model.blocks[0].requires_grad_(False)
    with pytest.raises(PlaygroundError, match="frozen"):
        backprop_step(model, x, labels, Selection(0, 1, 1), 0.1)
    terms = backprop_step(model, x, labels, Selection(1, 1, 1), 0.1)
    assert terms.gradient == pytest.approx(terms.autograd_gradient, rel=1e-6, abs=1e-6)


def test_targets_that_do_not_fit_the_output_are_refused():
    model, (x, labels) = network("tanh"), batch("cross_entropy")
    with pytest.raises(PlaygroundError, match="class labels"):
        backprop_step(model, x, labels + 3, Selection(0, 0, 0), 0.1)
    with pytest.raises(PlaygroundError, match="cross-entropy needs class labels"):
        backprop_step(model, x, torch.zeros(16, 3), Selection(0, 0, 0), 0.1)
    with pytest.raises(PlaygroundError, match="targets of shape"):
        backprop_step(model, x, torch.zeros(16, 1), Selection(0, 0, 0), 0.1, "mse")
