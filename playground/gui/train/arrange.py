"""The training panel's arrangement: settings on the left; controls, progress, plots and tabs on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from playground.gui.train.controls import ControlBar, MessageBanner, scrolled, splitter
from playground.gui.train.overfit import OverfitNotice
from playground.gui.train.plots import LivePlots
from playground.gui.train.runlog import ProgressLine


def arrange(panel: QWidget, settings: QWidget, controls: ControlBar, progress: ProgressLine,
            banner: MessageBanner, notice: OverfitNotice, strip: QWidget, plots: LivePlots,
            tabs: QTabWidget) -> None:
    """Lay out ``panel``: scrolled ``settings`` beside the controls, progress, banner, the overfitting
    notice, the pipeline strip, plots and tabs."""
    right = QWidget(panel)
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(4, 4, 4, 4)
    status_row = QHBoxLayout()
    status_row.addWidget(controls.state, 0, Qt.AlignmentFlag.AlignTop)
    status_row.addWidget(progress, 1)
    right_layout.addWidget(controls)
    right_layout.addLayout(status_row)
    right_layout.addWidget(banner)
    right_layout.addWidget(notice)
    right_layout.addWidget(strip)
    plots_and_tabs = splitter(Qt.Orientation.Vertical, (plots, 3), (tabs, 1))
    plots_and_tabs.setSizes([520, 160])
    right_layout.addWidget(plots_and_tabs, 1)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(splitter(Qt.Orientation.Horizontal, (scrolled(settings), 0), (right, 1)))
