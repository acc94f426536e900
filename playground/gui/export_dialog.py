"""Export a project from the GUI: ask for a file, export with a busy indicator, show the check's result."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QWidget

from playground.core.export import FORMATS, export_project
from playground.core.project import Project
from playground.errors import PlaygroundError

DIR_KEY = "export/last_dir"


def _tr(text: str) -> str:
    return QCoreApplication.translate("export_dialog", text)


def _titles() -> dict[str, str]:
    return {"torchscript": _tr("Export as TorchScript"), "onnx": _tr("Export as ONNX"),
            "script": _tr("Export as PyTorch Training Script")}


def _filters() -> dict[str, str]:
    return {"torchscript": _tr("TorchScript models (*.pt)"), "onnx": _tr("ONNX models (*.onnx)"),
            "script": _tr("Python scripts (*.py)")}


def _default_name(project: Project, fmt: str) -> str:
    stem = "train" if fmt == "script" else "model"
    return f"{stem}-{project.facts.dataset.id.replace(':', '-').replace('/', '-')}{FORMATS[fmt]}"


def ask_export_path(parent: QWidget, project: Project, fmt: str, settings: QSettings) -> Path | None:
    """Ask where to export; the suffix of ``fmt`` is added when missing. None when cancelled."""
    folder = str(settings.value(DIR_KEY, str(Path.home())))
    start = str(Path(folder) / _default_name(project, fmt))
    name, _ = QFileDialog.getSaveFileName(parent, _titles()[fmt], start, _filters()[fmt])
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != FORMATS[fmt]:
        path = path.with_name(path.name + FORMATS[fmt])
    settings.setValue(DIR_KEY, str(path.parent))
    return path


@contextlib.contextmanager
def _busy(parent: QWidget, title: str, text: str) -> Iterator[None]:
    """A wait cursor and a modal progress dialog without steps while the block runs."""
    dialog = QProgressDialog(text, "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(0)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    QApplication.processEvents()
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
        dialog.close()
        dialog.deleteLater()


def export_with_dialog(parent: QWidget, project: Project, fmt: str, settings: QSettings) -> bool:
    """Ask for a file name, export ``project`` as ``fmt`` and say how it went; True when written."""
    path = ask_export_path(parent, project, fmt, settings)
    if path is None:
        return False
    title = _titles()[fmt]
    try:
        with _busy(parent, title, _tr("Exporting to %1 and checking the file...").replace("%1", path.name)):
            summary = export_project(project, fmt, path)
    except PlaygroundError as exc:
        body = exc.message + (f"\n\n{exc.hint}" if exc.hint else "")
        QMessageBox.critical(parent, _tr("Export failed"), body)
        return False
    QMessageBox.information(parent, title, _tr("The export is written and checked.") + "\n\n" + summary)
    return True
