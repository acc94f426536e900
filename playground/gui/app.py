"""Application set-up: the QApplication's names, ``create_window()`` and the ``main()`` entry point."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

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


def create_window(settings: QSettings | None = None) -> MainWindow:
    """The main window, not yet shown, with the last project reopened; after an unclean exit it first
    offers to restore the unsaved project. A QApplication must exist.

    Args:
        settings: where the window keeps its state; the app's user settings when None.
    """
    if QApplication.instance() is None:
        raise RuntimeError("create a QApplication before create_window()")
    _name_application()
    name, shape, classes = _dataset_facts(DEFAULT_DATASET)
    window = MainWindow(settings if settings is not None else QSettings(), name, shape, classes)
    window.reopen_last_project()
    window.offer_recovery()
    return window


def main() -> int:
    """Open the app and run it until the window closes; returns the exit code."""
    _name_application()
    app = QApplication.instance() or QApplication(sys.argv)
    window = create_window()
    window.show()
    return app.exec()
