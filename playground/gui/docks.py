"""DockHost: what the dock installers need of the main window (adding a dock), and nothing more."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget


class DockHost(Protocol):
    """A window that takes panels as docks (the main window)."""

    def add_dock(self, widget: QWidget, title: str, name: str, area: Qt.DockWidgetArea) -> QDockWidget:
        """Add ``widget`` as a dock named ``name`` in ``area``; returns the dock."""
        ...
