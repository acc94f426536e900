"""Projects in the window: save and open with weights and runs, continue training, errors, weights, export."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt

from playground.core.training import TrainConfig
from playground.gui import actions as actions_module
from tests.gui.projects import choose_file, train


def _losses(window) -> list[float]:
    return window.training.plots.store.column("loss").tolist()


def test_a_run_marks_the_project_and_save_open_brings_everything_back(window, qtbot, tmp_path, monkeypatch):
    assert not window.isWindowModified()
    train(qtbot, window)
    assert window.isWindowModified() and window.training.controls.start.text() == "Continue"
    target = tmp_path / "digits.nnproj"
    choose_file(monkeypatch, target)
    assert window.files.save()
    assert window.windowTitle().startswith("digits.nnproj[*]") and not window.isWindowModified()
    weights = {k: v.clone() for k, v in window.session.trained.weights.items()}
    config = window.training.form.config()
    window.files.new()
    assert window.session.trained is None and window.training.runs.table.rowCount() == 0
    window.files.open_action.trigger()
    assert window.files.path == target and not window.isWindowModified()
    assert window.training.form.config() == config
    assert window.training.runs.table.rowCount() == 1
    assert window.session.history.runs[0].state == "finished"
    assert all(torch.equal(weights[k], v) for k, v in window.session.trained.weights.items())
    assert window.training.controls.start.text() == "Continue"
    # the opened run is on the plots and the log and progress line say where the project stands
    qtbot.waitUntil(lambda: window.training.runs.table.item(0, 0).checkState() == Qt.CheckState.Checked)
    log = window.training.log.toPlainText().splitlines()
    assert log[-2:] == ["Opened digits.nnproj.", "It has 1 earlier run(s); the last: Run 1 (adam, lr 0.001), "
                                                  "finished."]
    assert window.training.progress.text() == "Trained 1 epoch(s): Continue, or Reset to restart"
    qtbot.waitUntil(lambda: window.drawing.answering_model() is not None
                    and window.drawing.answering_model().version == window.session.snapshot()[0])
    answering = window.drawing.answering_model().model.state_dict()
    assert all(torch.equal(weights[k], answering[k]) for k in weights)
    window.training.form.epochs.setValue(3)
    assert window.isWindowModified()


def test_an_opened_project_continues_exactly_like_an_uninterrupted_run(window, qtbot, tmp_path, monkeypatch):
    train(qtbot, window, epochs=2)
    straight = _losses(window)
    window.training.reset_weights()
    train(qtbot, window, epochs=1)
    first = _losses(window)
    assert first == straight[: len(first)]
    target = tmp_path / "half.nnproj"
    choose_file(monkeypatch, target)
    assert window.files.save()
    window.files.new()
    assert window.files.open_path(target)
    train(qtbot, window, epochs=1)
    assert "Continuing from epoch 2." in window.training.log.toPlainText()
    assert _losses(window) == straight[len(first):]


def _saved(window, qtbot, tmp_path, monkeypatch) -> Path:
    train(qtbot, window)
    target = tmp_path / "good.nnproj"
    choose_file(monkeypatch, target)
    assert window.files.save()
    return target


def _newer(path: Path, out: Path) -> None:
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["schema_version"] = 99
                data = json.dumps(manifest).encode()
            zout.writestr(item, data)


@pytest.mark.parametrize("damage, words", [("truncate", "bad.nnproj"), ("newer", "newer")])
def test_a_bad_project_file_is_a_message_and_leaves_the_open_project(window, qtbot, answers, tmp_path,
                                                                       monkeypatch, damage, words):
    good = _saved(window, qtbot, tmp_path, monkeypatch)
    bad = tmp_path / "bad.nnproj"
    if damage == "truncate":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    else:
        _newer(good, bad)
    window.model.add_layer("Dropout")
    spec, weights = window.model.spec, window.session.trained.weights
    assert window.files.open_path(bad) is False
    (title, text), = answers["critical"]
    assert "bad.nnproj" in title and words in text and "Traceback" not in text
    assert window.model.spec == spec and window.session.trained.weights is weights
    assert window.files.path == good and window.isWindowModified()


def test_a_disk_error_on_save_keeps_the_old_file_and_says_so(window, qtbot, answers, tmp_path, monkeypatch):
    target = _saved(window, qtbot, tmp_path, monkeypatch)
    before = target.read_bytes()
    window.model.add_layer("Dropout")

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert window.files.save() is False
    (title, text), = answers["critical"]
    assert "Cannot save" in title and "No space left" in text
    assert target.read_bytes() == before and window.isWindowModified()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["good.nnproj"]


def test_closing_with_a_finished_run_unsaved_asks(window, qtbot, answers):
    from PySide6.QtWidgets import QMessageBox

    train(qtbot, window)
    answers["reply"]["question"] = QMessageBox.StandardButton.Cancel
    assert window.close() is False and len(answers["question"]) == 1


def test_new_from_project_keeps_network_and_weights_and_clears_runs(window, qtbot, tmp_path, monkeypatch):
    base = _saved(window, qtbot, tmp_path, monkeypatch)
    weights = window.session.trained.weights
    window.files.new()
    assert window.files.new_from_path(base)
    assert window.files.path is None and "Untitled" in window.windowTitle() and window.isWindowModified()
    assert window.training.runs.table.rowCount() == 0
    assert all(torch.equal(weights[k], v) for k, v in window.session.trained.weights.items())
    assert window.session.trained.resume is None
    assert window.training.controls.start.text() == "Continue"


def test_load_weights_exact_partial_and_cancelled(window, qtbot, answers, tmp_path, monkeypatch):
    from playground.core.builder import build_model

    spec = window.model.spec
    exact = build_model(spec, (1, 28, 28), 10)
    torch.save(exact.state_dict(), tmp_path / "exact.pt")
    assert window.model_actions.load_weights(tmp_path / "exact.pt")
    assert all(torch.equal(v, window.session.trained.weights[k]) for k, v in exact.state_dict().items())
    assert window.isWindowModified()
    other = build_model(spec.replace_layer(2, spec.layers[2].with_params(units=5)), (1, 28, 28), 5)
    torch.save(other.state_dict(), tmp_path / "other.pt")
    asked: list[str] = []
    monkeypatch.setattr(actions_module, "confirm_partial",
                        lambda _parent, _path, report: asked.append(report.text()) or False)
    assert window.model_actions.load_weights(tmp_path / "other.pt") is False
    assert "blocks.2.layer.weight" in asked[0]
    hidden = exact.state_dict()["blocks.1.layer.weight"]
    assert torch.equal(window.session.trained.weights["blocks.1.layer.weight"], hidden)
    monkeypatch.setattr(actions_module, "confirm_partial", lambda *_args: True)
    assert window.model_actions.load_weights(tmp_path / "other.pt")
    loaded = window.session.trained.weights
    assert torch.equal(loaded["blocks.1.layer.weight"], other.state_dict()["blocks.1.layer.weight"])
    assert torch.equal(loaded["blocks.2.layer.weight"], exact.state_dict()["blocks.2.layer.weight"])


def test_weights_dialog_shows_the_report_and_its_buttons(qtbot, tmp_path):
    from playground.core.weights import WeightsReport
    from playground.gui.weights_dialog import WeightsDialog

    report = WeightsReport(("a.weight",), ("b.bias",), ("c.weight",), (("d.weight", (5, 3), (10, 3)),))
    dialog = WeightsDialog(tmp_path / "w.pt", report)
    qtbot.addWidget(dialog)
    assert "b.bias" in dialog.report.toPlainText() and "d.weight" in dialog.report.toPlainText()
    assert dialog.load_button.text() == "Load matching only"
    dialog.load_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted


def test_export_needs_weights_for_models_and_passes_the_project(window, qtbot, monkeypatch):
    exported: list[tuple] = []
    monkeypatch.setattr(actions_module, "export_with_dialog",
                        lambda parent, project, fmt, settings: exported.append((project, fmt)) or True)
    acts = window.model_actions.export_actions
    assert not acts["torchscript"].isEnabled() and not acts["onnx"].isEnabled()
    assert acts["script"].isEnabled()
    train(qtbot, window)
    assert acts["torchscript"].isEnabled() and acts["onnx"].isEnabled()
    acts["onnx"].trigger()
    (project, fmt), = exported
    assert fmt == "onnx" and project.spec == window.model.spec and project.weights is not None
    assert project.config == window.training.form.config() and isinstance(project.config, TrainConfig)


def test_file_menu_lists_the_project_actions(window):
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text().replace("&", "") for a in file_menu.actions() if a.text()]
    for wanted in ("New Project", "New from Project...", "Open...", "Open Recent", "Save", "Save As...",
                   "Load Weights (.pt, .pth, .safetensors)...", "Save Network Spec As...", "Export", "Quit"):
        assert wanted in texts
    assert window.files.save_as_action.shortcut().toString() == "Ctrl+Shift+S"
