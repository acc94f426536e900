"""Forecasting a time series in the window: the network's one-step predictions over the test series beside
the truth, and free-running, fed its own predictions from a chosen start."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget
from torch import nn

from playground.core.forecast import Forecast, forecast
from playground.data.dataset import Dataset
from playground.errors import PlaygroundError
from playground.gui.background import one_torch_thread
from playground.gui.train.style import PALETTE, setup_plot

ModelSource = Callable[[], tuple[nn.Module, Dataset, str]]
"""Gives the network to look at (with the session's weights), its dataset and how to name the weights."""


class ForecastDialog(QDialog):
    """The test series, the one-step predictions and a free run; ``refresh`` redraws with the weights
    ``source`` gives now (the memory view calls it when they change)."""

    def __init__(self, source: ModelSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Forecast"))
        self.source = source
        self.shown: Forecast | None = None
        intro = QLabel(self.tr(
            "Black: the test part of the series. Blue: the network's prediction of each next value from "
            "the true values before it. Orange: free-running from the start you choose: after its window "
            "of true values, the network reads only its own predictions, so its errors add up."), self)
        intro.setWordWrap(True)
        self.start = QSpinBox(self)
        self.start.setRange(1, 1)
        self.start.setToolTip(self.tr("The test sample whose window of true values starts the free run"))
        self.steps = QSpinBox(self)
        self.steps.setRange(1, 1000)
        self.steps.setValue(50)
        self.steps.setToolTip(self.tr("How many values the network predicts from its own predictions"))
        form = QFormLayout()
        form.addRow(self.tr("Free run from test sample"), self.start)
        form.addRow(self.tr("Steps"), self.steps)
        self.graph = pg.PlotWidget(background="w")
        self.plot = self.graph.getPlotItem()
        setup_plot(self.plot, self.tr("test step"), self.tr("value"))
        self.plot.addLegend(offset=(-10, 10), labelTextColor="k", brush=(255, 255, 255, 210))
        self.truth_curve = self.plot.plot(pen=pg.mkPen("k", width=1.5), name=self.tr("truth"))
        self.one_step_curve = self.plot.plot(pen=pg.mkPen(PALETTE[0], width=1.5),
                                             name=self.tr("one step ahead"))
        self.free_curve = self.plot.plot(pen=pg.mkPen(PALETTE[1], width=2.5, style=Qt.PenStyle.DashLine),
                                         name=self.tr("free-running"))
        self.graph.setMinimumSize(460, 260)
        self.answer = QLabel(self)
        self.answer.setWordWrap(True)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.graph, 1)
        layout.addWidget(self.answer)
        layout.addWidget(buttons)
        self.start.valueChanged.connect(self.refresh)
        self.steps.valueChanged.connect(self.refresh)
        self.resize(680, 500)

    @Slot()
    def refresh_if_shown(self, *_args: object) -> None:
        """Redraw when shown (the weights, the data or the network changed)."""
        if self.isVisible():
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Predict with the current weights and redraw."""
        try:
            model, dataset, whose = self.source()
            self.start.blockSignals(True)
            self.start.setRange(1, len(dataset.test_y))
            self.start.blockSignals(False)
            with one_torch_thread():
                result = forecast(model, dataset, self.start.value() - 1, self.steps.value())
        except PlaygroundError as exc:
            self.shown = None
            self.answer.setText(exc.message + (f" ({exc.hint})" if exc.hint else ""))
            for curve in (self.truth_curve, self.one_step_curve, self.free_curve):
                curve.setData([], [])
            return
        self.shown = result
        steps = np.arange(1, len(result.truth) + 1)
        self.truth_curve.setData(steps, result.truth)
        self.one_step_curve.setData(steps, result.one_step)
        self.free_curve.setData(np.arange(result.start + 1, result.start + len(result.free) + 1), result.free)
        self.answer.setText(self.tr(
            "With {0}: one step ahead, RMSE {1:.3f} over {2} test values; free-running for {3} steps from "
            "test sample {4}, RMSE {5:.3f}.").format(whose, result.one_step_rmse, len(result.truth),
                                                     len(result.free), result.start + 1, result.free_rmse))
