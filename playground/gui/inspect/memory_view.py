"""The "Memory" dock, memory over time: for one test sequence, a recurrent network's hidden state, its
gates and the gradient of the loss with respect to the hidden state at every time step; RNN, LSTM and
GRU side by side."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import QCoreApplication, QRectF, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.core.builder import build_model
from playground.core.forecast import can_forecast
from playground.core.recurrence import GATES, MemoryTrace, trace_network, with_cell
from playground.core.spec import NetworkSpec
from playground.data.dataset import CLASSIFICATION, Dataset
from playground.data.tensors import normalise
from playground.errors import PlaygroundError
from playground.gui.background import one_torch_thread
from playground.gui.docks import DockHost
from playground.gui.inspect.session_model import session_model
from playground.gui.inspect.throttled import ThrottledView
from playground.gui.session import TrainingSession
from playground.gui.train.style import CELL_COLOURS, PALETTE, setup_plot

if TYPE_CHECKING:
    from playground.gui.inspect.forecast_dialog import ForecastDialog
    from playground.gui.inspect.memory_length_dialog import MemoryLengthDialog

THROTTLE_MS = 200
"""While training, at most one recompute per this many ms (a trace is a few ms for 50 steps)."""
HIDDEN_MAP = pg.colormap.get("CET-D1")  # diverging: -1 blue, 0 white, +1 red (tanh states)
GATE_MAP = pg.colormap.get("viridis")  # 0 (closed) to 1 (open)
FLOOR = 1e-12
"""Gradient norms below this are drawn at it (a log axis has no 0)."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("MemoryView", text)


def _gate_words(kind: str, gate: str) -> str:
    """What a gate does, in a line."""
    words = {
        ("LSTM", "input"): _tr("input gate i_t: how much of the new candidate is written into the cell"),
        ("LSTM", "forget"): _tr("forget gate f_t: how much of the cell is kept from the step before (1 keeps "
                                "all)"),
        ("LSTM", "cell"): _tr("candidate g_t: what would be written (-1 to 1)"),
        ("LSTM", "output"): _tr("output gate o_t: how much of the cell is shown as h_t"),
        ("GRU", "reset"): _tr("reset gate r_t: how much of the old state the candidate reads"),
        ("GRU", "update"): _tr("update gate z_t: how much of the old state is kept (1 keeps all)"),
        ("GRU", "new"): _tr("candidate n_t: the new state it would move to (-1 to 1)"),
    }
    return words.get((kind, gate), gate)


class MemoryView(ThrottledView):
    """What a network that starts with an RNN, LSTM or GRU layer holds over time, for one test sample of
    the selected dataset (sequences as they are, images row by row), with the session's weights: those of
    the run in progress (refreshed at most every ``throttle_ms``), the kept ones, or fresh ones.

    ``compare`` adds dL/dh_t of the same network with each of the three cells, fresh weights (seeded),
    on the same sequence. ``refreshed`` comes after each redraw; ``trace`` is the last trace drawn.
    """

    refreshed = Signal()

    def __init__(self, session: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(THROTTLE_MS, parent)
        self.session = session
        self.trace: MemoryTrace | None = None
        self.compared: dict[str, np.ndarray] = {}
        self.showing = QLabel(self)
        self.showing.setWordWrap(True)
        self.showing.setAccessibleName(self.tr("What the memory view shows"))
        self.index = QSpinBox(self)
        self.index.setRange(1, 1)
        self.index.setAccessibleName(self.tr("Test sequence"))
        self.index.setToolTip(self.tr("Which sequence of the test set to follow through time"))
        self.index.valueChanged.connect(self.schedule)
        self.another = QPushButton(self.tr("Another"), self)
        self.another.setToolTip(self.tr("A random test sequence"))
        self.another.clicked.connect(self._another)
        self.gate = QComboBox(self)
        self.gate.setAccessibleName(self.tr("Gate"))
        self.gate.setToolTip(self.tr("The gate drawn over time"))
        self.gate.currentIndexChanged.connect(self.schedule)
        self.compare = QCheckBox(self.tr("Compare RNN, LSTM, GRU"), self)
        self.compare.setToolTip(self.tr(
            "Also draw dL/dh_t of the same network with each of the three cells, fresh weights of the "
            "same size, on the same sequence: a plain RNN's gradient fades as it goes back in time"))
        self.compare.setChecked(True)
        self.compare.toggled.connect(self.schedule)
        self.experiment_button = QPushButton(self.tr("Memory-length experiment…"), self)
        self.experiment_button.setToolTip(self.tr(
            "Train RNN, LSTM and GRU of one size on Recall the first token for a few lengths T, in the "
            "background, and plot their test accuracy against T"))
        self.experiment_button.clicked.connect(self.open_experiment)
        self.experiment: MemoryLengthDialog | None = None
        self.forecast_button = QPushButton(self.tr("Forecast…"), self)
        self.forecast_button.setToolTip(self.tr(
            "The network's predictions of the series against the truth, one step ahead and free-running "
            "on its own predictions"))
        self.forecast_button.clicked.connect(self.open_forecast)
        self.forecast: ForecastDialog | None = None
        controls = QHBoxLayout()
        sequence_label = QLabel(self.tr("Sequence"), self)
        sequence_label.setBuddy(self.index)
        controls.addWidget(sequence_label)
        controls.addWidget(self.index)
        controls.addWidget(self.another)
        controls.addWidget(self.gate, 1)
        controls.addWidget(self.compare)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.note.setAccessibleName(self.tr("Memory view message"))
        self.plots = pg.GraphicsLayoutWidget(self)
        self.plots.setBackground("w")
        self.plots.setAccessibleName(self.tr("Memory over time plots"))
        self.input_plot = self.plots.addPlot(row=0, col=0)
        self.hidden_plot = self.plots.addPlot(row=1, col=0)
        self.gate_plot = self.plots.addPlot(row=2, col=0)
        self.grad_plot = self.plots.addPlot(row=3, col=0)
        for plot, y_label in ((self.input_plot, self.tr("input feature")),
                              (self.hidden_plot, self.tr("unit of h_t")), (self.gate_plot, self.tr("unit")),
                              (self.grad_plot, self.tr("|dL/dh_t|"))):
            setup_plot(plot, self.tr("time step t"), y_label, log_y=plot is self.grad_plot)
            if plot is not self.grad_plot:
                plot.showGrid(x=False, y=False)  # grid lines would stripe the heatmaps
        for top, bottom in ((self.input_plot, self.hidden_plot), (self.hidden_plot, self.gate_plot),
                            (self.gate_plot, self.grad_plot)):
            bottom.setXLink(top)
        self.input_image, self.hidden_image, self.gate_image = pg.ImageItem(), pg.ImageItem(), pg.ImageItem()
        self.input_image.setColorMap(HIDDEN_MAP)
        self.hidden_image.setColorMap(HIDDEN_MAP)
        self.gate_image.setColorMap(GATE_MAP)
        self.input_plot.addItem(self.input_image)
        self.hidden_plot.addItem(self.hidden_image)
        self.gate_plot.addItem(self.gate_image)
        self.input_line = self.input_plot.plot(pen=pg.mkPen(PALETTE[0], width=2))
        # the gradients over time are what it is about: the other plots stop growing at these heights
        for plot, tallest in ((self.input_plot, 110), (self.hidden_plot, 130), (self.gate_plot, 130)):
            plot.setMaximumHeight(tallest)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.showing)
        layout.addLayout(controls)
        layout.addWidget(self.note)
        layout.addWidget(self.plots, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.experiment_button)
        actions.addWidget(self.forecast_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.setMinimumWidth(300)
        for signal in (session.weights_changed, session.network_changed, session.dataset_changed,
                       session.epoch_finished, session.run_finished):
            signal.connect(self.schedule)

    # --- when to recompute --------------------------------------------------------------------------

    @Slot()
    def open_experiment(self) -> MemoryLengthDialog:
        """Show the memory-length experiment (one dialog, kept while it runs)."""
        from playground.gui.inspect.memory_length_dialog import MemoryLengthDialog

        if self.experiment is None:
            self.experiment = MemoryLengthDialog(self)
        self.experiment.show()
        return self.experiment

    @Slot()
    def open_forecast(self) -> ForecastDialog:
        """Show the forecast of the selected series (one dialog, redrawn when the weights change)."""
        from playground.gui.inspect.forecast_dialog import ForecastDialog

        if self.forecast is None:
            dialog = self.forecast = ForecastDialog(self.current_model, self)
            for signal in (self.session.weights_changed, self.session.epoch_finished,
                           self.session.dataset_changed, self.session.network_changed):
                signal.connect(dialog.refresh_if_shown)
        self.forecast.show()
        self.forecast.refresh()
        return self.forecast

    def current_model(self) -> tuple[torch.nn.Module, Dataset, str]:
        """The editor's network with the session's weights, its dataset and how to name the weights.

        Raises:
            PlaygroundError: no dataset, or the network does not fit it.
        """
        model, whose = session_model(self.session)
        assert self.session.dataset is not None
        return model, self.session.dataset, whose

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel a running experiment and wait for it (bounded)."""
        return self.experiment is None or self.experiment.shutdown(timeout_ms)

    @Slot()
    def _another(self) -> None:
        count = self.index.maximum()
        if count > 1:
            choice = int(np.random.default_rng().integers(1, count))
            self.index.setValue(choice if choice < self.index.value() else choice + 1)

    # --- what to show -------------------------------------------------------------------------------

    def _problem(self, spec: NetworkSpec | None, dataset: Dataset | None) -> str:
        self.forecast_button.setVisible(dataset is not None and can_forecast(dataset))
        if dataset is None:
            return self.tr("Choose a dataset in the Training panel.")
        if spec is None or not spec.layers or spec.layers[0].type not in GATES:
            return self.tr("The memory view follows a network that starts with an RNN, LSTM or GRU layer "
                           "through time. Load the LSTM recall preset (or RNN / GRU recall) from the "
                           "palette, or put a recurrent layer first.")
        if len(dataset.input_shape) not in (2, 3):
            return self.tr("A recurrent layer reads sequences (or an image's rows); {0} holds rows of "
                           "features. Choose a sequence task such as Recall the first token.").format(
                               dataset.name)
        return ""

    def refresh(self) -> None:
        """Trace the chosen test sample through the network and redraw."""
        self._recomputed()
        session, dataset, spec = self.session, self.session.dataset, self.session.spec
        problem = self._problem(spec, dataset)
        if problem:
            self._say(problem)
            return
        assert spec is not None and dataset is not None
        self.index.blockSignals(True)
        self.index.setRange(1, len(dataset.test_y))
        self.index.blockSignals(False)
        try:
            with one_torch_thread():
                model, _, whose = self.current_model()
                i = self.index.value() - 1
                x = normalise(torch.from_numpy(np.array(dataset.test_x[i:i + 1])), dataset.mean, dataset.std)
                y = torch.as_tensor(np.array(dataset.test_y[i]))
                found = trace_network(model, x[0], y, session.config.loss)
                compared = self._compare(spec, dataset, x[0], y) if self.compare.isChecked() else {}
        except (PlaygroundError, RuntimeError, ValueError) as exc:
            self._say(self.tr("Cannot follow this network through time: {0}").format(
                exc.message if isinstance(exc, PlaygroundError) else str(exc)))
            return
        self.trace, self.compared = found, compared
        self.showing.setText(self._caption(spec, dataset, whose, found, y))
        self._draw(found, x[0], compared)
        self.note.hide()
        self.plots.show()
        self.refreshed.emit()

    def _compare(self, spec: NetworkSpec, dataset: Dataset, x: torch.Tensor, y: torch.Tensor
                 ) -> dict[str, np.ndarray]:
        """|dL/dh_t| per step of the same network with each cell, fresh seeded weights."""
        config, norms = self.session.config, {}
        for kind in GATES:
            torch.manual_seed(config.seed or 0)
            model = build_model(with_cell(spec, kind), dataset.input_shape, dataset.outputs, config.init,
                                config.loss)
            grads = trace_network(model, x, y, config.loss).grad_norms
            assert grads is not None
            norms[kind] = grads.numpy()
        return norms

    def _caption(self, spec: NetworkSpec, dataset: Dataset, whose: str, found: MemoryTrace,
                 y: torch.Tensor) -> str:
        first = spec.layers[0]
        head = self.tr("{0} of {1} units, {2}, on test sequence {3} of {4} ({5} steps).").format(
            first.type, first.params["hidden"], whose, self.index.value(), dataset.name, found.steps)
        out = found.output
        if out is None:
            return head
        if dataset.task == CLASSIFICATION:
            probabilities = torch.softmax(out[0], 0)
            top = int(probabilities.argmax())
            names = dataset.class_names
            return head + " " + self.tr("Target {0}; it answers {1} ({2:.0f} %), loss {3:.3f}.").format(
                names[int(y)], names[top], 100 * float(probabilities[top]), found.loss or 0.0)
        return head + " " + self.tr("Target {0:.3f}; it predicts {1:.3f}, loss {2:.4f}.").format(
            float(y.reshape(-1)[0]), float(out.reshape(-1)[0]), found.loss or 0.0)

    def _fill_gates(self, kind: str) -> None:
        names = GATES[kind]
        current = [self.gate.itemData(i) for i in range(self.gate.count())]
        if current == list(names):
            return
        self.gate.blockSignals(True)
        self.gate.clear()
        for name in names:
            self.gate.addItem(_gate_words(kind, name).split(":")[0], name)
        if "forget" in names:
            self.gate.setCurrentIndex(names.index("forget"))
        elif "update" in names:
            self.gate.setCurrentIndex(names.index("update"))
        self.gate.blockSignals(False)

    def _draw(self, found: MemoryTrace, x: torch.Tensor, compared: dict[str, np.ndarray]) -> None:
        from playground.core.recurrence import as_sequence

        sequence = as_sequence(x).numpy()
        steps = found.steps
        t = np.arange(1, steps + 1)
        if sequence.shape[1] == 1:
            self.input_image.hide()
            self.input_line.setData(t, sequence[:, 0])
            self.input_line.show()
            self.input_plot.getAxis("left").setTicks(None)
            self.input_plot.setLabel("left", self.tr("input value"))
        else:
            self.input_line.hide()
            scale = max(float(np.abs(sequence).max()), 1e-6)
            self.input_image.setImage(sequence, levels=(-scale, scale))
            self.input_image.setRect(QRectF(0.5, -0.5, steps, sequence.shape[1]))  # step t centred on t
            count = sequence.shape[1]  # the first and last feature only: the strip is short
            self.input_plot.getAxis("left").setTicks([[(0, "1"), (count - 1, str(count))]])
            self.input_image.show()
            self.input_plot.setLabel("left", self.tr("input feature"))
        self.input_plot.setTitle(self.tr("What it reads at each step"), color="k", size="9pt")
        hidden = found.hidden[-1].numpy()
        self.hidden_image.setImage(hidden, levels=(-1.0, 1.0))
        self.hidden_image.setRect(QRectF(0.5, -0.5, steps, hidden.shape[1]))
        self.hidden_plot.setTitle(self.tr("Hidden state h_t (its memory), -1 blue to +1 red"), color="k",
                                  size="9pt")
        self._fill_gates(found.kind)
        gate = self.gate.currentData()
        self.gate.setVisible(bool(GATES[found.kind]))
        if gate and found.gates[-1]:
            values = found.gates[-1][gate].numpy()
            low = -1.0 if gate in ("cell", "new") else 0.0
            self.gate_image.setImage(values, levels=(low, 1.0))
            self.gate_image.setRect(QRectF(0.5, -0.5, steps, values.shape[1]))
            self.gate_plot.setTitle(_gate_words(found.kind, gate), color="k", size="9pt")
            self.gate_plot.show()
        else:
            self.gate_plot.hide()
        self.grad_plot.clear()
        if found.grad_norms is not None:
            norms = np.maximum(found.grad_norms.numpy(), FLOOR)
            self.grad_plot.plot(t, norms, pen=pg.mkPen(CELL_COLOURS[found.kind], width=3),
                                name=self.tr("{0}, these weights").format(found.kind))
        for kind, values in compared.items():
            self.grad_plot.plot(t, np.maximum(values, FLOOR),
                                pen=pg.mkPen(CELL_COLOURS[kind], width=1.5, style=Qt.PenStyle.DashLine),
                                name=self.tr("{0}, fresh").format(kind))
        self.grad_plot.setTitle(self._grad_title(found.kind, list(compared)), color="k", size="9pt")
        for plot in (self.input_plot, self.hidden_plot, self.gate_plot, self.grad_plot):
            plot.enableAutoRange()

    def _grad_title(self, kind: str, compared: list[str]) -> str:
        """The gradient plot's title, its key in colour (a legend would cover the curves)."""
        def name(cell: str, text: str) -> str:
            return f'<span style="color:{CELL_COLOURS[cell]}; font-weight:bold">{text}</span>'

        key = self.tr("thick: {0}").format(name(kind, self.tr("{0}, these weights").format(kind)))
        if compared:
            key += " · " + self.tr("dashed, fresh: {0}").format(" ".join(name(c, c) for c in compared))
        return self.tr("How much each step still matters: |dL/dh_t| (log)") + "<br>" + key

    def _say(self, message: str) -> None:
        self.trace, self.compared = None, {}
        self.showing.setText(self.tr("Memory over time"))
        self.note.setText(message)
        self.note.show()
        self.plots.hide()

    def vanishing_ratio(self, kind: str) -> float:
        """|dL/dh_1| / |dL/dh_T| of a compared cell (small: the first step hardly matters any more)."""
        values = self.compared.get(kind)
        if values is None or not len(values) or values[-1] <= 0:
            return math.nan
        return float(values[0] / values[-1])


def install_memory_view(host: DockHost, session: TrainingSession) -> QDockWidget:
    """Add the "Memory" dock to ``host``."""
    view = MemoryView(session)
    return host.add_dock(view, view.tr("Memory"), "memory_dock",
                         Qt.DockWidgetArea.RightDockWidgetArea)
