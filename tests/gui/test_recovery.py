"""Autosave and recovery: an unsaved project is copied aside and offered back after an unclean exit."""

from __future__ import annotations

import json

import torch
from PySide6.QtWidgets import QMessageBox

from playground.core.presets import preset
from playground.core.project import DataFacts, Project, save_project
from playground.core.training import TrainConfig
from playground.data.dataset import DataRef
from playground.gui import create_window
from playground.gui.recovery import recovery_dir
from tests.gui.projects import choose_file, train


def _crashed_project(tmp_path) -> Project:
    """A recovery file as a crashed session leaves it: LeNet-5 with weights, its original path noted."""
    from playground.core.builder import build_model

    spec = preset("lenet5")
    model = build_model(spec, (1, 28, 28), 10)
    facts = DataFacts(DataRef("mnist-sample"), (1, 28, 28), tuple(str(i) for i in range(10)), (0.13,),
                      (0.31,))
    project = Project(spec, TrainConfig(epochs=3), facts,
                      weights={k: v.detach().clone() for k, v in model.state_dict().items()})
    folder = recovery_dir()
    folder.mkdir(parents=True)
    save_project(folder / "autosave.nnproj", project)
    (folder / "autosave.json").write_text(json.dumps({"path": str(tmp_path / "lenet.nnproj")}))
    return project


def test_restore_brings_back_the_unsaved_project(qtbot, answers, tmp_path):
    project = _crashed_project(tmp_path)
    answers["reply"]["question"] = QMessageBox.StandardButton.Yes
    window = create_window()
    qtbot.addWidget(window)
    (title, _text), = answers["question"]
    assert "Restore" in title
    assert window.model.spec == project.spec and window.training.form.config().epochs == 3
    assert all(torch.equal(project.weights[k], v) for k, v in window.session.trained.weights.items())
    assert window.isWindowModified() and window.windowTitle().startswith("lenet.nnproj[*]")
    assert window.files.path == tmp_path / "lenet.nnproj"


def test_discard_deletes_the_recovery_file(qtbot, answers, tmp_path):
    _crashed_project(tmp_path)
    window = create_window()  # the answers fixture replies Discard
    qtbot.addWidget(window)
    assert len(answers["question"]) == 1
    assert not (recovery_dir() / "autosave.nnproj").exists()
    assert window.model.spec == preset("article-mlp") and not window.isWindowModified()


def test_a_finished_run_is_autosaved_and_a_clean_close_removes_it(window, qtbot, answers):
    autosaved = recovery_dir() / "autosave.nnproj"
    assert not autosaved.exists()
    train(qtbot, window)
    assert autosaved.is_file()
    window.training.form.epochs.setValue(4)
    window.recovery.timer.timeout.emit()  # the 60-second tick
    from playground.core.project import load_project

    assert load_project(autosaved).config.epochs == 4
    assert window.close()  # Discard
    assert not autosaved.exists() and not answers["critical"]


def test_saving_removes_the_recovery_file_and_nothing_is_autosaved_while_clean(window, qtbot, tmp_path,
                                                                                monkeypatch):
    autosaved = recovery_dir() / "autosave.nnproj"
    assert window.recovery.autosave() is False and not autosaved.exists()
    window.model.add_layer("Dropout")
    assert window.recovery.autosave() and autosaved.exists()
    choose_file(monkeypatch, tmp_path / "saved.nnproj")
    assert window.files.save()
    assert not autosaved.exists()


def test_a_second_instance_does_not_touch_the_recovery_file(window, qtbot, answers):
    window.model.add_layer("Dropout")
    assert window.recovery.autosave()
    second = create_window()
    qtbot.addWidget(second)
    assert not second.recovery.enabled and not answers["question"]
    assert (recovery_dir() / "autosave.nnproj").exists()
