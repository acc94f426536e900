"""Drawing pad latency: a stroke event to the bars updated (sample small CNN, CPU), and a paint event."""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NN_PLAYGROUND_DATA", tempfile.mkdtemp(prefix="nn-playground-bench-"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QEvent, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.core.preprocess import to_mnist  # noqa: E402
from playground.core.presets import preset  # noqa: E402
from playground.core.training import TrainConfig, Trainer  # noqa: E402
from playground.data.registry import load_dataset  # noqa: E402
from playground.gui.draw.panel import DrawPanel  # noqa: E402

STROKE_GOAL_MS = 15.0
PAINT_GOAL_MS = 4.0
EVENTS = 300


def mouse(kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> QMouseEvent:
    """A left-button mouse event at a widget position."""
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    return QMouseEvent(kind, pos, pos, button, buttons, Qt.KeyboardModifier.NoModifier)


def spiral(step: int, side: int) -> QPointF:
    """A point on a slow spiral around the canvas centre, so every event adds ink."""
    angle, radius = step * 0.21, side * (0.12 + 0.25 * (step % 120) / 120)
    return QPointF(side / 2 + radius * math.cos(angle), side / 2 + radius * math.sin(angle))


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def stroke_latency(panel: DrawPanel) -> tuple[list[float], list[float]]:
    """Per mouse move and per release: ms from sending the event to the bars repainted."""
    app, canvas = QApplication.instance(), panel.canvas
    canvas.throttle_ms = 0  # every move predicts: the cost of one update, not the throttle's wait
    moves, releases = [], []
    square = canvas.square()
    for step in range(EVENTS):
        pos = spiral(step, square.width()) + QPointF(square.topLeft())
        if step % 30 == 0:
            canvas.clear()
            press = mouse(QEvent.Type.MouseButtonPress, pos, Qt.MouseButton.LeftButton)
            QApplication.sendEvent(canvas, press)
            continue
        kind = QEvent.Type.MouseButtonRelease if step % 30 == 29 else QEvent.Type.MouseMove
        buttons = Qt.MouseButton.NoButton if step % 30 == 29 else Qt.MouseButton.LeftButton
        start = time.perf_counter()
        QApplication.sendEvent(canvas, mouse(kind, pos, buttons))
        panel.bars.repaint()
        elapsed = (time.perf_counter() - start) * 1000
        (releases if step % 30 == 29 else moves).append(elapsed)
        app.processEvents()
    return moves, releases


def paint_times(panel: DrawPanel) -> list[float]:
    """ms for a full repaint of the canvas (the paint event copies the offscreen image)."""
    runs = []
    for _ in range(200):
        start = time.perf_counter()
        panel.canvas.repaint()
        runs.append((time.perf_counter() - start) * 1000)
    return runs


def parts(panel: DrawPanel) -> tuple[float, float]:
    """Median ms of preprocessing and of the prediction alone, on the current drawing."""
    drawing = panel.canvas.drawing()
    pre, pred = [], []
    for _ in range(100):
        start = time.perf_counter()
        image = to_mnist(drawing)
        pre.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        panel.source.predict(image)
        pred.append((time.perf_counter() - start) * 1000)
    return statistics.median(pre), statistics.median(pred)


def report(panel: DrawPanel, title: str) -> None:
    """Measure one panel and print its figures."""
    stroke_latency(panel)  # warm up torch and Qt
    moves, releases = stroke_latency(panel)
    assert panel.bars.probabilities() is not None and np.isfinite(panel.bars.probabilities()).all()
    p50, p95 = percentiles(moves)
    r50, r95 = percentiles(releases)
    paint50, paint95 = percentiles(paint_times(panel))
    pre, pred = parts(panel)
    side = panel.canvas.square().width()
    print(f"{title}; canvas {side}x{side} px")
    print(f"  mouse move -> bars repainted: p50 {p50:.2f} ms, p95 {p95:.2f} ms "
          f"({len(moves)} events); goal p95 < {STROKE_GOAL_MS:g} ms: ratio {STROKE_GOAL_MS / p95:.1f}")
    print(f"  stroke end -> bars repainted: p50 {r50:.2f} ms, p95 {r95:.2f} ms ({len(releases)} strokes)")
    print(f"  of which preprocessing {pre:.2f} ms and prediction {pred:.2f} ms (medians)")
    print(f"  canvas paint event: p50 {paint50:.3f} ms, p95 {paint95:.3f} ms; "
          f"goal < {PAINT_GOAL_MS:g} ms: ratio {PAINT_GOAL_MS / paint95:.1f}")


def while_training(panel: DrawPanel) -> None:
    """The same measurement while the small CNN trains on a plain thread and feeds the panel."""
    data = load_dataset("mnist-sample")
    spec = preset("small-cnn")
    trainer = Trainer(spec, data, TrainConfig(epochs=50, device="cpu"))
    panel.set_live_model(spec, data.facts, trainer.snapshot)
    thread = threading.Thread(target=lambda: list(trainer.run()), daemon=True)
    thread.start()
    try:
        report(panel, "panel 400x700 while the small CNN trains in the same process (live snapshots)")
    finally:
        trainer.stop()
        thread.join(30)


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"torch threads: {torch.get_num_threads()}, CPUs: {os.cpu_count()}, load average: {load} "
          "(other busy processes make torch's threads wait for a core: the p95 grows)")
    for size in ((400, 700), (700, 1000), None):
        panel = DrawPanel()
        panel.resize(*(size or (400, 700)))
        panel.show()
        app.processEvents()
        if size is None:
            while_training(panel)
        else:
            report(panel, f"panel {size[0]}x{size[1]}, sample small CNN on the CPU")
        panel.close()
        panel.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main()
