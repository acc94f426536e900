"""Continuing training: a run's weights and resume state are kept, Start continues, edits keep or drop."""

from __future__ import annotations

import torch

from playground.core.analysis import analyse
from playground.core.spec import NetworkSpec, layer
from playground.core.trained import Trained, WeightStore, weights_fit
from playground.core.training import TrainConfig
from playground.gui.train.history import Run, RunHistory
from tests.gui.train.conftest import finish, make_panel


def _set(panel, spec: NetworkSpec, dataset) -> None:
    panel.session.set_network(spec, analyse(spec, dataset.input_shape, dataset.num_classes))


def test_a_finished_run_leaves_weights_and_start_continues_from_them(qtbot, tiny_dataset, tiny_spec):
    panel = make_panel(qtbot, tiny_dataset, tiny_spec, epochs=1)
    assert panel.controls.start.text() == "Start" and not panel.reset_button.isEnabled()
    with qtbot.waitSignal(panel.session.weights_changed, timeout=20_000):
        assert panel.start()
    finish(qtbot, panel)
    trained = panel.session.trained
    assert trained is not None and trained.resume is not None and trained.spec == tiny_spec
    assert weights_fit(trained.weights, tiny_spec, tiny_dataset.input_shape, tiny_dataset.num_classes)
    assert panel.controls.start.text() == "Continue" and panel.reset_button.isEnabled()
    first_loss = float(panel.plots.store.column("loss")[0])
    kept = {k: v.clone() for k, v in trained.weights.items()}
    panel.start()
    finish(qtbot, panel)
    assert "Continuing from epoch 2." in panel.log.toPlainText()
    assert float(panel.plots.store.column("loss")[0]) < first_loss  # starts where run 1 ended
    assert all(torch.equal(kept[k], v) for k, v in kept.items())  # the kept copy never trained on
    after = panel.session.trained.weights
    assert not torch.equal(after["blocks.1.layer.weight"], kept["blocks.1.layer.weight"])


def test_reset_weights_starts_fresh(qtbot, panel):
    panel.start()
    finish(qtbot, panel)
    panel.reset_button.click()
    assert panel.session.trained is None and panel.controls.start.text() == "Start"
    assert "Weights reset" in panel.log.toPlainText()


def test_freezing_keeps_the_weights_and_a_shape_change_drops_them(qtbot, panel, tiny_dataset, tiny_spec):
    panel.start()
    finish(qtbot, panel)
    messages: list[str] = []
    panel.session.said.connect(messages.append)
    frozen = tiny_spec.replace_layer(1, tiny_spec.layers[1].with_trainable(False))
    _set(panel, frozen, tiny_dataset)
    assert panel.session.trained is not None and panel.session.trained.spec == frozen
    assert not panel.session.trained.resumes_with(frozen, tiny_dataset.ref, panel.form.config())
    assert not messages
    wider = NetworkSpec((layer("Flatten"), layer("Linear", units=32), layer("Linear", units=10)))
    _set(panel, wider, tiny_dataset)
    assert panel.session.trained is None
    assert messages[-1] == "The trained weights do not fit this network; Undo brings them back"


def test_changed_settings_continue_from_the_weights_with_a_fresh_optimizer(qtbot, panel):
    panel.start()
    finish(qtbot, panel)
    trained = panel.session.trained
    config = panel.form.config()
    assert trained.resumes_with(trained.spec, trained.dataset, config)
    longer = TrainConfig(**{**config.__dict__, "epochs": 7, "learning_rate": 0.01})
    assert trained.resumes_with(trained.spec, trained.dataset, longer)
    panel.form.set_config(TrainConfig(**{**config.__dict__, "optimizer": "sgd"}))
    assert not trained.resumes_with(trained.spec, trained.dataset, panel.form.config())
    panel.start()
    finish(qtbot, panel)
    assert "Starting from the current weights with a fresh optimizer." in panel.log.toPlainText()


def test_frozen_layers_stay_bitwise_unchanged(qtbot, tiny_dataset):
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=16, activation="relu"),
                        layer("Linear", units=10)))
    panel = make_panel(qtbot, tiny_dataset, spec, epochs=1)
    panel.start()
    finish(qtbot, panel)
    before = {k: v.clone() for k, v in panel.session.trained.weights.items()}
    frozen = spec.replace_layer(1, spec.layers[1].with_trainable(False))
    _set(panel, frozen, tiny_dataset)
    panel.start()
    finish(qtbot, panel)
    after = panel.session.trained.weights
    assert torch.equal(after["blocks.1.layer.weight"], before["blocks.1.layer.weight"])
    assert torch.equal(after["blocks.1.layer.bias"], before["blocks.1.layer.bias"])
    assert not torch.equal(after["blocks.2.layer.weight"], before["blocks.2.layer.weight"])


def test_run_history_round_trips_through_json(qtbot, panel):
    import json

    panel.start()
    finish(qtbot, panel)
    data = json.loads(json.dumps(panel.session.history.to_dicts(), allow_nan=False))
    history = RunHistory()
    assert history.restore([*data, {"number": "bad"}]) == 1
    (run,) = history.runs
    original: Run = panel.session.history.runs[0]
    assert run.config == original.config and run.spec_json == original.spec_json
    assert run.final_test_accuracy == original.final_test_accuracy
    assert (run.curves.test_accuracy == original.curves.test_accuracy).all()
    assert len(run.curves.x) == len(original.curves.x)


def test_trained_model_carries_the_weights(tiny_dataset, tiny_spec):
    weights = {"blocks.1.layer.weight": torch.ones(10, 784), "blocks.1.layer.bias": torch.zeros(10)}
    trained = Trained(tiny_spec, weights)
    model = trained.model(tiny_spec, tiny_dataset.facts, TrainConfig())
    assert torch.equal(model.state_dict()["blocks.1.layer.weight"], weights["blocks.1.layer.weight"])
    assert weights_fit(weights, tiny_spec, (1, 28, 28), 3)  # the output layer waits to be replaced
    assert not weights_fit(weights, tiny_spec, (1, 14, 14), 10)
    assert not weights_fit({}, tiny_spec, (1, 28, 28), 10)


def test_parked_weights_keep_one_set_per_network_and_the_newest_eight(tiny_spec):
    store = WeightStore()
    specs = [NetworkSpec((layer("Flatten"), layer("Linear", units=u))) for u in range(1, 11)]
    for spec in specs:
        store.set(Trained(spec, {}))
    assert [t.spec for t in store.parked] == specs[1:9] and store.trained.spec == specs[9]
    serials = [t.serial for t in (*store.parked, store.trained)]
    assert len(set(serials)) == 9 and 0 not in serials  # each new set of weights has its own number
    newer = Trained(specs[3], {"w": torch.ones(1)})
    store.set(newer)
    store.set(Trained(specs[0], {}))  # parks newer in place of the set kept for specs[3]
    kept = [t for t in store.parked if t.spec == specs[3]]
    assert len(store.parked) == 8 and len(kept) == 1 and kept[0].weights is newer.weights
    store.forget()
    assert store.parked == () and store.trained is None


def test_a_shape_change_parks_the_weights_and_going_back_takes_them(qtbot, panel, tiny_dataset, tiny_spec):
    panel.start()
    finish(qtbot, panel)
    trained = panel.session.trained
    wider = NetworkSpec((layer("Flatten"), layer("Linear", units=32), layer("Linear", units=10)))
    _set(panel, wider, tiny_dataset)
    assert panel.session.trained is None and panel.controls.start.text() == "Start"
    _set(panel, tiny_spec, tiny_dataset)
    assert panel.session.trained is trained and panel.controls.start.text() == "Continue"
    loaded = Trained(tiny_spec, {k: v.clone() for k, v in trained.weights.items()})
    panel.session.set_trained(loaded)  # the replaced weights are parked too
    assert [t for t in panel.session.store.parked if t.spec == tiny_spec] == [trained]
    assert panel.session.weights_serial not in (0, trained.serial)
    panel.reset_weights()
    assert panel.session.trained is None and len(panel.session.store.parked) == 0
    _set(panel, wider, tiny_dataset)
    _set(panel, tiny_spec, tiny_dataset)
    assert panel.session.trained is None
