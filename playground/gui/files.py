"""The File menu's work: New, Open, Save (As), New from Project, recent files, the unsaved-changes prompt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from playground.atomic import is_read_only
from playground.core.project import PROJECT_SUFFIX, Project, load_project, save_project
from playground.core.spec import NetworkSpec
from playground.core.specfile import read_spec_file
from playground.errors import PlaygroundError
from playground.gui.document import write_spec
from playground.gui.project import ProjectDocument

MAX_RECENT = 8
RECENT_KEY, PATH_KEY, DIR_KEY = "files/recent", "network/path", "files/last_dir"


def show_error(parent: QWidget, title: str, error: PlaygroundError) -> None:
    """A message box with the error's message and hint; never a traceback."""
    body = error.message + (f"\n\n{error.hint}" if error.hint else "")
    QMessageBox.critical(parent, title, body)


def is_project(path: Path) -> bool:
    """True for a project file name (.nnproj); anything else is opened as a network spec."""
    return path.suffix.lower() == PROJECT_SUFFIX


class ProjectFiles(QObject):
    """Ties the document to a project file; ``path_changed`` carries the new path ("" for untitled),
    ``saved`` the path after each successful save (the recovery file is then dropped), ``opened`` a
    line saying which project is open now and a warning on what did not go in ("" when all did)."""

    path_changed = Signal(str)
    saved = Signal(str)
    opened = Signal(str, str)

    def __init__(self, document: ProjectDocument, settings: QSettings, window: QWidget) -> None:
        super().__init__(window)
        self.document, self._settings, self._window = document, settings, window
        self.path: Path | None = None
        self.baseline = document.model.spec
        keys = QKeySequence.StandardKey
        self.new_action = self._action(self.tr("&New Project"), self._on_new_triggered, keys.New)
        self.open_action = self._action(self.tr("&Open..."), self._on_open_triggered, keys.Open)
        self.open_action.setStatusTip(self.tr("Open a project (.nnproj) or a network spec (.json)"))
        self.new_from_action = self._action(self.tr("New from &Project..."), self._on_new_from_triggered)
        self.new_from_action.setStatusTip(self.tr("Start a new project from a trained one's network and "
                                                  "weights (for fine-tuning)"))
        self.save_action = self._action(self.tr("&Save"), self._on_save_triggered, keys.Save)
        self.save_as_action = self._action(self.tr("Save &As..."), self._on_save_as_triggered, keys.SaveAs)
        self.save_spec_action = self._action(self.tr("Save Network &Spec As..."),
                                             self._on_save_spec_triggered)
        self.save_spec_action.setStatusTip(self.tr("Save only the network's layers as JSON"))
        self.recent_menu = QMenu(self.tr("Open &Recent"), window)
        self.recent_menu.aboutToShow.connect(self._on_recent_about_to_show)
        document.model.structure_lock_changed.connect(self._on_structure_lock_changed)

    def _action(self, text: str, slot: object, keys: QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self._window)
        if keys is not None:
            action.setShortcut(keys)
        action.triggered.connect(slot)
        return action

    # --- operations (return False when cancelled or failed) ----------------------------------

    def new(self) -> bool:
        """Start an empty, untitled project."""
        if not self.maybe_save():
            return False
        self.document.reset(NetworkSpec())
        self._set_path(None, NetworkSpec())
        self._show(self.tr("New project."))
        return True

    def open(self) -> bool:
        """Ask for a project or network spec file and open it."""
        if not self.maybe_save():
            return False
        name = self._ask_open(self.tr("Open"), self.tr("Projects and network specs (*%1 *.json);;"
                                                       "All files (*)").replace("%1", PROJECT_SUFFIX))
        return bool(name) and self.open_path(Path(name))

    def open_path(self, path: Path) -> bool:
        """Open ``path`` without asking: a project, or a network spec as a new untitled project.
        Errors are shown in a message box and leave the open project as it was."""
        try:
            loaded = load_project(path) if is_project(path) else read_spec_file(path)
        except PlaygroundError as exc:
            show_error(self._window, self.tr("Cannot open %1").replace("%1", path.name), exc)
            return False
        if isinstance(loaded, NetworkSpec):
            self.document.reset(loaded)
            self._set_path(None, loaded)
            self._show(self.tr("New project from the network in %1.").replace("%1", path.name))
        else:
            warning = self.document.apply(loaded)
            self._set_path(path, loaded.spec)
            self._show(self.tr("Opened %1.").replace("%1", path.name), warning)
        self._remember(path)
        return True

    def reopen(self, path: Path) -> bool:
        """Open the project that was open when the app last closed; one that cannot be opened any more is
        reported (by ``open_path``) and forgotten, so the next start does not try it again."""
        if self.open_path(path):
            return True
        self._set_path(None, self.document.model.spec)
        return False

    def new_from_project(self) -> bool:
        """Ask for a trained project and start a new untitled one on its network and weights."""
        if not self.maybe_save():
            return False
        name = self._ask_open(self.tr("New from Project"),
                              self.tr("Projects (*%1)").replace("%1", PROJECT_SUFFIX))
        return bool(name) and self.new_from_path(Path(name))

    def new_from_path(self, path: Path) -> bool:
        """A new untitled project whose base is the project at ``path`` (runs cleared, weights kept)."""
        try:
            project = load_project(path)
        except PlaygroundError as exc:
            show_error(self._window, self.tr("Cannot open %1").replace("%1", path.name), exc)
            return False
        warning = self.document.apply(project, as_base=True)
        self._set_path(None, project.spec)
        self._show(self.tr("New project from %1.").replace("%1", path.name), warning)
        return True

    def restore(self, project: Project, path: Path | None) -> None:
        """Make a recovered ``project`` the document, unsaved, tied to its original file ``path``."""
        warning = self.document.apply(project)
        self.document.mark_dirty()
        self._set_path(path, self.document.model.spec)
        name = path.name if path else self.tr("Untitled")
        self._show(self.tr("Recovered the unsaved changes of %1.").replace("%1", name), warning)

    def save(self) -> bool:
        """Save the project to its file, or ask for one."""
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self) -> bool:
        """Ask for a project file name and save there."""
        start = str(self.path) if self.path else str(Path(self._start_dir()) / f"project{PROJECT_SUFFIX}")
        name, _ = QFileDialog.getSaveFileName(self._window, self.tr("Save Project As"), start,
                                              self.tr("Projects (*%1)").replace("%1", PROJECT_SUFFIX))
        if not name:
            return False
        path = Path(name)
        if path.suffix.lower() in ("", ".json"):
            path = path.with_suffix(PROJECT_SUFFIX)
        elif path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        if not self._save_to(path):
            return False
        self._set_path(path, self.document.model.spec)
        return True

    def save_spec_as(self) -> bool:
        """Ask for a file name and save only the network spec there, as JSON."""
        start = str(Path(self._start_dir()) / self.tr("network.json"))
        name, _ = QFileDialog.getSaveFileName(self._window, self.tr("Save Network Spec As"), start,
                                              self.tr("Network specs (*.json)"))
        if not name:
            return False
        path = Path(name) if Path(name).suffix else Path(name).with_suffix(".json")
        if not self._may_replace(path):
            return False
        try:
            write_spec(path, self.document.model.spec)
        except PlaygroundError as exc:
            show_error(self._window, self.tr("Cannot save the network spec"), exc)
            return False
        self._remember(path)
        return True

    def maybe_save(self) -> bool:
        """True when it is fine to drop the project: it is saved, or the person saved or discarded it."""
        if not self.document.is_modified:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self._window, self.tr("Unsaved changes"),
            self.tr("The project has changes that are not saved. Save them?"),
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    def recent_paths(self) -> list[str]:
        """Recently opened or saved files (projects and network specs), newest first."""
        value = self._settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            return [value] if value else []
        return [str(v) for v in value] if isinstance(value, list | tuple) else []

    # --- helpers -----------------------------------------------------------------------------

    def _may_replace(self, path: Path) -> bool:
        """True unless ``path`` is read-only and the person does not want it replaced."""
        if not is_read_only(path):
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self._window, self.tr("Replace a read-only file?"),
            self.tr("%1 is read-only. Replace it anyway? (It stays read-only.)").replace("%1", path.name),
            buttons.Yes | buttons.Cancel, buttons.Cancel)
        return answer == buttons.Yes

    def _save_to(self, path: Path) -> bool:
        if not self._may_replace(path):
            return False
        try:
            save_project(path, self.document.project(), replace_read_only=True)
        except PlaygroundError as exc:
            show_error(self._window, self.tr("Cannot save the project"), exc)
            return False
        except OSError as exc:
            error = PlaygroundError(self.tr("cannot save %1: %2").replace("%1", str(path))
                                    .replace("%2", exc.strerror or str(exc)),
                                    self.tr("the file on disk was not changed; choose another folder or "
                                            "free some disk space, then save again"))
            show_error(self._window, self.tr("Cannot save the project"), error)
            return False
        self.baseline = self.document.model.spec
        self.document.mark_clean()
        self._remember(path)
        self.saved.emit(str(path))
        return True

    def _set_path(self, path: Path | None, baseline: NetworkSpec) -> None:
        self.path, self.baseline = path, baseline
        self._settings.setValue(PATH_KEY, str(path) if path else "")
        self.path_changed.emit(str(path) if path else "")

    def _ask_open(self, title: str, filters: str) -> str:
        name, _ = QFileDialog.getOpenFileName(self._window, title, self._start_dir(), filters)
        return name

    def _show(self, line: str, warning: str = "") -> None:
        """Say which project is open now, and what did not go in (the window shows it)."""
        self.opened.emit(line, warning)

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_paths() if p != str(path)]
        self._settings.setValue(RECENT_KEY, recent[:MAX_RECENT])
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
    def _on_new_from_triggered(self) -> None:
        self.new_from_project()

    @Slot()
    def _on_save_triggered(self) -> None:
        self.save()

    @Slot()
    def _on_save_as_triggered(self) -> None:
        self.save_as()

    @Slot()
    def _on_save_spec_triggered(self) -> None:
        self.save_spec_as()

    @Slot()
    def _on_recent_about_to_show(self) -> None:
        self.recent_menu.clear()
        paths = self.recent_paths()
        for i, name in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{i} {Path(name).name}")
            action.setToolTip(name)
            action.setData(name)
            action.setEnabled(not self.document.model.structure_locked)
            action.triggered.connect(lambda _checked=False, path=name: self._open_recent(path))
        if not paths:
            self.recent_menu.addAction(self.tr("No recent files")).setEnabled(False)

    def _open_recent(self, name: str) -> None:
        """Open a recent file; one that cannot be opened any more leaves the list."""
        if self.maybe_save() and not self.open_path(Path(name)):
            self._settings.setValue(RECENT_KEY, [p for p in self.recent_paths() if p != name])

    @Slot(bool, str)
    def _on_structure_lock_changed(self, locked: bool, _reason: str) -> None:
        for action in (self.new_action, self.open_action, self.new_from_action):
            action.setEnabled(not locked)
