"""CanvasNote: a message strip across the foot of the canvas square, so it never moves the layout."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel

from playground.gui.draw.canvas import DrawingCanvas


class CanvasNote(QLabel):
    """A word-wrapped message over the lower edge of the canvas square; clicks pass through."""

    def __init__(self, canvas: DrawingCanvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.setAccessibleName(self.tr("Message"))
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("QLabel { background: rgba(40, 40, 40, 225); color: white; "
                           "border: 1px solid rgb(230, 160, 40); padding: 6px; }")
        self.hide()
        canvas.installEventFilter(self)

    def show_text(self, text: str) -> None:
        """Show a message until ``hide`` is called."""
        self.setText(text)
        self._place()
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the canvas's size."""
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def _place(self) -> None:
        """Stretch across the foot of the square, as tall as the wrapped text needs."""
        square = self.canvas.square().adjusted(8, 8, -8, -8)
        width = max(square.width(), 40)
        height = min(self.heightForWidth(width), square.height())
        self.setGeometry(square.x(), square.bottom() - height, width, height)
