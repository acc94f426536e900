"""The run log (the article's per-epoch lines, state changes, errors with hints) and progress texts."""

from __future__ import annotations

import math

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSizePolicy, QWidget

from playground.core.metrics import EpochRecord
from playground.core.training import TrainConfig

MAX_LINES = 5000


def clock(seconds: float) -> str:
    """"1:05" or "1:02:05"."""
    seconds = max(math.ceil(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def seconds_left(step: int, total_steps: int, batch_size: int, samples_per_second: float) -> float:
    """Time to the end of the run at the current speed (NaN before the speed is known)."""
    if samples_per_second <= 0 or not math.isfinite(samples_per_second):
        return math.nan
    return max(total_steps - step, 0) * batch_size / samples_per_second


class RunLog(QPlainTextEdit):
    """A read-only log of the runs, in a fixed-width font."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setAccessibleName(self.tr("Training log"))
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)

    def write(self, line: str) -> None:
        """Append a line and keep it in view."""
        self.appendPlainText(line)

    def started(self, number: int, dataset: str, network: str, config: TrainConfig) -> None:
        """The first line of a run."""
        epochs = self.tr("1 epoch") if config.epochs == 1 else self.tr("{0} epochs").format(config.epochs)
        self.write(self.tr("Run {0}: {1} on {2}; {3}, lr {4:g}, batch {5}, {6}").format(
            number, network, dataset, config.optimizer, config.learning_rate, config.batch_size, epochs))

    def epoch(self, record: EpochRecord) -> None:
        """The article's line for an epoch, with validation figures when a split is held out."""
        line = record.line()
        if record.val_accuracy is not None:
            line += self.tr(", val loss: {0:.4f}, val acc: {1:.4f}").format(
                record.val_loss, record.val_accuracy)
        elif record.val_loss is not None:
            line += self.tr(", val loss: {0:.4f}, val rmse: {1:.4f}, val r2: {2:.4f}").format(
                record.val_loss, record.val_rmse, record.val_r2)
        self.write(line)

    def problem(self, message: str, hint: str) -> None:
        """An error and what to do about it."""
        hint_text = self.tr(" (hint: {0})").format(hint) if hint else ""
        self.write(self.tr("Error: {0}").format(message) + hint_text)


class ProgressLine(QLabel):
    """One line under the controls: where the run is and how fast, then the run's summary."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingProgress")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(self.tr("Training progress"))

    def show_progress(self, run) -> str:
        """Show an ActiveRun's position; returns the status-bar text ("1,234 samples/s · 0:42 left")."""
        per = max(run.batches_per_epoch, 1)
        left = seconds_left(run.step, per * run.config.epochs, run.config.batch_size, run.samples_per_second)
        status = self.tr("{0:,.0f} samples/s · {1} left").format(
            run.samples_per_second, clock(left) if math.isfinite(left) else "?")
        if run.state == "paused":
            status = self.tr("Paused · {0}").format(status)
        epoch = min(run.step // per + 1, run.config.epochs)
        self.show_text(self.tr("Epoch {0}/{1} · step {2:,} · {3}").format(
            epoch, run.config.epochs, run.step, status))
        return status

    def show_summary(self, run, state_label: str, accuracy: float, seconds: float) -> str:
        """Show how a run ended: final test accuracy (RMSE and R² for regression), time and speed;
        returns the text."""
        rmse, r2 = (run.curves.column(name) for name in ("test_rmse", "test_r2"))
        if not math.isnan(accuracy):
            acc_text = self.tr("Test accuracy {0:.2%}").format(accuracy)
        elif len(rmse) and not math.isnan(rmse[-1]):
            acc_text = self.tr("Test RMSE {0:.4g} · R² {1:.3f}").format(rmse[-1], r2[-1])
        else:
            acc_text = self.tr("No epoch finished")
        summary = self.tr("{0} · {1} · {2:,.0f} samples/s").format(acc_text, clock(seconds), run.speed)
        self.show_text(summary)
        return self.tr("Run {0} {1}: {2}").format(run.number, state_label.lower(), summary)

    def show_text(self, text: str) -> None:
        """One line (the tooltip holds it all when the dock is too narrow)."""
        self.setText(text)
        self.setToolTip(text)
