"""The Qt interface: the only package that imports PySide6 and pyqtgraph."""

from playground.gui.app import create_window, main

__all__ = ["create_window", "main"]
