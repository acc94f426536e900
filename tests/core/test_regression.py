"""Regression end to end: a source with float targets trains with MSE and reports RMSE and R²."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from playground.cli import main
from playground.core.metrics import BatchRecord, EpochRecord, regression_scores
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig, Trainer
from playground.data.dataset import DataRef
from playground.data.registry import load_dataset
from playground.errors import TrainingError
from tests.wave import wave  # noqa: F401  (a fixture)

MLP = NetworkSpec((layer("Linear", "tanh", units=32), layer("Linear", "tanh", units=32),
                   layer("Linear", units=1)))


def test_regression_scores_are_rmse_and_the_explained_variance() -> None:
    true = torch.tensor([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
    guess = true + torch.tensor([[0.5, 0.0], [-0.5, 0.0], [0.5, 0.0], [-0.5, 0.0]])
    rmse, r2 = regression_scores(guess, true)
    assert rmse == pytest.approx(np.sqrt(4 * 0.25 / 8))
    assert r2 == pytest.approx((1 - 1.0 / 5.0 + 1.0) / 2)  # per target, then averaged
    assert regression_scores(torch.zeros(3), torch.zeros(3)) == (0.0, 1.0)  # a constant hit exactly


def test_a_regression_source_loads_with_its_options(wave) -> None:  # noqa: F811
    data = load_dataset(DataRef.of("test-wave", {"points": 100}))
    assert data.task == "regression" and data.input_shape == (2,) and data.outputs == 1
    assert data.train_y.dtype == np.float32 and data.class_names == () and data.target_names == ("height",)
    assert data.mean == data.std == ()  # float inputs are read as they are
    assert (len(data.train_x), len(data.test_x)) == (80, 20)
    assert data.ref == DataRef.of("test-wave", {"points": 100, "noise": 0.05})


def test_mse_trains_regression_and_reports_rmse_and_r2(wave) -> None:  # noqa: F811
    data = load_dataset("test-wave")
    trainer = Trainer(MLP, data, TrainConfig(loss="mse", epochs=25, batch_size=32, learning_rate=0.01))
    records = list(trainer.run())
    batches = [r for r in records if isinstance(r, BatchRecord)]
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    assert all(b.accuracy is None for b in batches)
    first, last = epochs[0], epochs[-1]
    assert last.test_accuracy is None and last.train_accuracy is None
    assert last.test_r2 > 0.9 > first.test_r2 and last.test_rmse < first.test_rmse
    assert last.test_rmse == pytest.approx(np.sqrt(last.test_loss), rel=1e-4)  # one target: RMSE = sqrt(MSE)
    assert "test rmse: " in last.line() and "test r2: " in last.line()


def test_a_loss_for_classes_or_augmentation_cannot_train_values(wave) -> None:  # noqa: F811
    data = load_dataset("test-wave")
    with pytest.raises(TrainingError, match="cannot train the regression targets") as caught:
        Trainer(MLP, data, TrainConfig(loss="cross_entropy"))
    assert "Mean squared error" in caught.value.hint
    with pytest.raises(TrainingError, match="holds no images"):
        Trainer(MLP, data, TrainConfig(loss="mse", augment=True))


def test_the_cli_trains_regression_and_reports_rmse_and_r2(wave, capsys, tmp_path) -> None:  # noqa: F811
    spec_file = tmp_path / "net.json"
    spec_file.write_text(NetworkSpec((layer("Linear", "tanh", units=16), layer("Linear", units=1))).to_json())
    argv = ["train", "--spec", str(spec_file), "--dataset", "test-wave", "--option", "points=200",
            "--option", "noise=0.1", "--epochs", "2", "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {"test_rmse", "test_r2"} <= set(summary) and "test_accuracy" not in summary
    assert summary["dataset"] == 'test-wave {"noise":0.1,"points":200}'
    assert {"test_rmse", "test_r2"} <= set(summary["epochs"][-1])
    assert main(argv[:-1]) == 0
    assert "test RMSE" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([*argv, "--option", "points=3"])  # below the option's minimum: a usage error
    assert "between 16 and 10000" in capsys.readouterr().err
