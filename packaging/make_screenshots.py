"""Render the main window offscreen at 1366x768 to docs/screenshots/editor.png and editor-error.png.

editor.png is the first-launch state (the article's MLP, its hidden layer selected); editor-error.png
is LeNet-5 with its Flatten deleted, so the first Linear layer is red and offers "Insert Flatten".
Settings go to a temporary folder, never the user's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.gui import create_window  # noqa: E402
from playground.gui.main_window import MainWindow  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SIZE = (1366, 768)


def _render(window: MainWindow, path: Path) -> None:
    for _ in range(5):  # nested layouts settle over a few passes
        QApplication.processEvents()
    if not window.grab().save(str(path)):
        sys.exit(f"make_screenshots: cannot write {path}")
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as settings_dir:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
        window = create_window()
        window.resize(*SIZE)
        window.show()
        window.model.select(1)
        _render(window, args.out / "editor.png")
        window.model.load_preset("lenet5")
        window.model.select(4)
        window.editor.delete_action.trigger()
        _render(window, args.out / "editor-error.png")
        window.model.undo_stack.setClean()
        window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
