"""Small widgets the editor's cards share: an eliding label, a wheel-safe combo, a problem row."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from playground.core.analysis import Fix, Problem

ERROR_MARK = '<span style="color:#d93025; font-weight:bold">✖</span>'
WARNING_MARK = '<span style="color:#e37400; font-weight:bold">⚠</span>'


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when narrow instead of forcing its parent wider."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(24)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the text elided to the label's width."""
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(self.alignment()), text)


class WheelSafeComboBox(QComboBox):
    """A combo box that ignores the mouse wheel unless focused, so scrolling the stack is safe."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Scroll the parent instead while not focused."""
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class ProblemRow(QWidget):
    """The analysis' messages for one card and a button applying the first available fix."""

    def __init__(self, on_fix: Callable[[Fix], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_fix_chosen = on_fix
        self._fix: Fix | None = None
        self._problems: tuple[Problem, ...] = ()
        self.text = QLabel(self)
        self.text.setObjectName("problemText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.fix_button = QPushButton(self)
        self.fix_button.setObjectName("fixButton")
        self.fix_button.clicked.connect(self._on_fix_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setVisible(False)

    def show_problems(self, problems: tuple[Problem, ...]) -> None:
        """Show ``problems`` (nothing when empty)."""
        if problems == self._problems:
            return
        self._problems = problems
        lines = [f"{ERROR_MARK if p.severity == 'error' else WARNING_MARK} {escape(p.message)}"
                 for p in problems]
        self.text.setText("<br>".join(lines))
        self._fix = next((p.fix for p in problems if p.fix is not None), None)
        self.fix_button.setVisible(self._fix is not None)
        if self._fix is not None:
            self.fix_button.setText(self._fix.label)
            self.fix_button.setAccessibleName(self._fix.label)
            self.fix_button.setToolTip(self.tr("Apply this fix (undoable)"))
        self.setVisible(bool(problems))

    @property
    def fix(self) -> Fix | None:
        """The fix the button applies, if any."""
        return self._fix

    @Slot()
    def _on_fix_clicked(self) -> None:
        if self._fix is not None:
            self._on_fix_chosen(self._fix)


def severity(problems: tuple[Problem, ...]) -> str:
    """ "error", "warning" or "ok": the worst of ``problems``."""
    kinds = {p.severity for p in problems}
    return "error" if "error" in kinds else "warning" if kinds else "ok"


def set_style_property(widget: QWidget, name: str, value: str) -> None:
    """Set a property the style sheet selects on, re-polishing only when it changes."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
