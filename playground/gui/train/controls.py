"""Training controls (start, pause/resume, step, stop), the coloured state label and the message banner."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QStyle,
    QToolButton,
    QWidget,
)

from playground.core.metrics import RunState
from playground.gui.train.style import STATE_COLOURS


class ControlBar(QWidget):
    """The buttons; the panel decides what they do and calls ``set_mode`` as the run changes state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        icon = self.style().standardIcon
        sp = QStyle.StandardPixmap
        self.start = self._button(self.tr("Start"), self.tr("Start training"), icon(sp.SP_MediaPlay))
        self.pause = self._button(self.tr("Pause"), self.tr("Pause training"), icon(sp.SP_MediaPause))
        self.step_batch = self._button(self.tr("Batch"), self.tr("Step one batch"),
                                       icon(sp.SP_MediaSkipForward))
        self.step_epoch = self._button(self.tr("Epoch"), self.tr("Step one epoch"),
                                       icon(sp.SP_MediaSeekForward))
        self.stop = self._button(self.tr("Stop"), self.tr("Stop training"), icon(sp.SP_MediaStop))
        self.state = QLabel(self)
        self.state.setObjectName("trainingState")
        self.state.setAccessibleName(self.tr("Training state"))
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state.setMinimumWidth(76)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.start, self.pause, self.step_batch, self.step_epoch, self.stop):
            layout.addWidget(button)
        layout.addStretch(1)
        self.step_batch.setToolTip(self.tr("Train one batch, then pause (starts a paused run when idle)"))
        self.step_epoch.setToolTip(self.tr("Train to the end of this epoch, then pause"))
        self.stop.setToolTip(self.tr("Stop at the end of this batch; the weights are kept"))
        self.set_mode("idle", can_start=False, reason="")

    def _button(self, text: str, name: str, icon) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon)
        button.setText(text)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAccessibleName(name)
        button.setToolTip(name)
        return button

    def set_mode(self, mode: str, can_start: bool, reason: str) -> None:
        """``mode`` is idle, running or paused; ``reason`` says why Start is disabled."""
        idle = mode == "idle"
        self.start.setEnabled(idle and can_start)
        self.start.setToolTip(self.tr("Start training") if can_start or not idle else reason)
        paused = mode == "paused"
        self.pause.setEnabled(not idle)
        self.pause.setText(self.tr("Resume") if paused else self.tr("Pause"))
        self.pause.setAccessibleName(self.tr("Resume training") if paused else self.tr("Pause training"))
        self.pause.setToolTip(self.tr("{0} (Space)").format(self.pause.accessibleName()))
        self.pause.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MediaPlay if paused else QStyle.StandardPixmap.SP_MediaPause))
        for button in (self.step_batch, self.step_epoch):
            button.setEnabled(not idle or can_start)
        self.stop.setEnabled(not idle)

    def state_label(self, state: RunState) -> str:
        """The word shown for ``state``."""
        return {RunState.IDLE: self.tr("Idle"), RunState.RUNNING: self.tr("Running"),
                RunState.PAUSED: self.tr("Paused"), RunState.FINISHED: self.tr("Finished"),
                RunState.STOPPED: self.tr("Stopped"), RunState.DIVERGED: self.tr("Diverged"),
                RunState.FAILED: self.tr("Error")}[state]

    def show_state(self, state: RunState) -> None:
        """The coloured state label for ``state``."""
        colour = STATE_COLOURS[state]
        self.state.setText(self.state_label(state))
        self.state.setStyleSheet(f"QLabel {{ color: white; background: {colour}; border-radius: 3px; "
                                 "padding: 2px 8px; font-weight: bold; }")


class MessageBanner(QFrame):
    """An inline message with its hint (errors in red, warnings in amber), closed with its button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName(self.tr("Message"))
        close = QToolButton(self)
        close.setText("×")
        close.setAccessibleName(self.tr("Close the message"))
        close.setAutoRaise(True)
        close.clicked.connect(self._on_close)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, message: str, hint: str = "", error: bool = True) -> None:
        """Show ``message`` and, below it, what to do about it."""
        border, background = ("#b3261e", "#fde7e9") if error else ("#e0b000", "#fff4ce")
        self.setStyleSheet(f"#messageBanner {{ background: {background}; border: 1px solid {border}; "
                           "border-radius: 3px; } QLabel { color: #1f1f1f; }")
        self.text.setText(message + (f"\n{self.tr('Hint:')} {hint}" if hint else ""))
        self.show()

    @Slot()
    def _on_close(self) -> None:
        self.hide()


def splitter(orientation: Qt.Orientation, *parts: tuple[QWidget, int]) -> QSplitter:
    """A splitter holding ``(widget, stretch)`` parts that cannot be collapsed away."""
    split = QSplitter(orientation)
    for index, (widget, stretch) in enumerate(parts):
        split.addWidget(widget)
        split.setStretchFactor(index, stretch)
    split.setChildrenCollapsible(False)
    return split


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a vertical scroll area as wide as the widget wants."""
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    scroll.setMinimumWidth(min(widget.sizeHint().width() + 16, 170))
    return scroll
