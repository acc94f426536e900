"""The keyboard: every platform's redo keys redo, and the editor works without a mouse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from playground.core.presets import preset
from playground.gui.menus import redo_keys

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def test_redo_answers_this_platform_keys_and_ctrl_y_and_ctrl_shift_z(qapp) -> None:
    keys = redo_keys()
    assert keys[0] == QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)[0]
    assert QKeySequence("Ctrl+Y") in keys and QKeySequence("Ctrl+Shift+Z") in keys
    assert len({k.toString() for k in keys}) == len(keys)


@pytest.mark.parametrize("key, modifiers", [(Qt.Key.Key_Y, CTRL), (Qt.Key.Key_Z, CTRL | SHIFT)],
                         ids=["ctrl-y", "ctrl-shift-z"])
def test_each_redo_key_redoes_an_undone_edit(window, qtbot, key: Qt.Key, modifiers) -> None:
    window.model.load_preset("lenet5")
    window.menu_actions.undo.trigger()
    assert window.model.spec == preset("article-mlp")
    window.editor.stack.card(0).setFocus()
    qtbot.keyClick(window.editor.stack.card(0), key, modifiers)
    assert window.model.spec == preset("lenet5")
