"""The property form: the selected layer's parameters as spin boxes with the catalogue's ranges."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.core.activations import ACTIVATIONS
from playground.core.layers import LAYER_TYPES, ParamDef
from playground.gui.editor.model import NetworkModel
from playground.gui.editor.text import activation_label, catalogue_text


class PropertyForm(QGroupBox):
    """Edits the selected layer; typing into a field is one undo step per field."""

    def __init__(self, model: NetworkModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._type: str | None = None
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {}
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.activation = QLabel(self)
        self.activation.setWordWrap(True)
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout = QVBoxLayout(self)
        layout.addWidget(self.description)
        layout.addLayout(self._form)
        layout.addWidget(self.activation)
        model.spec_changed.connect(self._on_spec_changed)
        model.selection_changed.connect(self._on_selection_changed)
        model.structure_lock_changed.connect(self._on_structure_lock_changed)
        self._refresh()

    def field(self, name: str) -> QSpinBox | QDoubleSpinBox:
        """The spin box of parameter ``name`` of the selected layer."""
        return self.fields[name]

    @Slot(object)
    def _on_spec_changed(self, _spec: object) -> None:
        self._refresh()

    @Slot(int)
    def _on_selection_changed(self, _index: int) -> None:
        self._refresh()

    @Slot(bool, str)
    def _on_structure_lock_changed(self, locked: bool, _reason: str) -> None:
        for box in self.fields.values():
            box.setEnabled(not locked)

    def _refresh(self) -> None:
        index = self._model.selected
        if index is None:
            self._rebuild(None)
            self.setTitle(self.tr("Layer properties"))
            self.description.setText(self.tr(
                "Select a layer in the stack to edit it. The palette adds a layer after the selected "
                "one, or at the end when none is selected."))
            self.activation.hide()
            return
        spec = self._model.spec.layers[index]
        row = LAYER_TYPES[spec.type]
        if spec.type != self._type:
            self._rebuild(spec.type)
            self.description.setText(catalogue_text(row.description))
        self.setTitle(self.tr("Layer %1: %2").replace("%1", str(index + 1)).replace("%2", spec.type))
        for name, box in self.fields.items():
            if box.value() != spec.params[name]:
                box.blockSignals(True)
                box.setValue(spec.params[name])
                box.blockSignals(False)
            box.setAccessibleName(self.tr("%1 of layer %2").replace("%1", name).replace("%2", str(index + 1)))
        act = ACTIVATIONS[spec.activation]
        self.activation.setVisible(row.has_activation)
        self.activation.setText(self.tr("Activation: %1\n%2")
                                .replace("%1", activation_label(spec.activation)).replace("%2", act.formula))

    def _rebuild(self, type_name: str | None) -> None:
        """Replace the fields by those of ``type_name`` (none for None or a type without parameters)."""
        if type_name == self._type:
            return
        self._type = type_name
        while self._form.rowCount():
            self._form.removeRow(0)
        self.fields = {}
        if type_name is None:
            return
        row = LAYER_TYPES[type_name]
        for param in row.params:
            box = self._spin_box(param)
            label = QLabel(catalogue_text(param.name).capitalize(), self)
            label.setBuddy(box)
            self._form.addRow(label, box)
            self.fields[param.name] = box
        if not row.params:
            self._form.addRow(QLabel(self.tr("%1 has no parameters to set.").replace("%1", type_name), self))

    def _spin_box(self, param: ParamDef) -> QSpinBox | QDoubleSpinBox:
        box: QSpinBox | QDoubleSpinBox
        if param.kind is int:
            box = QSpinBox(self)
            box.setRange(int(param.minimum), int(param.maximum))
            box.valueChanged.connect(lambda value: self._on_value_changed(param.name, value))
        else:
            box = QDoubleSpinBox(self)
            box.setDecimals(2)
            box.setSingleStep(0.05)
            box.setRange(float(param.minimum), float(param.maximum))
            box.valueChanged.connect(lambda value: self._on_value_changed(param.name, value))
        box.setToolTip(catalogue_text(param.help))
        box.setEnabled(not self._model.structure_locked)
        return box

    def _on_value_changed(self, name: str, value: int | float) -> None:
        index = self._model.selected
        if index is not None:
            self._model.set_param(index, name, value)
