"""The overfitting notice: where the held-out loss turned up, and the usual remedies one click away."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from playground.core.overfitting import PATIENCE, Turn
from playground.gui.train.form import HyperparameterForm

WEIGHT_DECAY = 1e-4  # the remedy's L2 penalty: it matters on the presets and keeps them training


class OverfitNotice(QFrame):
    """Shown when a run's held-out loss has turned up while its training loss falls: what happened and
    buttons that set a remedy in the form for the next run (early stopping, weight decay, augmentation
    for images). ``applied`` tells what a button changed, for the log."""

    applied = Signal(str)

    def __init__(self, form: HyperparameterForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.turn: Turn | None = None
        self.images = True
        self.setObjectName("overfitNotice")
        self.setStyleSheet("#overfitNotice { background: #fff4ce; border: 1px solid #e0b000; "
                           "border-radius: 3px; } QLabel { color: #1f1f1f; }")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName(self.tr("Overfitting"))
        self.stop_early = self._button(self.tr("Stop early ({0} epochs)").format(PATIENCE), self.tr(
            "Early stopping: end the next run when the held-out loss has not improved for {0} epochs, "
            "and go back to the best epoch's weights").format(PATIENCE))
        self.decay = self._button(self.tr("Weight decay {0:g}").format(WEIGHT_DECAY), self.tr(
            "An L2 penalty that keeps the weights small, so the network fits broad patterns, not single "
            "samples"))
        self.augment = self._button(self.tr("Augment images"), self.tr(
            "Shift and rotate the training images a little each time, so the network cannot memorise them"))
        self.stop_early.clicked.connect(self._on_stop_early)
        self.decay.clicked.connect(self._on_decay)
        self.augment.clicked.connect(self._on_augment)
        close = QToolButton(self)
        close.setText("×")
        close.setAutoRaise(True)
        close.setAccessibleName(self.tr("Close the overfitting notice"))
        close.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.addWidget(self.text, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel(self.tr("For the next run:"), self))
        for button in (self.stop_early, self.decay, self.augment):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(buttons)
        self.hide()

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        return button

    @Slot(object)
    def show_turn(self, turn: Turn | None) -> None:
        """Name ``turn`` (None: hide, a new run began)."""
        self.turn = turn
        if turn is None:
            self.hide()
            return
        self.text.setText(self.tr(
            "Overfitting from epoch {0}: the {1} loss rose from {2:.4f} to {3:.4f} over {4} epoch(s) while "
            "the training loss fell from {5:.4f} to {6:.4f}. The network is memorising its training data. "
            "Besides the remedies below: a Dropout layer, or fewer units, in the editor.").format(
            turn.epoch, self.split_name(turn), turn.best, turn.now, turn.since, turn.train_at_best,
            turn.train_now))
        self.update_buttons()
        self.show()

    def split_name(self, turn: Turn) -> str:
        """The held-out split's name, translated."""
        return self.tr("validation") if turn.split == "validation" else self.tr("test")

    def set_images(self, images: bool) -> None:
        """Whether the dataset holds images (augmentation moves images only)."""
        self.images = images
        self.update_buttons()

    def update_buttons(self) -> None:
        """A remedy already in the form is shown as done."""
        config = self.form.config()
        self.stop_early.setEnabled(config.early_stop == 0)
        self.decay.setEnabled(config.weight_decay == 0)
        self.augment.setEnabled(self.images and not config.augment)
        self.augment.setVisible(self.images)

    @Slot()
    def _on_stop_early(self) -> None:
        self.form.early_stop.setValue(PATIENCE)
        self.update_buttons()
        self.applied.emit(self.tr("Early stopping set to {0} epochs for the next run.").format(PATIENCE))

    @Slot()
    def _on_decay(self) -> None:
        self.form.weight_decay.setValue(WEIGHT_DECAY)
        self.update_buttons()
        self.applied.emit(self.tr("Weight decay set to {0:g} for the next run.").format(WEIGHT_DECAY))

    @Slot()
    def _on_augment(self) -> None:
        self.form.augment.setChecked(True)
        self.update_buttons()
        self.applied.emit(self.tr("Augmentation switched on for the next run."))
