"""Memory over time in an RNN, LSTM or GRU: hidden state, gates and dL/dh_t at every step of one sequence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import torch
import torch.nn.functional as F
from torch import nn

from playground.core.keep_gates import kind_of as _kind
from playground.core.spec import LayerSpec, NetworkSpec
from playground.errors import PlaygroundError

Head = Callable[[torch.Tensor], torch.Tensor]
"""What the network does with the recurrent layer's last hidden state (1, H): (1, outputs)."""
GATES = {"RNN": (), "LSTM": ("input", "forget", "cell", "output"), "GRU": ("reset", "update", "new")}
"""Gate names per cell kind; LSTM "cell" is the candidate g_t, GRU "new" the candidate n_t."""


@dataclass(frozen=True)
class MemoryTrace:
    """One sequence through a recurrent module, per stacked layer, every tensor (T, H).

    ``hidden[l][t]`` is h_t of layer ``l`` (the top layer's is what the module outputs);
    ``gates[l][name][t]`` a gate's value; ``hidden_grads[l][t]`` is dL/dh_t, the total derivative
    of the loss through every later step, as autograd gives for that node of the unrolled graph.
    """

    kind: str
    hidden: tuple[torch.Tensor, ...]
    cells: tuple[torch.Tensor, ...] | None
    """LSTM only: the cell state c_t."""
    gates: tuple[dict[str, torch.Tensor], ...]
    output: torch.Tensor | None
    """The head's output for the last step, (1, outputs), when a head was given."""
    loss: float | None
    hidden_grads: tuple[torch.Tensor, ...] | None
    cell_grads: tuple[torch.Tensor, ...] | None
    """LSTM only: dL/dc_t."""

    @property
    def steps(self) -> int:
        """T, the sequence length."""
        return int(self.hidden[0].shape[0])

    @property
    def grad_norms(self) -> torch.Tensor | None:
        """(T,) the L2 norm of the top layer's dL/dh_t per step: how much each step still matters."""
        return None if self.hidden_grads is None else self.hidden_grads[-1].norm(dim=1)


def _weights(rnn: nn.RNNBase, layer: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None,
                                                    torch.Tensor | None]:
    """w_ih, w_hh, b_ih, b_hh of one stacked layer (None biases when the module has none)."""
    w_ih, w_hh = getattr(rnn, f"weight_ih_l{layer}"), getattr(rnn, f"weight_hh_l{layer}")
    if not rnn.bias:
        return w_ih, w_hh, None, None
    return w_ih, w_hh, getattr(rnn, f"bias_ih_l{layer}"), getattr(rnn, f"bias_hh_l{layer}")


def _step(kind: str, nonlinearity: str, from_input: torch.Tensor, w_hh: torch.Tensor,
          b_hh: torch.Tensor | None, h: torch.Tensor, c: torch.Tensor | None
          ) -> tuple[torch.Tensor, torch.Tensor | None, dict[str, torch.Tensor]]:
    """One time step by PyTorch's documented equations; ``from_input`` is W_ih x_t + b_ih."""
    from_hidden = F.linear(h, w_hh, b_hh)
    if kind == "RNN":
        act = torch.tanh if nonlinearity == "tanh" else torch.relu
        return act(from_input + from_hidden), None, {}
    if kind == "LSTM":
        assert c is not None, "an LSTM step needs its cell state"
        i, f, g, o = (from_input + from_hidden).chunk(4)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        return o * torch.tanh(c), c, {"input": i, "forget": f, "cell": g, "output": o}
    x_r, x_z, x_n = from_input.chunk(3)
    h_r, h_z, h_n = from_hidden.chunk(3)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h, None, {"reset": r, "update": z, "new": n}


def _loss(output: torch.Tensor, target: torch.Tensor, loss: str) -> torch.Tensor:
    if loss == "cross_entropy":
        if target.dtype != torch.int64:
            raise PlaygroundError("cross-entropy needs a class label as the target", "use mse for values")
        return F.cross_entropy(output, target.reshape(1))
    if loss == "mse":
        if target.dtype == torch.int64:
            return F.mse_loss(output, F.one_hot(target.reshape(1), output.shape[1]).to(output.dtype))
        if target.numel() != output.numel():
            raise PlaygroundError(f"{target.numel()} target values for {output.numel()} outputs")
        return F.mse_loss(output, target.reshape(output.shape).to(output.dtype))
    raise PlaygroundError(f"unknown loss '{loss}'", "losses: cross_entropy, mse")


def trace(rnn: nn.RNNBase, sequence: torch.Tensor, head: Head | None = None,
          target: torch.Tensor | None = None, loss: str = "cross_entropy") -> MemoryTrace:
    """Unroll ``rnn`` over one sequence from zero state; with a head and target, also dL/dh_t per step.

    Works for ``batch_first`` modules and others alike, stacked layers included (inter-layer
    dropout is not applied: the trace is what the network computes at test time).

    Args:
        rnn: an nn.RNN (tanh or relu), nn.LSTM or nn.GRU.
        sequence: (T, F) or (1, T, F) inputs.
        head: maps the top layer's last hidden state (1, H) to the network's output.
        target: a class index (int64) or the target values, for the loss.
        loss: "cross_entropy" or "mse" (one-hot targets for a class index).
    """
    kind = _kind(rnn)
    x = sequence[0] if sequence.ndim == 3 and sequence.shape[0] == 1 else sequence
    if x.ndim != 2 or x.shape[1] != rnn.input_size or x.shape[0] < 1:
        raise PlaygroundError(f"the sequence must be (steps, {rnn.input_size}), not {tuple(sequence.shape)}")
    nonlinearity = getattr(rnn, "nonlinearity", "tanh")
    wanted = head is not None and target is not None
    hidden: list[list[torch.Tensor]] = []
    cells: list[list[torch.Tensor]] = []
    gates: list[dict[str, torch.Tensor]] = []
    with torch.enable_grad() if wanted else torch.no_grad():
        layer_input = x.detach().requires_grad_() if wanted else x
        for layer in range(rnn.num_layers):
            w_ih, w_hh, b_ih, b_hh = _weights(rnn, layer)
            from_input = F.linear(layer_input, w_ih, b_ih)
            h = x.new_zeros(rnn.hidden_size)
            c = x.new_zeros(rnn.hidden_size) if kind == "LSTM" else None
            steps_h: list[torch.Tensor] = []
            steps_c: list[torch.Tensor] = []
            steps_g: dict[str, list[torch.Tensor]] = {name: [] for name in GATES[kind]}
            for t in range(x.shape[0]):
                h, c, values = _step(kind, nonlinearity, from_input[t], w_hh, b_hh, h, c)
                steps_h.append(h)
                if c is not None:
                    steps_c.append(c)
                for name, gate in values.items():
                    steps_g[name].append(gate)
            hidden.append(steps_h)
            cells.append(steps_c)
            gates.append({name: torch.stack(v).detach() for name, v in steps_g.items()})
            layer_input = torch.stack(steps_h)
        output = head(hidden[-1][-1][None]) if head is not None else None
        loss_value: float | None = None
        hidden_grads: tuple[torch.Tensor, ...] | None = None
        cell_grads: tuple[torch.Tensor, ...] | None = None
        if output is not None and target is not None:
            total = _loss(output, target, loss)
            nodes = [node for layer_nodes in hidden + cells for node in layer_nodes]
            found = torch.autograd.grad(total, nodes, allow_unused=True)
            grads = [torch.zeros_like(n) if g is None else g for n, g in zip(nodes, found, strict=True)]
            steps = x.shape[0]
            per_layer = [torch.stack(grads[i * steps:(i + 1) * steps]) for i in range(len(grads) // steps)]
            hidden_grads = tuple(per_layer[:rnn.num_layers])
            cell_grads = tuple(per_layer[rnn.num_layers:]) if kind == "LSTM" else None
            loss_value = float(total.detach())
    return MemoryTrace(
        kind,
        tuple(torch.stack(layer_h).detach() for layer_h in hidden),
        tuple(torch.stack(layer_c).detach() for layer_c in cells) if kind == "LSTM" else None,
        tuple(gates),
        None if output is None else output.detach(),
        loss_value, hidden_grads, cell_grads,
    )


def split_recurrent(model: nn.Module) -> tuple[nn.RNNBase, Head]:
    """For an app network that starts with a recurrent block: its RNN module and the rest as a head.

    The first block's layer must hold the module as ``.rnn`` and return its top layer's last
    hidden state (as ``layers.SequenceOverRows`` does); the head is that block's activation and
    every later block.
    """
    blocks = getattr(model, "blocks", None)
    first = blocks[0] if isinstance(blocks, nn.ModuleList) and len(blocks) else None
    rnn = getattr(getattr(first, "layer", None), "rnn", None)
    if first is None or blocks is None or not isinstance(rnn, nn.RNNBase):
        raise PlaygroundError("the network does not start with a recurrent layer",
                              "put the RNN, LSTM or GRU layer first")
    activation, rest = getattr(first, "activation", None), list(blocks)[1:]

    def head(last: torch.Tensor) -> torch.Tensor:
        out = last if activation is None else activation(last)
        for block in rest:
            out = block(out)
        return out

    return rnn, head


def as_sequence(sample: torch.Tensor) -> torch.Tensor:
    """One normalised input as the recurrent layer reads it, (T, F): a sequence as it is, an image's rows."""
    if sample.ndim == 3:
        c, h, w = sample.shape
        return sample.permute(1, 0, 2).reshape(h, c * w)
    if sample.ndim != 2:
        raise PlaygroundError(f"a recurrent layer reads sequences or images, not inputs of shape "
                              f"{tuple(sample.shape)}")
    return sample


def trace_network(model: nn.Module, sample: torch.Tensor, target: torch.Tensor, loss: str) -> MemoryTrace:
    """``trace`` for an app network that starts with a recurrent layer, on one normalised input.

    ``loss`` is the run's loss name; the trace computes cross-entropy or the mean squared error (the only
    two the app offers) so that dL/dh_t is the gradient training follows.
    """
    rnn, head = split_recurrent(model)
    return trace(rnn, as_sequence(sample), head, target, "mse" if loss == "mse" else "cross_entropy")


def with_cell(spec: NetworkSpec, kind: str) -> NetworkSpec:
    """``spec`` with its first (recurrent) layer made an RNN, LSTM or GRU of the same size; a gated cell
    keeps the memory setting it had (4 when coming from a plain RNN, as the recall presets start)."""
    first = spec.layers[0] if spec.layers else None
    if first is None or first.type not in GATES:
        raise PlaygroundError("the network does not start with a recurrent layer",
                              "put the RNN, LSTM or GRU layer first")
    params = {"hidden": first.params["hidden"], "layers": first.params["layers"]}
    if kind != "RNN":
        params["memory"] = float(first.params.get("memory", 4.0))
    layer = LayerSpec(kind, MappingProxyType(params), first.activation, first.trainable)
    return NetworkSpec((layer, *spec.layers[1:]))
