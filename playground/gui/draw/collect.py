"""MyDrawingsBox: pick a label, add the current input to "my drawings", see the count per label."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from playground.data.drawings import drawing_counts, drawings_dir
from playground.errors import PlaygroundError


class MyDrawingsBox(QGroupBox):
    """A class picker, an "Add to my drawings" button and the saved count per label.

    The panel does the saving when ``add_requested`` carries the picked label, then calls
    ``refresh``.
    """

    add_requested = Signal(int)

    def __init__(self, class_names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(self.tr("My drawings"), parent)
        self.class_names = tuple(class_names)
        self.picker = QComboBox(self)
        self.picker.addItems(list(self.class_names))
        self.picker.setAccessibleName(self.tr("Label for the drawing"))
        self.picker.setToolTip(self.tr("What the drawing shows"))
        self.add_button = QPushButton(self.tr("Add to my drawings"), self)
        self.add_button.setToolTip(self.tr("Save the 28x28 input with this label to your own dataset"))
        self.add_button.clicked.connect(self._on_add_clicked)
        self.add_button.setEnabled(False)
        self.counts = QLabel(self)
        self.counts.setAccessibleName(self.tr("Saved drawings"))
        self.counts.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Label:"), self))
        row.addWidget(self.picker)
        row.addWidget(self.add_button, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.counts)
        self.refresh()

    def label(self) -> int:
        """The picked label (a class index)."""
        return self.picker.currentIndex()

    def set_can_add(self, can_add: bool) -> None:
        """Enable the button only when there is a drawing to add."""
        self.add_button.setEnabled(can_add)

    @Slot()
    def refresh(self) -> None:
        """Show the saved count per label (an unreadable folder says so)."""
        folder = drawings_dir()
        self.counts.setToolTip(self.tr("Saved as IDX files in %1").replace("%1", str(folder)))
        try:
            counts = drawing_counts()
        except PlaygroundError as exc:
            self.counts.setText(self.tr("Cannot read my drawings: %1").replace("%1", str(exc)))
            return
        if not counts:
            self.counts.setText(self.tr("None saved yet."))
            return
        parts = [
            self.tr("%1: %2").replace("%2", str(count)).replace("%1", self.name_of(label))
            for label, count in sorted(counts.items())
        ]
        total = sum(counts.values())
        self.counts.setText(self.tr("Saved per label: %1 (%2 in all)").replace("%2", str(total))
                            .replace("%1", ", ".join(parts)))

    def name_of(self, label: int) -> str:
        """The class name of a label, or the number itself beyond the known names."""
        return self.class_names[label] if label < len(self.class_names) else str(label)

    @Slot()
    def _on_add_clicked(self) -> None:
        """Ask the panel to save the drawing with the picked label."""
        self.add_requested.emit(self.label())
