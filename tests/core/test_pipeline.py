"""The training steps as data: a batch traced through them, the initial weights, the time of each step."""

import math

import numpy as np
import pytest
import torch

from playground.core.metrics import BatchRecord
from playground.core.pipeline import STEP_KEYS, TIMED, phase_shares, weight_histograms
from playground.core.presets import preset
from playground.core.training import TrainConfig, Trainer, normalise


def test_a_run_traces_the_first_batch_of_each_epoch_through_the_steps(tiny_dataset):
    trainer = Trainer(preset("article-mlp"), tiny_dataset, TrainConfig(epochs=2, batch_size=32))
    assert trainer.trace() == (0, None)
    list(trainer.run())
    version, trace = trainer.trace()
    assert version == 2 and trace.epoch == 2 and trace.batch == 1 and trace.step == 9 and not trace.stepped
    assert trace.raw.shape == trace.prepared.shape == (6, 1, 28, 28) and trace.raw.max() > 1  # 0-255 pixels
    mean, std = tiny_dataset.mean, tiny_dataset.std
    expected = normalise(torch.from_numpy(trace.raw.astype(np.uint8)), mean, std).numpy()
    assert np.allclose(trace.prepared, expected, atol=1e-5)
    assert trace.outputs.shape == (6, 10) and np.allclose(trace.probabilities.sum(1), 1, atol=1e-5)
    assert trace.loss_name == "Cross-entropy" and trace.loss > 0 and trace.learning_rate == 1e-3
    assert math.isnan(trace.grad_norms[0]) and math.isnan(trace.update_ratios[0])  # Flatten has no weights
    assert all(g > 0 for g in trace.grad_norms[1:]) and all(1e-5 < r < 1e-1 for r in trace.update_ratios[1:])
    assert trace.layer_names == ("1: Flatten", "2: Linear", "3: Linear")
    assert trace.update_text(0) == "no weights" and trace.update_text(1).startswith("healthy")
    shares = phase_shares(trainer.phase_seconds)
    assert set(shares) == set(TIMED) and sum(shares.values()) == pytest.approx(1.0)
    assert all(share > 0 for share in shares.values())
    assert STEP_KEYS[0] == "preprocess" and STEP_KEYS[-1] == "save" and len(STEP_KEYS) == 8


def test_trace_next_traces_the_batch_a_paused_run_steps_through(tiny_dataset):
    trainer = Trainer(preset("article-mlp"), tiny_dataset, TrainConfig(epochs=1, batch_size=32))
    trainer.step_batch()  # one batch, then paused
    run = trainer.run()
    first = next(r for r in run if isinstance(r, BatchRecord))  # batch 1, traced at the epoch's start
    assert first.batch == 1 and trainer.trace()[0] == 1
    trainer.trace_next()
    trainer.step_batch()
    second = next(r for r in run if isinstance(r, BatchRecord))
    version, trace = trainer.trace()
    assert second.batch == 2 and version == 2 and trace.batch == 2 and trace.stepped
    trainer.resume()
    third = next(r for r in run if isinstance(r, BatchRecord))
    assert third.batch == 3 and trainer.trace()[0] == 2  # running freely: batch 3 is not traced
    trainer.stop()
    list(run)


def test_the_initial_weights_are_the_distribution_the_run_began_with(tiny_dataset):
    trainer = Trainer(preset("article-mlp"), tiny_dataset, TrainConfig(epochs=1, init="xavier_uniform"))
    before = weight_histograms(trainer.model)
    list(trainer.run())
    assert [h.layer for h in trainer.initial_weights] == [1, 2] and trainer.fresh_weights
    pairs = zip(before, trainer.initial_weights, strict=True)
    assert all(np.array_equal(a.counts, b.counts) for a, b in pairs)
    assert int(before[0].counts.sum()) == 784 * 128 and int(before[1].counts.sum()) == 128 * 10
    bound = math.sqrt(6 / (784 + 128))  # Xavier's uniform range for the first layer
    assert before[0].edges[0] >= -bound - 1e-6 and before[0].edges[-1] <= bound + 1e-6
