"""The "Inside the network" dock: every layer's output for the drawing, live as the user draws."""

from __future__ import annotations

from functools import cache

import numpy as np
import torch
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from playground.core.inspect import Inside, first_layer_weights, look_inside
from playground.core.layers import LAYER_TYPES
from playground.core.spec import NetworkSpec
from playground.data.idx import read_idx_pair
from playground.errors import PlaygroundError
from playground.gui.background import one_torch_thread
from playground.gui.docks import DockHost
from playground.gui.draw.panel import DrawPanel
from playground.gui.draw.source import AnsweringModel
from playground.gui.inspect import inside_text as text
from playground.gui.inspect.inside_sections import LayerSection, SaliencySection, Section, WeightsSection
from playground.gui.inspect.throttled import ThrottledView
from playground.resources import mnist_sample_dir

THROTTLE_MS = 50
"""Drawing and weight updates are coalesced: at most one recompute per this many ms (~20 Hz)."""
SAMPLE_INDEX = 0
"""Which image of the bundled MNIST test split the view shows while the pad is empty."""


@cache
def sample_digit() -> tuple[np.ndarray, int] | None:
    """A test digit of the bundled MNIST sample as a (28, 28) float image in [0, 1], with its label; None
    when the files cannot be read (the view then asks for a drawing)."""
    folder = mnist_sample_dir()
    try:
        images, labels = read_idx_pair(folder / "t10k-images-idx3-ubyte.gz",
                                       folder / "t10k-labels-idx1-ubyte.gz")
    except PlaygroundError:
        return None
    return images[SAMPLE_INDEX].astype(np.float32) / 255.0, int(labels[SAMPLE_INDEX])


class InsideView(ThrottledView):
    """Feature maps, activations, recurrent states and gates, first-layer weights and a saliency map
    for the drawing pad's current input (a test digit of the bundled sample while the pad is empty), read
    by the model that answers there; the line at the top names the model and the input.

    Sections are built once per network and only get new pixels afterwards. Updates from the pad
    are coalesced by a single-shot timer (``throttle_ms``, longer when a recompute is slow; 0
    recomputes at once, for tests) and skipped while the view is hidden; it catches up when shown.
    ``refreshed`` comes after each redraw.
    """

    refreshed = Signal()

    def __init__(self, drawing: DrawPanel, parent: QWidget | None = None) -> None:
        super().__init__(THROTTLE_MS, parent)
        self.drawing = drawing
        self.inside: Inside | None = None
        self.layer_sections: list[LayerSection] = []
        self.weights_section: WeightsSection | None = None
        self.saliency_section: SaliencySection | None = None
        self._model: torch.nn.Module | None = None
        self._spec: NetworkSpec | None = None
        self._weights_version: int | None = None
        self.showing = QLabel(self)
        self.showing.setWordWrap(True)
        self.showing.setAccessibleName(self.tr("What the inside view shows"))
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.note.setAccessibleName(self.tr("Inside view message"))
        self.content = QWidget()
        self._sections = QVBoxLayout(self.content)
        self._sections.setContentsMargins(6, 0, 6, 0)
        self._sections.addStretch(1)
        self.sections_area = QScrollArea(self)
        self.sections_area.setWidgetResizable(True)
        self.sections_area.setFrameShape(QFrame.Shape.NoFrame)
        self.sections_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sections_area.setWidget(self.content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.showing)
        layout.addWidget(self.note)
        layout.addWidget(self.sections_area, 1)
        self.setMinimumWidth(260)
        self.showing.setText(text.showing_model(drawing.source.description))
        self._say(text.prompt())
        drawing.prediction_changed.connect(self._on_prediction_changed)
        drawing.weights_changed.connect(self._on_weights_changed)
        drawing.source.description_changed.connect(self._on_weights_changed)

    # --- reacting to the drawing pad --------------------------------------------------------------

    @Slot(object)
    def _on_prediction_changed(self, _probabilities: object) -> None:
        """The drawing (or the prediction) changed."""
        self.schedule()

    @Slot()
    def _on_weights_changed(self) -> None:
        """Another answering model or new weights."""
        self.schedule()

    # --- drawing ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Look inside the answering model for the current input and redraw every section."""
        self._recomputed()
        answering, image = self.drawing.answering_model(), self.drawing.input_image()
        model = self.drawing.source.description
        if answering is None:
            self.showing.setText(text.showing_model(model))
            self._say(text.no_model(self.drawing.source.problem))
            return
        sample = sample_digit() if image is None else None
        if sample is not None:
            image = sample[0]
            self.showing.setText(text.showing_sample(model, str(sample[1])))
        elif image is None:
            self.showing.setText(text.showing_model(model))
            self._say(text.prompt())
            return
        else:
            self.showing.setText(text.showing_drawing(model))
        spec = answering.spec
        ends_in_softmax = spec.outputs_probabilities
        try:
            with one_torch_thread():
                inside = look_inside(answering.model, spec, image, answering.mean, answering.std,
                                     ends_in_softmax=ends_in_softmax)
        except (RuntimeError, ValueError) as exc:
            self._say(text.failed(str(exc)))
            return
        if not np.isfinite(inside.probabilities).all():
            self._say(text.diverged())
            return
        if answering.model is not self._model or spec != self._spec:
            self._rebuild(answering, inside)
        if self.weights_section is not None and answering.version != self._weights_version:
            _, weights = first_layer_weights(answering.model, spec, answering.input_shape)
            self.weights_section.show_weights(weights)
            self._weights_version = answering.version
        for section, view in zip(self.layer_sections, inside.layers, strict=True):
            section.show_view(view)
        top = int(inside.probabilities.argmax())
        names = answering.class_names
        name = names[top] if top < len(names) else str(top)
        percent = 100.0 * float(inside.probabilities[top])
        if self.saliency_section is not None:
            self.saliency_section.show_saliency(image, inside.saliency, name, percent)
        self.inside = inside
        self.note.hide()
        self.sections_area.show()
        self.refreshed.emit()

    def _say(self, message: str) -> None:
        """Show a message instead of the sections."""
        self.inside = None
        self.note.setText(message)
        self.note.show()
        self.sections_area.hide()

    def sections(self) -> list[Section]:
        """Every section in display order."""
        found = []
        for i in range(self._sections.count()):
            item = self._sections.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, Section):
                found.append(widget)
        return found

    def _rebuild(self, answering: AnsweringModel, inside: Inside) -> None:
        """New sections for a new network (the only time widgets are created)."""
        for section in self.sections():
            self._sections.removeWidget(section)
            section.hide()
            section.deleteLater()
        spec = answering.spec
        self.saliency_section = SaliencySection(inside.saliency.shape, self.content)
        ordered: list[Section] = [self.saliency_section]
        kind, weights = first_layer_weights(answering.model, spec, answering.input_shape)
        first = next((i for i, lay in enumerate(spec.layers) if LAYER_TYPES[lay.type].weights_view), None)
        self.weights_section = None
        if kind != "none" and first is not None:
            self.weights_section = WeightsSection(kind, weights, first, spec.layers[first].type, self.content)
        self.layer_sections = []
        last = len(spec.layers) - 1
        for view, lay in zip(inside.layers, spec.layers, strict=True):
            if self.weights_section is not None and view.index == first:
                ordered.append(self.weights_section)
            section = LayerSection(view, lay, view.index == last, answering.class_names, self.content)
            self.layer_sections.append(section)
            ordered.append(section)
        for position, section in enumerate(ordered):
            self._sections.insertWidget(position, section)
            section.show()
        self._model, self._spec, self._weights_version = answering.model, spec, None


def install_inside_view(host: DockHost, drawing: DrawPanel) -> QDockWidget:
    """Add the "Inside the network" dock to ``host``, reading the drawing pad."""
    view = InsideView(drawing)
    return host.add_dock(view, view.tr("Inside the network"), "inside_dock",
                         Qt.DockWidgetArea.RightDockWidgetArea)
