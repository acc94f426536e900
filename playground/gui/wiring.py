"""How the editor's network and the drawing pad follow the training session."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from playground.data.dataset import Dataset
from playground.gui.draw.panel import DrawPanel
from playground.gui.editor.model import NetworkModel
from playground.gui.session import TrainingSession
from playground.gui.train.runner import ActiveRun


def _tr(source: str) -> str:
    return QCoreApplication.translate("Wiring", source)


def wire_panels(session: TrainingSession, model: NetworkModel, drawing: DrawPanel) -> None:
    """Edits reach the session, the dataset reaches the editor's analysis, a run locks the editor and
    feeds the drawing pad; when no run goes the pad reads with the session's kept weights."""

    def on_network(*_args: object) -> None:
        session.set_network(model.spec, model.analysis)

    def on_dataset(dataset: Dataset) -> None:
        model.set_dataset(dataset.name, dataset.input_shape, dataset.outputs, dataset.task)

    def on_started(run: ActiveRun) -> None:
        model.set_structure_locked(True, _tr("Training is running: stop it to change the network"))
        drawing.set_live_model(run.spec, run.dataset.facts, run.trainer.snapshot)

    def on_weights() -> None:
        trained, facts = session.trained, session.facts()
        if session.is_training:
            return
        if trained is None or facts is None:
            drawing.use_sample_model()
            return
        drawing.set_live_model(trained.spec, facts, session.snapshot)

    def on_finished(_run: ActiveRun) -> None:
        model.set_structure_locked(False, "")
        on_weights()

    model.analysis_changed.connect(on_network)
    session.dataset_changed.connect(on_dataset)
    session.run_started.connect(on_started)
    session.run_finished.connect(on_finished)
    session.weights_changed.connect(on_weights)
    on_network()
    if session.dataset is not None:
        on_dataset(session.dataset)
