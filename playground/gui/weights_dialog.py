"""The dialog shown when a weights file only partly fits the network: the report, then load or cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from playground.core.weights import WeightsReport


class WeightsDialog(QDialog):
    """Shows a WeightsReport (loaded, missing, unexpected and mis-shaped tensors) and asks whether to
    load only the tensors that match; accepted means load them."""

    def __init__(self, path: Path, report: WeightsReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Weights do not fully fit"))
        intro = QLabel(self.tr("%1 does not match this network exactly: %2 tensors fit, the others are "
                               "listed below. Load only the matching tensors (the rest keep their current "
                               "values), or cancel.").replace("%1", path.name)
                       .replace("%2", str(len(report.loaded))), self)
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report.text(), self)
        self.report.setReadOnly(True)
        self.report.setAccessibleName(self.tr("Weights report"))
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.load_button = self.buttons.addButton(self.tr("Load matching only"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 360)


def confirm_partial(parent: QWidget, path: Path, report: WeightsReport) -> bool:
    """Ask whether to load only the matching tensors of ``path``; True means load them."""
    dialog = WeightsDialog(path, report, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
