"""seq:sine, an LSTM, a plain torch loop: test R^2, RMSE, the last-value baseline and free-running error.

Settings behind issue 17's lstm-sine preset:

    .venv/bin/python benchmarks/sine_forecast.py --seeds 0,1,2
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground.data.sequences import free_run, sine, sine_series, split_sequences


class NextValue(nn.Module):
    """An LSTM read at its last step, then Linear(hidden, 1): the next value of the series."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.rnn = nn.LSTM(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.rnn(x)[0][:, -1])


def r_squared(predicted: np.ndarray, truth: np.ndarray) -> float:
    """1 - residual / total sum of squares."""
    return float(1 - ((predicted - truth) ** 2).sum() / ((truth - truth.mean()) ** 2).sum())


def run(seed: int, args: argparse.Namespace) -> str:
    """One seeded run, as a row of the table."""
    train, test = split_sequences(sine(args.samples, args.window, args.noise, seed), 0.2)
    x, y = torch.from_numpy(train.x), torch.from_numpy(train.y)
    torch.manual_seed(seed)
    model = NextValue(args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    order = torch.Generator().manual_seed(seed)
    start = time.process_time()
    for _ in range(args.epochs):
        for batch in torch.randperm(len(y), generator=order).split(args.batch):
            loss = F.mse_loss(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    seconds = time.process_time() - start
    with torch.no_grad():
        predicted = model(torch.from_numpy(test.x)).numpy()
    rmse = float(np.sqrt(((predicted - test.y) ** 2).mean()))
    last = float(np.sqrt(((test.x[:, -1] - test.y) ** 2).mean()))
    clean = sine_series(args.samples + args.window, 0.0, seed)
    first = len(train) + args.window  # the series index of the first test target
    future = free_run(model, clean[first - args.window:first], args.free_steps)[:, 0]
    drift = float(np.sqrt(((future - clean[first:first + args.free_steps]) ** 2).mean()))
    return (f"{seed:4d} {r_squared(predicted, test.y):6.3f} {rmse:6.3f} {last:8.3f} "
            f"{drift:10.3f} {seconds:6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--window", type=int, default=20)
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--free-steps", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"seq:sine window {args.window}, noise {args.noise}, {args.samples} samples (last 20 % test); "
          f"LSTM {args.hidden}, Adam lr {args.lr}, batch {args.batch}, {args.epochs} epochs; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'seed':>4s} {'R^2':>6s} {'RMSE':>6s} {'last-val':>8s} {'free-50 RMSE':>10s} {'CPU s':>6s}")
    for seed in (int(s) for s in args.seeds.split(",")):
        print(run(seed, args), flush=True)


if __name__ == "__main__":
    main()
