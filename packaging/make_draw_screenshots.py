"""Render the drawing pad offscreen with a "3" drawn as mouse strokes to docs/screenshots/draw.png."""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.gui.draw.canvas import DrawingCanvas  # noqa: E402
from playground.gui.draw.panel import DrawPanel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots" / "draw.png"
SIZE = (400, 700)
"""A dock beside the editor on a 1366x768 screen."""


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float,
        steps: int = 30) -> list[tuple[float, float]]:
    """Points along an elliptic arc in canvas units; angles in degrees, clockwise from 3 o'clock."""
    return [(cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
             cy + ry * math.sin(math.radians(start + (end - start) * i / steps)))
            for i in range(steps + 1)]


THREE = [arc(0.5, 0.34, 0.17, 0.14, -160, 90), arc(0.5, 0.63, 0.19, 0.16, -90, 160)]
"""A 3 as two strokes: the upper arc ends at the middle, where the lower arc starts."""


def draw(canvas: DrawingCanvas, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw strokes given in canvas units (0..1 across the square) with mouse events."""
    square = canvas.square()
    for stroke in strokes:
        points = [QPoint(round(square.x() + x * square.width()), round(square.y() + y * square.height()))
                  for x, y in stroke]
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
        for point in points[1:]:
            QTest.mouseMove(canvas, point)
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def main(argv: list[str] | None = None) -> None:
    """Render the panel and save the screenshot; print what the sample model read."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("NN_PLAYGROUND_DATA", tempfile.mkdtemp(prefix="nn-playground-shot-"))
    app = QApplication.instance() or QApplication(sys.argv)
    panel = DrawPanel()
    panel.resize(*SIZE)
    panel.show()
    app.processEvents()
    draw(panel.canvas, THREE)
    app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not panel.grab().save(str(args.out)):
        sys.exit(f"cannot write {args.out}")
    print(f"wrote {args.out}: the sample model reads {panel.bars.label.text()}")


if __name__ == "__main__":
    main()
