"""The main window: docks, menus, status bar, and what it remembers between launches."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QWidget

from playground.core.analysis import Analysis
from playground.core.presets import preset
from playground.core.spec import NetworkSpec
from playground.data.dataset import CLASSIFICATION, Dataset
from playground.errors import SpecError
from playground.gui.about import about_html, device_text
from playground.gui.actions import ModelActions
from playground.gui.draw.panel import DrawPanel
from playground.gui.editor import text
from playground.gui.editor.editor import NetworkEditor
from playground.gui.editor.model import NetworkModel
from playground.gui.files import PATH_KEY, ProjectFiles, is_project
from playground.gui.guide import GettingStarted
from playground.gui.inspect.evaluation_dock import EvaluationPanel, install_evaluation
from playground.gui.inspect.explorer import install_explorer
from playground.gui.inspect.inside import install_inside_view
from playground.gui.inspect.memory_view import MemoryView, install_memory_view
from playground.gui.inspect.neuron_view import install_plane_view
from playground.gui.menus import build_menus
from playground.gui.project import ProjectDocument
from playground.gui.recovery import Recovery
from playground.gui.session import TrainingSession
from playground.gui.train.panel import TrainingPanel
from playground.gui.wiring import wire_panels

STATE_VERSION = 1
FIRST_PRESET = "article-mlp"
DEFAULT_SIZE = QSize(1366, 768)
DOCK_WIDTHS = (540, 490, 320)
SPEC_KEY, GEOMETRY_KEY = "network/spec", "window/geometry"
STATE_KEY, SPLITTER_KEY, INNER_KEY = "window/state", "editor/splitter", "editor/stack_splitter"


class MainWindow(QMainWindow):
    """The app's window over one TrainingSession. Panels are docks added with ``add_dock`` so a person
    can rearrange them; they, the project document, recovery and the menus subscribe to the session.

    Args:
        settings: where size, layout, the last network and recent files are kept.
        dataset_name: the first dataset's name, shown on the input card and in the status bar until
            it is loaded.
        input_shape: its input shape, for the first analysis.
        outputs: the outputs its task needs (its classes), for the first analysis.
    """

    def __init__(self, settings: QSettings, dataset_name: str, input_shape: tuple[int, ...],
                 outputs: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)
        spec, path = self._last_network()
        self.session = TrainingSession(parent=self)
        self.model = NetworkModel(spec, input_shape, outputs, dataset_name, CLASSIFICATION, self)
        self._docks: list[tuple[QDockWidget, Qt.DockWidgetArea]] = []
        self.editor = NetworkEditor(self.model)
        self.editor_dock = self.add_dock(self.editor, self.tr("Network editor"), "editor_dock",
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.training = TrainingPanel(self.session)
        self.train_dock = self.add_dock(self.training, self.tr("Training"), "train_dock",
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.drawing = DrawPanel()
        self.draw_dock = self.add_dock(self.drawing, self.tr("Draw a digit"), "draw_dock",
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.document = ProjectDocument(self.model, self.session, self)
        self.files = ProjectFiles(self.document, settings, self)
        self.files.path = path
        self.model_actions = ModelActions(self.document, settings, self)
        self.recovery = Recovery(self.files, self.session, self)
        self.eval_dock = install_evaluation(self, self.session, self.drawing, self.draw_dock)
        self.inside_dock = install_inside_view(self, self.drawing)
        self.explorer_dock = install_explorer(self, self.session, self.model, self.drawing)
        self.memory_dock = install_memory_view(self, self.session)
        self.boundary_dock = install_plane_view(self, self.session)
        self._default_layout()
        self.guide: GettingStarted | None = None
        self.menu_actions = build_menus(self.menuBar(), self.files, self.model_actions, self.model,
                                        self.editor.actions_for_layers, [dock for dock, _ in self._docks],
                                        close=self.close, reset_layout=self.reset_layout,
                                        about=self.show_about, guide=self.show_guide)
        self._build_status_bar(dataset_name, input_shape, outputs)
        wire_panels(self.session, self.model, self.drawing)
        self.model_actions.reset_weights_action.triggered.connect(self.training.reset_weights)
        self.drawing.drawing_saved.connect(self.training.picker.refresh)  # my drawings may be ready
        self.model.preset_loaded.connect(self.training.adopt_preset)
        self.files.opened.connect(self.training.show_project)
        for said in (self.session.said, self.recovery.said):
            said.connect(self._on_said)
        self.session.dataset_changed.connect(self._on_dataset_changed)
        if self.session.dataset is not None:
            self._on_dataset_changed(self.session.dataset)
        self.document.modified_changed.connect(self._on_modified_changed)
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
        """Editor, training and drawing side by side, all visible on a 1366x768 screen; the views
        that look inside the network are tabs behind the training panel."""
        self.splitDockWidget(self.train_dock, self.draw_dock, Qt.Orientation.Horizontal)
        for dock in (self.eval_dock, self.inside_dock, self.explorer_dock, self.memory_dock,
                     self.boundary_dock):
            self.tabifyDockWidget(self.train_dock, dock)
        self.train_dock.raise_()
        self.resizeDocks([self.editor_dock, self.train_dock, self.draw_dock], list(DOCK_WIDTHS),
                         Qt.Orientation.Horizontal)

    @Slot()
    def reset_layout(self) -> None:
        """Every dock back in its default area, shown and docked; default dock widths and splitter
        proportions; the window keeps its size."""
        size = self.size()
        for dock, area in self._docks:
            dock.setFloating(False)
            self.addDockWidget(area, dock)
            dock.show()
        self._default_layout()
        self.editor.reset_layout()
        # re-adding the docks stacked them in their areas for a moment, and the window grew to hold them:
        # once the layout has settled, the window gets its size back
        QTimer.singleShot(0, self, lambda: self._default_widths(size))

    def _default_widths(self, size: QSize) -> None:
        """The window at ``size`` and the default dock widths, scaled to its width."""
        self.resize(size)
        scale = self.width() / DEFAULT_SIZE.width()
        self.resizeDocks([self.editor_dock, self.train_dock, self.draw_dock],
                         [round(w * scale) for w in DOCK_WIDTHS], Qt.Orientation.Horizontal)

    # --- building ----------------------------------------------------------------------------

    def _build_status_bar(self, dataset_name: str, input_shape: tuple[int, ...], outputs: int) -> None:
        self.device_label = QLabel(self.tr("Device: %1").replace("%1", device_text()), self)
        self.dataset_label = QLabel(self)
        self._show_dataset(dataset_name, input_shape, outputs, CLASSIFICATION)
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

    def reopen_last_project(self) -> bool:
        """Open the project file open when the app last closed (weights and runs too); True if it was."""
        path = self.files.path
        if path is None or not is_project(path) or not path.is_file():
            self.files.path = None
            return False
        return self.files.reopen(path)

    def offer_recovery(self) -> bool:
        """After an unclean exit, offer to restore the unsaved project; True when restored."""
        return self.recovery.offer()

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
        spec = self.files.baseline if self.document.is_modified else self.model.spec
        self.settings.setValue(SPEC_KEY, spec.to_json())
        self.settings.setValue(PATH_KEY, str(self.files.path) if self.files.path else "")
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved changes, then remember the layout and the network."""
        if not self.files.maybe_save():
            event.ignore()
            return
        self.training.shutdown()
        self.drawing.shutdown()
        evaluation = self.eval_dock.widget()
        if isinstance(evaluation, EvaluationPanel):
            evaluation.shutdown()
        memory = self.memory_dock.widget()
        if isinstance(memory, MemoryView):
            memory.shutdown()
        self.recovery.close()
        self._save_session()
        event.accept()

    # --- slots -------------------------------------------------------------------------------

    @Slot()
    @Slot()
    def show_guide(self) -> GettingStarted:
        """Help > Getting Started (and the first launch): the guide, not modal, at its first page."""
        if self.guide is None:
            self.guide = GettingStarted(self.settings, self)
        self.guide.go(0)
        self.guide.show()
        return self.guide

    def show_about(self) -> None:
        """The About box: version, libraries, device."""
        QMessageBox.about(self, self.tr("About Neural Network Playground"), about_html())

    def _show_dataset(self, name: str, input_shape: tuple[int, ...], outputs: int, task: str) -> None:
        self.dataset_label.setText(self.tr("Dataset: %1 (%2, %3)").replace("%1", name)
                                   .replace("%2", text.shape(input_shape))
                                   .replace("%3", text.outputs(outputs, task)))

    @Slot(object)
    def _on_dataset_changed(self, dataset: Dataset) -> None:
        self._show_dataset(dataset.name, dataset.input_shape, dataset.outputs, dataset.task)

    @Slot(str)
    def _on_said(self, message: str) -> None:
        self.statusBar().showMessage(message, 5000)

    @Slot(bool)
    def _on_modified_changed(self, modified: bool) -> None:
        self.setWindowModified(modified)

    @Slot(str)
    def _on_path_changed(self, _path: str) -> None:
        name = self.files.path.name if self.files.path else self.tr("Untitled")
        self.setWindowTitle(self.tr("%1[*] - Neural Network Playground").replace("%1", name))
        self.setWindowModified(self.document.is_modified)

    @Slot(object)
    def _on_analysis_changed(self, analysis: Analysis) -> None:
        self.params_label.setText(self.tr("Parameters: %1").replace("%1", text.total_params(analysis)))

    @Slot(bool, str)
    def _on_structure_lock_changed(self, locked: bool, reason: str) -> None:
        menus = self.menu_actions
        menus.presets_menu.setEnabled(not locked)
        menus.undo.setEnabled(not locked and self.model.undo_stack.canUndo())
        menus.redo.setEnabled(not locked and self.model.undo_stack.canRedo())
        if locked:
            self.statusBar().showMessage(reason)
        else:
            self.statusBar().clearMessage()
