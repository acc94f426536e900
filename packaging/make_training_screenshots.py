"""Render the training panel mid-run, a run that overfits, the deep sigmoid preset's gradient view and
the learning-rate finder, the lab notebook and the pipeline strip to docs/screenshots."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pyqtgraph import PlotItem  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.core.analysis import analyse  # noqa: E402
from playground.core.presets import preset  # noqa: E402
from playground.core.training import TrainConfig  # noqa: E402
from playground.data.registry import load_dataset  # noqa: E402
from playground.gui.session import TrainingSession  # noqa: E402
from playground.gui.train.panel import TrainingPanel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SIZE = (700, 700)
"""A dock beside the editor on a 1366x768 screen."""


def wait_until(app: QApplication, done: Callable[[], bool], timeout: float = 120.0) -> None:
    """Process events until ``done()`` (or fail after ``timeout`` seconds)."""
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for the training run")
        app.processEvents()
        time.sleep(0.005)


def make_panel(spec_name: str) -> TrainingPanel:
    """A panel at dock size with a preset loaded."""
    session = TrainingSession(load_dataset("mnist-sample"))
    panel = TrainingPanel(session)
    session.setParent(panel)
    spec = preset(spec_name)
    session.set_network(spec, analyse(spec, session.dataset.input_shape, session.dataset.outputs))
    panel.resize(*SIZE)
    panel.show()
    return panel


def run_to_end(app: QApplication, panel: TrainingPanel, config: TrainConfig) -> None:
    """Train with ``config`` until the run is over."""
    panel.form.set_config(config)
    panel.start()
    wait_until(app, lambda: not panel.session.is_training)


def hover(app: QApplication, panel: TrainingPanel, plot: PlotItem, x: float, y: float) -> None:
    """Move the pointer over ``plot`` to (``x``, ``y``) in its view units; the hover line shows values."""
    app.processEvents()
    pos = plot.vb.mapViewToScene(QPointF(x, y))
    QTest.mouseMove(plot.getViewWidget().viewport(), plot.getViewWidget().mapFromScene(pos))
    app.processEvents()


def training_shot(app: QApplication, out: Path) -> None:
    """The article's MLP: an SGD run, then an Adam run with a learning-rate change, caught mid-run."""
    panel = make_panel("article-mlp")
    run_to_end(app, panel, TrainConfig(optimizer="sgd", learning_rate=0.05, epochs=4, seed=1))
    panel.form.set_config(TrainConfig(optimizer="adam", learning_rate=1e-3, epochs=6, seed=1))
    panel.start()
    run = panel.session.runner.active
    wait_until(app, lambda: run.step >= 2.2 * max(run.batches_per_epoch, 1) and run.batches_per_epoch > 0)
    panel.form.learning_rate.setValue(2e-4)
    wait_until(app, lambda: run.step >= 3.6 * run.batches_per_epoch)
    panel.plots.refresh(everything=True)
    panel.progress.show_progress(run)
    hover(app, panel, panel.plots.plot_of("loss"), 2.9, 0.3)
    panel.grab().save(str(out / "training.png"))
    panel.shutdown()
    wait_until(app, lambda: not panel.session.is_training)
    panel.close()


def gradients_shot(app: QApplication, out: Path) -> None:
    """The deep sigmoid MLP: the first layers' gradients fade on the gradient tab."""
    panel = make_panel("deep-sigmoid")
    panel.plots.tabs.setCurrentWidget(panel.plots.gradients)
    run_to_end(app, panel, TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=16, epochs=2,
                                                   seed=1))
    panel.plots.refresh(everything=True)
    hover(app, panel, panel.plots.gradients.norm_plot, 1.5, -6.0)
    panel.grab().save(str(out / "training-gradients.png"))
    panel.close()


def overfitting_shot(app: QApplication, out: Path) -> None:
    """The article's MLP for 30 epochs on the sample: the test loss turns up, the notice names the epoch."""
    panel = make_panel("article-mlp")
    run_to_end(app, panel, TrainConfig(epochs=30, seed=0))
    panel.plots.refresh(everything=True)
    assert panel.plots.turn is not None, "the 30-epoch run did not overfit"
    hover(app, panel, panel.plots.plot_of("loss"), panel.plots.turn.epoch, 0.3)
    panel.grab().save(str(out / "training-overfitting.png"))
    panel.close()


def lr_finder_shot(app: QApplication, out: Path) -> None:
    """The learning-rate finder's dialog after its sweep of the article's MLP."""
    panel = make_panel("article-mlp")
    finder = panel.find_learning_rate()
    assert finder is not None
    wait_until(app, lambda: finder.sweep is not None and finder.worker is None)
    app.processEvents()
    finder.grab().save(str(out / "lr-finder.png"))
    finder.reject()
    panel.close()


def notebook_shot(app: QApplication, out: Path) -> None:
    """Three runs of the article's MLP in the lab notebook: the default rate, the finder's, weight decay."""
    panel = make_panel("article-mlp")
    panel.resize(900, 700)  # a wider dock, as on a 1920x1080 screen, so the notes show
    for config in (TrainConfig(epochs=3), TrainConfig(epochs=3, learning_rate=0.0028),
                   TrainConfig(epochs=3, learning_rate=0.0028, weight_decay=1e-4)):
        panel.reset_weights()
        run_to_end(app, panel, config)
    panel.runs.note_cell(2).setText("the finder's rate: +1.3 points")
    panel.runs.note_cell(3).setText("weight decay: no change in 3 epochs")
    panel.bottom_tabs.setCurrentWidget(panel.runs)
    splitter = panel.bottom_tabs.parentWidget()
    splitter.setSizes([330, 330])  # type: ignore[attr-defined]  # the plots-and-tabs QSplitter
    app.processEvents()
    panel.grab().save(str(out / "notebook.png"))
    panel.close()


def pipeline_shot(app: QApplication, out: Path) -> None:
    """The article's MLP stepped batch by batch: the pipeline strip, and what two of its steps did."""
    panel = make_panel("article-mlp")
    panel.start("batch")
    wait_until(app, lambda: panel._trace_seen >= 1 and not panel.pipeline._queue)
    panel.session.active.trainer.step_batch()
    wait_until(app, lambda: panel._trace_seen >= 2)
    wait_until(app, lambda: panel.pipeline.lit == {"backward"})  # caught mid-replay
    panel.grab().save(str(out / "pipeline.png"))
    for key in ("preprocess", "update"):
        steps = panel.show_step(key)
        app.processEvents()
        steps.grab().save(str(out / f"pipeline-{key}.png"))
    steps.close()
    panel.shutdown()
    wait_until(app, lambda: not panel.session.is_training)
    panel.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    training_shot(app, args.out)
    gradients_shot(app, args.out)
    overfitting_shot(app, args.out)
    lr_finder_shot(app, args.out)
    notebook_shot(app, args.out)
    pipeline_shot(app, args.out)
    print(f"wrote training.png, training-gradients.png, training-overfitting.png, lr-finder.png, "
          f"notebook.png, pipeline.png, pipeline-preprocess.png and pipeline-update.png in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
