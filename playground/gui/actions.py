"""Actions on the trained model: load weights from a file, replace the output layer, reset, export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QWidget

from playground.core.builder import build_model
from playground.core.trained import Trained, copy_state
from playground.core.transfer import carry_weights, replace_output, weighted_layers
from playground.core.weights import load_weights
from playground.errors import PlaygroundError, SpecError
from playground.gui.export_dialog import export_with_dialog
from playground.gui.files import show_error
from playground.gui.project import ProjectDocument
from playground.gui.weights_dialog import confirm_partial

WEIGHTS_DIR_KEY = "files/weights_dir"
EXPORT_FORMATS = ("torchscript", "onnx", "script")
NEEDS_WEIGHTS = ("torchscript", "onnx")


class ModelActions(QObject):
    """The menu actions that work on the network's weights; each keeps its enabled state current.

    ``reset_weights_action`` is connected by the window, to the training panel (which says so in its log).
    """

    def __init__(self, document: ProjectDocument, settings: QSettings, window: QWidget) -> None:
        super().__init__(window)
        self.document, self._settings, self._window = document, settings, window
        self.load_weights_action = QAction(self.tr("&Load Weights (.pt, .pth, .safetensors)..."), window)
        self.load_weights_action.setStatusTip(self.tr("Load trained weights for this network from a "
                                                      "PyTorch or safetensors file"))
        self.load_weights_action.triggered.connect(self._on_load_weights_triggered)
        self.replace_output_action = QAction(self.tr("Replace &Output Layer"), window)
        self.replace_output_action.triggered.connect(self._on_replace_output_triggered)
        self.reset_weights_action = QAction(self.tr("Reset &Weights"), window)
        self.reset_weights_action.setStatusTip(self.tr("Forget the trained weights: the next run starts "
                                                       "from fresh ones"))
        labels = {"torchscript": self.tr("&TorchScript (.pt)..."), "onnx": self.tr("&ONNX (.onnx)..."),
                  "script": self.tr("Training &Script (.py)...")}
        self.export_actions = {fmt: QAction(labels[fmt], window) for fmt in EXPORT_FORMATS}
        for fmt, action in self.export_actions.items():
            action.setObjectName(f"export_{fmt}")
            action.triggered.connect(lambda _checked=False, key=fmt: self.export(key))
        model = document.model
        model.structure_lock_changed.connect(self._update)
        model.analysis_changed.connect(self._update)
        document.session.weights_changed.connect(self._update)
        self._update()

    # --- operations ----------------------------------------------------------------------------

    def export(self, fmt: str) -> bool:
        """Export the current project as ``fmt`` (torchscript, onnx or script) through the export dialog."""
        return export_with_dialog(self._window, self.document.project(), fmt, self._settings)

    def load_weights(self, path: Path) -> bool:
        """Load weights from ``path`` into the network: all of them, or (after asking) the matching ones."""
        document, session = self.document, self.document.session
        dataset = session.dataset
        if dataset is None or not document.model.analysis.ok:
            show_error(self._window, self.tr("Cannot load weights"),
                       PlaygroundError(self.tr("the network cannot be built for the selected dataset"),
                                       self.tr("fix the network in the editor first")))
            return False
        spec, config = document.model.spec, session.config
        try:
            trained = session.trained if session.trained is not None and session.trained.spec == spec \
                else None
            model = trained.model(spec, dataset.facts, config) if trained \
                else build_model(spec, dataset.input_shape, dataset.outputs, config.init, config.loss)
            report = load_weights(path, model, strict=False)
        except PlaygroundError as exc:
            show_error(self._window, self.tr("Cannot load %1").replace("%1", path.name), exc)
            return False
        if not report.loaded:
            show_error(self._window, self.tr("Cannot load %1").replace("%1", path.name),
                       PlaygroundError(self.tr("no tensor in the file fits this network:\n%1")
                                       .replace("%1", report.text()),
                                       self.tr("choose weights saved from the same network")))
            return False
        if not report.ok and not confirm_partial(self._window, path, report):
            return False
        session.set_trained(Trained(spec, copy_state(model), dataset.ref))
        self._settings.setValue(WEIGHTS_DIR_KEY, str(path.parent))
        session.said.emit(self.tr("Loaded %1 tensors from %2")
                                     .replace("%1", str(len(report.loaded))).replace("%2", path.name))
        return True

    def replace_output(self) -> bool:
        """One undoable edit giving the last Linear one unit per class of the dataset; the other layers
        keep their trained weights, the new output layer starts fresh."""
        document, session = self.document, self.document.session
        model, dataset = document.model, session.dataset
        try:
            new = replace_output(model.spec, model.outputs)
        except SpecError as exc:
            show_error(self._window, self.tr("Cannot replace the output layer"), exc)
            return False
        trained = session.trained if session.trained is not None and session.trained.spec == model.spec \
            else None
        label = self.tr("Replace output layer (%1 classes)").replace("%1", str(model.outputs))
        if new != model.spec and not model.edit(new, label):
            return False
        if trained is None or dataset is None:
            return True
        config = session.config
        fresh = build_model(new, dataset.input_shape, dataset.outputs, config.init, config.loss)
        last = weighted_layers(new)[-1]
        old = {k: v for k, v in trained.weights.items() if not k.startswith(f"blocks.{last}.")}
        copied, _skipped = carry_weights(old, fresh)
        session.set_trained(Trained(new, copy_state(fresh), dataset.ref))
        session.said.emit(self.tr("New output layer for %1 classes; %2 trained tensors kept")
                          .replace("%1", str(model.outputs)).replace("%2", str(len(copied))))
        return True

    # --- state ---------------------------------------------------------------------------------

    def _output_replaceable(self) -> bool:
        model = self.document.model
        try:
            replace_output(model.spec, model.outputs)
        except SpecError:
            return False
        return True

    @Slot()
    def _update(self, *_args: object) -> None:
        model, session = self.document.model, self.document.session
        idle = not model.structure_locked
        has_weights = session.trained is not None
        self.load_weights_action.setEnabled(idle)
        self.replace_output_action.setEnabled(idle and self._output_replaceable())
        self.replace_output_action.setText(self.tr("Replace &Output Layer (%1 classes)")
                                           .replace("%1", str(model.outputs)))
        self.reset_weights_action.setEnabled(idle and has_weights)
        for fmt, action in self.export_actions.items():
            ready = model.analysis.ok and (has_weights or fmt not in NEEDS_WEIGHTS)
            action.setEnabled(ready)
            action.setToolTip("" if ready else self.tr("Train the network (or load weights) first"))

    @Slot()
    def _on_load_weights_triggered(self) -> None:
        start = str(self._settings.value(WEIGHTS_DIR_KEY, str(Path.home())))
        name, _ = QFileDialog.getOpenFileName(self._window, self.tr("Load Weights"), start,
                                              self.tr("Weights (*.pt *.pth *.safetensors);;All files (*)"))
        if name:
            self.load_weights(Path(name))

    @Slot()
    def _on_replace_output_triggered(self) -> None:
        self.replace_output()
