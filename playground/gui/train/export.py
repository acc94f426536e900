"""Export of the live curves: a CSV with one row per batch, and a PNG of a plot, both written atomically."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from playground.atomic import atomic_write
from playground.gui.train.buffers import CurveStore

EPOCH_FIELDS = ("test_loss", "test_accuracy", "val_loss", "val_accuracy")


def _cell(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.6g}"


def curve_rows(store: CurveStore, layer_names: dict[int, str]) -> Iterator[list[str]]:
    """The header, then one row per batch: batch figures, epoch figures on an epoch's last batch,
    and gradient norms on the batches where they were measured."""
    grads = [f"grad_norm_{name.split(':')[0].strip().lower().replace(' ', '_')}"
             for name in layer_names.values()]
    yield ["step", "epoch_position", "epoch", "loss", "loss_ema", "accuracy", "accuracy_ema",
           "learning_rate", "samples_per_second", "lr_changed", *EPOCH_FIELDS, *grads]
    epoch_rows = {float(x): i for i, x in enumerate(store.column("epoch_x"))}
    diag_rows = {float(x): i for i, x in enumerate(store.diag_x.view())}
    changes = set(store.lr_changes)
    cols = [store.column(name) for name in ("step", "x", "epoch", "loss", "loss_ema", "accuracy",
                                            "accuracy_ema", "learning_rate", "samples_per_second")]
    epoch_cols = [store.column(name) for name in EPOCH_FIELDS]
    norms = store.grad_norms.view()
    empty_epoch, empty_grads = [""] * len(EPOCH_FIELDS), [""] * len(layer_names)
    for i in range(len(store)):
        step, x, epoch, *rest = (float(c[i]) for c in cols)
        row = [str(int(step)), f"{x:.6g}", str(int(epoch)), *(_cell(v) for v in rest),
               "1" if x in changes else "0"]
        e = epoch_rows.get(x)
        row += empty_epoch if e is None else [_cell(float(c[e])) for c in epoch_cols]
        d = diag_rows.get(x)
        row += empty_grads if d is None else [_cell(float(norms[d, index])) for index in layer_names]
        yield row


def export_csv(path: str | Path, store: CurveStore, layer_names: dict[int, str]) -> None:
    """Write the curves of ``store`` to ``path`` as CSV (atomically)."""
    text = io.StringIO()
    csv.writer(text).writerows(curve_rows(store, layer_names))
    atomic_write(path, text.getvalue().encode("utf-8"))


def export_png(path: str | Path, widget: QWidget) -> None:
    """Save a picture of ``widget`` to ``path`` as PNG (atomically)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not widget.grab().save(buffer, "PNG"):
        raise OSError(f"could not encode {path} as PNG")
    buffer.close()
    atomic_write(path, bytes(data.data()))


class ExportButton(QToolButton):
    """A menu button: the curves as CSV or the visible plot as PNG, each through a save dialog."""

    failed = Signal(str, str)

    def __init__(self, write_csv: Callable[[str], None], write_png: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._write_csv, self._write_png = write_csv, write_png
        self.setText(self.tr("Export"))
        self.setAccessibleName(self.tr("Export the curves"))
        self.setToolTip(self.tr("Save the curves as CSV (one row per batch) or this plot as PNG"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        menu.addAction(self.tr("Curves as CSV..."), self._on_csv)
        menu.addAction(self.tr("This plot as PNG..."), self._on_png)
        self.setMenu(menu)

    @Slot()
    def _on_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export curves"), "training.csv",
                                              self.tr("CSV files (*.csv)"))
        self.export(path, self._write_csv)

    @Slot()
    def _on_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export plot"), "training.png",
                                              self.tr("PNG images (*.png)"))
        self.export(path, self._write_png)

    def export(self, path: str, write: Callable[[str], None]) -> None:
        """Write ``path`` with ``write``; an OSError becomes ``failed`` (message, hint)."""
        if not path:
            return
        try:
            write(path)
        except OSError as exc:
            self.failed.emit(self.tr("Could not write {0}: {1}").format(path, exc.strerror or exc),
                             self.tr("choose another folder or file name"))
