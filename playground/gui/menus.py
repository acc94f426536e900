"""The main window's menu bar: File (projects, import/export), Edit, View, Presets and Help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence

from playground.core.presets import PRESETS
from playground.gui.editor import text

if TYPE_CHECKING:
    from playground.gui.main_window import MainWindow


def _tr(source: str) -> str:
    return QCoreApplication.translate("Menus", source)


def build_menus(window: MainWindow) -> None:
    """Fill the window's menu bar; sets ``undo_action``, ``redo_action`` and ``presets_menu`` on it."""
    bar = window.menuBar()
    files, actions = window.files, window.actions
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
    quit_action.triggered.connect(window.close)

    edit_menu = bar.addMenu(_tr("&Edit"))
    stack = window.model.undo_stack
    window.undo_action = stack.createUndoAction(window)
    window.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
    window.redo_action = stack.createRedoAction(window)
    window.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
    edit_menu.addActions([window.undo_action, window.redo_action])
    edit_menu.addSeparator()
    edit_menu.addActions(list(window.editor.actions_for_layers))
    edit_menu.addSeparator()
    edit_menu.addActions([actions.replace_output_action, actions.reset_weights_action])

    view_menu = bar.addMenu(_tr("&View"))
    window.view_menu = view_menu
    for dock, _area in window.docks():
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addSeparator()
    view_menu.addAction(_tr("&Reset Layout")).triggered.connect(window.reset_layout)

    window.presets_menu = bar.addMenu(_tr("&Presets"))
    window.presets_menu.setToolTipsVisible(True)
    for name, row in PRESETS.items():
        action = window.presets_menu.addAction(text.catalogue_text(row.title))
        action.setObjectName(f"preset_{name}")
        action.setToolTip(text.catalogue_text(row.description))
        action.setStatusTip(text.catalogue_text(row.description))
        action.triggered.connect(lambda _checked=False, key=name: window.model.load_preset(key))

    help_menu = bar.addMenu(_tr("&Help"))
    help_menu.addAction(_tr("&About Neural Network Playground")).triggered.connect(window.show_about)
