"""The main window: docks, menus, status bar, and what it remembers between launches."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QWidget

from playground.core.analysis import Analysis
from playground.core.presets import PRESETS, preset
from playground.core.spec import NetworkSpec
from playground.errors import SpecError
from playground.gui.about import about_html, device_text
from playground.gui.draw.panel import DrawPanel
from playground.gui.editor import text
from playground.gui.editor.editor import NetworkEditor
from playground.gui.editor.model import NetworkModel
from playground.gui.files import PATH_KEY, NetworkFiles
from playground.gui.train import TrainingPanel
from playground.gui.wiring import wire_panels

STATE_VERSION = 1
FIRST_PRESET = "article-mlp"
DEFAULT_SIZE = QSize(1366, 768)
DOCK_WIDTHS = (540, 490, 320)
SPEC_KEY, GEOMETRY_KEY = "network/spec", "window/geometry"
STATE_KEY, SPLITTER_KEY, INNER_KEY = "window/state", "editor/splitter", "editor/stack_splitter"


class MainWindow(QMainWindow):
    """The app's window. Panels are docks added with ``add_dock`` so a person can rearrange them.

    Args:
        settings: where size, layout, the last network and recent files are kept.
        dataset_name: shown on the input card and in the status bar.
        input_shape: one sample's shape, for the analysis.
        num_classes: the dataset's classes, for the analysis.
    """

    def __init__(self, settings: QSettings, dataset_name: str, input_shape: tuple[int, ...],
                 num_classes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)
        spec, path = self._last_network()
        self.model = NetworkModel(spec, input_shape, num_classes, dataset_name, self)
        self.files = NetworkFiles(self.model, settings, self)
        self.files.path = path
        self._docks: list[tuple[QDockWidget, Qt.DockWidgetArea]] = []
        self.editor = NetworkEditor(self.model)
        self.editor_dock = self.add_dock(self.editor, self.tr("Network editor"), "editor_dock",
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.training = TrainingPanel()
        self.train_dock = self.add_dock(self.training, self.tr("Training"), "train_dock",
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.drawing = DrawPanel()
        self.draw_dock = self.add_dock(self.drawing, self.tr("Draw a digit"), "draw_dock",
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self._default_layout()
        self._build_menus()
        self._build_status_bar(dataset_name, input_shape, num_classes)
        wire_panels(self)
        self.model.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.files.path_changed.connect(self._on_path_changed)
        self.model.analysis_changed.connect(self._on_analysis_changed)
        self.model.structure_lock_changed.connect(self._on_structure_lock_changed)
        self._on_path_changed("")
        self._on_analysis_changed(self.model.analysis)
        self._restore_layout()

    def add_dock(self, widget: QWidget, title: str, name: str, area: Qt.DockWidgetArea) -> QDockWidget:
        """Add a panel as a dock named ``name`` (the key of its saved place); View lists it."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self._docks.append((dock, area))
        return dock

    def _default_layout(self) -> None:
        """Editor, training and drawing side by side, all visible on a 1366x768 screen."""
        self.splitDockWidget(self.train_dock, self.draw_dock, Qt.Orientation.Horizontal)
        self.resizeDocks([self.editor_dock, self.train_dock, self.draw_dock], list(DOCK_WIDTHS),
                         Qt.Orientation.Horizontal)

    @Slot()
    def reset_layout(self) -> None:
        """Every dock back in its default area, shown and docked; default splitter proportions."""
        for dock, area in self._docks:
            dock.setFloating(False)
            self.addDockWidget(area, dock)
            dock.show()
        self._default_layout()
        self.editor.reset_layout()

    # --- building ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.files.new_action, self.files.open_action])
        file_menu.addMenu(self.files.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.files.save_action, self.files.save_as_action])
        file_menu.addSeparator()
        quit_action = file_menu.addAction(self.tr("&Quit"))
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        stack = self.model.undo_stack
        self.undo_action = stack.createUndoAction(self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions(list(self.editor.actions_for_layers))
        view_menu = bar.addMenu(self.tr("&View"))
        for dock, _area in self._docks:
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addAction(self.tr("&Reset Layout")).triggered.connect(self.reset_layout)
        self.presets_menu = bar.addMenu(self.tr("&Presets"))
        self.presets_menu.setToolTipsVisible(True)
        for name, row in PRESETS.items():
            action = self.presets_menu.addAction(text.catalogue_text(row.title))
            action.setObjectName(f"preset_{name}")
            action.setToolTip(text.catalogue_text(row.description))
            action.setStatusTip(text.catalogue_text(row.description))
            action.triggered.connect(lambda _checked=False, key=name: self._on_preset_chosen(key))
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.tr("&About Neural Network Playground")).triggered.connect(self._on_about)

    def _build_status_bar(self, dataset_name: str, input_shape: tuple[int, ...], num_classes: int) -> None:
        self.device_label = QLabel(self.tr("Device: %1").replace("%1", device_text()), self)
        self.dataset_label = QLabel(self.tr("Dataset: %1 (%2, %3 classes)").replace("%1", dataset_name)
                                    .replace("%2", text.shape(input_shape)).replace("%3", str(num_classes)),
                                    self)
        self.params_label = QLabel(self)
        for label in (self.device_label, self.dataset_label, self.params_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)

    # --- remembering -------------------------------------------------------------------------

    def _last_network(self) -> tuple[NetworkSpec, Path | None]:
        """The network open when the app last closed, or the article's MLP on first launch."""
        saved = self.settings.value(SPEC_KEY, "")
        if saved:
            try:
                spec = NetworkSpec.from_json(str(saved))
            except SpecError:
                return preset(FIRST_PRESET), None
            path = str(self.settings.value(PATH_KEY, "") or "")
            return spec, Path(path) if path else None
        return preset(FIRST_PRESET), None

    def _restore_layout(self) -> None:
        geometry, state = self.settings.value(GEOMETRY_KEY), self.settings.value(STATE_KEY)
        splitter, inner = self.settings.value(SPLITTER_KEY), self.settings.value(INNER_KEY)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            screen = self.screen().availableSize()
            self.resize(DEFAULT_SIZE.boundedTo(screen))
        if isinstance(state, QByteArray):
            self.restoreState(state, STATE_VERSION)
        if isinstance(splitter, QByteArray):
            self.editor.splitter.restoreState(splitter)
        if isinstance(inner, QByteArray):
            self.editor.inner.restoreState(inner)

    def _save_session(self) -> None:
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(STATE_KEY, self.saveState(STATE_VERSION))
        self.settings.setValue(SPLITTER_KEY, self.editor.splitter.saveState())
        self.settings.setValue(INNER_KEY, self.editor.inner.saveState())
        spec = self.model.spec if self.model.undo_stack.isClean() else self.files.baseline
        self.settings.setValue(SPEC_KEY, spec.to_json())
        self.settings.setValue(PATH_KEY, str(self.files.path) if self.files.path else "")
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved changes, then remember the layout and the network."""
        if not self.files.maybe_save():
            event.ignore()
            return
        self.training.shutdown()
        self._save_session()
        event.accept()

    # --- slots -------------------------------------------------------------------------------

    def _on_preset_chosen(self, name: str) -> None:
        self.model.load_preset(name)

    @Slot()
    def _on_about(self) -> None:
        QMessageBox.about(self, self.tr("About Neural Network Playground"), about_html())

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    @Slot(str)
    def _on_path_changed(self, _path: str) -> None:
        name = self.files.path.name if self.files.path else self.tr("Untitled")
        self.setWindowTitle(self.tr("%1[*] - Neural Network Playground").replace("%1", name))
        self.setWindowModified(not self.model.undo_stack.isClean())

    @Slot(object)
    def _on_analysis_changed(self, analysis: Analysis) -> None:
        self.params_label.setText(self.tr("Parameters: %1").replace("%1", text.total_params(analysis)))

    @Slot(bool, str)
    def _on_structure_lock_changed(self, locked: bool, reason: str) -> None:
        self.presets_menu.setEnabled(not locked)
        self.undo_action.setEnabled(not locked and self.model.undo_stack.canUndo())
        self.redo_action.setEnabled(not locked and self.model.undo_stack.canRedo())
        if locked:
            self.statusBar().showMessage(reason)
        else:
            self.statusBar().clearMessage()
