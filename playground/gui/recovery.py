"""Autosave and recovery: unsaved projects are copied to a recovery file, offered back after a crash."""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from playground.atomic import atomic_write
from playground.core.project import PROJECT_SUFFIX, load_project, save_project
from playground.data.drawings import data_root
from playground.errors import PlaygroundError
from playground.gui.files import ProjectFiles, show_error
from playground.gui.session import TrainingSession
from playground.safe_read import read_json

AUTOSAVE_MS = 60_000
FOLDER = "recovery"
DAMAGED = "damaged"
MAX_META_BYTES = 64 * 1024


def recovery_dir() -> Path:
    """Where the recovery file lives: ``recovery`` in the app's data folder ($NN_PLAYGROUND_DATA)."""
    return data_root() / FOLDER


class Recovery(QObject):
    """Keeps a copy of the unsaved project in the recovery folder (every ``interval_ms`` while it has
    changes, when a run of ``session`` ends, and when asked) and removes it after a save or a clean close.
    One app instance owns the folder (a lock file); a second one neither autosaves nor offers recovery.
    ``said`` carries a status-bar line (a failed autosave)."""

    said = Signal(str)

    def __init__(self, files: ProjectFiles, session: TrainingSession, window: QWidget,
                 interval_ms: int = AUTOSAVE_MS) -> None:
        super().__init__(window)
        self.files, self._window = files, window
        self.folder = recovery_dir()
        self.project_path = self.folder / f"autosave{PROJECT_SUFFIX}"
        self.meta_path = self.folder / "autosave.json"
        self._lock: QLockFile | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            self.folder = Path()
        else:
            lock = QLockFile(str(self.folder / "instance.lock"))
            if lock.tryLock(0):
                self._lock = lock
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)
        files.saved.connect(self.discard)
        session.run_finished.connect(self.autosave)
        if self._lock is not None:
            self.timer.start()

    @property
    def enabled(self) -> bool:
        """True when this instance owns the recovery folder."""
        return self._lock is not None

    def pending(self) -> bool:
        """True when a recovery file from an earlier, unclean exit is waiting."""
        return self.enabled and self.project_path.is_file()

    @Slot()
    def autosave(self, *_args: object) -> bool:
        """Copy the project to the recovery file if it has unsaved changes; True when written."""
        document = self.files.document
        if not self.enabled or not document.is_modified:
            return False
        try:
            save_project(self.project_path, document.project())
            meta = {"path": str(self.files.path) if self.files.path else ""}
            atomic_write(self.meta_path, json.dumps(meta).encode("utf-8"))
        except (PlaygroundError, OSError) as exc:
            self.said.emit(self.tr("Autosave failed: %1").replace("%1", str(exc)))
            return False
        return True

    @Slot()
    def discard(self) -> None:
        """Remove the recovery file (after a save, a clean close, or when the person discards it)."""
        if not self.enabled:
            return
        for path in (self.project_path, self.meta_path):
            path.unlink(missing_ok=True)

    def offer(self) -> bool:
        """After an unclean exit, ask to restore the unsaved project; True when it was restored. A recovery
        file that cannot be read is moved aside (to ``damaged/``) and reported instead."""
        if not self.pending():
            return False
        try:
            project = load_project(self.project_path)
        except PlaygroundError as exc:
            self._report_damaged(exc)
            return False
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self._window, self.tr("Restore unsaved project?"),
            self.tr("The Neural Network Playground did not close properly last time. Restore the project "
                    "with its unsaved changes? (Discard deletes them.)"),
            buttons.Yes | buttons.Discard, buttons.Yes)
        if answer != buttons.Yes:
            self.discard()
            return False
        self.files.restore(project, self._original_path())
        return True

    def _report_damaged(self, error: PlaygroundError) -> None:
        """Move the unreadable recovery file aside, so the next start does not stumble on it, and say so."""
        folder = self.folder / DAMAGED
        stamp = time.strftime("%Y%m%d-%H%M%S")
        try:
            folder.mkdir(exist_ok=True)
            for path in (self.project_path, self.meta_path):
                if path.exists():
                    path.replace(folder / f"{path.stem}-{stamp}{path.suffix}")
            where = self.tr("It was moved to %1.").replace("%1", str(folder))
        except OSError:
            self.discard()
            where = self.tr("It was deleted.")
        text = self.tr("The unsaved project kept from last time cannot be restored: %1")
        text = text.replace("%1", error.message)
        show_error(self._window, self.tr("Cannot restore the unsaved project"), PlaygroundError(text, where))

    def close(self) -> None:
        """A clean close: no recovery file is left, and the folder is free for the next instance."""
        self.timer.stop()
        self.discard()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _original_path(self) -> Path | None:
        try:
            path = read_json(self.meta_path, MAX_META_BYTES).get("path", "")
        except (PlaygroundError, AttributeError):
            return None
        return Path(path) if isinstance(path, str) and path and "\x00" not in path else None
