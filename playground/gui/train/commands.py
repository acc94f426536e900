"""RunCommands: the control bar's clicks, the Space key and learning-rate edits, sent to the run."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from playground.errors import PlaygroundError
from playground.gui.train.controls import ControlBar
from playground.gui.train.form import HyperparameterForm
from playground.gui.train.runner import RunController


class RunCommands(QObject):
    """Sends the control bar's clicks (and Space: pause) and learning-rate edits to ``runner``'s run.

    Start, and a step while no run exists, ask for a run through ``start_requested`` ("", "batch" or
    "epoch"); ``toggled`` follows a pause or resume; ``failed`` carries a refused edit's message and hint.
    """

    start_requested = Signal(str)
    toggled = Signal()
    failed = Signal(str, str)

    def __init__(self, controls: ControlBar, form: HyperparameterForm, runner: RunController,
                 panel: QWidget) -> None:
        super().__init__(panel)
        self.controls, self.runner = controls, runner
        form.learning_rate_edited.connect(self._on_learning_rate_edited)
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
        self.runner.toggle_pause()
        self.toggled.emit()

    @Slot()
    def _on_step_batch_clicked(self) -> None:
        if self.runner.active is None:
            self.start_requested.emit("batch")
        else:
            self.runner.active.trainer.step_batch()

    @Slot()
    def _on_step_epoch_clicked(self) -> None:
        if self.runner.active is None:
            self.start_requested.emit("epoch")
        else:
            self.runner.active.trainer.step_epoch()

    @Slot()
    def _on_stop_clicked(self) -> None:
        if self.runner.active is not None:
            self.runner.active.trainer.stop()
            self.controls.stop.setEnabled(False)

    @Slot(float)
    def _on_learning_rate_edited(self, lr: float) -> None:
        if self.runner.active is not None:
            try:
                self.runner.active.trainer.set_learning_rate(lr)
            except PlaygroundError as exc:
                self.failed.emit(exc.message, exc.hint or "")
