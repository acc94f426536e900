"""The training catalogue: every row's factory and its code for the exported script do the same."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from playground.core.choices import INITS, LOSSES, OPTIMIZERS, SCHEDULES, mse_targets

SCRIPT_NAMES = {"torch": torch, "nn": nn, "F": F, "math": math, "mse_targets": mse_targets}


def script(code: str):
    """What the exported script gets from a row's code."""
    return eval(code, dict(SCRIPT_NAMES))  # noqa: S307  (the catalogue's own source text)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_code_makes_the_same_optimizer(name: str) -> None:
    row = OPTIMIZERS[name]
    ours, theirs = (make([nn.Parameter(torch.zeros(2))], 0.03, 0.001)
                    for make in (row.make, script(row.code)))
    assert type(ours) is type(theirs)
    assert {k: v for k, v in ours.param_groups[0].items() if k != "params"} == {
        k: v for k, v in theirs.param_groups[0].items() if k != "params"}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_code_computes_the_same_loss(name: str) -> None:
    row = LOSSES[name]
    out, labels = torch.randn(6, 4), torch.tensor([0, 3, 1, 2, 2, 0])
    assert torch.equal(row.compute(out, labels), script(row.code)(out, labels))


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_code_gives_the_same_factors(name: str) -> None:
    row = SCHEDULES[name]
    for total in (0, 1, 7, 100):
        steps = range(total + 2)
        assert [row.factor(s, total) for s in steps] == [script(row.code)(s, total) for s in steps]


@pytest.mark.parametrize("name", sorted(INITS))
def test_init_code_fills_the_same_weights(name: str) -> None:
    row = INITS[name]
    if row.fill is None:
        assert script(row.code) is None
        return
    ours, theirs = torch.empty(5, 7), torch.empty(5, 7)
    torch.manual_seed(3)
    row.fill(ours)
    torch.manual_seed(3)
    script(row.code)(theirs)
    assert torch.equal(ours, theirs)


def test_mse_targets_are_one_hot_for_classes_and_the_values_for_regression() -> None:
    out = torch.zeros(3, 2)
    assert torch.equal(mse_targets(out, torch.tensor([1, 0, 1])), torch.tensor([[0.0, 1], [1, 0], [0, 1]]))
    values = torch.tensor([0.5, 1.5, 2.5])
    assert torch.equal(mse_targets(out[:, :1], values), values[:, None])
    assert LOSSES["cross_entropy"].tasks == ("classification",) and "regression" in LOSSES["mse"].tasks
