"""Forecasting a series: one-step predictions are the model's outputs on the test windows, the free run
starts from the same window and then reads only its own predictions."""

import numpy as np
import pytest
import torch

from playground.core.builder import build_model
from playground.core.forecast import can_forecast, forecast
from playground.core.presets import preset
from playground.data.dataset import DataRef
from playground.data.registry import load_dataset
from playground.errors import PlaygroundError


@pytest.fixture(scope="module")
def sine():
    return load_dataset(DataRef.of("seq:sine", {"length": 12, "samples": 300}))


def test_one_step_predictions_and_the_free_run_follow_the_model(sine) -> None:
    torch.manual_seed(0)
    model = build_model(preset("lstm-sine"), sine.input_shape, 1)
    result = forecast(model, sine, start=5, steps=30)
    with torch.no_grad():
        direct = model(torch.from_numpy(np.array(sine.test_x))).numpy()[:, 0]
    np.testing.assert_allclose(result.one_step, direct, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(result.truth, sine.test_y[:, 0])
    assert len(result.free) == 30 and result.free[0] == pytest.approx(result.one_step[5], abs=1e-6)
    window = np.concatenate([sine.test_x[5, 1:, 0], [result.free[0]]]).astype(np.float32)
    with torch.no_grad():
        second = float(model(torch.from_numpy(window).reshape(1, 12, 1))[0, 0])
    assert result.free[1] == pytest.approx(second, abs=1e-6)  # it read its own first prediction
    expected = np.sqrt(np.mean((result.free - sine.test_y[5:35, 0]) ** 2))
    assert result.free_rmse == pytest.approx(expected, rel=1e-5)
    one_step = np.sqrt(np.mean((direct - sine.test_y[:, 0]) ** 2))
    assert result.one_step_rmse == pytest.approx(one_step, rel=1e-5)


def test_only_a_next_value_series_forecasts(sine) -> None:
    recall = load_dataset(DataRef.of("seq:recall", {"length": 5, "samples": 100}))
    assert can_forecast(sine) and not can_forecast(recall)
    model = build_model(preset("lstm-recall"), recall.input_shape, recall.outputs)
    with pytest.raises(PlaygroundError, match="not a series to forecast"):
        forecast(model, recall)
    with pytest.raises(PlaygroundError, match="from 1 to 60"):
        forecast(build_model(preset("lstm-sine"), sine.input_shape, 1), sine, start=60)
