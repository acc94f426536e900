"""Start-up: a window on screen at once (no torch needed), then PyTorch and the panels loaded behind its
progress bar, then the full window in its place.

With ``NN_PLAYGROUND_EXIT_WHEN_READY=1`` the app prints one JSON line once the full window is up (when the
first window was painted, when the full one was ready, and how the sample model read ten bundled test
digits) and quits: exit code 0 when the sample model answered. CI, the bundle check and
``benchmarks/bench_startup.py`` use it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QProgressBar, QVBoxLayout, QWidget

from playground.gui.guide import GettingStarted
from playground.resources import APP_ID, ICON_SIZES, icon_png, resource_path

if TYPE_CHECKING:
    from playground.gui.main_window import MainWindow

EXIT_WHEN_READY = "NN_PLAYGROUND_EXIT_WHEN_READY"
# The same as main_window's (a test checks), so the first window opens where the full one will be.
GEOMETRY_KEY = "window/geometry"
DEFAULT_SIZE = QSize(1366, 768)
POLL_MS = 30
PAINT_WAIT_S = 6.0
"""How long the full window waits for the first one to have been painted once (a hidden or minimised
first window is never painted, so the wait is bounded; on a busy 2-core machine, the test suite beside
other jobs, a first paint took over 3 s)."""
CHECK_DIGITS = 10


def _tr(text: str) -> str:
    return QCoreApplication.translate("startup", text)


def app_icon() -> QIcon:
    """The app's icon: every rendered PNG size, and the SVG for any other size."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icon_png(size)), QSize(size, size))
    icon.addFile(str(resource_path("icons", f"{APP_ID}.svg")))
    return icon


def prepare_application(app: QGuiApplication) -> None:
    """The icon and the desktop file's name (Wayland matches the window to it by this name)."""
    app.setWindowIcon(app_icon())
    QGuiApplication.setDesktopFileName(APP_ID)


def _import_engine() -> None:
    """Import PyTorch and the Qt-free engine; runs on a worker thread while the first window shows."""
    import playground.core.project  # noqa: F401  (training, builder, torch, torch._dynamo)
    import playground.core.runs  # noqa: F401


class StartupWindow(QMainWindow):
    """The window shown first, where the full window will be, with what is loading and a progress bar."""

    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.setWindowTitle(_tr("Neural Network Playground"))
        self.painted_at: float | None = None
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.addStretch(1)
        logo = QLabel(body)
        logo.setPixmap(app_icon().pixmap(QSize(128, 128)))
        title = QLabel(_tr("Neural Network Playground"), body)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        title.setFont(font)
        self.status = QLabel(_tr("Loading PyTorch..."), body)
        self.progress = QProgressBar(body)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(360)
        for widget in (logo, title, self.status, self.progress):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.setCentralWidget(body)
        geometry = settings.value(GEOMETRY_KEY)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(DEFAULT_SIZE.boundedTo(self.screen().availableSize()))

    def show_step(self, text: str) -> None:
        """Say what loads now, and paint it before the (blocking) step begins."""
        self.status.setText(text)
        self.repaint()

    def event(self, event: QEvent) -> bool:
        """Note when the window was first painted: the moment a person sees it."""
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            self.painted_at = time.time()
        return super().event(event)


class Startup(QObject):
    """Drives the steps: the engine on a worker thread (the shell stays responsive), then the window."""

    def __init__(self, app: QApplication, open_path: Path | None,
                 make_window: Callable[[Path | None], MainWindow]) -> None:
        super().__init__(app)
        self.app, self.open_path, self.make_window = app, open_path, make_window
        self.shell = StartupWindow(QSettings())
        self.window: MainWindow | None = None
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._load_engine, name="import-torch", daemon=True)
        self._started = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_poll)

    def start(self) -> None:
        """Show the first window and begin loading."""
        self._started = time.monotonic()
        self.shell.show()
        self._thread.start()
        self._timer.start()

    def _load_engine(self) -> None:
        try:
            _import_engine()
        except BaseException as exc:  # reported on the GUI thread
            self.failure = exc

    def _on_poll(self) -> None:
        if self._thread.is_alive():
            return
        if self.shell.painted_at is None and time.monotonic() - self._started < PAINT_WAIT_S:
            return  # the engine was loaded already (a second window): show the first one once anyway
        self._timer.stop()
        if self.failure is not None:
            self._fail(self.failure)
            return
        self.shell.progress.setRange(0, 2)
        self.shell.progress.setValue(1)
        self.shell.show_step(_tr("Building the window..."))
        try:
            self.window = self.make_window(self.open_path)
        except Exception as exc:  # noqa: BLE001  (shown, then the app ends with exit code 1)
            self._fail(exc)
            return
        if not (self.shell.isMaximized() or self.shell.isFullScreen()):
            self.window.setGeometry(self.shell.geometry())
        self.window.show()
        self.shell.close()
        if os.environ.get(EXIT_WHEN_READY):
            QTimer.singleShot(0, self._report_and_quit)
        elif not GettingStarted.dismissed(QSettings()):
            QTimer.singleShot(0, self.window.show_guide)  # the first launches, until it is dismissed

    def _fail(self, exc: BaseException) -> None:
        """Report what stopped the start (a message box, and the traceback on stderr); exit code 1."""
        import traceback

        from PySide6.QtWidgets import QMessageBox

        traceback.print_exception(exc)
        if not os.environ.get(EXIT_WHEN_READY):
            QMessageBox.critical(self.shell, _tr("Neural Network Playground"), _tr(
                "The app cannot start: %1").replace("%1", f"{type(exc).__name__}: {exc}"))
        self.app.exit(1)

    def _report_and_quit(self) -> None:
        """Print when the windows appeared and how the sample model reads bundled digits; then quit."""
        from playground.data.registry import load_dataset

        assert self.window is not None
        test = load_dataset("mnist-sample")
        source = self.window.drawing.source
        right = 0
        for index in range(CHECK_DIGITS):
            probs = source.predict(test.test_x[index, 0].astype("float32") / 255.0)
            right += probs is not None and int(probs.argmax()) == int(test.test_y[index])
        print(json.dumps({"shown_at": self.shell.painted_at, "ready_at": time.time(),
                          "sample_model_right": right, "sample_model_of": CHECK_DIGITS,
                          "sample_model_problem": source.problem}), flush=True)
        self.window.close()
        self.app.exit(0 if right >= CHECK_DIGITS - 1 and not source.problem else 1)


def launch(open_path: Path | None, make_window: Callable[[Path | None], MainWindow]) -> int:
    """Run the app: the first window at once, the full one (``make_window(open_path)``) when loaded;
    returns the exit code. The application's names must be set (they name its settings)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    prepare_application(app)
    startup = Startup(app, open_path, make_window)
    startup.start()
    return app.exec()
