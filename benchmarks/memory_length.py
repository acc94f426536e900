"""Memory length on seq:recall: RNN, LSTM and GRU of one size and one recipe, test accuracy per length T.

Plain torch loops (not the app's trainer) behind issue 17's presets; seeded, CPU time per run shown:

    .venv/bin/python benchmarks/memory_length.py --lengths 10,25,50,100 --seeds 0,1,2,3,4
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn

from playground.core.keep_gates import set_memory_bias
from playground.data.sequences import recall, split_sequences

CELLS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


@dataclass(frozen=True)
class Settings:
    """One training recipe, the same for every cell type."""

    hidden: int = 32
    epochs: int = 25
    batch: int = 32
    lr: float = 0.005
    samples: int = 2500
    """Sequences generated; the last 20 % are the test set."""
    classes: int = 16
    memory_bias: float = 4.0
    """``set_memory_bias`` for LSTM and GRU (0 keeps PyTorch's initialisation)."""
    clip: float = 1.0
    """Gradient norm clipping (0 for none, as the app's trainer has today)."""


class LastStep(nn.Module):
    """A recurrent layer read at its last step, then a Linear layer: the app's RNN-then-Linear spec."""

    def __init__(self, cell: type[nn.RNNBase], features: int, hidden: int, classes: int) -> None:
        super().__init__()
        self.rnn = cell(features, hidden, batch_first=True)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.rnn(x)[0][:, -1])


def train_once(kind: str, length: int, seed: int, s: Settings) -> tuple[float, float]:
    """Test accuracy and CPU seconds of one seeded run."""
    train, test = split_sequences(recall(s.samples, length, s.classes, seed), 0.2)
    x, y = torch.from_numpy(train.x), torch.from_numpy(train.y)
    torch.manual_seed(seed)
    model = LastStep(CELLS[kind], x.shape[2], s.hidden, s.classes)
    if kind != "RNN" and s.memory_bias:
        set_memory_bias(model.rnn, s.memory_bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=s.lr)
    order = torch.Generator().manual_seed(seed)
    start = time.process_time()
    for _ in range(s.epochs):
        for batch in torch.randperm(len(y), generator=order).split(s.batch):
            loss = F.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            if s.clip:
                nn.utils.clip_grad_norm_(model.parameters(), s.clip)
            optimizer.step()
    seconds = time.process_time() - start
    with torch.no_grad():
        predicted = model(torch.from_numpy(test.x)).argmax(1)
    return float((predicted == torch.from_numpy(test.y)).float().mean()), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="10,25,50,100")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--cells", default="RNN,LSTM,GRU")
    parser.add_argument("--threads", type=int, default=1)
    for field in fields(Settings):
        flag = f"--{field.name.replace('_', '-')}"
        parser.add_argument(flag, type=type(field.default), default=field.default)
    args = parser.parse_args()
    settings = Settings(**{field.name: getattr(args, field.name) for field in fields(Settings)})
    torch.set_num_threads(args.threads)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"{settings}; chance {1 / settings.classes:.3f}; {args.threads} torch thread(s); "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"| cell | T | test accuracy, seeds {', '.join(map(str, seeds))} | median | >= 0.9 | CPU s a run |")
    print("| --- | --- | --- | --- | --- | --- |")
    for length in (int(t) for t in args.lengths.split(",")):
        for kind in args.cells.split(","):
            runs = [train_once(kind, length, seed, settings) for seed in seeds]
            accuracies = [accuracy for accuracy, _ in runs]
            print(f"| {kind} | {length} | {' '.join(f'{a:.2f}' for a in accuracies)} | "
                  f"{statistics.median(accuracies):.2f} | {sum(a >= 0.9 for a in accuracies)}/{len(runs)} | "
                  f"{statistics.mean(seconds for _, seconds in runs):.1f} |", flush=True)


if __name__ == "__main__":
    main()
