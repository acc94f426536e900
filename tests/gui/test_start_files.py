"""The window always opens: a bad recovery file, last project, settings value or opened file is a message."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from playground.core.presets import preset
from playground.data.drawings import add_drawing, drawings_dir
from playground.gui import create_window
from playground.gui.files import PATH_KEY, RECENT_KEY
from playground.gui.main_window import SPEC_KEY
from playground.gui.recovery import recovery_dir
from tests.gui.projects import choose_file
from tests.hostile import BAD_SPEC_TEXTS, DEEP, HUGE_INT, saved_project, unreadable, with_entry


def _open(qtbot):
    window = create_window()
    qtbot.addWidget(window)
    return window


def _damaged_recovery(tmp_path) -> bytes:
    folder = recovery_dir()
    folder.mkdir(parents=True)
    path = with_entry(saved_project(folder / "autosave.nnproj"), "spec.json", DEEP)
    (folder / "autosave.json").write_text(json.dumps({"path": str(tmp_path / "mine.nnproj")}))
    return path.read_bytes()


def test_a_damaged_recovery_file_is_reported_moved_aside_and_the_window_opens(qtbot, answers, tmp_path):
    damaged = _damaged_recovery(tmp_path)
    window = _open(qtbot)
    (title, text), = answers["critical"]
    assert "restore" in title.lower() and "nested too deeply" in text
    assert not answers["question"]  # nothing to restore: no Restore/Discard question
    assert window.model.spec == preset("article-mlp") and window.files.path is None
    assert not (recovery_dir() / "autosave.nnproj").exists()
    moved = list((recovery_dir() / "damaged").iterdir())
    assert [p.read_bytes() for p in moved if p.suffix == ".nnproj"] == [damaged]
    assert str(moved[0].parent) in text
    again = _open(qtbot)
    assert len(answers["critical"]) == 1 and again.model.spec == preset("article-mlp")


@pytest.mark.parametrize("meta", [DEEP, HUGE_INT, '{"path": ' + DEEP + "}", '{"path": "\\ud800"}', "[]"])
def test_a_bad_recovery_note_still_restores_the_project_untitled(qtbot, answers, tmp_path, meta):
    from PySide6.QtWidgets import QMessageBox

    folder = recovery_dir()
    folder.mkdir(parents=True)
    saved_project(folder / "autosave.nnproj", spec=preset("lenet5"))
    (folder / "autosave.json").write_text(meta)
    answers["reply"]["question"] = QMessageBox.StandardButton.Yes
    window = _open(qtbot)
    assert window.model.spec == preset("lenet5") and window.files.path is None
    assert not answers["critical"]


def test_a_damaged_last_project_is_reported_and_forgotten(qtbot, answers, tmp_path):
    path = with_entry(saved_project(tmp_path / "mine.nnproj"), "data.json", '{"mean": ' + HUGE_INT + "}")
    before = path.read_bytes()
    QSettings().setValue(SPEC_KEY, preset("lenet5").to_json())
    QSettings().setValue(PATH_KEY, str(path))
    window = _open(qtbot)
    (title, text), = answers["critical"]
    assert "mine.nnproj" in title and str(path) in text
    assert window.files.path is None and "Untitled" in window.windowTitle()
    assert QSettings().value(PATH_KEY) == "" and path.read_bytes() == before
    _open(qtbot)
    assert len(answers["critical"]) == 1


@pytest.mark.parametrize("value", [DEEP, HUGE_INT, json.dumps({"layers": [{"type": "Flatten"}] * 1500}),
                                   "x" * 5_000_000, '{"layers": [{"type": "Linear", "activation": []}]}'])
def test_a_bad_network_in_the_settings_falls_back_to_the_article_mlp(qtbot, answers, value):
    QSettings().setValue(SPEC_KEY, value)
    assert _open(qtbot).model.spec == preset("article-mlp")


@pytest.mark.parametrize(("key", "value"), [(PATH_KEY, "a\x00b.nnproj"), (PATH_KEY, "/dev/zero"),
                                            (RECENT_KEY, 7), (PATH_KEY, 12)])
def test_odd_settings_values_do_not_stop_the_window(qtbot, answers, key, value):
    QSettings().setValue(key, value)
    window = _open(qtbot)
    window.files.recent_menu.aboutToShow.emit()
    assert window.model.spec == preset("article-mlp") and not answers["critical"]


@pytest.mark.parametrize("what", sorted(BAD_SPEC_TEXTS))
def test_file_open_of_a_bad_spec_or_project_is_a_message(window, answers, tmp_path, monkeypatch, what):
    text = BAD_SPEC_TEXTS[what]
    data = text if isinstance(text, bytes) else text.encode()
    spec_file = tmp_path / "bad.json"
    spec_file.write_bytes(data)
    project = with_entry(saved_project(tmp_path / "bad.nnproj"), "spec.json", data)
    for path in (spec_file, project):
        choose_file(monkeypatch, path)
        assert window.files.open() is False
    assert len(answers["critical"]) == 2 and window.model.spec == preset("article-mlp")
    assert all("Traceback" not in body for _title, body in answers["critical"])


def test_the_window_opens_with_an_unreadable_drawings_folder(qtbot, answers, monkeypatch):
    add_drawing(np.zeros((28, 28), np.uint8), 3)
    unreadable(monkeypatch, drawings_dir())
    window = _open(qtbot)
    assert window.model.spec == preset("article-mlp") and not answers["critical"]


@pytest.mark.parametrize("reply", ["Yes", "Cancel"])
def test_saving_over_a_read_only_project_asks_first(window, answers, tmp_path, monkeypatch, reply):
    import os

    from PySide6.QtWidgets import QMessageBox

    from playground.core.project import load_project

    target = saved_project(tmp_path / "mine.nnproj", class_names=tuple("abcdefghij"))
    os.chmod(target, 0o444)
    before = target.read_bytes()
    answers["reply"]["question"] = getattr(QMessageBox.StandardButton, reply)
    choose_file(monkeypatch, target)
    assert window.files.save_as() is (reply == "Yes")
    (title, text), = answers["question"]
    assert "read-only" in text and "mine.nnproj" in text
    if reply == "Yes":
        assert load_project(target).facts.class_names == tuple("0123456789")
        assert (os.stat(target).st_mode & 0o777) == 0o444
    else:
        assert target.read_bytes() == before


@pytest.mark.parametrize(("odd", "problem"), [({"seconds": 10**400}, "an integer of 401 digits"),
                                              ({"number": float("inf")}, "Infinity is not a number")])
def test_an_odd_number_in_a_run_record_is_a_message(window, answers, tmp_path, monkeypatch, odd, problem):
    from playground.core.training import TrainConfig

    curves = {"x": [1.0], "loss_ema": [2.3], "epoch_x": [1.0], "test_accuracy": [0.5]}
    run = {"number": 1, "config": TrainConfig().to_dict(), "network": "Flatten", "spec_json": "{}",
           "dataset_id": "mnist-sample", "state": "finished", "curves": curves, "final_test_accuracy": 0.5,
           "seconds": 12.5, "samples_per_second": 1000.0, **odd}  # a whole run record but for one number
    path = with_entry(saved_project(tmp_path / "runs.nnproj"), "history.json", json.dumps([run]))
    choose_file(monkeypatch, path)
    assert window.files.open() is False
    (_title, text), = answers["critical"]
    assert "runs.nnproj" in text and problem in text
