"""The learning-rate finder: an exponential sweep, a stop at 4x the best loss, the steepest descent."""

import json
import math
import threading

import numpy as np
import pytest

from playground.cli import main
from playground.core.lr_find import STOP_FACTOR, Sweep, find_lr, suggest
from playground.core.presets import preset
from playground.core.training import TrainConfig
from playground.errors import TrainingError


def test_the_suggestion_is_the_steepest_descent_before_the_lowest_point():
    rates = tuple(float(r) for r in np.logspace(-7, 1, 100))
    logs = np.log10(rates)
    # a loss that falls fastest at 1e-3 (a logistic step in log-rate), bottoms out at 1e-1, then climbs
    loss = 2.3 - 2.0 / (1 + np.exp(-3 * (logs + 3))) + np.where(logs > -1, (logs + 1) ** 2, 0)
    steep, lowest = suggest(rates, tuple(loss))
    assert steep == pytest.approx(1e-3, rel=0.25) and lowest == pytest.approx(0.1, rel=0.25)
    assert suggest((), ()) == (None, None)
    assert suggest(rates[:10], tuple(loss[:10]))[0] is None  # too few points
    assert suggest(rates, (2.3,) * 100)[0] is None  # flat: nothing to suggest


def test_a_sweep_of_the_article_mlp_suggests_a_sensible_rate(sample_dataset):
    calls = []
    sweep = find_lr(preset("article-mlp"), sample_dataset, TrainConfig(),
                    progress=lambda batch, rate, loss: calls.append((batch, rate, loss)))
    n = len(sweep.rates)
    assert sweep.rates[0] == pytest.approx(1e-7) and len(calls) == n and calls[-1][0] == n
    ratios = np.diff(np.log(sweep.rates))
    assert np.allclose(ratios, math.log(1e8) / 99)  # exponential: one factor a batch, 1e-7 to 10 in 100
    assert sweep.stopped == "diverged" and n < 100 and sweep.smoothed[-1] > STOP_FACTOR * min(sweep.smoothed)
    assert 3e-4 <= sweep.suggestion <= 3e-2 and sweep.suggestion < sweep.lowest
    assert sweep.text().startswith(f"suggested learning rate: {sweep.suggestion:.2g} ")
    again = find_lr(preset("article-mlp"), sample_dataset, TrainConfig())
    assert again.losses == sweep.losses  # seeded: the same sweep twice


def test_a_network_that_cannot_learn_gets_no_suggestion_and_a_reason(tiny_dataset):
    sweep = find_lr(preset("deep-sigmoid"), tiny_dataset, TrainConfig(optimizer="sgd"), steps=40)
    assert sweep.suggestion is None and sweep.flat
    assert sweep.text().startswith("no suggestion: in ") and "never fell by 10%" in sweep.text()


def test_cancel_and_bad_settings(tiny_dataset, tiny_spec):
    cancel = threading.Event()
    sweep = find_lr(tiny_spec, tiny_dataset, TrainConfig(), cancel=cancel,
                    progress=lambda batch, *_: cancel.set() if batch == 5 else None)
    assert sweep.stopped == "cancelled" and len(sweep.rates) == 5 and sweep.suggestion is None
    with pytest.raises(TrainingError, match="20 to 1000 steps"):
        find_lr(tiny_spec, tiny_dataset, TrainConfig(), steps=5)
    with pytest.raises(TrainingError, match="the sweep must go up"):
        find_lr(tiny_spec, tiny_dataset, TrainConfig(), start=1.0, end=0.1)
    assert isinstance(Sweep((), (), (), "end", None, None).to_dict(), dict)


def test_the_command_prints_the_chart_and_the_suggestion(capsys):
    assert main(["lr-find", "--preset", "article-mlp"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "article-mlp on MNIST sample, adam, batch 64:"
    assert sum(line.endswith("<- suggested") for line in out) == 1
    assert out[-2].startswith("suggested learning rate: ")
    assert out[-1].startswith("  try: nn-playground train --preset article-mlp --lr ")
    rate = float(out[-1].split("--lr ")[1])
    assert 3e-4 <= rate <= 3e-2


def test_the_command_json_has_every_point(capsys, idx_folder):
    assert main(["lr-find", "--dataset", f"idx:{idx_folder}", "--steps", "30", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"rates", "losses", "smoothed", "stopped", "suggestion", "lowest", "preset"} <= set(report)
    assert len(report["rates"]) == len(report["losses"]) == len(report["smoothed"]) <= 30
