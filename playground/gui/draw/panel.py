"""DrawPanel: the canvas, what the network sees, its prediction bars, teaching symbols, "my drawings"."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QImage, QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.preprocess import to_mnist
from playground.core.spec import NetworkSpec
from playground.core.transfer import TaughtModel
from playground.data.dataset import DataFacts
from playground.data.drawings import add_drawing
from playground.errors import PlaygroundError
from playground.gui.draw.bars import PredictionBars
from playground.gui.draw.canvas import DEFAULT_PEN, DrawingCanvas
from playground.gui.draw.collect import MyDrawingsBox
from playground.gui.draw.imagefile import ImageFileError, load_picture
from playground.gui.draw.note import CanvasNote
from playground.gui.draw.preview import InputPreview
from playground.gui.draw.source import SAMPLE_MODEL, AnsweringModel, ModelSource, SnapshotFn
from playground.gui.draw.teach import TeachBox

WIDGET_SIZE_MAX = (1 << 24) - 1
"""Qt's QWIDGETSIZE_MAX: no limit on a widget's size."""
DIGITS = tuple(str(digit) for digit in range(10))


class DrawPanel(QWidget):
    """Draw (or open an image) and watch a network read it.

    The sample model answers until ``set_live_model`` hands over the network being trained, or
    ``use_taught_model`` (the teach box, after fine-tuning) a model taught new symbols;
    ``use_sample_model`` goes back; ``shutdown`` stops a fine-tuning that runs.
    ``prediction_changed`` carries the probabilities shown (a float array, one per class) or None
    when there is no prediction; ``drawing_saved`` carries the label of a drawing added to "my
    drawings"; ``weights_changed`` comes when the answering model or its weights change
    (``answering_model`` then returns the new one).
    """

    prediction_changed = Signal(object)
    drawing_saved = Signal(int)
    weights_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, sample_model_path: Path = SAMPLE_MODEL,
                 drawing_classes: Sequence[str] = DIGITS) -> None:
        super().__init__(parent)
        self._input: np.ndarray | None = None
        self._exact: np.ndarray | None = None
        self.source = ModelSource(sample_model_path, self)
        self.model_label = QLabel(self)
        self.model_label.setAccessibleName(self.tr("Answering model"))
        self.model_label.setWordWrap(True)
        self.model_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 2)
        self.model_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.canvas = DrawingCanvas(self)
        self.message = CanvasNote(self.canvas)
        self.preview = InputPreview(self)
        self.bars = PredictionBars(DIGITS, self)
        self.my_drawings = MyDrawingsBox(drawing_classes, self)
        self.teach = TeachBox(self.source.sample, self)
        self._build_layout(self._build_tools())
        self.canvas.drawing_changed.connect(self._on_drawing_changed)
        self.canvas.file_dropped.connect(self.open_image)
        self.source.weights_changed.connect(self._on_weights_changed)
        self.source.description_changed.connect(self._on_description_changed)
        self.my_drawings.add_requested.connect(self._on_add_requested)
        self.teach.example_added.connect(self.canvas.clear)
        self.teach.taught.connect(self.use_taught_model)
        self.teach.back_requested.connect(self.use_sample_model)
        self.teach.header.toggled.connect(self._on_teach_toggled)
        self.use_sample_model()

    def _build_tools(self) -> QHBoxLayout:
        """The row under the canvas: Clear, Undo, pen width, Open image."""
        self.clear_button = QToolButton(self)
        self.clear_button.setText(self.tr("Clear"))
        self.clear_button.setAccessibleName(self.tr("Clear drawing"))
        self.clear_button.setToolTip(self.tr("Clear the canvas (Escape or Delete)"))
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button = QToolButton(self)
        self.undo_button.setText(self.tr("Undo"))
        self.undo_button.setAccessibleName(self.tr("Undo last stroke"))
        self.undo_button.setToolTip(self.tr("Remove the last stroke (Ctrl+Z on the canvas)"))
        self.undo_button.clicked.connect(self.canvas.undo)
        self.pen_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.pen_slider.setRange(8, 48)
        self.pen_slider.setMinimumWidth(40)
        self.pen_slider.setValue(DEFAULT_PEN)
        self.pen_slider.setAccessibleName(self.tr("Pen width"))
        self.pen_slider.setToolTip(self.tr("Pen width"))
        self.pen_slider.valueChanged.connect(self.canvas.set_pen_width)
        self.open_button = QToolButton(self)
        self.open_button.setText(self.tr("Open image…"))
        self.open_button.setToolTip(self.tr("Classify a PNG or JPEG file (or drop one on the canvas)"))
        self.open_button.clicked.connect(self._on_open_clicked)
        for button in (self.clear_button, self.undo_button, self.open_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        tools = QHBoxLayout()
        tools.addWidget(self.clear_button)
        tools.addWidget(self.undo_button)
        pen_label = QLabel(self.tr("Pen"), self)
        pen_label.setBuddy(self.pen_slider)
        tools.addWidget(pen_label)
        tools.addWidget(self.pen_slider, 1)
        tools.addWidget(self.open_button)
        return tools

    def _build_layout(self, tools: QHBoxLayout) -> None:
        """Model line, canvas, tools, the input preview beside the bars, teaching, my drawings."""
        caption = QLabel(self.tr("What the network sees (28×28)"), self)
        caption.setWordWrap(True)
        caption.setFixedWidth(self.preview.width())
        seen = QVBoxLayout()
        seen.addWidget(caption)
        seen.addWidget(self.preview)
        seen.addStretch(1)
        reading = QHBoxLayout()
        reading.addLayout(seen)
        reading.addWidget(self.bars, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.model_label)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(tools)
        layout.addLayout(reading)
        below = self.below_content = QWidget(self)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.teach)
        below_layout.addWidget(self.my_drawings)
        below_layout.addStretch(1)
        self.below = QScrollArea(self)  # teaching opens tall: it scrolls instead of growing the window
        self.below.setWidget(below)
        self.below.setWidgetResizable(True)
        self.below.setFrameShape(QFrame.Shape.NoFrame)
        self.below.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.below.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.below)

    # --- the interface the main window uses -------------------------------------------------------

    def set_live_model(self, spec: NetworkSpec, facts: DataFacts, snapshot_fn: SnapshotFn) -> None:
        """Read drawings with the network being trained (or the weights it left) on data of ``facts``,
        fed from ``snapshot_fn`` (trainer.snapshot). When drawings cannot feed it (another input
        shape, or it predicts values) the pad says so instead of predicting.

        The panel keeps its own model copy and loads each new snapshot version (polled every
        300 ms), predicting the current drawing again each time.
        """
        self.source.use_live(spec, facts, snapshot_fn)

    @Slot()
    def use_sample_model(self) -> None:
        """Read drawings with the shipped sample model again."""
        self.source.use_sample()

    @Slot(object)
    def use_taught_model(self, taught: TaughtModel) -> None:
        """Read drawings with a model taught new symbols (its class names label the bars)."""
        self.source.use_taught(taught)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop a running fine-tuning and wait (bounded); True when no thread is left running."""
        return self.teach.shutdown(timeout_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Closing the panel stops a fine-tuning that runs."""
        self.shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Enter adds the drawing as an example while the teach box is open (not while naming)."""
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.teach.is_expanded()
                and not self.teach.names_edit.hasFocus()):
            self.teach.add_example()
            event.accept()
        else:
            super().keyPressEvent(event)

    def answering_model(self) -> AnsweringModel | None:
        """The model reading the drawing now (the panel's own copy; use it on the GUI thread only)."""
        return self.source.answering()

    def show_example(self, image28: np.ndarray) -> None:
        """Put a 28x28 example, (28, 28) or (1, 28, 28) (values in [0, 1] or uint8 0-255, white on black),
        on the canvas; other images are not drawings and get a message."""
        pixels = np.asarray(image28, dtype=np.float32)
        if pixels.ndim == 3 and pixels.shape[0] == 1:
            pixels = pixels[0]
        if pixels.ndim != 2:
            shape = "×".join(str(d) for d in pixels.shape)
            self.show_message(self.tr("The drawing pad shows one-channel drawings, not %1 images.")
                              .replace("%1", shape))
            return
        if pixels.max(initial=0.0) <= 1.0:
            pixels = pixels * 255.0
        gray = np.ascontiguousarray(np.clip(pixels, 0, 255).astype(np.uint8))
        image = QImage(gray.data, gray.shape[1], gray.shape[0], gray.strides[0],
                       QImage.Format.Format_Grayscale8).copy()
        self.message.hide()
        self._exact = gray.astype(np.float32) / 255.0  # already an MNIST-style input: not cropped again
        self.canvas.set_picture(image)

    def input_image(self) -> np.ndarray | None:
        """The 28x28 float input the network gets now, or None for an (almost) empty canvas."""
        return None if self._input is None else self._input.copy()

    @Slot(str)
    def open_image(self, path: str) -> bool:
        """Put an image file on the canvas and classify it; a bad file shows a message."""
        try:
            picture = load_picture(path)
        except ImageFileError as exc:
            self.show_message(str(exc))
            return False
        self.message.hide()
        self.canvas.set_picture(picture)
        return True

    def show_message(self, text: str) -> None:
        """Show a message over the foot of the canvas until the next stroke."""
        self.message.show_text(text)

    # --- reactions --------------------------------------------------------------------------------

    @Slot(object)
    def _on_drawing_changed(self, drawing: np.ndarray) -> None:
        """Preprocess the drawing, show it as the network sees it, and predict."""
        exact, self._exact = self._exact, None
        self._input = exact if exact is not None and exact.any() else to_mnist(drawing)
        self.preview.set_input(self._input)
        self.my_drawings.set_can_add(self._input is not None)
        self.teach.set_input(self._input)
        if self._input is not None:
            self.message.hide()
        self._predict()

    @Slot(bool)
    def _on_teach_toggled(self, expanded: bool) -> None:
        """An open teach box takes the place of "my drawings" in the area under the bars, which keeps its
        height and scrolls, so the canvas keeps its size; closed, the area follows the layout again."""
        if expanded:
            height = self.below.height() if self.below.isVisible() else self.below.sizeHint().height()
            self.below.setFixedHeight(height)
        else:
            self.below.setMinimumHeight(0)
            self.below.setMaximumHeight(WIDGET_SIZE_MAX)
        self.my_drawings.setVisible(not expanded)
        self.below.verticalScrollBar().setValue(0)  # the box's header and its first rows in view

    @Slot()
    def _on_weights_changed(self) -> None:
        """New model or new weights: predict the current drawing again."""
        if self.bars.class_names() != self.source.class_names and self.source.class_names:
            self.bars.set_class_names(self.source.class_names)
        self.teach.set_state(self.source.live, self.source.taught is not None)
        self._predict()
        self.weights_changed.emit()

    @Slot(str)
    def _on_description_changed(self, text: str) -> None:
        """Say which model answers."""
        self.model_label.setText(self.tr("Model: %1").replace("%1", text))

    def _predict(self) -> None:
        """Update the bars for the current input and model (or say why there is no prediction)."""
        probs = None
        if self.source.problem:
            self.bars.show_message(self.source.problem)
        elif self._input is None:
            self.bars.show_prompt(self.tr("Draw on the canvas to see what the network reads."))
        else:
            probs = self.source.predict(self._input)
            if probs is None or not np.all(np.isfinite(probs)):
                probs = None
                self.bars.show_message(self.tr("The network's output is not a number: its weights "
                                               "have diverged."))
            else:
                self.bars.set_probabilities(probs)
        self.prediction_changed.emit(probs)

    @Slot()
    def _on_open_clicked(self) -> None:
        """Ask for an image file and open it."""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open an image"), "",
                                              self.tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"))
        if path:
            self.open_image(path)

    @Slot(int)
    def _on_add_requested(self, label: int) -> None:
        """Save the current 28x28 input with ``label`` to my drawings, then clear the canvas."""
        if self._input is None:
            return
        try:
            add_drawing(self.preview.pixels(), label)
        except PlaygroundError as exc:
            self.show_message(self.tr("Cannot save the drawing: %1").replace("%1", str(exc)))
            return
        self.my_drawings.refresh()
        self.canvas.clear()
        name = self.my_drawings.name_of(label)
        self.show_message(self.tr("Added a %1 to my drawings.").replace("%1", name))
        self.drawing_saved.emit(label)
