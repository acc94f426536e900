"""ProjectDocument: the whole document - network, settings, dataset, runs, weights - as one Project."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from playground.core.project import DataFacts, Project
from playground.core.spec import NetworkSpec
from playground.core.trained import Trained
from playground.data.dataset import DataRef
from playground.errors import PlaygroundError
from playground.gui.editor.model import NetworkModel
from playground.gui.session import TrainingSession


class ProjectDocument(QObject):
    """Builds a core ``Project`` from the editor's model and the training session, and applies one back.

    The network's changes are tracked by the undo stack (back at its clean index, the network is the
    saved one); everything else (the settings, the dataset, the runs, the weights) is compared with
    what was saved, so undoing or editing back to the saved project makes it unmodified again.
    ``modified_changed`` carries whether the project differs from its file.
    """

    modified_changed = Signal(bool)

    def __init__(self, model: NetworkModel, session: TrainingSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model, self.session = model, session
        self._saved: tuple | None = self._state()
        self._modified = False
        self._applying = False
        session.config_changed.connect(self._on_changed)
        session.dataset_changed.connect(self._on_changed)
        session.weights_changed.connect(self._on_changed)
        session.history.run_added.connect(self._on_changed)
        session.history.run_changed.connect(self._on_changed)
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
        """What a save stores besides the network: settings, dataset, the weights (by serial) and runs."""
        session = self.session
        dataset = session.dataset.ref if session.dataset is not None else None
        return (session.config, dataset, session.weights_serial, session.history.revision)

    def facts(self) -> DataFacts:
        """The data facts of the project: the session's, else a placeholder of the editor's shape."""
        facts = self.session.facts()
        if facts is not None:
            return facts
        shape = tuple(self.model.input_shape)
        channels = shape[0] if len(shape) == 3 else 0
        return DataFacts(DataRef("none"), shape, tuple(str(i) for i in range(self.model.outputs)),
                         (0.0,) * channels, (1.0,) * channels)

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
        facts, trained = self.facts(), self.session.trained
        fits = trained is not None and trained.spec == self.model.spec
        return Project(self.model.spec, self.session.config, facts,
                       history=self.session.history.to_dicts(),
                       weights=trained.weights if trained is not None and fits else None,
                       resume=trained.resume if trained is not None and fits
                       and trained.dataset == facts.dataset else None)

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
        return warning

    def _apply(self, project: Project, as_base: bool) -> str:
        session, facts = self.session, project.facts
        session.set_project_facts(facts)
        session.forget_weights()
        self.model.reset(project.spec)
        session.set_config(project.config)
        warning = ""
        current = session.dataset.ref if session.dataset is not None else None
        if facts.dataset != current:
            try:
                session.select_dataset(facts.dataset)
            except PlaygroundError:
                warning = self.tr("The project's dataset %1 could not be loaded; %2 is selected instead.") \
                    .replace("%1", facts.dataset.key).replace("%2", current.key if current else "-")
        lost = session.history.restore(() if as_base else project.history)
        if lost:
            warning = self.tr("%1 saved runs could not be read.").replace("%1", str(lost))
        if project.weights is not None:
            resume = None if as_base else project.resume
            session.set_trained(Trained(project.spec, dict(project.weights), facts.dataset, project.config,
                                        resume, 0 if resume is None else resume.epoch))
        return warning

    def reset(self, spec: NetworkSpec) -> None:
        """A new project holding only ``spec``: no runs, no weights, unmodified."""
        self._applying = True
        try:
            self.session.forget_weights()
            self.model.reset(spec)
            self.session.history.replace([])
        finally:
            self._applying = False
        self.mark_clean()

    # --- reactions --------------------------------------------------------------------------------

    @Slot()
    def _on_changed(self, *_args: object) -> None:
        if not self._applying:
            self._announce()

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        if not self._applying:
            self._announce(clean)  # the stack may be going away: only its word is asked
