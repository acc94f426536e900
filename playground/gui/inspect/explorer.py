"""The activation explorer dock: activations with derivative and formula, over a layer's pre-activations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QDockWidget, QFormLayout, QLabel, QVBoxLayout, QWidget

from playground.core.activations import ACTIVATIONS
from playground.core.activations_view import (
    LARGE_WEIGHT_STD,
    fresh_model,
    mean_derivative,
    pre_activations,
    saturation,
    saturation_threshold,
)
from playground.core.builder import PlaygroundNet
from playground.core.layers import Shape
from playground.core.spec import NetworkSpec
from playground.data.dataset import Dataset
from playground.data.registry import load_dataset
from playground.errors import PlaygroundError
from playground.gui.docks import DockHost
from playground.gui.draw.panel import DrawPanel
from playground.gui.draw.source import AnsweringModel
from playground.gui.editor.model import NetworkModel
from playground.gui.editor.text import activation_label
from playground.gui.inspect.explorer_plot import ExplorerPlot
from playground.gui.inspect.explorer_text import (
    answering_text,
    formula_html,
    large_weights_hint,
    layer_label,
    note,
    over_text,
    saturation_text,
)
from playground.gui.session import TrainingSession

REFRESH_MS = 500
BATCH = 512
FALLBACK_DATASET = "mnist-sample"
ANSWERING, FRESH, LARGE = range(3)
HINT_BELOW = 0.05
"""Below this saturated share of a sigmoid/tanh layer with default weights, suggest the large ones."""
EditorNetwork = tuple[NetworkSpec, Shape, int]


@dataclass(frozen=True)
class Shown:
    """The network whose pre-activations are drawn, with its input normalisation and a description."""

    spec: NetworkSpec
    model: PlaygroundNet
    mean: tuple[float, ...]
    std: tuple[float, ...]
    text: str


class ActivationExplorer(QWidget):
    """Pick an activation to see f and f'; pick a layer to lay its pre-activations over them.

    The network shown is the drawing pad's model when that is the editor's network (trained or
    training), else an untrained copy of the editor's network, until a source is chosen by hand.

    Args:
        answering_fn: the drawing pad's answering model (``DrawPanel.answering_model``).
        dataset_fn: the training panel's dataset, or None (then the bundled MNIST sample is used).
        network_fn: the editor's network: spec, input shape and class count.
        refresh_ms: how long ``schedule_refresh`` waits, coalescing bursts of changes.
    """

    def __init__(self, answering_fn: Callable[[], AnsweringModel | None],
                 dataset_fn: Callable[[], Dataset | None], network_fn: Callable[[], EditorNetwork],
                 parent: QWidget | None = None, refresh_ms: int = REFRESH_MS) -> None:
        super().__init__(parent)
        self._answering_fn, self._dataset_fn, self._network_fn = answering_fn, dataset_fn, network_fn
        self._shown: Shown | None = None
        self._images: tuple[np.ndarray, str] | None = None
        self._fresh: tuple[str, PlaygroundNet] | None = None
        self._stale = False
        self._picked = False
        self.values: np.ndarray | None = None
        self.share: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self._on_timer)
        self._build()
        self.activation_combo.setCurrentIndex(self.activation_combo.findData("sigmoid"))
        self._show_activation()
        self.activation_combo.currentIndexChanged.connect(self._on_activation_chosen)
        self.refresh()

    def _build(self) -> None:
        """Combos on top, then the network line, the plot, the formula, the note and the saturation."""
        self.activation_combo = self._combo(self.tr("Activation"))
        for name in ACTIVATIONS:
            if name != "none":
                self.activation_combo.addItem(activation_label(name), name)
        self.source_combo = self._combo(self.tr("Network"))
        self.source_combo.addItems([self.tr("Model reading the drawing pad"),
                                    self.tr("Editor's network, untrained (default init)"),
                                    self.tr("Editor's network, untrained, large weights N(0, 1)")])
        self.layer_combo = self._combo(self.tr("Layer"))
        self.network_label = self._label()
        self.plot = ExplorerPlot(self)
        self.plot.setMinimumHeight(220)
        self.formula_label = self._label()
        self.formula_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_label = self._label()
        self.saturation_label = self._label()
        self.saturation_label.setStyleSheet("font-weight: bold")
        self.hint_label = self._label()
        self.hint_label.hide()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Activation"), self.activation_combo)
        form.addRow(self.tr("Network"), self.source_combo)
        form.addRow(self.tr("Layer"), self.layer_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.network_label)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.formula_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.saturation_label)
        layout.addWidget(self.hint_label)
        self.source_combo.currentIndexChanged.connect(self._on_source_chosen)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_chosen)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        combo.setAccessibleName(name)
        return combo

    def _label(self) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # --- the interface ------------------------------------------------------------------------

    def activation(self) -> str:
        """The activation plotted now."""
        return self.activation_combo.currentData()

    def layer(self) -> int | None:
        """The spec index of the layer whose histogram is shown, or None."""
        return self.layer_combo.currentData()

    def select_activation(self, name: str) -> None:
        """Plot activation ``name``."""
        self.activation_combo.setCurrentIndex(self.activation_combo.findData(name))

    def select_source(self, source: int) -> None:
        """Show the answering model (ANSWERING) or an untrained copy of the editor's network (FRESH/LARGE);
        the choice then stays (as one made by hand does)."""
        self._picked = True
        self.source_combo.setCurrentIndex(source)

    def select_layer(self, index: int | None) -> None:
        """Lay spec layer ``index``'s pre-activations over its activation; None shows the curve alone."""
        self.layer_combo.setCurrentIndex(max(self.layer_combo.findData(index), 0))

    @Slot()
    def schedule_refresh(self) -> None:
        """Refresh after ``refresh_ms``, once however many changes come in between."""
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def refresh(self) -> None:
        """Find the network to show, list its layers and draw the chosen layer's histogram now."""
        self._timer.stop()
        self._stale = False
        if not self._picked:
            self._default_source()
        try:
            self._shown = self._find_network()
        except PlaygroundError as exc:
            self._shown = None
            self.network_label.setText(str(exc))
        else:
            self.network_label.setText(self._shown.text if self._shown else self.tr(
                "No model reads the drawing pad now, so there is no histogram: choose the "
                "editor's network above."))
        self._list_layers(self._shown.spec if self._shown else None)
        self._show_histogram()

    # --- finding the network and its pre-activations ------------------------------------------

    def _default_source(self) -> None:
        """The pad's model when it is the editor's network, else the editor's network untrained."""
        answering = self._answering_fn()
        same = answering is not None and answering.spec == self._network_fn()[0]
        self.source_combo.blockSignals(True)
        self.source_combo.setCurrentIndex(ANSWERING if same else FRESH)
        self.source_combo.blockSignals(False)

    def _dataset(self) -> tuple[np.ndarray, str, tuple[float, ...], tuple[float, ...]]:
        """The first test inputs of the session's dataset (or the MNIST sample), name, mean, std."""
        dataset = self._dataset_fn() or load_dataset(FALLBACK_DATASET)
        return dataset.test_x[:BATCH], dataset.name, dataset.mean, dataset.std

    def _find_network(self) -> Shown | None:
        """The network the chosen source names, or None when no model answers the drawing pad."""
        images, data_name, mean, std = self._dataset()
        self._images = images, data_name
        over = over_text(len(images), data_name)
        spec, shape, classes = self._network_fn()
        source = self.source_combo.currentIndex()
        if source == ANSWERING:
            answering = self._answering_fn()
            if answering is None:
                return None
            text = answering_text(answering.live, answering.spec == spec, answering.version)
            return Shown(answering.spec, answering.model, answering.mean, answering.std, f"{text} {over}")
        std_w = LARGE_WEIGHT_STD if source == LARGE else None
        key = f"{spec.to_json()}|{shape}|{classes}|{std_w}"
        if self._fresh is None or self._fresh[0] != key:
            try:
                self._fresh = key, fresh_model(spec, shape, classes, std_w)
            except (PlaygroundError, RuntimeError, ValueError) as exc:
                raise PlaygroundError(self.tr("The editor's network cannot be built: %1").replace(
                    "%1", str(exc))) from exc
        text = (self.tr("The editor's network with untrained weights drawn from N(0, 1), as early "
                        "networks often started.") if std_w else
                self.tr("The editor's network with untrained PyTorch-default weights."))
        return Shown(spec, self._fresh[1], mean, std, f"{text} {over}")

    def _list_layers(self, spec: NetworkSpec | None) -> None:
        """Fill the layer combo with ``spec``'s layers that have an activation, keeping the choice."""
        items = [] if spec is None else [
            (layer_label(i, lay), i) for i, lay in enumerate(spec.layers) if lay.activation != "none"]
        current = [(self.layer_combo.itemText(i), self.layer_combo.itemData(i))
                   for i in range(1, self.layer_combo.count())]
        if items == current and self.layer_combo.count():
            return
        keep = self.layer()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItem(self.tr("None (the curve alone)"), None)
        for text, index in items:
            self.layer_combo.addItem(text, index)
        known = [index for _, index in items]
        choice = keep if keep in known else (known[0] if known else None)
        self.layer_combo.setCurrentIndex(max(self.layer_combo.findData(choice), 0))
        self.layer_combo.blockSignals(False)
        self.layer_combo.setEnabled(bool(items))

    def _show_histogram(self) -> None:
        """Compute and draw the chosen layer's pre-activations, or hide the histogram."""
        self.values, self.share = None, None
        self.hint_label.hide()
        index, shown = self.layer(), self._shown
        if index is None or shown is None or self._images is None:
            self.plot.set_histogram(None)
            self.saturation_label.setText(self.tr("Choose a layer to see where its inputs fall on the curve.")
                                          if shown else "")
            return
        name = shown.spec.layers[index].activation
        if name != self.activation():
            self.select_activation(name)
        try:
            values = pre_activations(shown.model, shown.spec, self._images[0], shown.mean, shown.std, index)
        except PlaygroundError as exc:
            self.plot.set_histogram(None)
            self.saturation_label.setText(str(exc))
            return
        self.values, self.share = values, saturation(name, values)
        self.plot.set_histogram(values)
        self.saturation_label.setText(saturation_text(name, self.share, saturation_threshold(name),
                                                      mean_derivative(name, values), len(values)))
        default_init = self.source_combo.currentIndex() == FRESH
        row = ACTIVATIONS[name]
        if default_init and row.family == "saturating" and not row.probabilities and self.share < HINT_BELOW:
            self.hint_label.setText(large_weights_hint(name))
            self.hint_label.show()

    def _show_activation(self) -> None:
        """Curves, formula and note of the chosen activation."""
        name = self.activation()
        self.plot.set_activation(name)
        self.formula_label.setText(formula_html(name))
        self.note_label.setText(note(name))

    # --- reactions ----------------------------------------------------------------------------

    @Slot(int)
    def _on_activation_chosen(self, _index: int) -> None:
        """Another activation: draw it; a layer with another activation no longer fits the plot."""
        self._show_activation()
        index = self.layer()
        shown = self._shown
        if index is not None and shown and shown.spec.layers[index].activation != self.activation():
            self.select_layer(None)

    @Slot(int)
    def _on_source_chosen(self, _index: int) -> None:
        """A source chosen by hand stays chosen."""
        self._picked = True
        self.refresh()

    @Slot(int)
    def _on_layer_chosen(self, _index: int) -> None:
        self._show_histogram()

    @Slot()
    def _on_timer(self) -> None:
        """Refresh now if anyone can see it; otherwise when it is shown again."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Catch up on changes made while hidden."""
        super().showEvent(event)
        if self._stale:
            self.schedule_refresh()


def install_explorer(host: DockHost, session: TrainingSession, model: NetworkModel, drawing: DrawPanel,
                     refresh_ms: int = REFRESH_MS) -> QDockWidget:
    """Add the "Activation explorer" dock to ``host``, in step with the pad, the editor and the session."""
    explorer = ActivationExplorer(
        drawing.answering_model, lambda: session.dataset,
        lambda: (model.spec, model.input_shape, model.outputs), refresh_ms=refresh_ms)
    drawing.weights_changed.connect(explorer.schedule_refresh)
    model.spec_changed.connect(explorer.schedule_refresh)
    session.dataset_changed.connect(explorer.schedule_refresh)
    return host.add_dock(explorer, explorer.tr("Activation explorer"), "explorer_dock",
                         Qt.DockWidgetArea.RightDockWidgetArea)
