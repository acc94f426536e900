"""ProjectDocument: the whole document - network, settings, dataset, runs, weights - as one Project."""

from __future__ import annotations

import torch
from PySide6.QtCore import QObject, Signal, Slot

from playground.core.project import DataFacts, Project
from playground.core.spec import NetworkSpec
from playground.gui.editor.model import NetworkModel
from playground.gui.train import TrainingPanel
from playground.gui.train.runner import Trained


class ProjectDocument(QObject):
    """Builds a core ``Project`` from the editor's model and the training panel, and applies one back.

    The network's changes are tracked by the undo stack (back at its clean index, the network is the
    saved one); everything else (the settings, the dataset, the runs, the weights) is compared with
    what was saved, so undoing or editing back to the saved project makes it unmodified again.
    ``modified_changed`` carries whether the project differs from its file; ``weights_changed``
    comes when the weights to read drawings with change (``snapshot`` then returns a new version).
    """

    modified_changed = Signal(bool)
    weights_changed = Signal()

    def __init__(self, model: NetworkModel, training: TrainingPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model, self.training = model, training
        self._saved: tuple | None = self._state()
        self._modified = False
        self._applying = False
        self._version = 0
        self._facts: DataFacts | None = None
        training.config_edited.connect(self._on_changed)
        training.dataset_changed.connect(self._on_changed)
        training.history.run_added.connect(self._on_changed)
        training.weights_changed.connect(self._on_weights_changed)
        model.undo_stack.cleanChanged.connect(self._on_clean_changed)

    # --- state ------------------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """True when the settings, dataset, runs or weights differ from the saved project's."""
        return self._saved is None or self._state() != self._saved

    @property
    def is_modified(self) -> bool:
        """True when the project has changes its file does not have."""
        return self.dirty or not self.model.undo_stack.isClean()

    def _state(self) -> tuple:
        """What a save stores besides the network: settings, dataset, the runs and weights (by identity)."""
        training = self.training
        weights = training.trained.weights if training.trained is not None else None
        return (training.form.config(), training.picker.current_id, _Same(weights),
                tuple(_Same(run) for run in training.history.runs))

    @property
    def weights(self) -> dict[str, torch.Tensor] | None:
        """The current trained weights (None: fresh ones next run)."""
        return self.training.trained.weights if self.training.trained is not None else None

    def facts(self) -> DataFacts:
        """The data facts of the project: the selected dataset's, else those the project was saved with."""
        dataset = self.training.dataset
        if dataset is not None:
            return DataFacts(dataset.id, tuple(dataset.input_shape), dataset.num_classes,
                             tuple(dataset.class_names), float(dataset.mean), float(dataset.std))
        if self._facts is not None:
            return self._facts
        return DataFacts("", tuple(self.model.input_shape), self.model.num_classes,
                         tuple(str(i) for i in range(self.model.num_classes)), 0.0, 1.0)

    def snapshot(self) -> tuple[int, dict[str, torch.Tensor]]:
        """(version, weights) for the drawing pad's predictor; the version grows with each change."""
        return self._version, self.weights or {}

    def mark_clean(self) -> None:
        """The project now equals its file."""
        self._saved = self._state()
        self.model.undo_stack.setClean()
        self._announce()

    def mark_dirty(self) -> None:
        """The project differs from its file until it is saved (a recovered or derived project)."""
        self._saved = None
        self._announce()

    def _announce(self, clean: bool | None = None) -> None:
        """Emit ``modified_changed`` when the modified state changed (``clean``: the undo stack's, known)."""
        clean = self.model.undo_stack.isClean() if clean is None else clean
        modified = not clean or self.dirty
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    # --- to and from core Projects ----------------------------------------------------------------

    def project(self) -> Project:
        """The whole document as a core Project (weights and resume state included when there are any)."""
        facts, trained = self.facts(), self.training.trained
        fits = trained is not None and trained.spec == self.model.spec
        return Project.of(self.model.spec, self.training.form.config(), facts,
                          history=self.training.history.to_dicts(),
                          weights=trained.weights if fits else None,
                          resume=trained.resume if fits and trained.dataset_id == facts.dataset_id else None)

    def apply(self, project: Project, *, as_base: bool = False) -> str:
        """Make ``project`` the document; ``as_base`` keeps only its network and weights (history and
        resume state cleared, for a new project built on it). Returns a warning, or "" when all went in.
        """
        self._applying = True
        try:
            warning = self._apply(project, as_base)
        finally:
            self._applying = False
        if as_base:
            self.model.undo_stack.setClean()
            self.mark_dirty()
        else:
            self.mark_clean()
        self._version += 1
        self.weights_changed.emit()
        return warning

    def _apply(self, project: Project, as_base: bool) -> str:
        training = self.training
        self._facts = project.facts
        training.forget_weights()
        self.model.reset(project.spec)
        training.form.set_config(project.config)
        warning = ""
        if project.dataset_id and not training.select_dataset(project.dataset_id):
            warning = self.tr("The project's dataset %1 could not be loaded; %2 is selected instead.") \
                .replace("%1", project.dataset_id).replace("%2", training.picker.current_id or "-")
        lost = training.history.restore(() if as_base else project.history)
        if lost:
            warning = self.tr("%1 saved runs could not be read.").replace("%1", str(lost))
        if project.weights is not None:
            training.set_trained(Trained(project.spec, dict(project.weights), project.dataset_id,
                                         project.config, None if as_base else project.resume,
                                         0 if as_base or project.resume is None else project.resume.epoch))
        return warning

    def reset(self, spec: NetworkSpec) -> None:
        """A new project holding only ``spec``: no runs, no weights, unmodified."""
        self._applying = True
        try:
            self.training.forget_weights()
            self.model.reset(spec)
            self.training.history.replace([])
        finally:
            self._applying = False
        self.mark_clean()
        self._version += 1
        self.weights_changed.emit()

    # --- reactions --------------------------------------------------------------------------------

    @Slot()
    def _on_changed(self, *_args: object) -> None:
        if not self._applying:
            self._announce()

    @Slot()
    def _on_weights_changed(self) -> None:
        if self._applying:
            return
        self._version += 1
        self._announce()
        self.weights_changed.emit()

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        if not self._applying:
            self._announce(clean)  # the stack may be going away: only its word is asked


class _Same:
    """Wraps an object so that equality means identity (weights and runs are compared that way)."""

    __slots__ = ("item",)

    def __init__(self, item: object) -> None:
        self.item = item

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.item is self.item

    __hash__ = None  # type: ignore[assignment]
