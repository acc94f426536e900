"""Application set-up: the QApplication's names, ``create_window()`` and the ``main()`` entry point."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from playground.gui.startup import app_icon, launch

if TYPE_CHECKING:
    from playground.gui.main_window import MainWindow

ORGANIZATION = "nn-playground"
APPLICATION = "Neural Network Playground"
DEFAULT_DATASET = "mnist-sample"


def _name_application() -> None:
    """Names under which QSettings keeps the app's state."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)


def _dataset_facts(dataset_id: str) -> tuple[str, tuple[int, ...], int]:
    """Name, input shape (empty while only known once loaded) and class count from the registry, without
    loading any images."""
    from playground.data.registry import dataset_info

    info = dataset_info(dataset_id)
    return info.name, info.input_shape or (), len(info.class_names)


def create_window(settings: QSettings | None = None, open_path: Path | None = None) -> MainWindow:
    """The main window, not yet shown, with ``open_path`` (a project or spec) or else the last project
    opened; after an unclean exit it then offers to restore the unsaved project. A QApplication must exist.

    Args:
        settings: where the window keeps its state; the app's user settings when None.
        open_path: a file to open instead of the last project (when it cannot be opened, that is said
            in a message box and the last project opens).
    """
    from playground.gui.main_window import MainWindow

    if QApplication.instance() is None:
        raise RuntimeError("create a QApplication before create_window()")
    _name_application()
    name, shape, classes = _dataset_facts(DEFAULT_DATASET)
    window = MainWindow(settings if settings is not None else QSettings(), name, shape, classes)
    window.setWindowIcon(app_icon())
    if open_path is None or not window.files.open_path(open_path):
        window.reopen_last_project()
    window.offer_recovery()
    return window


def main(open_path: Path | None = None) -> int:
    """Open the app (a first window at once, the full one once loaded) and run it until the window
    closes; returns the exit code.

    Args:
        open_path: a project (.nnproj) or network spec (.json) to open instead of the last project.
    """
    _name_application()
    return launch(open_path, lambda path: create_window(open_path=path))
