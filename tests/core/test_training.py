"""The training engine: records, determinism, pause / step / stop, divergence, live lr changes."""

import math
import queue
import threading

import pytest
import torch

from playground.core.choices import default_loss
from playground.core.metrics import BatchRecord, EpochRecord, RunState, StateRecord
from playground.core.presets import PRESETS, preset
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig, Trainer
from playground.errors import TrainingError
from tests.core.preset_data import small_preset_dataset


def _records(trainer):
    return list(trainer.run())


def test_records_per_batch_and_epoch(tiny_dataset, tiny_spec):
    records = _records(Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=2, batch_size=64)))
    batches = [r for r in records if isinstance(r, BatchRecord)]
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    assert len(batches) == 8 and len(epochs) == 2
    assert [b.step for b in batches] == list(range(1, 9))
    assert batches[0].batches_per_epoch == 4
    assert len(batches[0].grad_norms) == 2 and math.isnan(batches[0].grad_norms[0])
    assert batches[0].grad_norms[1] > 0
    assert records[0] == StateRecord("running") and records[-1].state == "finished"
    assert epochs[1].line().startswith("Epoch 2, train loss: ")
    assert 0 <= epochs[1].test_accuracy <= 1 and epochs[1].seconds > 0


def test_same_seed_same_losses_for_50_steps(sample_dataset):
    def losses(seed):
        cfg = TrainConfig(epochs=1, seed=seed, augment=True)
        spec = preset("article-mlp").insert(2, layer("Dropout", p=0.2))  # dropout draws too
        trainer = Trainer(spec, sample_dataset, cfg)
        out = []
        for r in trainer.run():
            if isinstance(r, BatchRecord):
                out.append(r.loss)
                if len(out) == 50:
                    trainer.stop()
        return out

    first = losses(7)
    assert len(first) == 50
    assert first == losses(7)
    assert first != losses(8)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_trains(name, tiny_dataset):
    data = small_preset_dataset(name) if PRESETS[name].dataset else tiny_dataset
    cfg = TrainConfig(epochs=2, learning_rate=3e-3 if data is tiny_dataset else 0.01, batch_size=64,
                      loss=default_loss(data.task))
    records = list(Trainer(preset(name), data, cfg).run())
    first = next(r for r in records if isinstance(r, BatchRecord))
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    assert epochs[-1].train_loss < epochs[0].train_loss < first.loss + 0.05
    assert epochs[-1].train_loss < first.loss


@pytest.mark.slow
def test_small_cnn_reaches_95_percent_on_the_bundled_sample_in_3_epochs(sample_dataset):
    records = _records(Trainer(preset("small-cnn"), sample_dataset, TrainConfig(epochs=3, seed=0)))
    final = [r for r in records if isinstance(r, EpochRecord)][-1]
    print(final.line())
    assert final.test_accuracy >= 0.95


def test_pause_step_and_stop_from_another_thread(tiny_dataset, tiny_spec):
    trainer = Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=50, batch_size=16))
    records: queue.Queue = queue.Queue()
    seen: list = []

    def until(done) -> None:
        """Take records as the trainer yields them until ``done(record)``."""
        while True:
            seen.append(records.get(timeout=20))
            if done(seen[-1]):
                return

    def paused(record) -> bool:
        return isinstance(record, StateRecord) and record.state == RunState.PAUSED

    trainer.pause()
    worker = threading.Thread(target=lambda: [records.put(r) for r in trainer.run()])
    worker.start()
    until(paused)
    assert not any(isinstance(r, BatchRecord) for r in seen) and trainer.state == RunState.PAUSED
    trainer.step_batch()
    until(paused)
    assert sum(isinstance(r, BatchRecord) for r in seen) == 1
    trainer.step_epoch()
    until(paused)
    batches = [r for r in seen if isinstance(r, BatchRecord)]
    assert len(batches) == 16 and sum(isinstance(r, EpochRecord) for r in seen) == 1
    assert trainer.state == RunState.PAUSED
    trainer.resume()
    until(lambda record: isinstance(record, BatchRecord) and record.step == 20)
    trainer.stop()
    until(lambda record: isinstance(record, StateRecord) and record.state.final)
    worker.join(5)
    assert not worker.is_alive()
    assert seen[-1].state == RunState.STOPPED and trainer.state == RunState.STOPPED
    assert sum(isinstance(r, BatchRecord) for r in seen) > 16


def test_stop_lands_on_a_batch_boundary_and_model_stays_usable(tiny_dataset, tiny_spec):
    trainer = Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=5))
    for record in trainer.run():
        if isinstance(record, BatchRecord) and record.step == 3:
            trainer.stop()
    assert trainer.step == 3
    assert torch.isfinite(trainer.model(torch.zeros(1, 1, 28, 28))).all()


@pytest.mark.parametrize(
    ("name", "lr"), [("article-mlp", 1e6), ("deep-sigmoid", 10.0), ("deep-sigmoid", 1e6)]
)
def test_huge_learning_rate_diverges_and_keeps_finite_weights(tiny_dataset, name, lr):
    cfg = TrainConfig(epochs=3, optimizer="sgd", learning_rate=lr)
    trainer = Trainer(preset(name), tiny_dataset, cfg)
    records = _records(trainer)
    last = records[-1]
    assert last.state == "diverged" and "learning rate" in last.hint
    assert trainer.state == "diverged"
    assert sum(isinstance(r, BatchRecord) for r in records) < 12
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())


def test_learning_rate_change_mid_run_is_applied_and_marked(tiny_dataset, tiny_spec):
    trainer = Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=1, batch_size=32))
    marked = []
    for record in trainer.run():
        if isinstance(record, BatchRecord):
            marked.append((record.learning_rate, record.lr_changed))
            if record.step == 3:
                trainer.set_learning_rate(0.05)
    assert marked[2] == (1e-3, False)
    assert marked[3] == (0.05, True)
    assert marked[4] == (0.05, False)
    with pytest.raises(TrainingError):
        trainer.set_learning_rate(float("nan"))


def test_snapshot_is_a_copy(tiny_dataset, tiny_spec):
    trainer = Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=1))
    _records(trainer)
    version, state = trainer.snapshot()
    assert version >= 2
    key = "blocks.1.layer.weight"
    assert torch.equal(state[key], trainer.model.state_dict()[key])
    state[key].zero_()
    assert not torch.equal(state[key], trainer.model.state_dict()[key])


def test_deep_sigmoid_gradients_vanish_towards_the_input(tiny_dataset):
    trainer = Trainer(preset("deep-sigmoid"), tiny_dataset, TrainConfig(epochs=1))
    first = next(r for r in trainer.run() if isinstance(r, BatchRecord))
    norms = first.grad_norms
    assert norms[1] * 100 < norms[-1]


def test_dead_relu_fraction_is_reported(tiny_dataset):
    trainer = Trainer(preset("article-mlp"), tiny_dataset, TrainConfig(epochs=1))
    first = next(r for r in trainer.run() if isinstance(r, BatchRecord))
    assert 0.0 <= first.dead_fractions[1] <= 1.0
    assert math.isnan(first.dead_fractions[2])


@pytest.mark.parametrize(
    "changes",
    [
        {"loss": "mse"}, {"optimizer": "nesterov"}, {"optimizer": "rmsprop"}, {"optimizer": "adamw"},
        {"schedule": "cosine"}, {"schedule": "step"}, {"init": "kaiming_normal"},
        {"init": "xavier_uniform"}, {"validation_fraction": 0.25}, {"augment": True},
    ],
)
def test_config_variants_run(changes, tiny_dataset, tiny_spec):
    records = _records(Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=2, **changes)))
    epoch = [r for r in records if isinstance(r, EpochRecord)][-1]
    assert math.isfinite(epoch.train_loss)
    assert (epoch.val_accuracy is not None) == ("validation_fraction" in changes)


def test_zeros_init_shows_the_symmetry_problem(tiny_dataset):
    trainer = Trainer(preset("article-mlp"), tiny_dataset, TrainConfig(epochs=1, init="zeros"))
    _records(trainer)
    hidden = trainer.model.blocks[1].layer.weight
    assert torch.allclose(hidden, hidden[0].expand_as(hidden))  # every hidden unit stayed the same


def test_frozen_layer_does_not_change(tiny_dataset):
    spec = preset("article-mlp")
    spec = spec.replace_layer(1, spec.layers[1].with_trainable(False))
    trainer = Trainer(spec, tiny_dataset, TrainConfig(epochs=1))
    before = trainer.model.blocks[1].layer.weight.clone()
    _records(trainer)
    assert torch.equal(before, trainer.model.blocks[1].layer.weight)


def test_bad_config_values_are_clear_errors():
    with pytest.raises(TrainingError, match="batch_size must be between"):
        TrainConfig(batch_size=0)
    with pytest.raises(TrainingError, match="unknown optimizer"):
        TrainConfig(optimizer="lion")
    with pytest.raises(TrainingError, match="unknown training setting"):
        TrainConfig.from_dict({"speed": 3})
    assert TrainConfig.from_dict(TrainConfig(seed=None).to_dict()) == TrainConfig(seed=None)


def test_out_of_memory_is_reported_and_a_retry_works(tiny_dataset, tiny_spec, monkeypatch):
    trainer = Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=1))

    def explode(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(trainer.model, "forward", explode)
    with pytest.raises(TrainingError, match="out of memory") as info:
        _records(trainer)
    assert "smaller batch" in info.value.hint
    monkeypatch.undo()
    assert _records(Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=1)))[-1].state == "finished"


def test_unavailable_device_is_refused(tiny_dataset, tiny_spec):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(TrainingError, match="not available"):
        Trainer(tiny_spec, tiny_dataset, TrainConfig(device="cuda"))


@pytest.mark.slow
@pytest.mark.realdata
def test_article_mlp_learns_real_fashion_mnist():
    from playground.data.registry import load_dataset
    from playground.data.sources import SYSTEM_FASHION

    if not SYSTEM_FASHION.exists():
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    dataset = load_dataset("fashion-mnist")
    records = _records(Trainer(preset("article-mlp"), dataset, TrainConfig(epochs=2)))
    final = [r for r in records if isinstance(r, EpochRecord)][-1]
    print(final.line())
    assert final.test_accuracy >= 0.84


def test_frozen_blocks_before_the_first_trained_one_stay_in_eval_mode(tiny_dataset):
    spec = NetworkSpec((layer("Conv2d", "relu", filters=4, stride=2, trainable=False),
                        layer("BatchNorm", trainable=False), layer("Dropout", p=0.5), layer("Flatten"),
                        layer("Linear", units=10)))
    trainer = Trainer(spec, tiny_dataset, TrainConfig(epochs=1, batch_size=32))
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    _records(trainer)
    after = trainer.model.state_dict()
    assert torch.equal(after["blocks.1.layer.running_mean"], before["blocks.1.layer.running_mean"])
    assert not torch.equal(after["blocks.4.layer.weight"], before["blocks.4.layer.weight"])
    assert [block.training for block in trainer.model.blocks] == [False, False, False, False, True]
