"""Writing network spec files: atomic writes, errors a person can act on (reading is core.specfile)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QIODevice, QSaveFile

from playground.core.spec import NetworkSpec
from playground.errors import PlaygroundError


def _tr(text: str) -> str:
    return QCoreApplication.translate("document", text)


def write_spec(path: Path, spec: NetworkSpec) -> None:
    """Write ``spec`` as JSON atomically: the old file stays intact unless the whole write succeeds.

    Raises:
        PlaygroundError: the file cannot be written (message names the file and the reason).
    """
    data = (spec.to_json() + "\n").encode("utf-8")
    out = QSaveFile(str(path))
    if not out.open(QIODevice.OpenModeFlag.WriteOnly):
        raise _write_error(path, out.errorString())
    if out.write(data) != len(data):
        reason = out.errorString()
        out.cancelWriting()
        raise _write_error(path, reason)
    if not out.commit():
        raise _write_error(path, out.errorString())


def _write_error(path: Path, reason: str) -> PlaygroundError:
    return PlaygroundError(_tr("cannot save %1: %2").replace("%1", str(path)).replace("%2", reason),
                           _tr("choose another folder or free some disk space, then save again"))
