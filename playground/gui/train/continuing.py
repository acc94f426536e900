"""Helpers for continuing training: the Reset-weights button, edits of the form, the log line, overlays."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QStyle, QToolButton, QWidget

from playground.gui.train.form import HyperparameterForm


def _tr(source: str) -> str:
    return QCoreApplication.translate("TrainingPanel", source)


def reset_button(parent: QWidget) -> QToolButton:
    """The "Reset" tool button for the trained weights, a row of the settings form."""
    button = QToolButton(parent)
    button.setText(_tr("Reset"))
    button.setIcon(parent.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAccessibleName(_tr("Reset weights"))
    button.setToolTip(_tr("Forget the trained weights: the next run starts from fresh ones"))
    return button


def watch_form(form: HyperparameterForm, edited: Callable[[], object]) -> None:
    """Call ``edited`` after any field of ``form`` changes."""
    for combo in (form.optimizer, form.loss, form.init, form.schedule, form.device):
        combo.currentIndexChanged.connect(edited)
    for spin in (form.learning_rate, form.batch_size, form.epochs, form.weight_decay, form.seed,
                 form.validation, form.early_stop):
        spin.valueChanged.connect(edited)
    form.augment.toggled.connect(edited)


def continuing_line(epoch: int, batch: int) -> str:
    """The log line of a run that continues a ResumeState at (``epoch``, ``batch`` done)."""
    if batch:
        return _tr("Continuing from epoch {0}, batch {1}.").format(epoch, batch + 1)
    return _tr("Continuing from epoch {0}.").format(epoch + 1)

