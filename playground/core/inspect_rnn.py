"""Recurrent layers seen from inside: the hidden state at every time step and the LSTM / GRU gates."""

from __future__ import annotations

import torch
from torch import nn


def rows_as_sequence(maps: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) maps as (N, H, C*W) time steps, the way ``layers.SequenceOverRows`` reads them."""
    n, c, h, w = maps.shape
    return maps.permute(0, 2, 1, 3).reshape(n, h, c * w)


def _weights(rnn: nn.RNNBase, layer: int) -> tuple[torch.Tensor, ...]:
    """w_ih, w_hh, b_ih, b_hh of one stacked layer (zero biases when the module has none)."""
    w_ih, w_hh = getattr(rnn, f"weight_ih_l{layer}"), getattr(rnn, f"weight_hh_l{layer}")
    if rnn.bias:
        return w_ih, w_hh, getattr(rnn, f"bias_ih_l{layer}"), getattr(rnn, f"bias_hh_l{layer}")
    zeros = w_ih.new_zeros(w_ih.shape[0])
    return w_ih, w_hh, zeros, zeros


def lstm_gates(lstm: nn.LSTM, seq: torch.Tensor) -> dict[str, torch.Tensor]:
    """The top layer's input, forget and output gates, (T, H) each, for one (T, F) sequence.

    Recomputed from the weights with PyTorch's gate order (i, f, g, o):
    c_t = f_t * c_{t-1} + i_t * g_t and h_t = o_t * tanh(c_t).
    """
    x = seq
    gates: dict[str, list[torch.Tensor]] = {}
    for layer in range(lstm.num_layers):
        w_ih, w_hh, b_ih, b_hh = _weights(lstm, layer)
        from_input = x @ w_ih.T + b_ih
        h = c = x.new_zeros(lstm.hidden_size)
        gates = {"input": [], "forget": [], "output": []}
        hidden = []
        for step in range(x.shape[0]):
            i, f, g, o = (from_input[step] + w_hh @ h + b_hh).chunk(4)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            for name, value in (("input", i), ("forget", f), ("output", o)):
                gates[name].append(value)
            hidden.append(h)
        x = torch.stack(hidden)
    return {name: torch.stack(values) for name, values in gates.items()}


def gru_gates(gru: nn.GRU, seq: torch.Tensor) -> dict[str, torch.Tensor]:
    """The top layer's reset and update gates, (T, H) each, for one (T, F) sequence.

    PyTorch's gate order is (r, z, n): n_t = tanh(W_in x + b_in + r_t * (W_hn h + b_hn)) and
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}.
    """
    x = seq
    gates: dict[str, list[torch.Tensor]] = {}
    for layer in range(gru.num_layers):
        w_ih, w_hh, b_ih, b_hh = _weights(gru, layer)
        from_input = x @ w_ih.T + b_ih
        h = x.new_zeros(gru.hidden_size)
        gates = {"reset": [], "update": []}
        hidden = []
        for step in range(x.shape[0]):
            x_r, x_z, x_n = from_input[step].chunk(3)
            h_r, h_z, h_n = (w_hh @ h + b_hh).chunk(3)
            r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
            h = (1 - z) * torch.tanh(x_n + r * h_n) + z * h
            gates["reset"].append(r)
            gates["update"].append(z)
            hidden.append(h)
        x = torch.stack(hidden)
    return {name: torch.stack(values) for name, values in gates.items()}


def recurrent_states(rnn: nn.RNNBase,
                     inputs: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor] | None]:
    """For one input, a (1, T, F) sequence or (1, C, H, W) maps read row by row: the top layer's hidden
    state per step (T, H) and its gates.

    Gates are given for LSTM (input, forget, output) and GRU (reset, update); None for a plain RNN.
    """
    seq = rows_as_sequence(inputs) if inputs.dim() == 4 else inputs
    hidden, _ = rnn(seq)
    gates = None
    if isinstance(rnn, nn.LSTM):
        gates = lstm_gates(rnn, seq[0])
    elif isinstance(rnn, nn.GRU):
        gates = gru_gates(rnn, seq[0])
    return hidden[0], gates
