"""The palette: one "Add <Type>" button per row of the layer catalogue, by family, and the presets."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from playground.core.layers import LAYER_TYPES
from playground.core.presets import PRESETS
from playground.gui.editor.model import NetworkModel
from playground.gui.editor.text import catalogue_text

COLUMNS = 2


class LayerPalette(QWidget):
    """Clicking a button adds that layer after the selected one (at the end when none is selected)."""

    def __init__(self, model: NetworkModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(2)
        families: dict[str, list[str]] = {}
        for name, row in LAYER_TYPES.items():
            families.setdefault(row.family, []).append(name)
        for family, names in families.items():
            layout.addWidget(self._heading(catalogue_text(family).capitalize()))
            grid = QGridLayout()
            grid.setSpacing(4)
            for i, name in enumerate(names):
                alone = i == len(names) - 1 and i % COLUMNS == 0
                grid.addWidget(self._button(name), i // COLUMNS, i % COLUMNS, 1, COLUMNS if alone else 1)
            layout.addLayout(grid)
        layout.addSpacing(8)
        layout.addWidget(self._heading(self.tr("Start from a preset")))
        self.preset_buttons: dict[str, QPushButton] = {}
        for name, ready in PRESETS.items():
            button = QPushButton(catalogue_text(ready.title), self)
            button.setToolTip(f"<p>{escape(catalogue_text(ready.description))}</p>")
            button.setAccessibleName(self.tr("Load preset %1").replace("%1", catalogue_text(ready.title)))
            button.clicked.connect(lambda _checked=False, key=name: self._on_preset_clicked(key))
            layout.addWidget(button)
            self.preset_buttons[name] = button
        layout.addStretch(1)
        model.structure_lock_changed.connect(self._on_structure_lock_changed)

    def _heading(self, title: str) -> QLabel:
        heading = QLabel(title, self)
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        heading.setFont(font)
        heading.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        heading.setContentsMargins(0, 4, 0, 0)
        return heading

    def _button(self, name: str) -> QPushButton:
        description = catalogue_text(LAYER_TYPES[name].description)
        button = QPushButton(name, self)
        button.setAccessibleName(self.tr("Add %1").replace("%1", name))
        button.setAccessibleDescription(description)
        button.setToolTip(f"<p><b>{escape(name)}</b>: {escape(description)}</p>")
        button.clicked.connect(lambda _checked=False: self._on_add_clicked(name))
        self.buttons[name] = button
        return button

    def _on_add_clicked(self, name: str) -> None:
        self._model.add_layer(name)

    def _on_preset_clicked(self, name: str) -> None:
        self._model.load_preset(name)

    @Slot(bool, str)
    def _on_structure_lock_changed(self, locked: bool, reason: str) -> None:
        for button in [*self.buttons.values(), *self.preset_buttons.values()]:
            button.setEnabled(not locked)
            button.setStatusTip(reason)
