"""The stack's cards: one per layer (type, parameters, activation, shape, cost, problems), input, output."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, Slot
from PySide6.QtGui import QDrag, QFocusEvent, QFont, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from playground.core.activations import ACTIVATIONS
from playground.core.analysis import LayerInfo, Problem
from playground.core.layers import LAYER_TYPES
from playground.core.spec import LayerSpec
from playground.gui.editor import text
from playground.gui.editor.model import NetworkModel
from playground.gui.editor.widgets import (
    ElidedLabel,
    ProblemRow,
    WheelSafeComboBox,
    set_style_property,
    severity,
)

LAYER_MIME = "application/x-nn-playground-layer"


def _bold(label: QLabel) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


class _Card(QFrame):
    """A rounded frame whose look follows the ``state`` and ``selected`` style properties."""

    def __init__(self, model: NetworkModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.setObjectName("layerCard")
        self.setProperty("state", "ok")
        self.setProperty("selected", "false")
        self.problems = ProblemRow(model.apply_fix, self)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(10, 6, 10, 6)
        self.body.setSpacing(3)

    def _show_state(self, problems: tuple[Problem, ...]) -> None:
        self.problems.show_problems(problems)
        set_style_property(self, "state", severity(problems))


class LayerCard(_Card):
    """One layer. Clicking selects it; Up/Down move the selection; dragging it reorders the stack."""

    def __init__(self, model: NetworkModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self.index = -1
        self.setProperty("frozen", "false")
        self._shown: tuple | None = None
        self._press: QPoint | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        grip = QLabel("⠿", self)
        grip.setToolTip(self.tr("Drag to reorder (or Alt+Up / Alt+Down)"))
        self.number = _bold(QLabel(self))
        self.number.setMinimumWidth(self.fontMetrics().horizontalAdvance("30") + 4)
        self.type_label = _bold(QLabel(self))
        self.summary = ElidedLabel(self)
        self.activation = WheelSafeComboBox(self)
        for name, row in ACTIVATIONS.items():
            self.activation.addItem(text.activation_label(name), name)
            self.activation.setItemData(self.activation.count() - 1, row.formula, Qt.ItemDataRole.ToolTipRole)
        self.activation.currentIndexChanged.connect(self._on_activation_picked)
        self.trainable = QCheckBox(self.tr("Trainable"), self)
        self.trainable.setToolTip(self.tr("Untick to freeze this layer's weights (transfer learning)"))
        self.trainable.toggled.connect(self._on_trainable_toggled)
        for control in (self.activation, self.trainable):  # keep the controls of all cards in columns
            policy = control.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            control.setSizePolicy(policy)
        self.type_label.setMinimumHeight(self.activation.sizeHint().height())
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(grip)
        top.addWidget(self.number)
        top.addWidget(self.type_label)
        top.addWidget(self.summary, 1)
        top.addWidget(self.activation)
        top.addWidget(self.trainable)
        self.output = QLabel(self)
        self.cost = ElidedLabel(self)
        self.cost.setObjectName("costText")
        self.cost.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        bottom = QHBoxLayout()
        bottom.setSpacing(16)
        bottom.addSpacing(grip.sizeHint().width() + self.number.minimumWidth() + 16)
        bottom.addWidget(self.output)
        bottom.addWidget(self.cost, 1)
        self.body.addLayout(top)
        self.body.addLayout(bottom)
        self.body.addWidget(self.problems)

    def show_layer(self, index: int, spec: LayerSpec, info: LayerInfo, problems: tuple[Problem, ...]) -> None:
        """Show layer ``index``; does nothing when nothing shown has changed."""
        shown = (index, spec, info, problems)
        if shown == self._shown:
            return
        self._shown, self.index = shown, index
        row = LAYER_TYPES[spec.type]
        self.number.setText(str(index + 1))
        self.type_label.setText(spec.type)
        summary = text.params_summary(spec)
        self.summary.setText(summary)
        self.summary.setToolTip(summary)
        self.setToolTip(text.layer_tooltip(spec, info.input_shape))
        self.activation.setVisible(row.has_activation)
        self.activation.blockSignals(True)
        self.activation.setCurrentIndex(self.activation.findData(spec.activation))
        self.activation.blockSignals(False)
        self.activation.setAccessibleName(self.tr("Activation of layer %1").replace("%1", str(index + 1)))
        self.trainable.blockSignals(True)
        self.trainable.setChecked(spec.trainable)
        self.trainable.blockSignals(False)
        self.trainable.setVisible(info.params > 0 or info.output_shape is None)
        self.trainable.setAccessibleName(self.tr("Trainable layer %1").replace("%1", str(index + 1)))
        self.output.setText(self.tr("→ %1").replace("%1", text.shape(info.output_shape)))
        frozen = not spec.trainable and info.params > 0
        if info.output_shape is None:
            self.cost.setText(self.tr("shape and cost unknown until the error is fixed"))
        elif frozen:
            self.cost.setText(self.tr("%1 parameters, frozen · %2 multiply-adds")
                              .replace("%1", text.count(info.params)).replace("%2", text.compact(info.macs)))
        else:
            self.cost.setText(self.tr("%1 parameters · %2 multiply-adds")
                              .replace("%1", text.count(info.params)).replace("%2", text.compact(info.macs)))
        set_style_property(self, "frozen", "true" if frozen else "false")
        self._show_state(problems)
        name = self.tr("Layer %1: %2").replace("%1", str(index + 1)).replace("%2", spec.type)
        self.setAccessibleName(name)
        messages = " ".join(p.message for p in problems)
        self.setAccessibleDescription(f"{summary}. {self.output.text()}. {messages}".strip())

    def set_selected(self, selected: bool) -> None:
        """Draw the selection border."""
        set_style_property(self, "selected", "true" if selected else "false")

    def set_locked(self, locked: bool) -> None:
        """Disable the controls that edit this layer."""
        for widget in (self.activation, self.trainable, self.problems.fix_button):
            widget.setEnabled(not locked)

    @Slot(int)
    def _on_activation_picked(self, position: int) -> None:
        self._model.set_activation(self.index, self.activation.itemData(position))

    @Slot(bool)
    def _on_trainable_toggled(self, checked: bool) -> None:
        self._model.set_trainable(self.index, checked)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Focusing a card (Tab, click) selects its layer."""
        super().focusInEvent(event)
        self._model.select(self.index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Up/Down/Home/End move the selection; Escape clears it."""
        key, last = Qt.Key(event.key()), len(self._model.spec) - 1
        targets = {Qt.Key.Key_Up: max(self.index - 1, 0), Qt.Key.Key_Down: min(self.index + 1, last),
                   Qt.Key.Key_Home: 0, Qt.Key.Key_End: last}
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.NoModifier
        if plain and key in targets:
            self._model.select(targets[key])
        elif key == Qt.Key.Key_Escape:
            self._model.select(None)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Select this layer and remember where a drag may start."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._model.select(self.index)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Start dragging the card once the mouse moved far enough."""
        if (self._press is None or self._model.structure_locked
                or (event.position().toPoint() - self._press).manhattanLength()
                < QApplication.startDragDistance()):
            return
        self._press = None
        mime = QMimeData()
        mime.setData(LAYER_MIME, str(self.index).encode())
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(self.grab())
        drag.setHotSpot(event.position().toPoint())
        drag.exec(Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """End a click that did not become a drag."""
        self._press = None
        super().mouseReleaseEvent(event)


class EndCard(_Card):
    """The input card (dataset and shape) or the output card (classes, whole-network problems)."""

    def __init__(self, model: NetworkModel, title: str, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self.setObjectName("endCard")
        self.setAccessibleName(title)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(_bold(QLabel(title, self)))
        self.detail = ElidedLabel(self)
        row.addWidget(self.detail, 1)
        self.body.addLayout(row)
        self.body.addWidget(self.problems)

    def show_end(self, detail: str, problems: tuple[Problem, ...] = ()) -> None:
        """Show the detail line and the problems that concern the whole network."""
        if detail != self.detail.text():
            self.detail.setText(detail)
            self.detail.setToolTip(detail)
            self.setAccessibleDescription(detail)
        self._show_state(problems)

    def set_locked(self, locked: bool) -> None:
        """Disable the fix button."""
        self.problems.fix_button.setEnabled(not locked)
