"""How the editor, the training panel and the drawing pad talk to each other through the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from playground.core.training import Trainer
from playground.data.sources import Dataset
from playground.gui.editor import text

if TYPE_CHECKING:
    from playground.gui.main_window import MainWindow


def _tr(source: str) -> str:
    return QCoreApplication.translate("Wiring", source)


def wire_panels(window: MainWindow) -> None:
    """Connect the panels: edits reach the trainer, training locks the editor and feeds the pad; when
    no run is going the pad reads with the project's current weights."""
    model, training, drawing, document = window.model, window.training, window.drawing, window.document

    def on_network(*_args: object) -> None:
        training.set_network(model.spec, model.analysis)

    def on_dataset(dataset_id: str, input_shape: object, num_classes: int) -> None:
        name = training.dataset.name if training.dataset is not None else dataset_id
        model.set_dataset(name, tuple(input_shape), num_classes)
        window.dataset_label.setText(
            _tr("Dataset: %1 (%2, %3 classes)").replace("%1", name)
            .replace("%2", text.shape(tuple(input_shape))).replace("%3", str(num_classes)))

    def on_started(trainer: Trainer, dataset: Dataset) -> None:
        model.set_structure_locked(True, _tr("Training is running: stop it to change the network"))
        drawing.set_live_model(trainer.spec, dataset.input_shape, dataset.num_classes,
                               dataset.class_names, dataset.mean, dataset.std, trainer.snapshot)

    def on_weights() -> None:
        trained = training.trained
        if training.is_training:
            return
        if trained is None:
            drawing.use_sample_model()
            return
        facts = document.facts()
        drawing.set_live_model(trained.spec, facts.input_shape, facts.num_classes, facts.class_names,
                               facts.mean, facts.std, document.snapshot)

    def on_stopped(_state: str) -> None:
        model.set_structure_locked(False, "")
        on_weights()
        window.recovery.autosave()

    model.analysis_changed.connect(on_network)
    training.dataset_changed.connect(on_dataset)
    training.training_started.connect(on_started)
    training.training_stopped.connect(on_stopped)
    training.status_changed.connect(lambda message: window.statusBar().showMessage(message, 5000))
    drawing.drawing_saved.connect(lambda _label: training.picker.refresh())  # my drawings may be ready
    document.weights_changed.connect(on_weights)
    on_network()
    if training.dataset is not None:
        on_dataset(training.dataset.id, training.dataset.input_shape, training.dataset.num_classes)
