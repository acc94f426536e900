"""seq:recall does what it is for: over 50 steps a gated LSTM holds the first token, a plain RNN does not."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from playground.core.recurrence import set_memory_bias
from playground.data.sequences import recall, split_sequences


def recall_accuracy(cell: type[nn.RNNBase], length: int) -> float:
    """benchmarks/memory_length.py's recipe: 32 units, 16 kinds, Adam 0.005, batch 32, clip 1, 25 epochs."""
    train, test = split_sequences(recall(2500, length, 16, seed=0), 0.2)
    x, y = torch.from_numpy(train.x), torch.from_numpy(train.y)
    torch.manual_seed(0)
    rnn, head = cell(17, 32, batch_first=True), nn.Linear(32, 16)
    if cell is not nn.RNN:
        set_memory_bias(rnn, 4.0)
    params = [*rnn.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(params, lr=0.005)
    order = torch.Generator().manual_seed(0)
    for _ in range(25):
        for batch in torch.randperm(len(y), generator=order).split(32):
            loss = F.cross_entropy(head(rnn(x[batch])[0][:, -1]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
    with torch.no_grad():
        predicted = head(rnn(torch.from_numpy(test.x))[0][:, -1]).argmax(1)
    return float((predicted == torch.from_numpy(test.y)).float().mean())


@pytest.fixture
def one_thread():
    """Small recurrent steps run fastest on one thread (two threads on a busy machine spin and wait)."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


@pytest.mark.slow
@pytest.mark.usefixtures("one_thread")
def test_over_50_steps_an_lstm_recalls_the_first_token_and_a_plain_rnn_stays_near_chance():
    assert recall_accuracy(nn.LSTM, 50) >= 0.9
    assert recall_accuracy(nn.RNN, 50) < 0.2
