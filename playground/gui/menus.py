"""The main window's menu bar: File (projects, import/export), Edit, View, Presets and Help."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar

from playground.core.presets import PRESETS
from playground.gui.actions import ModelActions
from playground.gui.editor import text
from playground.gui.editor.model import NetworkModel
from playground.gui.files import ProjectFiles


def _tr(source: str) -> str:
    return QCoreApplication.translate("Menus", source)


EXTRA_REDO_KEYS = ("Ctrl+Y", "Ctrl+Shift+Z")
"""Redo keys people bring from other platforms, beside this platform's own."""


def redo_keys() -> list[QKeySequence]:
    """This platform's redo keys first (its menu shows the first), then Ctrl+Y and Ctrl+Shift+Z, each once."""
    keys = list(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
    for extra in map(QKeySequence, EXTRA_REDO_KEYS):
        if extra not in keys:
            keys.append(extra)
    return keys


@dataclass(frozen=True)
class MenuActions:
    """What the window keeps of its menus: Undo and Redo, and the menus it enables or reads."""

    undo: QAction
    redo: QAction
    presets_menu: QMenu
    view_menu: QMenu


def build_menus(bar: QMenuBar, files: ProjectFiles, actions: ModelActions, model: NetworkModel,
                layer_actions: Iterable[QAction], docks: Iterable[QDockWidget], *,
                close: Callable[[], object], reset_layout: Callable[[], object],
                about: Callable[[], object], guide: Callable[[], object]) -> MenuActions:
    """Fill ``bar``: File (Quit calls ``close``), Edit (undo, the editor's ``layer_actions``, weights),
    View (``docks``, and Reset Layout calling ``reset_layout``), Presets and Help (``about``)."""
    file_menu = bar.addMenu(_tr("&File"))
    file_menu.setObjectName("file_menu")
    file_menu.setToolTipsVisible(True)
    file_menu.addActions([files.new_action, files.new_from_action, files.open_action])
    file_menu.addMenu(files.recent_menu)
    file_menu.addSeparator()
    file_menu.addActions([files.save_action, files.save_as_action])
    file_menu.addSeparator()
    file_menu.addActions([actions.load_weights_action, files.save_spec_action])
    export_menu = file_menu.addMenu(_tr("&Export"))
    export_menu.setObjectName("export_menu")
    export_menu.setToolTipsVisible(True)
    export_menu.addActions(list(actions.export_actions.values()))
    file_menu.addSeparator()
    quit_action = file_menu.addAction(_tr("&Quit"))
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(close)

    edit_menu = bar.addMenu(_tr("&Edit"))
    stack = model.undo_stack
    undo = stack.createUndoAction(bar)
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = stack.createRedoAction(bar)
    redo.setShortcuts(redo_keys())
    edit_menu.addActions([undo, redo])
    edit_menu.addSeparator()
    edit_menu.addActions(list(layer_actions))
    edit_menu.addSeparator()
    edit_menu.addActions([actions.replace_output_action, actions.reset_weights_action])

    view_menu = bar.addMenu(_tr("&View"))
    for dock in docks:
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addSeparator()
    view_menu.addAction(_tr("&Reset Layout")).triggered.connect(reset_layout)

    presets_menu = bar.addMenu(_tr("&Presets"))
    presets_menu.setToolTipsVisible(True)
    for name, row in PRESETS.items():
        action = presets_menu.addAction(text.catalogue_text(row.title))
        action.setObjectName(f"preset_{name}")
        action.setToolTip(text.catalogue_text(row.description))
        action.setStatusTip(text.catalogue_text(row.description))
        action.triggered.connect(lambda _checked=False, key=name: model.load_preset(key))

    help_menu = bar.addMenu(_tr("&Help"))
    guide_action = help_menu.addAction(_tr("&Getting Started"))
    guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
    guide_action.setStatusTip(_tr("Build, train, draw, look inside: the four things to try first"))
    guide_action.triggered.connect(guide)
    help_menu.addSeparator()
    help_menu.addAction(_tr("&About Neural Network Playground")).triggered.connect(about)
    return MenuActions(undo, redo, presets_menu, view_menu)
