"""Atomic file writes: a temporary file in the same folder, flushed, synced, then renamed over."""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from playground.errors import PlaygroundError

READ_ONLY_HINT = "save under another name, or make the file writable"
STALE_SECONDS = 600
"""A temporary of this app older than this is left over from a save that was killed: the next save of the
same file removes it (a save in progress rewrites its temporary within seconds)."""


class ReadOnlyError(PermissionError):
    """The file to replace is read-only; it was left as it was."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EACCES, "the file is read-only", str(path))


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def is_read_only(path: str | Path) -> bool:
    """True when ``path`` (or the file a symlink points to) exists and may not be written: no write
    permission bit at all (which counts for root too), or none for this user."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(path, os.W_OK))


def _remove_stale(path: Path) -> None:
    """Remove temporaries of earlier, killed saves of ``path`` (this module's naming only)."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.part")
    limit = time.time() - STALE_SECONDS
    try:
        with os.scandir(path.parent) as entries:
            for entry in entries:
                if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False) \
                        and entry.stat(follow_symlinks=False).st_mtime < limit:
                    os.unlink(entry.path)
    except OSError:
        return


def atomic_write(path: str | Path, data: bytes, *, replace_read_only: bool = False) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one, never half.

    A symlink is written through: its target gets the new content and the link stays. Temporaries that
    killed saves of the same file left behind are removed.

    Args:
        path: the file.
        data: its new content.
        replace_read_only: replace a read-only file (it stays read-only); otherwise that is refused.

    Raises:
        ReadOnlyError: ``path`` is read-only and ``replace_read_only`` is False.
        OSError: the folder is not writable, the disk is full, ...; the old file is left as it was.
    """
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if not replace_read_only and is_read_only(path):
        raise ReadOnlyError(path)
    _remove_stale(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_file(path: str | Path, data: bytes, hint: str, *, replace_read_only: bool = False,
              verb: str = "save") -> None:
    """``atomic_write``, with a failure as a PlaygroundError "cannot <verb> <path>: <reason>" and ``hint``."""
    try:
        atomic_write(path, data, replace_read_only=replace_read_only)
    except ReadOnlyError:
        raise PlaygroundError(f"cannot {verb} {path}: the file is read-only", READ_ONLY_HINT) from None
    except OSError as exc:
        raise PlaygroundError(f"cannot {verb} {path}: {exc.strerror or exc}", hint) from None
