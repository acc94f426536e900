"""Transfer learning in the window: a trained project as the base, a new 3-class dataset, a new output
layer, frozen convolutions, one epoch of fine-tuning."""

from __future__ import annotations

import pytest
import torch

from playground.core.presets import preset
from tests.gui.projects import choose_file, few_classes, train


@pytest.mark.slow
def test_fine_tune_a_trained_cnn_on_three_new_classes(window, qtbot, tmp_path, monkeypatch):
    window.model.load_preset("small-cnn")
    train(qtbot, window)
    base = tmp_path / "base.nnproj"
    choose_file(monkeypatch, base)
    assert window.files.save()
    window.files.new()
    assert window.files.new_from_path(base)
    trained = {k: v.clone() for k, v in window.session.trained.weights.items()}
    assert window.training.picker.select(few_classes(tmp_path / "abc", 3, 300, 90))
    assert window.model.outputs == 3 and not window.model.analysis.ok
    assert window.session.trained is not None  # the weights wait for the new output layer
    action = window.model_actions.replace_output_action
    assert action.isEnabled() and "3 classes" in action.text()
    action.trigger()
    spec = window.model.spec
    assert spec.layers[-1].params["units"] == 3 and window.model.analysis.ok
    assert window.menu_actions.undo.text() == "Undo Replace output layer (3 classes)"
    for index, lay in enumerate(spec.layers):
        if lay.type == "Conv2d":
            window.model.set_trainable(index, False)
    carried = window.session.trained.weights
    conv = [k for k in carried if k.startswith(("blocks.0.", "blocks.2."))]
    assert conv and all(torch.equal(carried[k], trained[k]) for k in conv)
    train(qtbot, window)
    after = window.session.trained.weights
    assert all(torch.equal(after[k], trained[k]) for k in conv)  # frozen: bitwise unchanged
    last = len(spec.layers) - 1
    assert after[f"blocks.{last}.layer.weight"].shape == (3, spec.layers[last - 1].params["units"])
    assert not torch.equal(after[f"blocks.{last}.layer.weight"], carried[f"blocks.{last}.layer.weight"])
    assert window.session.history.runs[-1].dataset_id.startswith("idx:")
    assert preset("small-cnn").layers[0] == spec.layers[0].with_trainable(True)
