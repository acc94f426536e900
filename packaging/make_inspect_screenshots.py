"""Render the views that look inside a network offscreen to docs/screenshots: evaluation.png,
inside-cnn.png, inside-lstm.png, explorer.png and teach.png.

Every picture comes from a real run on the bundled MNIST sample: a short training run, a real test
digit, symbols drawn as mouse strokes and really taught. The app's data folder, download cache and
settings go to a temporary folder, never the user's. Helpers come from the other make_*_screenshots
scripts beside this one (run it as ``python packaging/make_inspect_screenshots.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/core/symbols.py draws the symbols a person would

import numpy as np  # noqa: E402
from make_draw_screenshots import draw  # noqa: E402
from make_training_screenshots import make_panel, run_to_end, wait_until  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget  # noqa: E402

from playground.core.presets import preset  # noqa: E402
from playground.core.training import TrainConfig  # noqa: E402
from playground.data.dataset import Dataset  # noqa: E402
from playground.data.registry import load_dataset  # noqa: E402
from playground.gui.draw.panel import DrawPanel  # noqa: E402
from playground.gui.inspect.evaluation_dock import EvaluationPanel  # noqa: E402
from playground.gui.inspect.explorer import LARGE, ActivationExplorer  # noqa: E402
from playground.gui.inspect.inside import InsideView  # noqa: E402
from playground.gui.train.panel import TrainingPanel  # noqa: E402
from playground.gui.train.runner import ActiveRun  # noqa: E402
from tests.core.symbols import strokes_for  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PAD = (360, 720)
"""The drawing dock beside another dock on a 1366x768 screen."""
MNIST = (1, 28, 28)


@contextmanager
def isolated() -> Iterator[Path]:
    """The app's data folder, download cache and QSettings in a temporary folder for the block."""
    root = Path(tempfile.mkdtemp(prefix="nn-playground-shots-"))
    saved = {key: os.environ.get(key) for key in ("NN_PLAYGROUND_DATA", "NN_PLAYGROUND_CACHE")}
    os.environ["NN_PLAYGROUND_DATA"] = str(root / "data")
    os.environ["NN_PLAYGROUND_CACHE"] = str(root / "cache")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(root / "settings"))
    try:
        yield root
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    """Let layouts settle, then write ``widget`` as a PNG."""
    for _ in range(5):
        app.processEvents()
    if not widget.grab().save(str(path)):
        sys.exit(f"cannot write {path}")
    print(f"wrote {path}")


def side_by_side(*parts: tuple[QWidget, int]) -> QWidget:
    """One shown window holding ``(widget, width)`` parts left to right, as docks stand in the app."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    for widget, width in parts:
        widget.setFixedWidth(width)
        layout.addWidget(widget)
    box.show()
    return box


def follow_training(training: TrainingPanel, drawing: DrawPanel) -> None:
    """The pad reads the network being trained, as the main window wires it."""
    def on_started(run: ActiveRun) -> None:
        drawing.set_live_model(run.spec, run.dataset.facts, run.trainer.snapshot)
    training.session.run_started.connect(on_started)


def scroll_to(app: QApplication, view: InsideView, index: int, above: int = 0) -> None:
    """Scroll the inside view so that section ``index`` starts ``above`` pixels below the top."""
    app.processEvents()
    section = view.sections()[index]
    view.sections_area.verticalScrollBar().setValue(max(0, section.y() - above))


def test_digit(data: Dataset, drawing: DrawPanel, label: int) -> np.ndarray:
    """The first test digit ``label`` that the answering model reads correctly."""
    for index in np.flatnonzero(data.test_y == label):
        image = data.test_x[index, 0]
        drawing.show_example(image)
        if drawing.bars.label.text().startswith(f"{label} "):
            return image
    raise SystemExit(f"no test {label} is read correctly")


def evaluation_shot(app: QApplication, out: Path) -> None:
    """One epoch of the small CNN; the worst cell of the confusion matrix with its test images."""
    training = make_panel("small-cnn")
    drawing = DrawPanel()
    panel = EvaluationPanel(training.session, drawing)
    panel.resize(760, 900)
    panel.show()
    run_to_end(app, training, TrainConfig(epochs=1, batch_size=64, seed=1))
    wait_until(app, lambda: panel.result is not None and not panel.running)
    save(app, panel, out / "evaluation.png")
    for widget in (panel, training, drawing):
        widget.close()


def inside_cnn_shot(app: QApplication, out: Path, data: Dataset) -> None:
    """A real test digit on the pad, read by the sample CNN: saliency, kernels and feature maps."""
    drawing = DrawPanel()
    view = InsideView(drawing)
    view.throttle_ms = 0
    box = side_by_side((drawing, PAD[0]), (view, 520))
    box.resize(PAD[0] + 526, PAD[1])
    test_digit(data, drawing, 3)
    view.refresh()
    save(app, box, out / "inside-cnn.png")
    box.close()


def inside_lstm_shot(app: QApplication, out: Path, data: Dataset) -> None:
    """The LSTM-over-rows preset after a short run: its hidden state and gates for a test digit."""
    training = make_panel("lstm-rows")
    drawing = DrawPanel()
    follow_training(training, drawing)
    view = InsideView(drawing)
    view.throttle_ms = 0
    box = side_by_side((drawing, PAD[0]), (view, 520))
    box.resize(PAD[0] + 526, PAD[1])
    run_to_end(app, training, TrainConfig(epochs=2, batch_size=64, seed=1))
    wait_until(app, lambda: drawing.model_label.text() == "Model: Your network")  # the last snapshot is in
    test_digit(data, drawing, 3)
    view.refresh()
    lstm = next(i for i, s in enumerate(view.sections()) if getattr(s, "gate_tiles", None))
    scroll_to(app, view, lstm)
    save(app, box, out / "inside-lstm.png")
    training.shutdown()
    for widget in (box, training):
        widget.close()


def explorer_shot(app: QApplication, out: Path) -> None:
    """The deep sigmoid MLP with untrained N(0, 1) weights: its pre-activations sit on the flat tails."""
    drawing = DrawPanel()
    spec = preset("deep-sigmoid")
    explorer = ActivationExplorer(drawing.answering_model, lambda: None, lambda: (spec, MNIST, 10))
    explorer.resize(560, 720)
    explorer.show()
    explorer.select_source(LARGE)
    explorer.select_layer(1)
    save(app, explorer, out / "explorer.png")
    print(f"  saturated share: {explorer.share:.1%}")
    explorer.close()


def draw_symbol(drawing: DrawPanel, strokes: list[list[tuple[float, float]]], pen: float) -> None:
    """Clear the canvas, set the pen width and draw ``strokes`` with the mouse."""
    drawing.canvas.clear()
    drawing.pen_slider.setValue(round(pen))
    draw(drawing.canvas, strokes)


def teach_shot(app: QApplication, out: Path) -> None:
    """Five drawings each of +, - and x, Teach, then a fresh x (well inside the canvas) drawn and read."""
    drawing = DrawPanel()
    drawing.resize(PAD[0] + 40, 900)
    drawing.show()
    drawing.teach.header.click()
    rng = np.random.default_rng(11)
    for symbol in ("+", "-", "x"):
        for _ in range(5):
            draw_symbol(drawing, *strokes_for(symbol, rng))
            if not drawing.teach.add_example():
                raise SystemExit(f"could not add a {symbol}")
    drawing.teach.teach_button.click()
    wait_until(app, lambda: not drawing.teach.teaching() and drawing.bars.class_names() == ("+", "-", "x"))
    rng = np.random.default_rng(5)
    for _ in range(20):
        strokes, pen = strokes_for("x", rng)
        if all(0.15 < value < 0.85 for stroke in strokes for point in stroke for value in point):
            draw_symbol(drawing, strokes, pen)
            if drawing.bars.label.text().startswith("x "):
                break
    else:
        raise SystemExit("no fresh x was read as x")
    save(app, drawing, out / "teach.png")
    print(f"  {drawing.teach.note.text()} The pad reads {drawing.bars.label.text()}")
    drawing.close()


SHOTS = ("evaluation", "inside-cnn", "inside-lstm", "explorer", "teach")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    parser.add_argument("--only", choices=SHOTS, action="append", help="make only this one (repeatable)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only or SHOTS)
    with isolated():
        app = QApplication.instance() or QApplication(sys.argv[:1])
        data = load_dataset("mnist-sample")
        if "evaluation" in wanted:
            evaluation_shot(app, args.out)
        if "inside-cnn" in wanted:
            inside_cnn_shot(app, args.out, data)
        if "inside-lstm" in wanted:
            inside_lstm_shot(app, args.out, data)
        if "explorer" in wanted:
            explorer_shot(app, args.out)
        if "teach" in wanted:
            teach_shot(app, args.out)
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
