"""Overfitting named in the window: the loss plot marks the epoch where the test loss turned, the notice
says so and sets a remedy for the next run; early stopping from the form ends a run at its best epoch."""

from __future__ import annotations

from playground.core.metrics import EpochRecord, RunState
from playground.core.spec import NetworkSpec, layer
from playground.gui.train.plots import LivePlots
from tests.conftest import cut
from tests.gui.train.conftest import finish, make_panel

WIDE = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=256), layer("Linear", units=10)))


def overfitting_panel(qtbot, sample_dataset, **config):
    """A wide MLP on 200 images: it memorises them within a few epochs, and its test loss turns up."""
    return make_panel(qtbot, cut(sample_dataset, 200, 300), WIDE,
                      **{"epochs": 14, "batch_size": 20, "learning_rate": 3e-3, **config})


def test_a_run_that_overfits_is_named_on_the_plot_and_in_the_notice(qtbot, sample_dataset):
    panel = overfitting_panel(qtbot, sample_dataset)
    assert panel.overfit.isHidden()
    assert panel.start()
    finish(qtbot, panel)
    turn = panel.plots.turn
    store = panel.plots.store
    assert turn is not None and turn.split == "test"
    assert turn.epoch == int(store.column("epoch_x")[store.column("test_loss").argmin()])  # the best
    assert panel.plots.turn_label() == f"overfitting from epoch {turn.epoch}"
    assert panel.overfit.isVisible() and f"Overfitting from epoch {turn.epoch}" in panel.overfit.text.text()
    assert f"Overfitting from epoch {turn.epoch}" in panel.log.toPlainText()
    # one click sets early stopping for the next run, and the button shows it is done
    assert panel.overfit.stop_early.isEnabled()
    panel.overfit.stop_early.click()
    assert panel.form.early_stop.value() == 3 and panel.session.config.early_stop == 3
    assert not panel.overfit.stop_early.isEnabled()
    panel.overfit.decay.click()
    assert panel.session.config.weight_decay == 1e-4
    assert panel.overfit.augment.isVisible()
    panel.overfit.augment.click()
    assert panel.session.config.augment
    # a new run starts unnamed
    panel.reset_weights()
    assert panel.start()
    assert panel.plots.turn is None and panel.overfit.isHidden() and panel.plots.turn_label() == ""
    panel.session.active.trainer.stop()
    finish(qtbot, panel)


def test_early_stopping_set_in_the_form_ends_the_run_at_the_best_epoch(qtbot, sample_dataset):
    panel = overfitting_panel(qtbot, sample_dataset, epochs=40)
    panel.form.early_stop.setValue(3)
    assert panel.start()
    finish(qtbot, panel)
    assert panel.session.history.runs[-1].state == RunState.FINISHED
    store = panel.plots.store
    done = len(store.column("epoch_x"))
    best = int(store.column("epoch_x")[store.column("test_loss").argmin()])
    assert done == best + 3 < 40
    assert f"Stopped early after epoch {done}" in panel.log.toPlainText()
    kept = store.column("test_accuracy")[best - 1]  # the restored epoch's score is the run's
    assert panel.session.history.runs[-1].final_test_accuracy == kept
    assert f"Test accuracy {kept:.2%}" in panel.log.toPlainText()


def test_the_validation_loss_judges_when_a_split_is_held_out(qtbot):
    plots = LivePlots()
    qtbot.addWidget(plots)
    from tests.gui.train.test_plots import store_of
    plots.start_run(store_of(2), {}, {}, epochs=8, validation=True)
    seen = []
    plots.overfitting.connect(seen.append)
    val = [1.0, 0.6, 0.5, 0.55, 0.6, 0.7]
    for epoch, v in enumerate(val, start=1):
        # the test loss keeps falling; only the validation loss turns
        plots.store.add_epoch(EpochRecord(epoch, 1.0 / epoch, 0.5, 1.0 / epoch, 0.5, 1.0, 1.0, v, 0.5))
        plots._dirty = True
        plots.refresh()
    assert plots.turn is not None and plots.turn.epoch == 3 and plots.turn.split == "validation"
    assert seen[-1] == plots.turn and all(t is None for t in seen[:-1])
    assert plots.turn_label() == "overfitting from epoch 3"
