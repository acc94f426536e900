"""Hand-drawn-looking symbols (+, -, x) rendered with numpy, with a person's jitter in every stroke."""

from __future__ import annotations

import math

import numpy as np

from playground.core.preprocess import to_mnist

CANVAS = 280
"""Side of the drawing pad's image, in pixels."""

Stroke = list[tuple[float, float]]

# Each symbol: strokes as (x0, y0, x1, y1) in a unit box centred on 0, y down.
SHAPES: dict[str, tuple[tuple[float, float, float, float], ...]] = {
    "+": ((-1.0, 0.0, 1.0, 0.0), (0.0, -1.0, 0.0, 1.0)),
    "-": ((-1.0, 0.0, 1.0, 0.0),),
    "x": ((-1.0, -1.0, 1.0, 1.0), (1.0, -1.0, -1.0, 1.0)),
}


def strokes_for(symbol: str, rng: np.random.Generator) -> tuple[list[Stroke], float]:
    """Strokes of one symbol in canvas units (0..1), and a pen width in canvas pixels.

    A person's jitter: the position, size, aspect, slant and pen width vary, each end of a stroke
    wanders a little, the crossing point moves off centre and each stroke bows slightly.
    """
    cx, cy = rng.uniform(0.38, 0.62, size=2)
    size = rng.uniform(0.18, 0.34)
    aspect = rng.uniform(0.8, 1.25)
    angle = math.radians(rng.uniform(-12.0, 12.0))
    cross = rng.uniform(-0.2, 0.2, size=2)
    cos, sin = math.cos(angle), math.sin(angle)
    strokes = []
    for x0, y0, x1, y1 in SHAPES[symbol]:
        ends = np.array([[x0, y0], [x1, y1]]) + rng.normal(0.0, 0.07, size=(2, 2))
        if symbol == "+":
            ends += cross * np.array([[abs(y0), abs(x0)], [abs(y1), abs(x1)]])
        bow = rng.normal(0.0, 0.06)
        mid = ends.mean(axis=0) + bow * np.array([ends[0, 1] - ends[1, 1], ends[1, 0] - ends[0, 0]])
        points = [ends[0] + (mid - ends[0]) * t for t in np.linspace(0, 1, 6)]
        points += [mid + (ends[1] - mid) * t for t in np.linspace(0, 1, 6)[1:]]
        stroke = []
        for px, py in points:
            x, y = px * size * aspect, py * size / aspect
            stroke.append((cx + cos * x - sin * y, cy + sin * x + cos * y))
        strokes.append(stroke)
    return strokes, float(rng.uniform(12.0, 32.0))


def render(strokes: list[Stroke], pen: float, side: int = CANVAS) -> np.ndarray:
    """Round-capped anti-aliased strokes, white on black, as a float (side, side) image in [0, 1]."""
    ys, xs = np.mgrid[0:side, 0:side] + 0.5
    image = np.zeros((side, side))
    radius = pen / 2
    for stroke in strokes:
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
            ax, ay, bx, by = x0 * side, y0 * side, x1 * side, y1 * side
            dx, dy = bx - ax, by - ay
            t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
            dist = np.hypot(xs - ax - t * dx, ys - ay - t * dy)
            np.maximum(image, np.clip(radius + 0.5 - dist, 0.0, 1.0), out=image)
    return image


def drawings(symbols: str, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` drawings of each symbol, through ``to_mnist``: (N, 28, 28) floats and labels."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, symbol in enumerate(symbols):
        for _ in range(per_class):
            image = to_mnist(render(*strokes_for(symbol, rng)))
            assert image is not None
            images.append(image)
            labels.append(label)
    return np.stack(images), np.array(labels, dtype=np.int64)
