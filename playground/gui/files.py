"""The File menu's work: New, Open, Save, Save As, recent networks, and the unsaved-changes prompt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from playground.core.spec import NetworkSpec
from playground.errors import PlaygroundError
from playground.gui.document import read_spec, write_spec
from playground.gui.editor.model import NetworkModel

MAX_RECENT = 8
RECENT_KEY, PATH_KEY, DIR_KEY = "files/recent", "network/path", "files/last_dir"


def show_error(parent: QWidget, title: str, error: PlaygroundError) -> None:
    """A message box with the error's message and hint; never a traceback."""
    body = error.message + (f"\n\n{error.hint}" if error.hint else "")
    QMessageBox.critical(parent, title, body)


class NetworkFiles(QObject):
    """Ties the model to a file on disk; ``path_changed`` carries the new path ("" for untitled)."""

    path_changed = Signal(str)

    def __init__(self, model: NetworkModel, settings: QSettings, window: QWidget) -> None:
        super().__init__(window)
        self._model, self._settings, self._window = model, settings, window
        self.path: Path | None = None
        self.baseline = model.spec
        self.new_action = self._action(self.tr("&New"), QKeySequence.StandardKey.New, self._on_new_triggered)
        self.open_action = self._action(self.tr("&Open Network..."), QKeySequence.StandardKey.Open,
                                        self._on_open_triggered)
        self.save_action = self._action(self.tr("&Save Network"), QKeySequence.StandardKey.Save,
                                        self._on_save_triggered)
        self.save_as_action = self._action(self.tr("Save Network &As..."), QKeySequence.StandardKey.SaveAs,
                                           self._on_save_as_triggered)
        self.recent_menu = QMenu(self.tr("Recent &Networks"), window)
        self.recent_menu.aboutToShow.connect(self._on_recent_about_to_show)
        model.structure_lock_changed.connect(self._on_structure_lock_changed)

    def _action(self, text: str, keys: QKeySequence.StandardKey, slot: object) -> QAction:
        action = QAction(text, self._window)
        action.setShortcut(keys)
        action.triggered.connect(slot)
        return action

    # --- operations (return False when cancelled or failed) ----------------------------------

    def new(self) -> bool:
        """Start an empty, untitled network."""
        if not self.maybe_save():
            return False
        self._reset(NetworkSpec(), None)
        return True

    def open(self) -> bool:
        """Ask for a spec file and open it."""
        if not self.maybe_save():
            return False
        name, _ = QFileDialog.getOpenFileName(self._window, self.tr("Open Network"), self._start_dir(),
                                              self.tr("Network specs (*.json);;All files (*)"))
        return bool(name) and self.open_path(Path(name))

    def open_path(self, path: Path) -> bool:
        """Open ``path`` without asking; errors are shown in a message box."""
        try:
            spec = read_spec(path)
        except PlaygroundError as exc:
            show_error(self._window, self.tr("Cannot open the network"), exc)
            return False
        self._reset(spec, path)
        return True

    def save(self) -> bool:
        """Save to the current file, or ask for one."""
        if self.path is None:
            return self.save_as()
        try:
            write_spec(self.path, self._model.spec)
        except PlaygroundError as exc:
            show_error(self._window, self.tr("Cannot save the network"), exc)
            return False
        self.baseline = self._model.spec
        self._model.undo_stack.setClean()
        self._remember(self.path)
        return True

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        start = str(self.path) if self.path else str(Path(self._start_dir()) / self.tr("network.json"))
        name, _ = QFileDialog.getSaveFileName(self._window, self.tr("Save Network As"), start,
                                              self.tr("Network specs (*.json)"))
        if not name:
            return False
        path = Path(name) if Path(name).suffix else Path(name).with_suffix(".json")
        previous, self.path = self.path, path
        if self.save():
            self.path_changed.emit(str(path))
            return True
        self.path = previous
        return False

    def maybe_save(self) -> bool:
        """True when it is fine to drop the network: it is saved, or the person saved or discarded it."""
        if self._model.undo_stack.isClean():
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self._window, self.tr("Unsaved changes"),
            self.tr("The network has changes that are not saved. Save them?"),
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    def recent_paths(self) -> list[str]:
        """Recently opened or saved files, newest first."""
        value = self._settings.value(RECENT_KEY, [])
        return [value] if isinstance(value, str) else [str(v) for v in value or []]

    # --- helpers -----------------------------------------------------------------------------

    def _reset(self, spec: NetworkSpec, path: Path | None) -> None:
        self.path, self.baseline = path, spec
        self._model.reset(spec)
        if path is not None:
            self._remember(path)
        self.path_changed.emit(str(path) if path else "")

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_paths() if p != str(path)]
        self._settings.setValue(RECENT_KEY, recent[:MAX_RECENT])
        self._settings.setValue(PATH_KEY, str(path))
        self._settings.setValue(DIR_KEY, str(path.parent))

    def _start_dir(self) -> str:
        return str(self._settings.value(DIR_KEY, str(Path.home())))

    @Slot()
    def _on_new_triggered(self) -> None:
        self.new()

    @Slot()
    def _on_open_triggered(self) -> None:
        self.open()

    @Slot()
    def _on_save_triggered(self) -> None:
        self.save()

    @Slot()
    def _on_save_as_triggered(self) -> None:
        self.save_as()

    @Slot()
    def _on_recent_about_to_show(self) -> None:
        self.recent_menu.clear()
        paths = self.recent_paths()
        for i, name in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{i} {Path(name).name}")
            action.setToolTip(name)
            action.setData(name)
            action.setEnabled(not self._model.structure_locked)
            action.triggered.connect(lambda _checked=False, path=name: self._open_recent(path))
        if not paths:
            self.recent_menu.addAction(self.tr("No recent networks")).setEnabled(False)

    def _open_recent(self, name: str) -> None:
        """Open a recent file; one that cannot be opened any more leaves the list."""
        if self.maybe_save() and not self.open_path(Path(name)):
            self._settings.setValue(RECENT_KEY, [p for p in self.recent_paths() if p != name])

    @Slot(bool, str)
    def _on_structure_lock_changed(self, locked: bool, _reason: str) -> None:
        self.new_action.setEnabled(not locked)
        self.open_action.setEnabled(not locked)
