"""Sequence tasks are seeded and shaped as documented; windows and free-running do what they say."""

import numpy as np
import pytest
import torch
from torch import nn

from playground.data import sequences as seq
from playground.errors import DatasetError


@pytest.mark.parametrize("task_id", list(seq.SEQUENCE_TASKS))
def test_every_task_is_seeded_and_shaped_n_by_t_by_f(task_id):
    row = seq.SEQUENCE_TASKS[task_id]
    first = row.generate(64, 12, 3)
    again, other = row.generate(64, 12, 3), row.generate(64, 12, 4)
    assert first.x.dtype == np.float32 and first.x.ndim == 3 and first.x.shape[:2] == (64, 12)
    np.testing.assert_array_equal(first.x, again.x)
    np.testing.assert_array_equal(first.y, again.y)
    assert not np.array_equal(first.x, other.x)
    if row.regression:
        assert first.y.dtype == np.float32 and first.y.shape == (64, 1)
    else:
        assert first.y.dtype == np.int64 and first.y.shape == (64,)


def test_recall_marks_the_first_token_and_draws_the_rest_from_the_same_kinds():
    data = seq.recall(600, length=30, classes=3, seed=0)
    assert data.x.shape == (600, 30, 4)
    tokens, marker = data.x[:, :, :3], data.x[:, :, 3]
    np.testing.assert_array_equal(tokens.sum(axis=2), 1.0)
    np.testing.assert_array_equal(tokens[:, 0].argmax(axis=1), data.y)
    np.testing.assert_array_equal(marker[:, 0], 1.0)
    assert marker[:, 1:].sum() == 0
    assert np.bincount(data.y).min() > 150
    later = tokens[:, 1:].sum(axis=(0, 1))
    assert later.min() > 0.95 * later.mean()
    # The later tokens say nothing about the label: each kind is as common after every label.
    for label in range(3):
        share = tokens[data.y == label, 1:].mean(axis=(0, 1))
        np.testing.assert_allclose(share, 1 / 3, atol=0.02)


def test_adding_marks_one_value_in_each_half_and_targets_their_sum():
    data = seq.adding(300, length=20, seed=0)
    values, markers = data.x[..., 0], data.x[..., 1]
    assert values.min() >= 0 and values.max() <= 1
    np.testing.assert_array_equal(markers.sum(axis=1), 2.0)
    np.testing.assert_array_equal(markers[:, :10].sum(axis=1), 1.0)
    np.testing.assert_allclose(data.y[:, 0], (values * markers).sum(axis=1), rtol=1e-6)
    assert 0.9 < data.y.mean() < 1.1


def test_windows_read_past_rows_and_target_the_row_horizon_steps_later():
    series = np.arange(30, dtype=np.float64).reshape(10, 3)  # row r is (3r, 3r + 1, 3r + 2)
    data = seq.windows(series, window=4, horizon=2, targets=(1,))
    assert data.x.shape == (5, 4, 3) and data.y.shape == (5, 1)
    np.testing.assert_array_equal(data.x[0], series[0:4])
    np.testing.assert_array_equal(data.x[4], series[4:8])
    np.testing.assert_array_equal(data.y[:, 0], series[5:10, 1])
    all_columns = seq.windows(series[:, 0], window=3)
    assert all_columns.x.shape == (7, 3, 1)
    np.testing.assert_array_equal(all_columns.y[:, 0], series[3:, 0])


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"series": np.zeros(5), "window": 5}, "too short"),
    ({"series": np.array([1.0, np.nan, 2, 3, 4, 5]), "window": 2}, "row 2"),
    ({"series": np.zeros((6, 2)), "window": 2, "targets": (2,)}, "target columns"),
    ({"series": np.zeros((6, 2)), "window": 1}, "window"),
    ({"series": np.zeros((6, 2, 2)), "window": 2}, "steps, columns"),
    ({"series": np.zeros(6), "window": 2, "horizon": 0}, "horizon"),
])
def test_windows_refuse_series_they_cannot_cut(kwargs, words):
    with pytest.raises(DatasetError, match=words):
        seq.windows(**kwargs)


def test_sine_samples_are_windows_of_one_noisy_series():
    data = seq.sine(100, window=10, noise=0.0, seed=2)
    series = seq.sine_series(110, noise=0.0, seed=2)
    np.testing.assert_array_equal(data.x[:, :, 0], np.lib.stride_tricks.sliding_window_view(series[:109], 10))
    np.testing.assert_array_equal(data.y[:, 0], series[10:])
    assert np.abs(series).max() <= 1.0


def test_sine_noise_is_gaussian_of_the_given_size():
    clean, noisy = seq.sine_series(20_000, 0.0, seed=5), seq.sine_series(20_000, 0.2, seed=5)
    assert (noisy - clean).std() == pytest.approx(0.2, rel=0.03)


@pytest.mark.parametrize(("call", "words"), [
    (lambda: seq.recall(10, length=4), "sequence length"),
    (lambda: seq.recall(10, length=201), "sequence length"),
    (lambda: seq.recall(10, classes=1), "classes"),
    (lambda: seq.adding(0), "number of samples"),
    (lambda: seq.adding(10, seed=-3), "seed"),
    (lambda: seq.sine(10, noise=2.0), "noise"),
    (lambda: seq.sine(10, window=True), "window"),
])
def test_bad_settings_are_dataset_errors(call, words):
    with pytest.raises(DatasetError, match=words):
        call()


def test_split_keeps_order_so_a_time_series_tests_on_its_future():
    data = seq.sine(100, window=5, seed=0)
    train, test = seq.split_sequences(data, 0.2)
    assert len(train) == 80 and len(test) == 20
    np.testing.assert_array_equal(test.y, data.y[80:])
    with pytest.raises(DatasetError, match="test fraction"):
        seq.split_sequences(data, 0.9)


class LastValue(nn.Module):
    """Predicts the next value as last value + 1: free-running must count upwards."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, -1, :] + 1


def test_free_run_feeds_predictions_back():
    start = np.array([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(seq.free_run(LastValue(), start, 4)[:, 0], [3.0, 4.0, 5.0, 6.0])


def test_free_run_uses_the_window_as_it_slides():
    class MeanOfWindow(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.mean(dim=1)

    model = MeanOfWindow().train()
    out = seq.free_run(model, np.array([[0.0, 3.0], [3.0, 0.0]]), 2)
    np.testing.assert_allclose(out, [[1.5, 1.5], [2.25, 0.75]])
    assert model.training


def test_free_run_refuses_a_model_that_does_not_predict_the_next_row():
    with pytest.raises(DatasetError, match="next row"):
        seq.free_run(nn.Flatten(), np.zeros((3, 1)), 2)
