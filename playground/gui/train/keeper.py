"""WeightKeeper: the trained weights Start continues from, and those an edit parked for Undo."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal

from playground.core.spec import NetworkSpec
from playground.data.sources import Dataset
from playground.gui.train.parked import ParkedWeights
from playground.gui.train.runner import ActiveRun, Trained, copy_state, weights_fit


def _tr(source: str) -> str:
    return QCoreApplication.translate("TrainingPanel", source)


def fits(trained: Trained, spec: NetworkSpec, dataset: Dataset | None) -> bool:
    """True when ``trained``'s weights fit ``spec`` on ``dataset`` (False without a dataset)."""
    return dataset is not None and weights_fit(trained.weights, spec, dataset.input_shape,
                                               dataset.num_classes)


class WeightKeeper(QObject):
    """Holds ``trained`` (the weights the last run left, or a file gave) and ``parked`` ones.

    ``changed`` comes whenever ``trained`` changes or goes; ``said`` carries a status-bar line.
    """

    changed = Signal()
    said = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.trained: Trained | None = None
        self.parked = ParkedWeights()

    def follow(self, spec: NetworkSpec, dataset: Dataset | None) -> None:
        """Park weights of another network (keeping them while they fit ``spec``); bring back ``spec``'s."""
        trained = self.trained
        if trained is not None and spec != trained.spec:
            self.parked.park(trained)
            if fits(trained, spec, dataset):
                self._take(Trained(spec, trained.weights, trained.dataset_id))
            else:
                self._take(None)
                self.said.emit(_tr("The trained weights do not fit this network; Undo brings them back"))
        back = self.parked.find(spec)
        if back is not None and (self.trained is None or back.weights is self.trained.weights):
            if self.trained is None:
                self.said.emit(_tr("The weights trained for this network are back"))
            self._take(self.parked.take(spec))

    def usable(self, spec: NetworkSpec | None, dataset: Dataset | None) -> Trained | None:
        """The trained weights when they fit ``spec`` on ``dataset``, else None."""
        trained = self.trained
        return trained if trained is not None and spec is not None and fits(trained, spec, dataset) else None

    def set(self, trained: Trained | None) -> None:
        """Take ``trained`` (None: fresh weights next time); the weights it replaces are parked."""
        if self.trained is not None and self.trained is not trained:
            self.parked.park(self.trained)
        self._take(trained)

    def forget(self) -> None:
        """No trained weights and none parked."""
        self.parked.clear()
        self._take(None)

    def keep(self, run: ActiveRun) -> None:
        """Take the run's weights and resume state, copied now that its thread has ended."""
        trainer = run.trainer
        done = trainer.resume_state()
        self.set(Trained(run.spec, copy_state(trainer.model), run.dataset.id, run.config, done,
                         done.epoch if done is not None else 0))

    def where_it_stands(self) -> str:
        """The progress line while no run goes: the trained epochs, or how to begin."""
        if self.trained is not None and self.trained.epochs_done:
            return _tr("Trained {0} epoch(s): Continue, or Reset to restart").format(self.trained.epochs_done)
        if self.trained is not None:
            return _tr("Trained weights: Continue, or Reset to restart")
        return _tr("Build a network, then press Start.")

    def _take(self, trained: Trained | None) -> None:
        self.trained = trained
        self.changed.emit()
