"""TFP's spiral, a 3x8 tanh MLP, a plain torch loop: test accuracy per seed and optimizer (issue 16's goal).

Issue 16's done criterion: 500 points, no noise, features x1,x2, 2 -> 8 -> 8 -> 8 -> 2 tanh,
batch 16, lr 0.01, 300 epochs reaches >= 95 % test accuracy. This prints what a plain loop gets:

    .venv/bin/python benchmarks/toy_spiral.py --seeds 0,1,2,3,4,5,6,7 --optimizers adam,adamw,rmsprop
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from playground.data.toy import feature_matrix, make_toy, split

OPTIMIZERS = {
    "adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
    "adamw": lambda params, lr: torch.optim.AdamW(params, lr=lr),  # torch's default decay 0.01
    "rmsprop": lambda params, lr: torch.optim.RMSprop(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "sgd": lambda params, lr: torch.optim.SGD(params, lr=lr),
}


def train_once(seed: int, optimizer: str, epochs: int, lr: float, batch: int, units: int,
               depth: int, dataset: str) -> tuple[float, float]:
    """Test and train accuracy of one seeded run (the seed draws the split, the weights and the batches)."""
    parts = split(make_toy(dataset, seed=seed), 0.5, seed=seed)
    x = torch.from_numpy(feature_matrix(parts.train.points, ("x1", "x2")))
    y = torch.from_numpy(parts.train.targets)
    torch.manual_seed(seed)
    widths = [2] + [units] * depth
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(widths, widths[1:], strict=False):
        layers += [nn.Linear(fan_in, fan_out), nn.Tanh()]
    model = nn.Sequential(*layers, nn.Linear(units, int(y.max()) + 1))
    step = OPTIMIZERS[optimizer](model.parameters(), lr)
    order = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for index in torch.randperm(len(y), generator=order).split(batch):
            loss = F.cross_entropy(model(x[index]), y[index])
            step.zero_grad()
            loss.backward()
            step.step()
    with torch.no_grad():
        test_x = torch.from_numpy(feature_matrix(parts.test.points, ("x1", "x2")))
        test = float((model(test_x).argmax(1) == torch.from_numpy(parts.test.targets)).float().mean())
        train = float((model(x).argmax(1) == y).float().mean())
    return test, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3")
    parser.add_argument("--optimizers", default="adam")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--dataset", default="spiral")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"{args.dataset}, {args.depth}x{args.units} tanh, batch {args.batch}, lr {args.lr}, "
          f"{args.epochs} epochs; load average {os.getloadavg()[0]:.2f}")
    for name in args.optimizers.split(","):
        start = time.process_time()
        runs = [train_once(seed, name, args.epochs, args.lr, args.batch, args.units, args.depth, args.dataset)
                for seed in seeds]
        tests = [test for test, _ in runs]
        seconds = (time.process_time() - start) / len(seeds)
        passed = sum(t >= 0.95 for t in tests)
        print(f"{name:8s} test " + " ".join(f"{t:.3f}" for t in tests)
              + f" | median {statistics.median(tests):.3f}, >= 0.95 in {passed}/{len(tests)}; train "
              + " ".join(f"{t:.3f}" for _, t in runs) + f"; {seconds:.1f} CPU s a run")


if __name__ == "__main__":
    main()
