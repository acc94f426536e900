"""The network editor: palette | layer stack | properties and totals, and the layer actions."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground.gui.editor.form import PropertyForm
from playground.gui.editor.model import NetworkModel
from playground.gui.editor.palette import LayerPalette
from playground.gui.editor.stack import LayerStack
from playground.gui.editor.summary import NetworkSummary

PALETTE_WIDTH = 200
WIDE = 1000  # editor width from which the properties sit beside the stack rather than below it
WIDE_SIZES, NARROW_SIZES = (620, 320), (620, 380)
BANNER_STYLE = "QLabel { background: rgba(227, 116, 0, 40); border: 1px solid #e37400; padding: 6px; }"


class NetworkEditor(QWidget):
    """Everything that edits the network; the actions are shared with the main window's Edit menu.

    Wide (a window of its own), the properties and totals form a third column; narrow (a dock beside
    other panels), they move under the stack, totals first, so the editor stays usable at ~560 px.
    """

    def __init__(self, model: NetworkModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.palette_panel = LayerPalette(model)
        self.stack = LayerStack(model)
        self.form = PropertyForm(model)
        self.summary = NetworkSummary(model)
        self.banner = QLabel(self)
        self.banner.setObjectName("lockBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.keys = QGroupBox(self.tr("Keyboard"))
        self.keys_text = QLabel(self.keys)
        self.keys_text.setTextFormat(Qt.TextFormat.RichText)
        self.keys_text.setWordWrap(True)
        QVBoxLayout(self.keys).addWidget(self.keys_text)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("editorSplitter")
        self.inner = QSplitter(Qt.Orientation.Horizontal)  # _arrange sets the orientation
        self.inner.setObjectName("stackSplitter")
        self._side = QVBoxLayout()
        self._build_layout()
        self._arrange(wide=False)  # narrow until shown wide: its minimum width is the smaller one
        self.reset_layout()
        self.delete_action = self._action(self.tr("&Delete Layer"), QKeySequence.StandardKey.Delete,
                                          self._on_delete_triggered)
        self.duplicate_action = self._action(self.tr("D&uplicate Layer"), QKeySequence("Ctrl+D"),
                                             self._on_duplicate_triggered)
        self.move_up_action = self._action(self.tr("Move Layer &Up"), QKeySequence("Alt+Up"),
                                           self._on_move_up_triggered)
        self.move_down_action = self._action(self.tr("Move Layer Do&wn"), QKeySequence("Alt+Down"),
                                             self._on_move_down_triggered)
        self.actions_for_layers = (self.delete_action, self.duplicate_action, self.move_up_action,
                                   self.move_down_action)
        self._set_tab_order()
        self._show_keys()
        model.selection_changed.connect(self._on_selection_changed)
        model.analysis_changed.connect(self._on_analysis_changed)
        model.structure_lock_changed.connect(self._on_structure_lock_changed)
        self._update_actions()

    def _build_layout(self) -> None:
        palette_scroll = QScrollArea()
        palette_scroll.setWidget(self.palette_panel)
        palette_scroll.setWidgetResizable(True)
        palette_scroll.setFrameShape(QFrame.Shape.NoFrame)
        palette_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        palette_scroll.setMinimumWidth(min(self.palette_panel.minimumSizeHint().width(), 150))
        side = QWidget()
        self._side.setContentsMargins(0, 0, 4, 0)
        side.setLayout(self._side)
        for widget in (self.form, self.summary, self.keys):
            self._side.addWidget(widget)
        self._side.addStretch(1)
        side_scroll = QScrollArea()
        side_scroll.setWidget(side)
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setMinimumWidth(side.minimumSizeHint().width())
        self.inner.addWidget(self.stack)
        self.inner.addWidget(side_scroll)
        self.inner.setStretchFactor(0, 1)
        self.inner.setChildrenCollapsible(False)
        self.splitter.addWidget(palette_scroll)
        self.splitter.addWidget(self.inner)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

    def reset_layout(self) -> None:
        """Put the splitters back to their default proportions."""
        self.splitter.setSizes([PALETTE_WIDTH, max(self.width() - PALETTE_WIDTH, 1)])
        self.inner.setSizes(list(WIDE_SIZES if self.is_wide() else NARROW_SIZES))

    def is_wide(self) -> bool:
        """True while the properties form a column beside the stack."""
        return self.inner.orientation() == Qt.Orientation.Horizontal

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Put the properties beside the stack when wide, under it when narrow."""
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE
        if wide != self.is_wide():
            self._arrange(wide)

    def _arrange(self, wide: bool) -> None:
        self.inner.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)
        self._side.insertWidget(0, self.form if wide else self.summary)
        self.keys.setVisible(wide)
        self.inner.setSizes(list(WIDE_SIZES if wide else NARROW_SIZES))

    def _action(self, label: str, keys: QKeySequence | QKeySequence.StandardKey, slot: object) -> QAction:
        action = QAction(label, self)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _show_keys(self) -> None:
        """List the editor's keys, taken from the actions themselves."""
        rows = [(self.tr("Up / Down"), self.tr("Select the previous / next layer")),
                (self.tr("Tab"), self.tr("Next control (palette, cards, form)"))]
        rows += [(a.shortcut().toString(QKeySequence.SequenceFormat.NativeText), a.text().replace("&", ""))
                 for a in self.actions_for_layers]
        cells = "".join(f"<tr><td><b>{escape(key)}</b>&nbsp;&nbsp;</td><td>{escape(what)}</td></tr>"
                        for key, what in rows)
        self.keys_text.setText(f"<table>{cells}</table>")

    def _set_tab_order(self) -> None:
        """Palette, then each card and its controls, then the form: the order a person reads them."""
        chain: list[QWidget] = list(self.palette_panel.buttons.values())
        for card in self.stack.cards:
            chain += [card, card.activation, card.trainable, card.problems.fix_button]
        chain += list(self.form.fields.values())
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _update_actions(self) -> None:
        index, count = self.model.selected, len(self.model.spec)
        editable = index is not None and not self.model.structure_locked
        self.delete_action.setEnabled(editable)
        self.duplicate_action.setEnabled(editable)
        self.move_up_action.setEnabled(index is not None and editable and index > 0)
        self.move_down_action.setEnabled(index is not None and editable and index < count - 1)

    @Slot(int)
    def _on_selection_changed(self, _index: int) -> None:
        self._update_actions()
        self._set_tab_order()

    @Slot(object)
    def _on_analysis_changed(self, _analysis: object) -> None:
        self._update_actions()
        self._set_tab_order()

    @Slot(bool, str)
    def _on_structure_lock_changed(self, locked: bool, reason: str) -> None:
        self.banner.setText(reason or self.tr("Editing is locked."))
        self.banner.setVisible(locked)
        self._update_actions()

    @Slot()
    def _on_delete_triggered(self) -> None:
        if self.model.selected is not None:
            self.model.remove_layer(self.model.selected)

    @Slot()
    def _on_duplicate_triggered(self) -> None:
        if self.model.selected is not None:
            self.model.duplicate_layer(self.model.selected)

    @Slot()
    def _on_move_up_triggered(self) -> None:
        if self.model.selected is not None:
            self.model.move_layer(self.model.selected, self.model.selected - 1)

    @Slot()
    def _on_move_down_triggered(self) -> None:
        if self.model.selected is not None:
            self.model.move_layer(self.model.selected, self.model.selected + 1)
