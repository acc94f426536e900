"""Finding widgets the way a screen reader does: by accessible name."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QPushButton, QWidget


def palette_button(win: QWidget, type_name: str) -> QPushButton:
    """The palette button a screen reader calls "Add <Type>"."""
    found = [b for b in win.findChildren(QPushButton) if b.accessibleName() == f"Add {type_name}"]
    assert len(found) == 1, f"expected one 'Add {type_name}' button, found {len(found)}"
    return found[0]


def by_name(win: QWidget, kind: type, name: str) -> QWidget:
    """The one visible widget of ``kind`` with accessible name ``name`` (after pending shows run)."""
    QApplication.processEvents()
    found = [w for w in win.findChildren(kind) if w.accessibleName() == name and w.isVisible()]
    assert len(found) == 1, f"expected one {kind.__name__} named {name!r}, found {len(found)}"
    return found[0]
