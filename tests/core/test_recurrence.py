"""Memory over time: states and gates equal nn.RNN/LSTM/GRU's, dL/dh_t equals autograd on unrolled cells."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from playground.core.builder import build_model
from playground.core.keep_gates import set_memory_bias
from playground.core.recurrence import GATES, split_recurrent, trace
from playground.core.spec import NetworkSpec, layer
from playground.errors import PlaygroundError

TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}
MODULES = {
    "RNN": lambda f, h, n: nn.RNN(f, h, num_layers=n, batch_first=True),
    "RNN-relu": lambda f, h, n: nn.RNN(f, h, num_layers=n, nonlinearity="relu", batch_first=True),
    "LSTM": lambda f, h, n: nn.LSTM(f, h, num_layers=n, batch_first=True),
    "GRU": lambda f, h, n: nn.GRU(f, h, num_layers=n, batch_first=True),
}
CELLS = {"RNN": nn.RNNCell, "LSTM": nn.LSTMCell, "GRU": nn.GRUCell}


def module(name: str, layers: int = 1, features: int = 3, hidden: int = 5, seed: int = 0) -> nn.RNNBase:
    torch.manual_seed(seed)
    return MODULES[name](features, hidden, layers)


def sequence(steps: int = 9, features: int = 3) -> torch.Tensor:
    return torch.randn(steps, features, generator=torch.Generator().manual_seed(7))


@pytest.mark.parametrize("name", list(MODULES))
@pytest.mark.parametrize("layers", [1, 2])
def test_hidden_states_and_cells_equal_the_modules_outputs(name, layers):
    rnn, x = module(name, layers), sequence()
    result = trace(rnn, x)
    out, state = rnn(x[None])
    torch.testing.assert_close(result.hidden[-1], out[0], **TOLERANCE)
    h_n = state[0] if isinstance(state, tuple) else state
    for index in range(layers):
        torch.testing.assert_close(result.hidden[index][-1], h_n[index, 0], **TOLERANCE)
    if name == "LSTM":
        for index in range(layers):
            torch.testing.assert_close(result.cells[index][-1], state[1][index, 0], **TOLERANCE)
    else:
        assert result.cells is None
    assert result.steps == 9 and result.kind == name.split("-")[0]
    assert result.hidden_grads is None and result.output is None and result.loss is None


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_gates_follow_pytorchs_equations_from_the_modules_own_states(name):
    rnn, x = module(name), sequence()
    result = trace(rnn, x)
    with torch.no_grad():
        out, _ = rnn(x[None])
        previous = torch.cat([torch.zeros(1, 5), out[0, :-1]])
        from_input = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
        from_hidden = previous @ rnn.weight_hh_l0.T + rnn.bias_hh_l0
    gates = result.gates[0]
    assert tuple(gates) == GATES[name] and all(g.shape == (9, 5) for g in gates.values())
    if name == "LSTM":
        i, f, g, o = (from_input + from_hidden).chunk(4, dim=1)
        expected = {"input": i.sigmoid(), "forget": f.sigmoid(), "cell": g.tanh(), "output": o.sigmoid()}
        cell = torch.zeros(5)
        for t in range(9):
            cell = expected["forget"][t] * cell + expected["input"][t] * expected["cell"][t]
            torch.testing.assert_close(result.cells[0][t], cell, **TOLERANCE)
    else:
        x_r, x_z, x_n = from_input.chunk(3, dim=1)
        h_r, h_z, h_n = from_hidden.chunk(3, dim=1)
        reset = (x_r + h_r).sigmoid()
        expected = {"reset": reset, "update": (x_z + h_z).sigmoid(), "new": (x_n + reset * h_n).tanh()}
    for key, value in expected.items():
        torch.testing.assert_close(gates[key], value, **TOLERANCE)


def unrolled_reference(rnn, x, head, target, loss):
    """dL/dh_t (and dL/dc_t) per layer from nn.*Cell steps with the module's weights and retain_grad."""
    kind = type(rnn).__name__
    layer_input, hs, cs = x, [], []
    for index in range(rnn.num_layers):
        kwargs = {"nonlinearity": rnn.nonlinearity} if kind == "RNN" else {}
        cell = CELLS[kind](layer_input.shape[1], rnn.hidden_size, **kwargs)
        for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, part).data.copy_(getattr(rnn, f"{part}_l{index}").data)
        h = torch.zeros(1, rnn.hidden_size)
        c = torch.zeros(1, rnn.hidden_size)
        layer_h, layer_c = [], []
        for t in range(x.shape[0]):
            if kind == "LSTM":
                h, c = cell(layer_input[t][None], (h, c))
                c.retain_grad()
                layer_c.append(c)
            else:
                h = cell(layer_input[t][None], h)
            h.retain_grad()
            layer_h.append(h)
        hs.append(layer_h)
        cs.append(layer_c)
        layer_input = torch.cat(layer_h)
    out = head(hs[-1][-1])
    total = F.cross_entropy(out, target.reshape(1)) if loss == "cross_entropy" else F.mse_loss(out, target)
    total.backward()
    grads = [torch.cat([h.grad for h in layer]) for layer in hs]
    cell_grads = [torch.cat([c.grad for c in layer]) for layer in cs] if kind == "LSTM" else None
    return out.detach(), float(total.detach()), grads, cell_grads


@pytest.mark.parametrize("name", list(MODULES))
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_gradients_per_step_equal_autograd_on_an_unrolled_loop(name, layers, loss):
    rnn, x = module(name, layers), sequence()
    torch.manual_seed(1)
    head = nn.Linear(5, 3)
    target = torch.tensor(2) if loss == "cross_entropy" else torch.tensor([[0.5, -1.0, 2.0]])
    result = trace(rnn, x, head, target, loss)
    out, value, grads, cell_grads = unrolled_reference(rnn, x, head, target, loss)
    torch.testing.assert_close(result.output, out, **TOLERANCE)
    assert result.loss == pytest.approx(value, rel=1e-5)
    for index in range(layers):
        torch.testing.assert_close(result.hidden_grads[index], grads[index], **TOLERANCE)
        if name == "LSTM":
            torch.testing.assert_close(result.cell_grads[index], cell_grads[index], **TOLERANCE)
    assert result.grad_norms.shape == (9,) and result.grad_norms[-1] > 0


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_each_steps_gradient_equals_the_modules_own_backward_from_that_step(name):
    """Run the module on x[:t + 1], make its state a leaf, run on x[t + 1:]: the leaf gets dL/dh_t."""
    rnn, x = module(name), sequence()
    head = nn.Linear(5, 2)
    result = trace(rnn, x, head, torch.tensor(1))
    for t in (0, 4, 7):
        with torch.no_grad():
            _, state = rnn(x[None, : t + 1])
        if name == "LSTM":
            h = state[0].clone().requires_grad_()
            out, _ = rnn(x[None, t + 1 :], (h, state[1]))
        else:
            h = state.clone().requires_grad_()
            out, _ = rnn(x[None, t + 1 :], h)
        F.cross_entropy(head(out[:, -1]), torch.tensor([1])).backward()
        torch.testing.assert_close(result.hidden_grads[0][t], h.grad[0, 0], **TOLERANCE)


def test_a_plain_rnns_gradient_vanishes_over_time_while_an_lstm_with_open_forget_gates_keeps_it():
    torch.manual_seed(0)
    rnn, lstm = nn.RNN(3, 8, batch_first=True), nn.LSTM(3, 8, batch_first=True)
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(0.5)
        lstm.bias_hh_l0[8:16] = 6.0  # forget gates near 1: the cell carries its content on
    x, head = sequence(40), nn.Linear(8, 2)
    rnn_norms = trace(rnn, x, head, torch.tensor(0)).grad_norms
    lstm_trace = trace(lstm, x, head, torch.tensor(0))
    assert rnn_norms[0] < 1e-6 * rnn_norms[-1]
    cell_norms = lstm_trace.cell_grads[0].norm(dim=1)
    assert cell_norms[0] > 0.5 * cell_norms[-1]
    assert lstm_trace.gates[0]["forget"].min() > 0.99


@pytest.mark.parametrize(("name", "gate"), [("LSTM", "forget"), ("GRU", "update")])
def test_memory_bias_opens_the_keep_gate_of_every_layer(name, gate):
    rnn, x = module(name, layers=2), sequence() * 0.01
    before = trace(rnn, x).gates
    set_memory_bias(rnn, 3.0)
    after = trace(rnn, x).gates
    for index in range(2):
        assert 0.4 < before[index][gate].mean() < 0.6
        assert after[index][gate].min() > 0.9
    assert torch.all(rnn.bias_hh_l1[5:10] == 0) and torch.all(rnn.bias_ih_l1[5:10] == 3.0)
    if name == "LSTM":  # writes rarely: the input gate is closed by default
        assert after[0]["input"].max() < 0.1 and torch.all(rnn.bias_ih_l1[:5] == -3.0)
    other = "output" if name == "LSTM" else "reset"
    torch.testing.assert_close(after[0][other][0], before[0][other][0])  # step 0: same zero state


def test_memory_bias_refuses_a_plain_rnn():
    with pytest.raises(PlaygroundError, match="no gate"):
        set_memory_bias(module("RNN"), 1.0)


def test_frozen_weights_still_give_gradients_over_time():
    rnn = module("GRU").requires_grad_(False)
    result = trace(rnn, sequence(), nn.Linear(5, 2), torch.tensor(0))
    assert result.hidden_grads[0].abs().sum() > 0


def test_split_recurrent_reads_the_apps_lstm_over_rows_network():
    torch.manual_seed(0)
    spec = NetworkSpec((layer("LSTM", hidden=6), layer("Linear", "tanh", units=4), layer("Linear", units=3)))
    model = build_model(spec, (1, 7, 5), 3)
    image = torch.randn(1, 1, 7, 5)
    rnn, head = split_recurrent(model)
    result = trace(rnn, image[0, 0], head, torch.tensor(2))
    with torch.no_grad():
        expected = model(image)
    torch.testing.assert_close(result.output, expected, **TOLERANCE)
    assert result.loss == pytest.approx(float(F.cross_entropy(expected, torch.tensor([2]))), rel=1e-5)
    assert result.hidden[0].shape == (7, 6)


def test_split_recurrent_refuses_a_network_without_a_leading_recurrent_layer():
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=3)))
    with pytest.raises(PlaygroundError, match="recurrent layer"):
        split_recurrent(build_model(spec, (1, 4, 4), 3))


@pytest.mark.parametrize(("rnn", "x", "kwargs", "words"), [
    (nn.LSTM(3, 4, bidirectional=True), sequence(), {}, "bidirectional"),
    (nn.LSTM(3, 4, proj_size=2), sequence(), {}, "projection"),
    (nn.Linear(3, 4), sequence(), {}, "not a recurrent layer"),
    (nn.GRU(3, 4), sequence(features=2), {}, "steps, 3"),
    (nn.GRU(3, 4), sequence(), {"target": torch.tensor([0.5])}, "class label"),
    (nn.GRU(3, 4), sequence(), {"target": torch.tensor(1), "loss": "hinge"}, "unknown loss"),
    (nn.GRU(3, 4), sequence(), {"target": torch.zeros(3), "loss": "mse"}, "3 target values for 2 outputs"),
])
def test_what_it_cannot_trace_is_refused_with_a_message(rnn, x, kwargs, words):
    with pytest.raises(PlaygroundError, match=words):
        trace(rnn, x, nn.Linear(4, 2), **kwargs) if kwargs else trace(rnn, x)


@pytest.mark.parametrize("name", ["rnn-recall", "lstm-recall", "gru-recall"])
def test_the_memory_views_gradients_on_a_recall_preset_equal_autograd_on_unrolled_cells(name):
    from playground.core.presets import preset
    from playground.core.recurrence import trace_network

    torch.manual_seed(1)
    model = build_model(preset(name), (12, 17), 16)
    x = torch.randn(12, 17, generator=torch.Generator().manual_seed(2))
    target = torch.tensor(3)
    found = trace_network(model, x, target, "cross_entropy")
    rnn, head = model.blocks[0].layer.rnn, model.blocks[1]
    kind = name.split("-")[0].upper()
    cell = CELLS[kind](17, 32)
    with torch.no_grad():
        for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, part).copy_(getattr(rnn, f"{part}_l0"))
    h, c, states = torch.zeros(1, 32), torch.zeros(1, 32), []
    for t in range(12):
        if kind == "LSTM":
            h, c = cell(x[t:t + 1], (h, c))
        else:
            h = cell(x[t:t + 1], h)
        h.retain_grad()
        states.append(h)
    loss = F.cross_entropy(head(states[-1]), target[None])
    loss.backward()
    expected = torch.cat([state.grad for state in states])
    torch.testing.assert_close(found.hidden_grads[-1], expected, **TOLERANCE)
    assert found.loss == pytest.approx(loss.item(), rel=1e-5)
