"""Decision boundary at 100x100 with an 8x16 tanh network: recompute time beside a bare forward, 5 ms goal."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import torch

from playground.core.boundary import evaluate, make_grid
from playground.core.builder import build_model
from playground.core.spec import NetworkSpec, layer

GOAL_MS = 5.0
RUNS = 300


def eight_by_sixteen() -> NetworkSpec:
    """8 hidden layers of 16 tanh units and a 2-class output: the largest network the neuron view draws."""
    hidden = tuple(layer("Linear", "tanh", units=16) for _ in range(8))
    return NetworkSpec((*hidden, layer("Linear", units=2)))


def median_ms(call: Callable[[], object]) -> float:
    """Median wall time of ``call`` in milliseconds, after a few warm-up calls."""
    for _ in range(20):
        call()
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def bare_forward(model: torch.nn.Module, inputs: torch.Tensor) -> Callable[[], object]:
    """The same 10,000-point forward with nothing else: no neuron outputs, softmax or numpy maps."""
    def call() -> object:
        with torch.inference_mode():
            return model(inputs)
    return call


def main() -> None:
    torch.manual_seed(0)
    model = build_model(eight_by_sixteen(), (2,), 2).eval()
    grid = make_grid(("x1", "x2"), resolution=100)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    saved = torch.get_num_threads()
    for threads in sorted({1, saved}):
        torch.set_num_threads(threads)
        full = median_ms(lambda: evaluate(model, grid))
        output_only = median_ms(lambda: evaluate(model, grid, neurons=False))
        bare = median_ms(bare_forward(model, grid.inputs))
        print(f"{threads} thread(s): boundary + 128 neuron maps {full:.2f} ms, boundary only "
              f"{output_only:.2f} ms, bare forward {bare:.2f} ms; boundary+neurons / bare "
              f"{full / bare:.2f}x; goal / boundary+neurons {GOAL_MS / full:.1f}x "
              f"(>= 1 meets {GOAL_MS:g} ms)")
    torch.set_num_threads(saved)


if __name__ == "__main__":
    main()
