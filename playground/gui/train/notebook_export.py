"""The lab notebook exported: a Markdown or HTML file beside a folder of one plot per run (the loss average
over the run and the test accuracy per epoch), each file written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from playground.atomic import atomic_write
from playground.core.notebook import to_html, to_markdown
from playground.errors import PlaygroundError
from playground.gui.train.export import export_png
from playground.gui.train.history import Run
from playground.gui.train.style import LOSS_EMA, TEST, setup_plot

FORMATS = {".md": "Markdown", ".html": "HTML"}
PLOT_SIZE = (760, 260)


def plot_widget(run: Run) -> QWidget:
    """A picture of ``run``: its loss average beside its test accuracy, per epoch."""
    graphics = pg.GraphicsLayoutWidget()
    graphics.setBackground("w")
    graphics.resize(*PLOT_SIZE)
    loss = graphics.addPlot(title=f"<span style='color:#1f1f1f'>Run {run.number}: loss</span>")
    setup_plot(loss, "epoch", "loss")
    curves = run.curves
    if len(curves.x):
        loss.plot(curves.x, curves.loss_ema, pen=pg.mkPen(LOSS_EMA, width=2))
    if len(curves.test_loss) == len(curves.epoch_x) and len(curves.epoch_x):
        loss.plot(curves.epoch_x, curves.test_loss, pen=pg.mkPen(TEST, width=2), symbol="o", symbolSize=5,
                  symbolBrush=TEST, symbolPen=TEST, connect="finite")
    accuracy = graphics.addPlot(title="<span style='color:#1f1f1f'>test accuracy (%)</span>")
    setup_plot(accuracy, "epoch", "%")
    values = np.asarray(curves.test_accuracy, dtype=np.float64) * 100
    if len(values) and not np.isnan(values).all():
        accuracy.plot(curves.epoch_x, values, pen=pg.mkPen(TEST, width=2), symbol="o", symbolSize=5,
                      symbolBrush=TEST, symbolPen=TEST, connect="finite")
    return graphics


def export_notebook(path: Path, runs: Sequence[Run]) -> list[Path]:
    """Write the notebook of ``runs`` to ``path`` (.md or .html) and each run's plot to the folder
    ``<name>-plots`` beside it; returns every file written.

    Raises:
        PlaygroundError: the suffix is neither .md nor .html, or a file cannot be written.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise PlaygroundError(f"cannot export the notebook as {path.name}",
                              "choose a name ending in .md (Markdown) or .html")
    folder = path.with_name(f"{path.stem}-plots")
    written, images = [], {}
    try:
        folder.mkdir(exist_ok=True)
        for run in runs:
            image = folder / f"run-{run.number}.png"
            widget = plot_widget(run)
            export_png(image, widget)
            widget.deleteLater()
            images[run.number] = f"{folder.name}/{image.name}"
            written.append(image)
        dicts = [run.to_dict() for run in runs]
        title = f"Lab notebook: {path.stem}"
        text = to_markdown(dicts, title, images) if suffix == ".md" else to_html(dicts, title, images)
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise PlaygroundError(f"cannot write the notebook to {path}: {exc.strerror or exc}",
                              "choose another folder") from None
    return [path, *written]


def summary(files: list[Path]) -> str:
    """"notebook.md and 3 plots", for the log."""
    plots = len(files) - 1
    return f"{files[0].name} and {plots} plot{'s' if plots != 1 else ''}"
