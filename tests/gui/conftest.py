"""GUI fixtures: offscreen Qt, settings kept in tmp_path, and no test may leave a QThread running."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import QSettings, QThread  # noqa: E402
from PySide6.QtWidgets import QMessageBox, QWidget  # noqa: E402

from playground.gui import create_window  # noqa: E402
from playground.gui.main_window import MainWindow  # noqa: E402

HERE = Path(__file__).parent
# The offscreen platform says this once per top-level window; it is not a problem of the app.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Ignore the offscreen platform's own warning in these tests (Qt warnings fail tests)."""
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def settings_dir(tmp_path: Path) -> Path:
    """Every QSettings() of the test lives in an INI file under tmp_path, never the user's."""
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    return folder


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's data folder (my drawings, recovery files) lives under tmp_path, never the user's."""
    folder = tmp_path / "data"
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(folder))
    return folder


@pytest.fixture(autouse=True)
def no_thread_left_running(monkeypatch: pytest.MonkeyPatch):
    """Fail a test that starts a QThread and leaves it running."""
    started: list[QThread] = []
    original = QThread.start

    def start(self: QThread, *args: object) -> None:
        started.append(self)
        original(self, *args)

    monkeypatch.setattr(QThread, "start", start)
    yield
    running = [t for t in started if shiboken6.isValid(t) and t.isRunning()]
    for thread in running:
        thread.quit()
        thread.wait(2000)
    if running:
        pytest.fail(f"the test left {len(running)} QThread(s) running")


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Message boxes answer without showing: "question" replies Discard; calls are recorded."""
    calls: dict[str, list] = {"critical": [], "question": [], "about": []}
    reply = {"question": QMessageBox.StandardButton.Discard}

    def critical(parent: QWidget, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        calls["critical"].append((title, text))
        return QMessageBox.StandardButton.Ok

    def question(parent: QWidget, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        calls["question"].append((title, text))
        return reply["question"]

    def about(parent: QWidget, title: str, text: str) -> None:
        calls["about"].append((title, text))

    monkeypatch.setattr(QMessageBox, "critical", critical)
    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "about", about)
    calls["reply"] = reply  # type: ignore[assignment]
    return calls


@pytest.fixture
def window(qtbot, answers) -> MainWindow:
    """A shown main window at 1366x768 with the first-launch network (the article's MLP)."""
    win = create_window()
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    return win
