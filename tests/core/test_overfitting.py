"""Overfitting named (the epoch where the held-out loss turned up) and early stopping at the best epoch."""

import json
import math

import pytest
import torch

from playground.cli import main
from playground.core.metrics import EpochRecord, RunState, StateRecord
from playground.core.overfitting import EarlyStopping, best_epoch, find_turn, turn_of
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig, Trainer
from playground.errors import TrainingError
from tests.conftest import cut


def records(train: list[float], test: list[float], val: list[float] | None = None) -> list[EpochRecord]:
    return [EpochRecord(i + 1, t, None, h, None, 1.0, 1.0, val[i] if val else None)
            for i, (t, h) in enumerate(zip(train, test, strict=True))]


FALLING = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2]


def test_the_turn_is_the_best_epoch_once_the_test_loss_has_risen_for_the_patience():
    turn = find_turn(records(FALLING, [1.0, 0.7, 0.5, 0.52, 0.56, 0.6, 0.7]))
    assert turn is not None and turn.epoch == 3 and turn.since == 4 and turn.split == "test"
    assert turn.best == 0.5 and turn.now == 0.7 and turn.train_at_best == 0.6 and turn.train_now == 0.2
    assert turn.text() == ("overfitting from epoch 3: the test loss rose from 0.5000 to 0.7000 over 4 epochs "
                           "while the training loss fell from 0.6000 to 0.2000")


@pytest.mark.parametrize("test", [
    [1.0, 0.7, 0.5, 0.45, 0.4, 0.35, 0.3],  # still improving
    [1.0, 0.7, 0.5, 0.45, 0.4, 0.46, 0.47],  # risen for 2 epochs only: noise, not yet a turn
    [1.0, 0.7, 0.5, 0.505, 0.501, 0.503, 0.505],  # flat within the margin
])
def test_no_turn_is_named_while_the_test_loss_has_not_clearly_risen(test):
    assert find_turn(records(FALLING, test)) is None


def test_no_turn_when_the_training_loss_rose_too():
    # both losses up: the run is going wrong (too high a learning rate), not overfitting
    rising = records([1.0, 0.8, 0.6, 0.7, 0.8, 0.9, 1.0], [1.0, 0.7, 0.5, 0.6, 0.7, 0.8, 0.9])
    assert find_turn(rising) is None


def test_the_validation_loss_judges_when_held_out_and_nan_is_skipped():
    turn = find_turn(records(FALLING, [0.5] * 7, val=[1.0, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]))
    assert turn is not None and turn.epoch == 2 and turn.split == "validation"
    assert turn_of([1, 2, 3, 4, 5], [1, 0.9, 0.8, 0.7, 0.6], [math.nan, 0.5, 0.6, 0.7, 0.8]) is not None
    assert best_epoch(records(FALLING, [1.0, 0.7, 0.5, 0.52, 0.56, 0.6, 0.7])) == 3 and best_epoch([]) is None


def test_early_stopping_waits_for_the_patience_and_remembers_the_best():
    stopping = EarlyStopping(2)
    answers = [stopping.update(r) for r in records(FALLING[:5], [1.0, 0.7, 0.8, 0.6, 0.9])]
    assert answers == [(True, False), (True, False), (False, False), (True, False), (False, False)]
    assert stopping.update(records([0.1], [0.95])[0]) == (False, True)
    assert stopping.best_epoch == 4 and stopping.best == 0.6
    with pytest.raises(ValueError):
        EarlyStopping(0)


def test_the_config_checks_the_patience():
    assert TrainConfig(early_stop=5).early_stop == 5
    with pytest.raises(TrainingError, match="early_stop must be between 0 and 100"):
        TrainConfig(early_stop=-1)


def overfitting_run(sample_dataset, **settings) -> tuple[Trainer, list]:
    """A wide MLP on 200 images: it memorises them within a few epochs and its test loss turns up."""
    data = cut(sample_dataset, 200, 300)
    spec = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=256), layer("Linear", units=10)))
    trainer = Trainer(spec, data, TrainConfig(**{"epochs": 40, "batch_size": 20, "learning_rate": 3e-3,
                                                         **settings}))
    return trainer, list(trainer.run())


def test_early_stopping_ends_the_run_and_restores_the_best_epochs_weights(sample_dataset):
    trainer, out = overfitting_run(sample_dataset, early_stop=3)
    epochs = [r for r in out if isinstance(r, EpochRecord)]
    best = min(epochs, key=lambda r: r.test_loss)
    assert trainer.stopped_early and trainer.best_epoch == best.epoch
    assert len(epochs) == best.epoch + 3 < 40  # stopped exactly a patience after the best
    last = out[-1]
    assert isinstance(last, StateRecord) and last.state == RunState.FINISHED
    assert last.message.startswith(f"stopped early after epoch {best.epoch + 3}: the test loss has not "
                                   f"improved for 3 epochs; epoch {best.epoch} was best")
    from playground.core.training import evaluate
    test = trainer._splits()[2]
    restored = evaluate(trainer.model, test, trainer.dataset.mean, trainer.dataset.std, "cross_entropy")
    assert restored.loss == pytest.approx(best.test_loss, rel=1e-5)
    version, weights = trainer.snapshot()
    assert all(torch.equal(weights[k], v.cpu()) for k, v in trainer.model.state_dict().items())
    assert trainer.resume_state() is not None and trainer.resume_state().epoch == len(epochs)


def test_keep_last_keeps_the_last_epochs_weights(sample_dataset):
    trainer, out = overfitting_run(sample_dataset, early_stop=3, restore_best=False)
    epochs = [r for r in out if isinstance(r, EpochRecord)]
    assert trainer.stopped_early and out[-1].message.endswith("the last epoch's weights are kept")
    from playground.core.training import evaluate
    kept = evaluate(trainer.model, trainer._splits()[2], trainer.dataset.mean, trainer.dataset.std,
                    "cross_entropy")
    assert kept.loss == pytest.approx(epochs[-1].test_loss, rel=1e-5)


def test_without_early_stopping_the_run_goes_on_and_the_turn_is_named(sample_dataset):
    trainer, out = overfitting_run(sample_dataset, epochs=12)
    epochs = [r for r in out if isinstance(r, EpochRecord)]
    assert len(epochs) == 12 and not trainer.stopped_early
    turn = find_turn(epochs)
    assert turn is not None and turn.epoch == best_epoch(epochs) and turn.since >= 3


@pytest.mark.slow
def test_the_command_line_stops_early_and_reports_it(capsys, sample_dataset):
    assert main(["train", "--epochs", "30", "--early-stop", "3", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    epochs = summary["epochs"]
    best = min(epochs, key=lambda e: e["test_loss"])
    assert summary["stopped_early"] is True and summary["best_epoch"] == best["epoch"]
    assert len(epochs) == best["epoch"] + 3 < 30
    assert summary["test_accuracy"] == best["test_accuracy"]  # the restored epoch's score, not the last one's
    assert summary["overfitting_from"] in (None, best["epoch"])


def test_the_command_line_names_overfitting_with_a_validation_split(capsys, idx_folder):
    assert main(["train", "--dataset", f"idx:{idx_folder}", "--epochs", "2", "--validation", "0.2",
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert all(e["val_loss"] > 0 for e in summary["epochs"]) and summary["stopped_early"] is False
