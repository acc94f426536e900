"""Start-up: a first window at once, the full one in its place, a file from the command line, the icon."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from playground.cli import main as cli_main
from playground.core.presets import preset
from playground.gui import create_window, main_window, startup
from playground.gui.main_window import MainWindow
from playground.resources import APP_ID, ICON_SIZES


def _visible_main_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_the_first_window_shows_then_the_full_one_takes_its_place(qtbot, answers) -> None:
    app = QApplication.instance()
    run = startup.Startup(app, None, lambda path: create_window(open_path=path))
    run.start()
    assert run.shell.isVisible() and run.shell.windowTitle() == "Neural Network Playground"
    assert run.shell.status.text() == "Loading PyTorch..."
    qtbot.waitUntil(lambda: bool(_visible_main_windows()), timeout=60_000)
    (window,) = _visible_main_windows()
    assert run.window is window and not run.shell.isVisible()
    assert run.shell.painted_at is not None
    assert window.pos() == run.shell.pos()  # and its size, down to its minimum size
    window.close()
    window.deleteLater()
    run.shell.deleteLater()


def test_the_first_window_opens_where_the_full_one_was_left(qtbot) -> None:
    assert startup.GEOMETRY_KEY == main_window.GEOMETRY_KEY
    assert startup.DEFAULT_SIZE == main_window.DEFAULT_SIZE
    settings = QSettings()
    probe = startup.StartupWindow(settings)
    qtbot.addWidget(probe)
    probe.setGeometry(40, 50, 700, 500)  # within the offscreen screen (800x600)
    settings.setValue(main_window.GEOMETRY_KEY, probe.saveGeometry())
    again = startup.StartupWindow(settings)
    qtbot.addWidget(again)
    assert again.size() == probe.size()


def test_the_window_has_the_app_icon_in_every_size(qtbot) -> None:
    window = create_window()
    qtbot.addWidget(window)
    icon = window.windowIcon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= set(ICON_SIZES)
    startup.prepare_application(QApplication.instance())
    assert QApplication.windowIcon().cacheKey() != 0 and not QApplication.windowIcon().isNull()
    assert QApplication.desktopFileName() == APP_ID


def test_create_window_opens_the_file_given_on_the_command_line(qtbot, tmp_path: Path) -> None:
    project = tmp_path / "mlp.nnproj"
    argv = ["train", "--preset", "article-mlp", "--epochs", "1", "--save", str(project), "--json"]
    assert cli_main(argv) == 0
    window = create_window(open_path=project)
    qtbot.addWidget(window)
    assert window.files.path == project and window.model.spec == preset("article-mlp")
    assert len(window.session.history.runs) == 1 and window.session.history.runs[0].state == "finished"
    assert window.training.controls.start.text() == "Continue"


def test_a_spec_file_opens_as_a_new_project(qtbot, tmp_path: Path) -> None:
    spec = tmp_path / "lenet.json"
    spec.write_text(preset("lenet5").to_json())
    window = create_window(open_path=spec)
    qtbot.addWidget(window)
    assert window.files.path is None and window.model.spec == preset("lenet5")


def test_a_file_that_cannot_be_opened_is_said_and_the_window_still_opens(qtbot, tmp_path: Path, answers):
    bad = tmp_path / "broken.nnproj"
    bad.write_bytes(b"not a zip")
    window = create_window(open_path=bad)
    qtbot.addWidget(window)
    assert answers["critical"] and "broken.nnproj" in answers["critical"][0][0]
    assert window.files.path is None


@pytest.mark.slow
def test_the_command_opens_the_window_with_the_sample_model_answering(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", startup.EXIT_WHEN_READY: "1", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "NN_PLAYGROUND_DATA": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-m", "playground"], env=env, capture_output=True, text=True,
                            timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["sample_model_right"] >= report["sample_model_of"] - 1
    assert not report["sample_model_problem"]
    assert report["shown_at"] < report["ready_at"]
