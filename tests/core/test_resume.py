"""Exact resume: a stopped run, continued, gives the losses of an uninterrupted one; finished runs go on."""

import pytest
import torch

from playground.core.metrics import BatchRecord, EpochRecord, StateRecord
from playground.core.project import Project, load_project, save_project
from playground.core.resume import ResumeState
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig, Trainer
from playground.errors import TrainingError

SPEC = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=32), layer("Dropout", p=0.3),
                    layer("Linear", units=10)))
CONFIG = TrainConfig(optimizer="adam", epochs=2, batch_size=32, seed=11, augment=True, schedule="cosine")


def _run(trainer, stop_after=None):
    """(epoch, batch, step, loss, lr) per batch and (epoch, train loss, test loss) per epoch."""
    batches, epochs = [], []
    for record in trainer.run():
        if isinstance(record, BatchRecord):
            batches.append((record.epoch, record.batch, record.step, record.loss, record.learning_rate))
            if stop_after is not None and len(batches) == stop_after:
                trainer.stop()
        elif isinstance(record, EpochRecord):
            epochs.append((record.epoch, record.train_loss, record.train_accuracy, record.test_loss))
    return batches, epochs


@pytest.fixture
def reference(tiny_dataset):
    trainer = Trainer(SPEC, tiny_dataset, CONFIG)
    batches, epochs = _run(trainer)
    assert len(batches) == 16 and trainer.state == "finished"
    return batches, epochs, trainer.model.state_dict()


def _same_weights(a, b):
    return all(torch.equal(a[k], b[k]) for k in a) and set(a) == set(b)


def test_stopped_mid_epoch_resumes_exactly(tiny_dataset, reference):
    first = Trainer(SPEC, tiny_dataset, CONFIG)
    before, _ = _run(first, stop_after=3)
    state = first.resume_state()
    assert (state.epoch, state.batch, state.step, state.epoch_totals[0]) == (1, 3, 3, 96)
    second = Trainer(SPEC, tiny_dataset, CONFIG, model=first.model, resume=state)
    after, epochs = _run(second)
    assert before + after == reference[0]  # bit for bit: losses, learning rates, numbering
    assert epochs == reference[1]  # epoch 1's train loss includes the batches before the stop
    assert _same_weights(second.model.state_dict(), reference[2])


def test_resume_through_a_project_file_is_exact(tmp_path, tiny_dataset, reference):
    first = Trainer(SPEC, tiny_dataset, CONFIG)
    before, _ = _run(first, stop_after=10)  # stopped in epoch 2, batch 3
    project = Project(SPEC, CONFIG, tiny_dataset.facts, weights=first.model.state_dict(),
                      resume=first.resume_state())
    save_project(tmp_path / "run.nnproj", project)
    torch.manual_seed(1234)  # whatever happened to the global generator meanwhile does not matter
    loaded = load_project(tmp_path / "run.nnproj")
    second = Trainer(loaded.spec, tiny_dataset, loaded.config, model=loaded.build(), resume=loaded.resume)
    after, _ = _run(second)
    assert before + after == reference[0]
    assert _same_weights(second.model.state_dict(), reference[2])


def test_stop_at_an_epoch_boundary_resumes_exactly(tiny_dataset, reference):
    first = Trainer(SPEC, tiny_dataset, CONFIG)
    before, _ = _run(first, stop_after=8)
    state = first.resume_state()
    assert (state.epoch, state.batch, state.epoch_totals) == (1, 0, (0, 0.0, 0))
    after, _ = _run(Trainer(SPEC, tiny_dataset, CONFIG, model=first.model, resume=state))
    assert before + after == reference[0]


def test_a_finished_run_continues_with_more_epochs(tiny_dataset, reference):
    first = Trainer(SPEC, tiny_dataset, CONFIG)
    _run(first)
    state = first.resume_state()
    assert (state.epoch, state.batch, state.step, state.first_epoch) == (2, 0, 16, 1)
    second = Trainer(SPEC, tiny_dataset, CONFIG, model=first.model, resume=state)
    finished = [r for r in second.run() if isinstance(r, StateRecord) and r.state == "finished"]
    assert finished[0].message == "finished epochs 3-4"  # the epochs this run trained, numbered on
    second = Trainer(SPEC, tiny_dataset, CONFIG, model=first.model, resume=state)
    batches, epochs = _run(second)
    assert [e[0] for e in epochs] == [3, 4]
    assert batches[0][:3] == (3, 1, 17) and batches[-1][:3] == (4, 8, 32)
    assert batches[0][4] == CONFIG.learning_rate  # the cosine schedule starts afresh
    assert batches[-1][4] < CONFIG.learning_rate / 10
    final = second.resume_state()
    assert (final.epoch, final.batch, final.step) == (4, 0, 32)
    assert (final.first_epoch, final.schedule_start) == (3, 16)


def test_state_while_paused_and_a_new_learning_rate(tiny_dataset, reference):
    trainer = Trainer(SPEC, tiny_dataset, CONFIG)
    seen = 0
    for record in trainer.run():
        if isinstance(record, BatchRecord):
            seen += 1
            if seen == 5:
                trainer.pause()
        elif record == StateRecord("paused"):
            state = trainer.resume_state()
            assert (state.epoch, state.batch, state.step) == (1, 5, 5)
            trainer.set_learning_rate(0.01)
            assert trainer.resume_state().base_lr == 0.01
            trainer.stop()
    assert trainer.state == "stopped" and trainer.resume_state().step == 5
    changed = Trainer(SPEC, tiny_dataset, CONFIG, model=trainer.model, resume=trainer.resume_state())
    batches, _ = _run(changed)
    assert batches[0][:3] == (1, 6, 6) and batches[0][4] > 5 * reference[0][5][4]


def test_diverged_run_keeps_a_state_matching_the_kept_weights(tiny_dataset):
    config = TrainConfig(optimizer="sgd", learning_rate=1e5, epochs=1, batch_size=32, seed=1)
    trainer = Trainer(SPEC, tiny_dataset, config)
    batches, _ = _run(trainer)
    assert trainer.state == "diverged"
    state = trainer.resume_state()
    assert state is not None and state.step <= len(batches) and state.batch == state.step
    calm = TrainConfig(optimizer="sgd", learning_rate=1e-3, epochs=1, batch_size=32, seed=1)
    again, _ = _run(Trainer(SPEC, tiny_dataset, calm, model=trainer.model, resume=state))
    assert again and again[0][2] == state.step + 1


def test_resuming_with_another_optimizer_or_batch_size_is_a_clear_error(tiny_dataset):
    first = Trainer(SPEC, tiny_dataset, CONFIG)
    _run(first, stop_after=6)
    state = first.resume_state()
    with pytest.raises(TrainingError, match="optimizer 'adam'") as info:
        list(Trainer(SPEC, tiny_dataset, TrainConfig(optimizer="sgd", batch_size=32), resume=state).run())
    assert "adam" in info.value.hint
    with pytest.raises(TrainingError, match="an epoch now has 4 batches"):
        list(Trainer(SPEC, tiny_dataset, TrainConfig(batch_size=64), resume=state).run())


def test_tensors_and_json_round_trip(tiny_dataset):
    trainer = Trainer(SPEC, tiny_dataset, CONFIG)
    _run(trainer, stop_after=4)
    state = trainer.resume_state()
    tensors, meta = state.to_tensors_and_json()
    back = ResumeState.from_tensors_and_json(tensors, meta)
    assert (back.epoch, back.batch, back.step, back.base_lr, back.first_loss, back.epoch_totals) == (
        state.epoch, state.batch, state.step, state.base_lr, state.first_loss, state.epoch_totals)
    assert back.optimizer_state["param_groups"][0]["betas"] == (0.9, 0.999)
    assert set(back.optimizer_state["state"]) == {0, 1, 2, 3}
    saved, restored = state.optimizer_state["state"][2], back.optimizer_state["state"][2]
    assert torch.equal(restored["exp_avg"], saved["exp_avg"]) and torch.equal(restored["step"], saved["step"])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adamw", "rmsprop"])
def test_every_optimizer_resumes_exactly(tiny_dataset, optimizer):
    config = TrainConfig(optimizer=optimizer, learning_rate=1e-3, epochs=1, batch_size=64, seed=2)
    reference, _ = _run(Trainer(SPEC, tiny_dataset, config))
    first = Trainer(SPEC, tiny_dataset, config)
    before, _ = _run(first, stop_after=2)
    tensors, meta = first.resume_state().to_tensors_and_json()
    state = ResumeState.from_tensors_and_json(tensors, meta)
    after, _ = _run(Trainer(SPEC, tiny_dataset, config, model=first.model, resume=state))
    assert len(reference) == 4 and before + after == reference
