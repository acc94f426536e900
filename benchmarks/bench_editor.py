"""Editor responsiveness: time from an edit to the redrawn layer stack on a 30-layer network, offscreen.

Each edit (a parameter change, an activation change, an insert and a delete in the middle, undo and
redo) runs through the model like a click would; the clock stops once Qt has laid out and painted the
stack. Prints p50 / p95 and the ratio of p95 to the 50 ms budget (below 1.0 is within budget).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.core.spec import NetworkSpec, layer  # noqa: E402
from playground.gui import create_window  # noqa: E402

BUDGET_MS = 50.0
LAYERS = 30
ROUNDS = 40


def thirty_layers() -> NetworkSpec:
    """Convolutions and pooling, then a long run of Linear layers: 30 layers in all."""
    convs = (layer("Conv2d", "relu", filters=8, kernel=3, padding=1), layer("BatchNorm"),
             layer("Conv2d", "relu", filters=8, kernel=3, padding=1), layer("MaxPool2d"))
    dense = tuple(layer("Linear", "relu", units=64) if i % 3 else layer("Dropout", p=0.1) for i in range(24))
    return NetworkSpec((*convs, layer("Flatten"), *dense, layer("Linear", units=10)))


def main() -> None:
    app = QApplication.instance() or QApplication([])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    window = create_window()
    window.resize(1366, 768)
    window.show()
    model = window.model
    model.reset(thirty_layers())
    assert len(model.spec) == LAYERS
    app.processEvents()
    stack = window.editor.stack
    edits = [
        lambda i: model.set_param(10, "units", 32 + i % 2),
        lambda i: model.set_activation(12, "tanh" if i % 2 else "relu"),
        lambda i: model.add_layer("Dropout"),
        lambda i: model.remove_layer(model.selected),
        lambda i: model.undo_stack.undo(),
        lambda i: model.undo_stack.redo(),
    ]
    model.select(15)
    times: list[float] = []
    for i in range(ROUNDS):
        for edit in edits:
            start = time.perf_counter()
            edit(i)
            app.processEvents()
            stack.viewport().repaint()
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(len(times) * 0.95)]
    print(f"edit -> stack redrawn, {LAYERS} layers, {len(times)} edits: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"ratio p95 / {BUDGET_MS:.0f} ms budget: {p95 / BUDGET_MS:.2f} (below 1.00 is within budget)")
    model.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
