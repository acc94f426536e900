"""Trained weights and where they belong: the weights Start continues from, and those an edit parked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import torch
from torch import nn

from playground.core.analysis import analyse
from playground.core.builder import PlaygroundNet, build_model
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig
from playground.data.dataset import DataFacts, DataRef
from playground.errors import PlaygroundError

if TYPE_CHECKING:
    from playground.core.resume import ResumeState

MAX_PARKED = 8
RESUME_FREE = ("epochs", "learning_rate")
"""Settings that may change between a run and the run continuing it (the others shape the optimizer
state or the batches, so a change starts a fresh optimizer from the current weights)."""


def weights_fit(weights: dict[str, torch.Tensor], spec: NetworkSpec, input_shape: tuple[int, ...],
                outputs: int) -> bool:
    """True when ``weights`` have exactly the names and shapes of ``spec``'s model (built without memory).

    A last layer whose width differs from ``outputs`` still fits: the weights keep their use for
    transfer learning until that layer is replaced.
    """
    result = analyse(spec, input_shape, outputs)
    last = result.layers[-1].output_shape if result.layers else None
    if not result.ok and last is not None and len(last) == 1:
        outputs = int(last[0])
    try:
        with torch.device("meta"):
            expected = build_model(spec, input_shape, outputs).state_dict()
    except PlaygroundError:
        return False
    return set(expected) == set(weights) and all(
        tuple(expected[k].shape) == tuple(weights[k].shape) for k in expected)


def copy_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A CPU copy of ``model``'s state dict that later training cannot change."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


@dataclass(frozen=True)
class Trained:
    """Weights that training (or a file) left, the network they belong to, and where a run can go on.

    ``resume`` is only used while ``spec``, ``dataset`` and ``config`` (but RESUME_FREE) still hold;
    otherwise the next run starts a fresh optimizer from ``weights``. ``serial`` tells sets of weights
    apart: the store gives each new set its own number (the same weights keep theirs).
    """

    spec: NetworkSpec
    weights: dict[str, torch.Tensor]
    dataset: DataRef | None = None
    config: TrainConfig | None = None
    resume: ResumeState | None = None
    epochs_done: int = 0
    serial: int = 0

    def resumes_with(self, spec: NetworkSpec, dataset: DataRef, config: TrainConfig) -> bool:
        """True when a run of ``spec`` on ``dataset`` with ``config`` can continue exactly."""
        if self.resume is None or self.config is None or spec != self.spec or dataset != self.dataset:
            return False
        free = {name: getattr(config, name) for name in RESUME_FREE}
        return replace(self.config, **free) == config

    def model(self, spec: NetworkSpec, facts: DataFacts, config: TrainConfig) -> PlaygroundNet:
        """``spec``'s model (frozen layers as ``spec`` says) holding these weights."""
        model = build_model(spec, facts.input_shape, facts.outputs, config.init, config.loss)
        model.load_state_dict(self.weights)
        return model

    def fits(self, spec: NetworkSpec, facts: DataFacts | None) -> bool:
        """True when the weights fit ``spec`` on data of ``facts`` (False without facts)."""
        return facts is not None and weights_fit(self.weights, spec, facts.input_shape, facts.outputs)


class WeightStore:
    """The weights Start continues from (``trained``) and, for Undo, those an edit did not fit (at most
    ``limit``, keyed by the exact network they belong to, one set per network, newest last)."""

    def __init__(self, limit: int = MAX_PARKED) -> None:
        self.trained: Trained | None = None
        self.limit = limit
        self._parked: list[Trained] = []
        self._serial = 0

    @property
    def parked(self) -> tuple[Trained, ...]:
        """The parked sets, oldest first."""
        return tuple(self._parked)

    def reserve(self) -> int:
        """A serial number for weights to come (a run's)."""
        self._serial += 1
        return self._serial

    def set(self, trained: Trained | None) -> None:
        """Take ``trained`` (None: fresh weights next time); the weights it replaces are parked. A set of
        new weights gets a new serial, unless it carries one already reserved."""
        if self.trained is not None and self.trained is not trained:
            self._park(self.trained)
        self._take(trained)

    def follow(self, spec: NetworkSpec, facts: DataFacts | None) -> str:
        """After an edit: park weights of another network (keeping them while they fit ``spec``) and bring
        back ``spec``'s. Returns "parked" when weights had to go, "back" when some came back, else ""."""
        said = ""
        trained = self.trained
        if trained is not None and spec != trained.spec:
            self._park(trained)
            if trained.fits(spec, facts):
                self._take(Trained(spec, trained.weights, trained.dataset, serial=trained.serial))
            else:
                self._take(None)
                said = "parked"
        back = self._find(spec)
        if back is not None and (self.trained is None or back.weights is self.trained.weights):
            said = "back" if self.trained is None else said
            self._parked.remove(back)
            self._take(back)
        return said

    def usable(self, spec: NetworkSpec | None, facts: DataFacts | None) -> Trained | None:
        """The trained weights when they fit ``spec`` on data of ``facts``, else None."""
        trained = self.trained
        return trained if trained is not None and spec is not None and trained.fits(spec, facts) else None

    def forget(self) -> None:
        """No trained weights and none parked."""
        self._parked.clear()
        self._take(None)

    def _find(self, spec: NetworkSpec) -> Trained | None:
        return next((trained for trained in self._parked if trained.spec == spec), None)

    def _park(self, trained: Trained) -> None:
        self._parked = [t for t in self._parked if t.spec != trained.spec]
        self._parked.append(trained)
        del self._parked[:-self.limit]

    def _take(self, trained: Trained | None) -> None:
        if trained is not None and trained.serial == 0:
            trained = replace(trained, serial=self.reserve())
        self.trained = trained
