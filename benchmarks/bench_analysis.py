"""Analysis of a 20-layer spec: median time per call against the 5 ms budget for running on every edit."""

from __future__ import annotations

import statistics
import time

from playground.core.analysis import analyse
from playground.core.spec import NetworkSpec, layer

BUDGET_MS = 5.0


def twenty_layers() -> NetworkSpec:
    convs = tuple(layer("Conv2d", "relu", filters=16, padding=1) for _ in range(6))
    pools = (layer("MaxPool2d"), layer("BatchNorm"), layer("Dropout", p=0.1))
    dense = tuple(layer("Linear", "relu", units=64) for _ in range(9))
    return NetworkSpec(convs + pools + (layer("Flatten"),) + dense + (layer("Linear", units=10),))


def main() -> None:
    spec = twenty_layers()
    assert len(spec) == 20 and analyse(spec, (1, 28, 28), 10).ok
    runs = []
    for _ in range(200):
        start = time.perf_counter()
        analyse(spec, (1, 28, 28), 10)
        runs.append((time.perf_counter() - start) * 1000)
    median, worst = statistics.median(runs), max(runs)
    print(f"analysis of a 20-layer spec: median {median:.3f} ms, max {worst:.3f} ms")
    print(f"budget / median: {BUDGET_MS / median:.0f}x under the {BUDGET_MS:g} ms budget")


if __name__ == "__main__":
    main()
