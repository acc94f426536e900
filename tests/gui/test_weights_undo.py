"""Trained weights follow the undo stack; a new or opened project replaces the old one on screen; undoing
back to the saved project makes it unmodified."""

from __future__ import annotations

import torch

from tests.gui.projects import choose_file, few_classes, train

TIMEOUT_MS = 30_000



def _copy(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in weights.items()}


def _same(a: dict[str, torch.Tensor] | None, b: dict[str, torch.Tensor]) -> bool:
    return a is not None and set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in b)


def test_undo_and_redo_of_a_new_output_layer_bring_each_network_its_weights(window, qtbot, tmp_path):
    train(qtbot, window)
    ten = _copy(window.session.trained.weights)
    assert window.training.picker.select(few_classes(tmp_path / "abcd", 4, 120, 40))
    window.model_actions.replace_output_action.trigger()
    assert window.model.spec.layers[-1].params["units"] == 4
    four = _copy(window.session.trained.weights)
    assert four["blocks.2.layer.weight"].shape[0] == 4
    window.menu_actions.undo.trigger()
    assert window.model.spec.layers[-1].params["units"] == 10
    assert _same(window.session.trained.weights, ten)
    assert window.statusBar().currentMessage() == "The weights trained for this network are back"
    window.menu_actions.redo.trigger()
    assert _same(window.session.trained.weights, four)
    window.menu_actions.undo.trigger()
    assert window.training.picker.select("mnist-sample")
    assert _same(window.session.trained.weights, ten) and window.training.controls.start.text() == "Continue"


def test_undoing_a_preset_brings_the_weights_back_and_the_saved_state(window, qtbot, tmp_path, monkeypatch):
    train(qtbot, window)
    weights = _copy(window.session.trained.weights)
    choose_file(monkeypatch, tmp_path / "mlp.nnproj")
    assert window.files.save() and not window.isWindowModified()
    window.model.load_preset("small-cnn")
    assert window.session.trained is None and window.isWindowModified()
    assert window.statusBar().currentMessage() == ("The trained weights do not fit this network; Undo "
                                                   "brings them back")
    window.menu_actions.undo.trigger()
    assert _same(window.session.trained.weights, weights)
    assert not window.document.is_modified and not window.isWindowModified()
    window.menu_actions.redo.trigger()
    assert window.session.trained is None and window.isWindowModified()


def test_undoing_back_to_the_saved_network_is_unmodified(window, qtbot, tmp_path, monkeypatch):
    train(qtbot, window)
    resume = window.session.trained.resume
    choose_file(monkeypatch, tmp_path / "plain.nnproj")
    assert window.files.save()
    window.model.set_trainable(1, False)  # the weights still fit: they stay, without the resume state
    assert window.document.is_modified and window.isWindowModified()
    assert window.session.trained.resume is None
    window.menu_actions.undo.trigger()
    assert not window.document.is_modified and not window.isWindowModified()
    assert window.session.trained.resume is resume  # Continue goes on exactly again
    window.model.set_param(1, "units", 64)
    window.menu_actions.undo.trigger()
    assert not window.document.is_modified and window.session.trained.resume is resume
    window.training.form.epochs.setValue(window.training.form.epochs.value() + 1)
    assert window.isWindowModified()  # a setting counts too, undo or not
    window.menu_actions.redo.trigger()
    window.menu_actions.undo.trigger()
    assert window.document.is_modified


def test_new_and_opened_projects_replace_the_old_one_on_screen(window, qtbot, tmp_path, monkeypatch):
    train(qtbot, window, epochs=2)
    panel = window.eval_dock.widget()
    window.eval_dock.raise_()
    qtbot.waitUntil(panel.isVisible)
    qtbot.waitUntil(lambda: not panel.running, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(panel.evaluated, timeout=TIMEOUT_MS):
        panel.evaluate()
    qtbot.waitUntil(lambda: not panel.running, timeout=TIMEOUT_MS)
    assert panel.matrix.matrix() is not None
    assert len(window.training.plots.store) > 0
    progress = window.training.progress
    choose_file(monkeypatch, tmp_path / "two.nnproj")
    assert window.files.save()
    assert window.files.open_path(tmp_path / "two.nnproj")
    assert progress.text() == "Trained 2 epoch(s): Continue, or Reset to restart"
    assert len("Trained 12 epoch(s): Continue, or Reset to restart") <= 50
    window.files.new()
    assert window.training.log.toPlainText().splitlines()[-1] == "New project."
    assert len(window.training.plots.store) == 0  # the old run's live curves go too
    assert progress.text() == "Build a network, then press Start."  # a new project: no layers yet
    assert window.training.controls.state.text() == "Idle"
    assert panel.result is None and panel.matrix.matrix() is None
    assert panel.about.text().startswith("Press Evaluate")
    window.model.load_preset("lenet5")
    choose_file(monkeypatch, tmp_path / "empty.nnproj")
    assert window.files.save()
    window.files.new()
    assert window.files.open_path(tmp_path / "empty.nnproj")
    assert window.training.log.toPlainText().splitlines()[-1] == "Opened empty.nnproj."
    qtbot.waitUntil(lambda: progress.text() == "Ready: press Start to train.", timeout=5000)
