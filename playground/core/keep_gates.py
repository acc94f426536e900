"""Recurrent layers by kind, and their keep gates opened before training (the memory setting)."""

from __future__ import annotations

import torch
from torch import nn

from playground.errors import PlaygroundError


def kind_of(rnn: nn.Module) -> str:
    """"RNN", "LSTM" or "GRU"; a projected LSTM, a bidirectional layer or another module is refused."""
    if isinstance(rnn, nn.LSTM):
        if rnn.proj_size:
            raise PlaygroundError("an LSTM with a projection is not supported here", "set proj_size to 0")
        kind = "LSTM"
    elif isinstance(rnn, nn.GRU):
        kind = "GRU"
    elif isinstance(rnn, nn.RNN):
        kind = "RNN"
    else:
        raise PlaygroundError(f"{type(rnn).__name__} is not a recurrent layer",
                              "pass the model's nn.RNN, nn.LSTM or nn.GRU")
    if rnn.bidirectional:
        raise PlaygroundError("a bidirectional layer is not supported here", "use a one-directional layer")
    return kind


def set_memory_bias(rnn: nn.RNNBase, value: float) -> None:
    """Start a gated layer by holding its memory: bias the keep gates to ``value`` (about 1 to 5).

    With PyTorch's default initialisation the gates sit near 0.5, so a fresh layer halves its
    memory every step (0.5^50 after 50 steps) and learns long dependencies slowly, if at all. An
    LSTM's forget gates get +value and its input gates -value (as the chrono initialisation of
    Tallec & Ollivier pairs them: keep the cell, write rarely); a GRU's update gates, which do
    both at once, get +value. ``value = 4`` keeps 98 % a step, enough for seq:recall over 50 to
    100 steps (benchmarks/memory_length.py). The input-side biases are set, the hidden-side ones
    zeroed, in every stacked layer.
    """
    kind = kind_of(rnn)
    if kind == "RNN":
        raise PlaygroundError("a plain RNN has no gate to bias", "use an LSTM or GRU layer")
    if not rnn.bias:
        raise PlaygroundError("the layer has no biases to set", "build it with bias=True")
    size = rnn.hidden_size
    keep = slice(size, 2 * size)  # LSTM (i, f, g, o): f; GRU (r, z, n): z
    with torch.no_grad():
        for layer in range(rnn.num_layers):
            b_ih, b_hh = getattr(rnn, f"bias_ih_l{layer}"), getattr(rnn, f"bias_hh_l{layer}")
            b_ih[keep], b_hh[keep] = value, 0.0
            if kind == "LSTM":
                b_ih[:size], b_hh[:size] = -value, 0.0
