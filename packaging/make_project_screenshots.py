"""Render the whole window with a saved project open to docs/screenshots/project.png, File > Export open.

The small CNN trains two epochs on the bundled MNIST sample and is saved with File > Save As (the
file dialog answers at once); the window is closed and opened again, which reopens the project, so
Start reads "Continue". The saved run is overlaid from the Runs tab and a test 7 goes on the pad,
which the reopened network reads. The File menu and its Export submenu are opened with the keyboard and drawn
over the window where they pop up. Offscreen there is no window manager, so the title bar is drawn
from the window's own title. Data folder and settings live in a temporary folder, as in
make_inspect_screenshots.py.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from make_inspect_screenshots import isolated  # noqa: E402
from make_training_screenshots import wait_until  # noqa: E402
from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu  # noqa: E402

from playground.core.training import TrainConfig  # noqa: E402
from playground.data.registry import load_dataset  # noqa: E402
from playground.gui import create_window  # noqa: E402
from playground.gui.main_window import MainWindow  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots" / "project.png"
SIZE = (1600, 900)
TITLE_HEIGHT = 30
PROJECT = "digits-cnn.nnproj"


def open_window(app: QApplication) -> MainWindow:
    """The app's window as ``nn-playground`` opens it (last project reopened), shown at SIZE."""
    window = create_window()
    window.resize(*SIZE)
    window.show()
    for _ in range(5):
        app.processEvents()
    return window


def train_and_save(app: QApplication, path: Path) -> None:
    """A first session: the small CNN trained for two epochs, saved as ``path``, the window closed."""
    window = open_window(app)
    window.model.load_preset("small-cnn")
    window.training.form.set_config(TrainConfig(epochs=2, batch_size=64, seed=1))
    if not window.training.start():
        raise SystemExit("training did not start")
    wait_until(app, lambda: not window.session.is_training)
    QFileDialog.getSaveFileName = lambda *_args, **_kw: (str(path), "")  # the dialog answers at once
    window.files.save_as_action.trigger()
    if not path.is_file():
        raise SystemExit(f"File > Save As did not write {path}")
    window.close()
    app.processEvents()


def show_saved_run(app: QApplication, window: MainWindow) -> None:
    """Tick the saved run's overlay in the Runs tab, and let the reopened network read a test digit."""
    training = window.training
    training.bottom_tabs.setCurrentWidget(training.runs)
    training.runs.set_overlay(1, True)
    data = load_dataset("mnist-sample")
    window.drawing.show_example(data.test_x[int(np.flatnonzero(data.test_y == 7)[0])])
    wait_until(app, lambda: window.drawing.model_label.text() == "Model: Your network")


def open_export_menu(app: QApplication, window: MainWindow) -> list[QMenu]:
    """Open File, then its Export submenu, with the keyboard; the menus shown, outermost first."""
    file_menu = window.findChild(QMenu, "file_menu")
    export_menu = window.findChild(QMenu, "export_menu")
    window.menuBar().setActiveAction(file_menu.menuAction())
    wait_until(app, file_menu.isVisible, 10)
    file_menu.setActiveAction(export_menu.menuAction())
    QTest.keyClick(file_menu, Qt.Key.Key_Right)
    wait_until(app, export_menu.isVisible, 10)
    export_menu.setActiveAction(window.model_actions.export_actions["onnx"])
    app.processEvents()
    return [file_menu, export_menu]


def title(window: MainWindow) -> str:
    """The title a window manager shows: the [*] placeholder becomes * when modified."""
    return window.windowTitle().replace("[*]", "*" if window.isWindowModified() else "")


def compose(window: MainWindow, menus: list[QMenu]) -> QPixmap:
    """The window under a plain title bar, with the open menus drawn where they pop up."""
    body = window.grab()
    picture = QPixmap(body.width(), body.height() + TITLE_HEIGHT)
    picture.fill(QColor("#3c3f41"))
    painter = QPainter(picture)
    painter.setPen(QColor("white"))
    font = painter.font()
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRect(0, 0, body.width(), TITLE_HEIGHT), Qt.AlignmentFlag.AlignCenter, title(window))
    painter.drawPixmap(0, TITLE_HEIGHT, body)
    origin = window.mapToGlobal(QPoint(0, 0))
    for menu in menus:
        painter.drawPixmap(menu.pos() - origin + QPoint(0, TITLE_HEIGHT), menu.grab())
    painter.end()
    return picture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the PNG file to write")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with isolated() as folder:
        app = QApplication.instance() or QApplication(sys.argv[:1])
        path = folder / PROJECT
        train_and_save(app, path)
        window = open_window(app)
        start = window.training.controls.start.text()
        if window.files.path != path or start != "Continue":
            raise SystemExit(f"the project did not reopen ready to continue ({window.files.path}, {start})")
        show_saved_run(app, window)
        menus = open_export_menu(app, window)
        if not compose(window, menus).save(str(args.out)):
            sys.exit(f"cannot write {args.out}")
        print(f"wrote {args.out}: {title(window)}, Start reads {start!r}")
        for menu in reversed(menus):
            menu.close()
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
