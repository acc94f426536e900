"""RunCommands: the control bar's clicks and the Space key, sent to the session's run."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from playground.gui.session import TrainingSession
from playground.gui.train.controls import ControlBar


class RunCommands(QObject):
    """Sends the control bar's clicks (and Space: pause) to ``session``'s run.

    Start, and a step while no run exists, ask for a run through ``start_requested`` ("", "batch" or
    "epoch"); ``toggled`` follows a pause or resume.
    """

    start_requested = Signal(str)
    toggled = Signal()

    def __init__(self, controls: ControlBar, session: TrainingSession, panel: QWidget) -> None:
        super().__init__(panel)
        self.controls, self.session = controls, session
        controls.start.clicked.connect(self._on_start_clicked)
        controls.pause.clicked.connect(self._on_pause_clicked)
        controls.step_batch.clicked.connect(self._on_step_batch_clicked)
        controls.step_epoch.clicked.connect(self._on_step_epoch_clicked)
        controls.stop.clicked.connect(self._on_stop_clicked)
        space = QShortcut(QKeySequence(Qt.Key.Key_Space), panel)
        space.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        space.activated.connect(self._on_pause_clicked)

    @Slot()
    def _on_start_clicked(self) -> None:
        self.start_requested.emit("")

    @Slot()
    def _on_pause_clicked(self) -> None:
        self.session.toggle_pause()
        self.toggled.emit()

    @Slot()
    def _on_step_batch_clicked(self) -> None:
        if self.session.trainer is None:
            self.start_requested.emit("batch")
        else:
            self.session.trainer.step_batch()

    @Slot()
    def _on_step_epoch_clicked(self) -> None:
        if self.session.trainer is None:
            self.start_requested.emit("epoch")
        else:
            self.session.trainer.step_epoch()

    @Slot()
    def _on_stop_clicked(self) -> None:
        if self.session.trainer is not None:
            self.session.trainer.stop()
            self.controls.stop.setEnabled(False)
