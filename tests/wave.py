"""A small regression source built in the tests: noisy points of a smooth surface, with options."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from playground.data import registry
from playground.data.dataset import REGRESSION, DataRef, Dataset, DatasetInfo, OptionDef, make_dataset
from playground.data.download import Progress
from playground.data.registry import SourceKind

OPTIONS = (
    OptionDef("points", int, 400, 16, 10_000, "How many points (a fifth are test points)."),
    OptionDef("noise", float, 0.05, 0.0, 1.0, "Standard deviation of the noise added to the targets."),
)


class Wave:
    """y = sin(2 x1) + x2 / 2 + noise over x in [-1, 1]^2, standardised: a task a small MLP learns."""

    def __init__(self, ref: DataRef) -> None:
        self.ref = ref

    def info(self) -> DatasetInfo:
        return DatasetInfo(self.ref, "Wave", "noisy points of a smooth surface", (2,), (), REGRESSION)

    def load(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> Dataset:
        options = self.ref.values()
        rng = np.random.default_rng(0)
        x = rng.uniform(-1, 1, (int(options["points"]), 2)).astype(np.float32)
        y = np.sin(2 * x[:, 0]) + x[:, 1] / 2 + rng.normal(0, float(options["noise"]), len(x))
        y = ((y - y.mean()) / y.std()).astype(np.float32)
        cut = len(x) * 4 // 5
        return make_dataset(self.ref, "Wave", (x[:cut], y[:cut]), (x[cut:], y[cut:]), task=REGRESSION,
                            target_names=("height",))


@pytest.fixture
def wave(monkeypatch: pytest.MonkeyPatch) -> SourceKind:
    """The "test-wave" source, registered for the test only."""
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    kind = SourceKind("test-wave", Wave, OPTIONS)
    registry.register(kind)
    return kind
