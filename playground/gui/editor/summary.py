"""The network summary: total parameters, multiply-adds, memory per sample, and whether it can train."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from playground.core.analysis import Analysis
from playground.gui.editor import text
from playground.gui.editor.model import NetworkModel


class NetworkSummary(QGroupBox):
    """Totals of the whole network, updated after every edit."""

    def __init__(self, model: NetworkModel, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Network"), parent)
        self._model = model
        self.params = QLabel(self)
        self.macs = QLabel(self)
        self.memory = QLabel(self)
        self.output = QLabel(self)
        for label in (self.params, self.macs, self.memory, self.output):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self)
        self.status.setObjectName("trainStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        form = QFormLayout()
        form.addRow(self.tr("Parameters:"), self.params)
        form.addRow(self.tr("Multiply-adds:"), self.macs)
        form.addRow(self.tr("Activations:"), self.memory)
        form.addRow(self.tr("Output:"), self.output)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        model.analysis_changed.connect(self._on_analysis_changed)
        self._on_analysis_changed(model.analysis)

    @Slot(object)
    def _on_analysis_changed(self, analysis: Analysis) -> None:
        total, trainable = analysis.total_params, analysis.trainable_params
        frozen = total - trainable
        self.params.setText(text.total_params(analysis) if not frozen else
                            self.tr("%1 (%2 frozen)").replace("%1", text.total_params(analysis))
                            .replace("%2", text.count(frozen)))
        per_sample = self.tr("%1 per sample")
        self.macs.setText(text.so_far(analysis, per_sample.replace("%1", text.compact(analysis.total_macs))))
        memory = text.size(analysis.activation_bytes)
        self.memory.setText(text.so_far(analysis, per_sample.replace("%1", memory)))
        self.output.setText(text.shape(analysis.output_shape))
        if analysis.ok:
            warnings = len(analysis.warnings)
            message = (self.tr("Ready to train.") if not warnings else
                       self.tr("Ready to train (1 warning).") if warnings == 1 else
                       self.tr("Ready to train (%1 warnings).").replace("%1", str(warnings)))
            self.status.setText(f'<span style="color:#188038">✔</span> {escape(message)}')
        else:
            self.status.setText(f'<span style="color:#d93025">✖</span> {escape(self._model.why_not)}')
