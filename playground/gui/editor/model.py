"""NetworkModel: the edited spec, its analysis, the selection and the undo stack, as one QObject."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from playground.core.analysis import Analysis, Fix, analyse
from playground.core.choices import CLASSIFICATION, default_loss
from playground.core.presets import PRESETS, preset
from playground.core.spec import LayerSpec, NetworkSpec, layer
from playground.gui.editor.commands import SpecCommand

NO_SELECTION = -1


class NetworkModel(QObject):
    """The network being edited. Views read ``spec`` and ``analysis`` and listen to the signals.

    Every edit goes through ``edit`` as one undoable command and is refused while the structure is
    locked (training runs). ``selection_changed`` carries -1 when no layer is selected. The network
    is analysed for the dataset ``set_dataset`` names: one input's shape and the outputs the task needs.
    """

    spec_changed = Signal(object)
    analysis_changed = Signal(object)
    selection_changed = Signal(int)
    structure_lock_changed = Signal(bool, str)
    can_train_changed = Signal(bool, str)
    dataset_changed = Signal(str)
    preset_loaded = Signal(str)

    def __init__(
        self,
        spec: NetworkSpec,
        input_shape: tuple[int, ...],
        outputs: int,
        dataset_name: str = "",
        task: str = CLASSIFICATION,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._spec = spec
        self._input_shape = tuple(input_shape)
        self._outputs, self._task = outputs, task
        self._dataset_name = dataset_name
        self._analysis = self._analyse(spec)
        self._selected: int | None = None
        self._locked = False
        self._lock_reason = ""
        self.undo_stack = QUndoStack(self)

    # --- read-only state ---------------------------------------------------------------------

    @property
    def spec(self) -> NetworkSpec:
        """The current network."""
        return self._spec

    @property
    def analysis(self) -> Analysis:
        """The analysis of the current network on the current dataset shape."""
        return self._analysis

    @property
    def selected(self) -> int | None:
        """The selected layer (0-based), or None."""
        return self._selected

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self._input_shape

    @property
    def outputs(self) -> int:
        """How many outputs the dataset's task needs: its classes, or its regression targets."""
        return self._outputs

    @property
    def task(self) -> str:
        """The dataset's task: "classification" or "regression"."""
        return self._task

    @property
    def dataset_name(self) -> str:
        return self._dataset_name

    @property
    def can_train(self) -> bool:
        """True when the analysis finds no error."""
        return self._analysis.ok

    @property
    def why_not(self) -> str:
        """Why training cannot start (the first error), or "" when it can."""
        errors = self._analysis.errors
        if not errors:
            return ""
        first = errors[0]
        if first.layer is None:
            return self.tr("Cannot train: %1").replace("%1", first.message)
        return (self.tr("Cannot train: layer %1: %2")
                .replace("%1", str(first.layer + 1)).replace("%2", first.message))

    @property
    def structure_locked(self) -> bool:
        return self._locked

    @property
    def lock_reason(self) -> str:
        return self._lock_reason

    # --- state changes that are not edits ----------------------------------------------------

    def select(self, index: int | None) -> None:
        """Select layer ``index`` (None or out of range: no selection)."""
        if index is not None and not 0 <= index < len(self._spec):
            index = None
        if index != self._selected:
            self._selected = index
            self.selection_changed.emit(NO_SELECTION if index is None else index)

    def reset(self, spec: NetworkSpec) -> None:
        """Start a new document with ``spec``: no undo history, clean."""
        self.undo_stack.clear()
        self._apply(spec, None)
        self.undo_stack.setClean()

    def set_dataset(self, name: str, input_shape: tuple[int, ...], outputs: int,
                    task: str = CLASSIFICATION) -> None:
        """Analyse against another dataset's input shape and outputs."""
        self._dataset_name = name
        self._input_shape, self._outputs, self._task = tuple(input_shape), outputs, task
        self.dataset_changed.emit(name)
        self._apply(self._spec, self._selected)

    def set_structure_locked(self, locked: bool, reason: str = "") -> None:
        """Refuse (True) or allow edits; ``reason`` is shown while locked ("Training is running")."""
        if (locked, reason) == (self._locked, self._lock_reason):
            return
        self._locked, self._lock_reason = locked, reason if locked else ""
        self.structure_lock_changed.emit(locked, self._lock_reason)

    # --- edits (each one undoable command) ---------------------------------------------------

    def edit(self, new: NetworkSpec, text: str, select: int | None = None, merge_key: tuple | None = None
             ) -> bool:
        """Push an undoable change to ``new``; False when locked or nothing changes."""
        if self._locked or new == self._spec:
            return False
        self.undo_stack.push(SpecCommand(self._apply, self._spec, new, text, self._selected, select,
                                         merge_key))
        return True

    def add_layer(self, type_name: str) -> bool:
        """Add a default ``type_name`` layer after the selected one, or at the end."""
        at = len(self._spec) if self._selected is None else self._selected + 1
        return self.edit(self._spec.insert(at, layer(type_name)), self.tr("Add %1").replace("%1", type_name),
                         at)

    def remove_layer(self, index: int) -> bool:
        """Remove layer ``index``; the selection moves to its neighbour."""
        if not 0 <= index < len(self._spec):
            return False
        new = self._spec.remove(index)
        select = min(index, len(new) - 1) if len(new) else None
        return self.edit(new, self.tr("Delete %1").replace("%1", self._spec.layers[index].type), select)

    def duplicate_layer(self, index: int) -> bool:
        """Insert a copy of layer ``index`` right after it."""
        if not 0 <= index < len(self._spec):
            return False
        copy = self._spec.layers[index]
        return self.edit(self._spec.insert(index + 1, copy),
                         self.tr("Duplicate %1").replace("%1", copy.type), index + 1)

    def move_layer(self, index: int, to: int) -> bool:
        """Move layer ``index`` to position ``to``; the selection follows it."""
        if not (0 <= index < len(self._spec) and 0 <= to < len(self._spec)) or index == to:
            return False
        return self.edit(self._spec.move(index, to),
                         self.tr("Move %1").replace("%1", self._spec.layers[index].type), to)

    def set_param(self, index: int, name: str, value: int | float) -> bool:
        """Set one parameter of layer ``index``; consecutive changes of one field merge."""
        old = self._spec.layers[index]
        return self._replace(index, old.with_params(**{name: value}),
                             self.tr("Set %1 of %2").replace("%1", name).replace("%2", old.type),
                             ("param", index, name))

    def set_activation(self, index: int, activation: str) -> bool:
        """Set the activation of layer ``index``."""
        old = self._spec.layers[index]
        return self._replace(index, old.with_activation(activation),
                             self.tr("Set activation of %1").replace("%1", old.type))

    def set_trainable(self, index: int, trainable: bool) -> bool:
        """Freeze (False) or unfreeze layer ``index``."""
        old = self._spec.layers[index]
        text = self.tr("Unfreeze %1") if trainable else self.tr("Freeze %1")
        return self._replace(index, old.with_trainable(trainable), text.replace("%1", old.type))

    def apply_fix(self, fix: Fix) -> bool:
        """Apply one of the analysis' fixes."""
        select = fix.index if fix.action in ("insert", "set") else self._selected
        return self.edit(fix.apply(self._spec), fix.label, select)

    def load_preset(self, name: str) -> bool:
        """Replace the network by preset ``name`` (undoable)."""
        done = self.edit(preset(name), self.tr("Load %1").replace("%1", PRESETS[name].title), None)
        if done:
            self.preset_loaded.emit(name)
        return done

    def _replace(self, index: int, new: LayerSpec, text: str, merge_key: tuple | None = None) -> bool:
        return self.edit(self._spec.replace_layer(index, new), text, index, merge_key)

    # --- called by the undo commands ---------------------------------------------------------

    def _analyse(self, spec: NetworkSpec) -> Analysis:
        return analyse(spec, self._input_shape, self._outputs, default_loss(self._task), self._task)

    def _apply(self, spec: NetworkSpec, select: int | None) -> None:
        """Make ``spec`` current, analyse it and tell the views (selection settled before they hear)."""
        could, why, was = self.can_train, self.why_not, self._selected
        self._spec = spec
        self._analysis = self._analyse(spec)
        self._selected = select if select is not None and 0 <= select < len(spec) else None
        self.spec_changed.emit(spec)
        self.analysis_changed.emit(self._analysis)
        if self._selected != was:
            self.selection_changed.emit(NO_SELECTION if self._selected is None else self._selected)
        if (self.can_train, self.why_not) != (could, why):
            self.can_train_changed.emit(self.can_train, self.why_not)
