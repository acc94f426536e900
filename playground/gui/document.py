"""Reading and writing network spec files: size-capped reads, atomic writes, errors a person can act on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QIODevice, QSaveFile

from playground.core.spec import NetworkSpec
from playground.errors import PlaygroundError, SpecError

MAX_SPEC_BYTES = 4 * 1024 * 1024


def _tr(text: str) -> str:
    return QCoreApplication.translate("document", text)


def read_spec(path: Path) -> NetworkSpec:
    """Read a network spec file.

    Raises:
        SpecError: the file cannot be read, is too large, or is not a valid spec (message names the file).
    """
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise SpecError(_tr("%1 is too large for a network spec").replace("%1", path.name),
                            _tr("network specs are small JSON files (.json)"))
        data = path.read_bytes()
        content = data.decode("utf-8")
    except OSError as exc:
        raise SpecError(_tr("cannot read %1: %2").replace("%1", str(path))
                        .replace("%2", exc.strerror or str(exc))) from None
    except UnicodeDecodeError:
        raise SpecError(_tr("%1 is not a text file").replace("%1", path.name),
                        _tr("open a network spec saved by this app (.json)")) from None
    try:
        return NetworkSpec.from_json(content)
    except SpecError as exc:
        raise SpecError(f"{path.name}: {exc.message}", exc.hint) from None


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
