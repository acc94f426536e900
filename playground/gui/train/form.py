"""The hyperparameter form: every TrainConfig field with its range (from RANGES) and a tooltip."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import cast

import torch
from PySide6.QtGui import QStandardItemModel, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QToolButton,
    QWidget,
)

from playground.core.choices import INITS, LOSSES, OPTIMIZERS, SCHEDULES
from playground.core.training import DEVICES, RANGES, TrainConfig


class LogSpinBox(QDoubleSpinBox):
    """A spin box for values spanning decades: shows "0.001" or "1e-05", steps 1, 2, 5, 10, 20, ..."""

    LADDER = (1.0, 2.0, 5.0)

    def __init__(self, low: float, high: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(low, high)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt override)
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        try:
            value = float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = math.isfinite(value) and self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802
        value = self.value()
        floor = self.minimum() if self.minimum() > 0 else 1e-6
        if value <= 0:
            self.setValue(floor if steps > 0 else 0.0)
            return
        exponent = math.floor(math.log10(value) + 1e-9)
        ladder = [m * 10.0**e for e in range(exponent - 2, exponent + 3) for m in self.LADDER]
        position = min(range(len(ladder)), key=lambda i: abs(math.log(ladder[i] / value)))
        target = ladder[max(0, min(len(ladder) - 1, position + steps))]
        if self.minimum() == 0 and target < floor:
            target = 0.0
        self.setValue(min(max(float(f"{target:.6g}"), self.minimum()), self.maximum()))


class HyperparameterForm(QWidget):
    """Edits a TrainConfig: the fields say what ``config()`` returns."""

    def __init__(self, config: TrainConfig | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = self.rows = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.optimizer = self._combo({name: row.label for name, row in OPTIMIZERS.items()})
        self.learning_rate = LogSpinBox(*RANGES["learning_rate"], self)
        self.batch_size = self._int_spin("batch_size")
        self.epochs = self._int_spin("epochs")
        self.loss = self._combo({name: row.label for name, row in LOSSES.items()})
        self.init = self._combo({name: row.label for name, row in INITS.items()})
        self.weight_decay = LogSpinBox(*RANGES["weight_decay"], self)
        self.augment = QCheckBox(self.tr("shift, rotate"), self)
        self.seed = self._int_spin("seed", -1)
        self.seed.setSpecialValueText(self.tr("random"))
        self.schedule = self._combo({name: row.label for name, row in SCHEDULES.items()})
        self.device = self._combo({d: d for d in DEVICES})
        self.validation = QDoubleSpinBox(self)
        self.validation.setRange(*RANGES["validation_fraction"])
        self.validation.setSingleStep(0.05)
        self.validation.setDecimals(2)
        self.clip = QDoubleSpinBox(self)
        self.clip.setRange(*RANGES["clip_norm"])
        self.clip.setSingleStep(0.5)
        self.clip.setDecimals(2)
        self.clip.setSpecialValueText(self.tr("off"))
        self.early_stop = self._int_spin("early_stop")
        self.early_stop.setSpecialValueText(self.tr("off"))
        self.early_stop.setSuffix(self.tr(" epochs"))
        rows = (
            (self.tr("Optimizer"), self.optimizer, self.tr("How the weights follow the gradient")),
            (self.tr("Learning rate"), self.learning_rate, self.tr(
                "Step size, {0:g} to {1:g}; arrows step 1-2-5 per decade. Changing it while "
                "training applies it from the next batch").format(*RANGES["learning_rate"])),
            (self.tr("Batch size"), self.batch_size, self.tr("Images per step, {0:g} to {1:g}")
             .format(*RANGES["batch_size"])),
            (self.tr("Epochs"), self.epochs, self.tr("Passes over the training set, {0:g} to {1:g}")
             .format(*RANGES["epochs"])),
            (self.tr("Loss"), self.loss, self.tr("What training minimises")),
            (self.tr("Initialisation"), self.init, self.tr("How the weights start")),
            (self.tr("Weight decay"), self.weight_decay, self.tr(
                "L2 penalty on the weights, {0:g} to {1:g}").format(*RANGES["weight_decay"])),
            (self.tr("Clip gradients"), self.clip, self.tr(
                "Before each step, scale the gradients down so that their total length (L2 norm) is at "
                "most this: a recurrent network's gradient can explode over many time steps; \"off\" "
                "leaves them as they are")),
            (self.tr("Augmentation"), self.augment, self.tr("Shift and rotate training images a little")),
            (self.tr("Seed"), self.seed, self.tr(
                "Same seed, same run (on the CPU); \"random\" for a new one each time")),
            (self.tr("Schedule"), self.schedule, self.tr("How the learning rate changes over the run")),
            (self.tr("Device"), self.device, self.tr("Where to train; auto picks a GPU when there is one")),
            (self.tr("Validation"), self.validation, self.tr(
                "Fraction of the training set held out for validation, {0:g} to {1:g}")
             .format(*RANGES["validation_fraction"])),
            (self.tr("Early stopping"), self.early_stop, self.tr(
                "Stop when the validation loss (the test loss without a validation split) has not "
                "improved for this many epochs, and go back to the best epoch's weights; \"off\" trains "
                "every epoch")),
        )
        self.find_lr = QToolButton(self)
        self.find_lr.setText(self.tr("Find…"))
        self.find_lr.setAccessibleName(self.tr("Find a learning rate"))
        self.find_lr.setToolTip(self.tr(
            "The learning-rate finder: sweep the rate over about 100 batches of fresh weights and "
            "suggest the one where the loss falls fastest"))
        for label, field, tip in rows:
            field.setToolTip(tip)
            field.setAccessibleName(label)
            layout.addRow(label, self._beside(field, self.find_lr) if field is self.learning_rate else field)
        self._disable_missing_devices()
        self.set_config(config or TrainConfig())

    def _beside(self, field: QWidget, button: QToolButton) -> QWidget:
        """``field`` with ``button`` at its right, as one form field."""
        pair = QWidget(self)
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(field, 1)
        row.addWidget(button)
        return pair

    def _combo(self, table: dict[str, str]) -> QComboBox:
        combo = QComboBox(self)
        for key, label in table.items():
            combo.addItem(label, key)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def _int_spin(self, name: str, low: int | None = None) -> QSpinBox:
        spin = QSpinBox(self)
        lo, hi = RANGES[name]
        spin.setRange(int(lo) if low is None else low, int(hi))
        spin.setKeyboardTracking(False)
        return spin

    def _disable_missing_devices(self) -> None:
        present = {"auto": True, "cpu": True, "cuda": torch.cuda.is_available(),
                   "mps": torch.backends.mps.is_available()}
        model = cast(QStandardItemModel, self.device.model())
        for row in range(self.device.count()):
            if not present[self.device.itemData(row)]:
                model.item(row).setEnabled(False)
                self.device.setItemText(row, self.tr("{0} (not available)").format(self.device.itemText(row)))

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config`` in the fields (what they do not show, such as restore_best, is kept)."""
        self._base = config
        for combo, key in ((self.optimizer, config.optimizer), (self.loss, config.loss),
                           (self.init, config.init), (self.schedule, config.schedule),
                           (self.device, config.device)):
            combo.setCurrentIndex(combo.findData(key))
        self.learning_rate.setValue(config.learning_rate)
        self.batch_size.setValue(config.batch_size)
        self.epochs.setValue(config.epochs)
        self.weight_decay.setValue(config.weight_decay)
        self.augment.setChecked(config.augment)
        self.seed.setValue(-1 if config.seed is None else config.seed)
        self.validation.setValue(config.validation_fraction)
        self.early_stop.setValue(config.early_stop)
        self.clip.setValue(config.clip_norm)

    def config(self) -> TrainConfig:
        """The TrainConfig the fields describe (TrainConfig checks the values again)."""
        return replace(
            self._base, optimizer=self.optimizer.currentData(), learning_rate=self.learning_rate.value(),
            weight_decay=self.weight_decay.value(), batch_size=self.batch_size.value(),
            epochs=self.epochs.value(), loss=self.loss.currentData(), init=self.init.currentData(),
            seed=None if self.seed.value() < 0 else self.seed.value(), augment=self.augment.isChecked(),
            schedule=self.schedule.currentData(), device=self.device.currentData(),
            validation_fraction=self.validation.value(), early_stop=self.early_stop.value(),
            clip_norm=self.clip.value())

    def commit(self) -> None:
        """Take a number typed into a field but not yet committed (with Enter or by leaving the field)."""
        for spin in self.findChildren(QAbstractSpinBox):
            spin.interpretText()

    def set_running(self, running: bool) -> None:
        """Lock every field but the learning rate while a run is going."""
        for field in (self.find_lr, self.optimizer, self.batch_size, self.epochs, self.loss, self.init,
                      self.weight_decay, self.augment, self.seed, self.schedule, self.device,
                      self.validation, self.early_stop):
            field.setEnabled(not running)
