"""The layer stack: input card, one reusable card per layer, output card; drop to reorder."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QPoint, Qt, Slot
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QVBoxLayout, QWidget

from playground.core.analysis import Analysis
from playground.core.layers import LAYER_TYPES
from playground.gui.editor import text
from playground.gui.editor.card import LAYER_MIME, EndCard, LayerCard
from playground.gui.editor.model import NO_SELECTION, NetworkModel

STYLE = """
QFrame#layerCard, QFrame#endCard {
    border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }
QFrame#endCard { background: palette(alternate-base); }
QFrame#layerCard[frozen="true"] { border: 1px dashed #1a73e8; background: rgba(26, 115, 232, 22); }
QFrame#layerCard[state="warning"], QFrame#endCard[state="warning"] {
    border: 1px solid #e37400; background: rgba(227, 116, 0, 36); }
QFrame#layerCard[state="error"], QFrame#endCard[state="error"] {
    border: 1px solid #d93025; background: rgba(217, 48, 37, 36); }
QFrame#layerCard[selected="true"] { border: 2px solid palette(highlight); }
QFrame#dropIndicator { background: palette(highlight); border: none; }
"""


class _Column(QWidget):
    """The scrolled column of cards; accepts dropped cards and shows where they will land."""

    def __init__(self, stack: LayerStack) -> None:
        super().__init__()
        self._stack = stack
        self.setAcceptDrops(True)
        self.indicator = QFrame(self)
        self.indicator.setObjectName("dropIndicator")
        self.indicator.hide()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept only cards of this stack while edits are allowed."""
        if event.mimeData().hasFormat(LAYER_MIME) and not self._stack.model.structure_locked:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        """Draw the insertion line under the pointer."""
        slot = self._stack.slot_at(event.position().toPoint().y())
        y = self._stack.slot_y(slot)
        self.indicator.setGeometry(8, y - 2, self.width() - 16, 4)
        self.indicator.show()
        self.indicator.raise_()
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        """Hide the insertion line."""
        self.indicator.hide()

    def dropEvent(self, event: QDropEvent) -> None:
        """Move the dragged layer to the slot under the pointer."""
        self.indicator.hide()
        source = int(bytes(event.mimeData().data(LAYER_MIME).data()).decode())
        self._stack.drop_at(source, event.position().toPoint())
        event.acceptProposedAction()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click between cards clears the selection (the palette then appends)."""
        self._stack.model.select(None)
        super().mousePressEvent(event)


class LayerStack(QScrollArea):
    """Shows the model's layers as cards, reusing card widgets so an edit only updates what changed."""

    def __init__(self, model: NetworkModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setAccessibleName(self.tr("Layer stack"))
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.column = _Column(self)
        self.column.setStyleSheet(STYLE)
        self._layout = QVBoxLayout(self.column)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(6)
        self.input_card = EndCard(model, self.tr("Input"), self.column)
        self.output_card = EndCard(model, self.tr("Output"), self.column)
        self._layout.addWidget(self.input_card)
        self._layout.addWidget(self.output_card)
        self._layout.addStretch(1)
        self.setWidget(self.column)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.cards: list[LayerCard] = []
        self._spare: list[LayerCard] = []  # hidden cards kept for reuse: creating one costs ~2 ms
        model.analysis_changed.connect(self._on_analysis_changed)
        model.selection_changed.connect(self._on_selection_changed)
        model.structure_lock_changed.connect(self._on_structure_lock_changed)
        model.dataset_changed.connect(self._on_dataset_changed)
        cast(QApplication, QApplication.instance()).focusChanged.connect(self._on_focus_changed)
        self._on_analysis_changed(model.analysis)
        # Narrow docks scroll sideways rather than push the window past a 1366-pixel screen.
        self.setMinimumWidth(min(self._widest_card() + self.verticalScrollBar().sizeHint().width() + 24, 306))

    def _widest_card(self) -> int:
        """The minimum width of a card showing the widest type name of the catalogue."""
        probe = LayerCard(self.model, self.column)
        probe.hide()
        self._spare.append(probe)
        probe.type_label.setText(max(LAYER_TYPES, key=probe.type_label.fontMetrics().horizontalAdvance))
        return probe.minimumSizeHint().width()

    def card(self, index: int) -> LayerCard:
        """The card showing layer ``index``."""
        return self.cards[index]

    def slot_at(self, y: int) -> int:
        """The insertion slot (0..layers) nearest to column coordinate ``y``."""
        return sum(1 for card in self.cards if card.geometry().center().y() < y)

    def slot_y(self, slot: int) -> int:
        """The column y coordinate of the gap before card ``slot``."""
        spacing = self._layout.spacing() // 2
        if slot < len(self.cards):
            return self.cards[slot].geometry().top() - spacing
        return self.output_card.geometry().top() - spacing

    def _focus_inside(self) -> bool:
        focused = QApplication.focusWidget()
        return focused is not None and self.isAncestorOf(focused)

    @Slot(object)
    def _on_analysis_changed(self, analysis: Analysis) -> None:
        spec, had_focus = self.model.spec, self._focus_inside()
        while len(self.cards) < len(spec):
            card = self._spare.pop() if self._spare else LayerCard(self.model, self.column)
            card.set_locked(self.model.structure_locked)
            self._layout.insertWidget(len(self.cards) + 1, card)
            card.show()
            self.cards.append(card)
        while len(self.cards) > len(spec):
            card = self.cards.pop()
            self._layout.removeWidget(card)
            card.hide()
            self._spare.append(card)
        for i, card in enumerate(self.cards):
            card.show_layer(i, spec.layers[i], analysis.layers[i], analysis.problems_for(i))
        self._on_dataset_changed(self.model.dataset_name)
        self.output_card.show_end(text.outputs(analysis.outputs, self.model.task),
                                  tuple(p for p in analysis.problems if p.layer is None))
        self._show_selection(self.model.selected, had_focus)

    @Slot(str)
    def _on_dataset_changed(self, name: str) -> None:
        self.input_card.show_end(f"{name} · {text.shape(self.model.input_shape)}" if name
                                 else text.shape(self.model.input_shape))

    @Slot(int)
    def _on_selection_changed(self, index: int) -> None:
        self._show_selection(None if index == NO_SELECTION else index, self._focus_inside())

    def _show_selection(self, index: int | None, take_focus: bool) -> None:
        """Highlight the selected card, scroll to it, and move the focus to it if the stack had it."""
        for i, card in enumerate(self.cards):
            card.set_selected(i == index)
        if index is not None:
            card = self.cards[index]
            self.ensureWidgetVisible(card, 0, 8)
            focused = QApplication.focusWidget()
            on_card = focused is not None and (focused is card or card.isAncestorOf(focused))
            if take_focus and not on_card:
                card.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(bool, str)
    def _on_structure_lock_changed(self, locked: bool, reason: str) -> None:
        for card in self.cards:
            card.set_locked(locked)
        self.output_card.set_locked(locked)

    @Slot(QWidget, QWidget)
    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """Focusing a card's combo or checkbox selects that card's layer too."""
        while new is not None and not isinstance(new, LayerCard):
            new = new.parentWidget()
        if new is not None and new in self.cards:
            self.model.select(new.index)

    def drop_at(self, source: int, pos: QPoint) -> None:
        """Move layer ``source`` to the slot nearest to column position ``pos``."""
        slot = self.slot_at(pos.y())
        self.model.move_layer(source, slot if slot <= source else slot - 1)
