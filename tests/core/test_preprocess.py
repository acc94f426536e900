"""Tests for turning drawings into MNIST-style inputs."""

import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from playground.core.preprocess import (
    FIT_SIZE,
    INK_THRESHOLD,
    MIN_INK_PIXELS,
    MNIST_SIZE,
    centre_of_mass,
    ink_bbox,
    min_ink_pixels,
    normalise,
    to_mnist,
)

CENTRE = MNIST_SIZE / 2

# A stroke is (y0, x0, y1, x1, radius): a round-capped line from (y0, x0) to (y1, x1), or a blob
# where the ends coincide; positions in fractions of the canvas, radius of its larger side.
Stroke = tuple[float, float, float, float, float]


def render(strokes: list[Stroke], height: int, width: int) -> np.ndarray:
    """Draw round-capped strokes, anti-aliased over one pixel, as a float image in [0, 1].

    Args:
        strokes: (y0, x0, y1, x1, radius) with positions in fractions of the canvas height and
            width and the radius in fractions of its larger side.
        height: Canvas height in pixels.
        width: Canvas width in pixels.
    """
    rows, cols = np.mgrid[:height, :width] + 0.5
    image = np.zeros((height, width))
    for y0, x0, y1, x1, radius in strokes:
        start = np.array([y0 * height, x0 * width])
        delta = np.array([y1 * height, x1 * width]) - start
        along = (rows - start[0]) * delta[0] + (cols - start[1]) * delta[1]
        t = np.clip(along / max(float(delta @ delta), 1e-12), 0.0, 1.0)
        distance = np.hypot(rows - start[0] - t * delta[0], cols - start[1] - t * delta[1])
        pixels = radius * max(height, width)
        image = np.maximum(image, np.clip(pixels + 0.5 - distance, 0.0, 1.0))
    return image


@st.composite
def strokes(draw: st.DrawFn, max_strokes: int = 3) -> list[Stroke]:
    """Draw 1..max_strokes thick lines or blobs, thick enough to stay visible at 28x28.

    Args:
        draw: Hypothesis' draw function.
        max_strokes: Most strokes to draw.
    """
    position = st.floats(0.05, 0.95)
    result = []
    for _ in range(draw(st.integers(1, max_strokes))):
        y0, x0 = draw(position), draw(position)
        if draw(st.booleans()):
            y1, x1, radius = draw(position), draw(position), draw(st.floats(1 / 40, 1 / 15))
        else:
            y1, x1, radius = y0, x0, draw(st.floats(1 / 40, 1 / 5))
        result.append((y0, x0, y1, x1, radius))
    return result


@st.composite
def digit_like(draw: st.DrawFn) -> list[Stroke]:
    """Draw a line at least 0.3 of the canvas long plus up to two more strokes, like a digit.

    Args:
        draw: Hypothesis' draw function.
    """
    position = st.floats(0.05, 0.95)
    ends = st.tuples(position, position, position, position)
    y0, x0, y1, x1 = draw(ends.filter(lambda e: np.hypot(e[2] - e[0], e[3] - e[1]) >= 0.3))
    line = (y0, x0, y1, x1, draw(st.floats(1 / 40, 1 / 15)))
    return [line, *draw(strokes(max_strokes=2))]


canvas_side = st.integers(28, 400)


def ink_size(image28: np.ndarray) -> tuple[int, int]:
    """Return (height, width) of the ink's bounding box in a preprocessed image.

    Args:
        image28: A result of `to_mnist`.
    """
    box = ink_bbox(image28)
    assert box is not None
    top, left, bottom, right = box
    return bottom - top, right - left


def assert_valid(result: np.ndarray | None) -> np.ndarray:
    """Assert that `result` is a float32 28x28 image in [0, 1] and return it.

    Args:
        result: What `to_mnist` returned.
    """
    assert result is not None
    assert result.shape == (MNIST_SIZE, MNIST_SIZE)
    assert result.dtype == np.float32
    assert result.min() >= 0.0 and result.max() <= 1.0
    return result


@settings(deadline=None, max_examples=150)
@given(strokes(), canvas_side, canvas_side)
def test_random_drawings_fit_20_and_centre_by_mass(
    drawing: list[Stroke], height: int, width: int
) -> None:
    canvas = render(drawing, height, width)
    result = assert_valid(to_mnist(canvas))
    # Everything non-zero is the scaled crop, 20 on its larger side, plus one pixel where the
    # sub-pixel shift spreads it.
    content = ink_bbox(result > 0)
    assert content is not None
    top, left, bottom, right = content
    assert bottom - top <= FIT_SIZE + 1 and right - left <= FIT_SIZE + 1
    assert max(bottom - top, right - left) in (FIT_SIZE, FIT_SIZE + 1)
    rows, cols = ink_size(result)
    assert rows <= FIT_SIZE + 1 and cols <= FIT_SIZE + 1
    source = ink_bbox(canvas)
    assert source is not None
    if max(source[2] - source[0], source[3] - source[1]) >= FIT_SIZE:
        # Only enlarging can spread a faint edge below the ink threshold.
        assert FIT_SIZE - 1 <= max(rows, cols) <= FIT_SIZE + 1
    # The shift stops at the border rather than lose ink, so a lopsided drawing may sit off
    # centre along an axis, but then its content touches the border on the far side.
    errors = []
    for com, first, end in zip(centre_of_mass(result), (top, left), (bottom, right), strict=True):
        if (com > CENTRE and first == 0) or (com < CENTRE and end == MNIST_SIZE):
            event("touches the border")
        else:
            errors.append(com - CENTRE)
    assert math.hypot(*errors) < 0.5


@settings(deadline=None, max_examples=100)
@given(strokes(max_strokes=1), canvas_side, canvas_side)
def test_single_stroke_centre_of_mass_lands_on_centre(
    drawing: list[Stroke], height: int, width: int
) -> None:
    result = assert_valid(to_mnist(render(drawing, height, width)))
    row, col = centre_of_mass(result)
    assert np.hypot(row - CENTRE, col - CENTRE) < 0.5


@settings(deadline=None, max_examples=20)
@given(digit_like())
def test_same_drawing_at_two_resolutions_gives_nearly_the_same_input(
    drawing: list[Stroke],
) -> None:
    small = assert_valid(to_mnist(render(drawing, 100, 100)))
    large = assert_valid(to_mnist(render(drawing, 400, 400)))
    assert np.abs(small - large).mean() < 0.05


@settings(deadline=None, max_examples=100)
@given(
    hnp.arrays(
        st.one_of(st.just(np.float64), st.just(np.float32), st.just(np.uint8)),
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=60),
    )
)
def test_any_2d_array_gives_none_or_a_valid_image(image: np.ndarray) -> None:
    result = to_mnist(image)
    if result is not None:
        assert_valid(result)


@pytest.mark.parametrize("shape", [(280, 280), (28, 28), (1, 1), (0, 5), (3, 500)])
def test_blank_canvas_is_empty(shape: tuple[int, int]) -> None:
    assert to_mnist(np.zeros(shape, dtype=np.uint8)) is None
    assert to_mnist(np.zeros(shape)) is None


def test_faint_smudge_below_the_ink_threshold_is_empty() -> None:
    assert to_mnist(np.full((280, 280), INK_THRESHOLD * 0.9)) is None


def test_a_dot_smaller_than_the_minimum_is_empty_and_one_at_it_is_not() -> None:
    needed = min_ink_pixels(280, 280)
    assert needed > MIN_INK_PIXELS
    canvas = np.zeros((280, 280), dtype=np.uint8)
    canvas[140:146, 140:146] = 255
    assert needed > 6 * 6
    assert to_mnist(canvas) is None
    line = np.zeros((280, 280), dtype=np.uint8)
    line[100, 50 : 50 + needed - 1] = 255
    assert to_mnist(line) is None
    line[100, 50 + needed - 1] = 255
    assert to_mnist(line) is not None


def test_small_canvas_needs_at_least_the_minimum_pixel_count() -> None:
    assert min_ink_pixels(28, 28) == MIN_INK_PIXELS
    canvas = np.zeros((28, 28))
    canvas[10, 10 : 10 + MIN_INK_PIXELS - 1] = 1.0
    assert to_mnist(canvas) is None
    canvas[10, 10 + MIN_INK_PIXELS - 1] = 1.0
    assert to_mnist(canvas) is not None


def test_nan_counts_as_background() -> None:
    drawing = render([(0.2, 0.3, 0.8, 0.6, 0.05)], 200, 200)
    assert to_mnist(np.full((50, 50), np.nan)) is None
    with_nan = np.where(drawing == 0, np.nan, drawing)
    np.testing.assert_array_equal(to_mnist(with_nan), to_mnist(drawing))


def test_infinities_do_not_raise() -> None:
    drawing = render([(0.2, 0.3, 0.8, 0.6, 0.05)], 200, 200)
    drawing[0, :] = -np.inf
    drawing[100, 100] = np.inf
    assert_valid(to_mnist(drawing))


@pytest.mark.parametrize("bad", [np.zeros(5), np.zeros((4, 4, 3)), np.float64(1.0)])
def test_non_2d_input_is_rejected(bad: np.ndarray) -> None:
    for function in (to_mnist, ink_bbox, centre_of_mass):
        with pytest.raises(ValueError):
            function(bad)


def test_tall_thin_bar_keeps_its_aspect_ratio() -> None:
    canvas = np.zeros((280, 280), dtype=np.uint8)
    canvas[40:240, 136:144] = 255
    result = assert_valid(to_mnist(canvas))
    rows, cols = ink_size(result)
    assert FIT_SIZE - 1 <= rows <= FIT_SIZE + 1
    assert cols <= 2
    rows, cols = ink_size(assert_valid(to_mnist(canvas.T)))
    assert FIT_SIZE - 1 <= cols <= FIT_SIZE + 1
    assert rows <= 2


def test_small_drawing_is_enlarged_keeping_its_aspect_ratio() -> None:
    canvas = np.zeros((28, 28))
    canvas[10:13, 5:11] = 1.0
    result = assert_valid(to_mnist(canvas))
    rows, cols = ink_size(result)
    assert FIT_SIZE - 1 <= cols <= FIT_SIZE + 1
    assert 9 <= rows <= 11
    assert result.max() > 0.99


def test_shrinking_averages_area_instead_of_sampling() -> None:
    canvas = np.zeros((280, 280))
    canvas[40:240, 40:240:2] = 1.0
    result = assert_valid(to_mnist(canvas))
    interior = result[6:22, 6:22]
    assert interior.min() > 0.4 and interior.max() < 0.6


def test_uint8_and_float_inputs_agree() -> None:
    drawing = render([(0.1, 0.2, 0.7, 0.9, 0.04), (0.5, 0.5, 0.5, 0.5, 0.1)], 280, 280)
    as_uint8 = np.round(drawing * 255).astype(np.uint8)
    expected = to_mnist(as_uint8)
    for as_float in (as_uint8 / 255.0, (as_uint8 / 255.0).astype(np.float32)):
        np.testing.assert_allclose(to_mnist(as_float), expected, atol=1e-5)


def test_position_on_the_canvas_does_not_matter() -> None:
    shape = render([(0.1, 0.1, 0.9, 0.3, 0.06), (0.3, 0.8, 0.3, 0.8, 0.1)], 90, 60)
    near_corner = np.zeros((300, 300))
    near_corner[5:95, 10:70] = shape
    far_corner = np.zeros((300, 300))
    far_corner[200:290, 230:290] = shape
    np.testing.assert_allclose(to_mnist(near_corner), to_mnist(far_corner), atol=1e-6)


def ring(centre_row: float, centre_col: float) -> np.ndarray:
    """Return a 28x28 MNIST-like "0": a soft ring of outer radius 10 and inner radius 6.5.

    Args:
        centre_row: Row of the ring's centre, continuous coordinates.
        centre_col: Column of the ring's centre, continuous coordinates.
    """
    rows, cols = np.mgrid[:MNIST_SIZE, :MNIST_SIZE] + 0.5
    distance = np.hypot(rows - centre_row, cols - centre_col)
    return np.clip(np.minimum(10.0 - distance, distance - 6.5) + 0.5, 0.0, 1.0)


def test_mnist_like_digit_passes_through_nearly_unchanged() -> None:
    digit = ring(CENTRE, CENTRE)
    result = assert_valid(to_mnist(digit))
    assert np.abs(result - digit).mean() < 0.03
    row, col = centre_of_mass(result)
    assert np.hypot(row - CENTRE, col - CENTRE) < 0.5


def test_off_centre_digit_is_moved_to_the_centre() -> None:
    result = assert_valid(to_mnist(ring(11.0, 16.0)))
    assert np.abs(result - ring(CENTRE, CENTRE)).mean() < 0.03
    row, col = centre_of_mass(assert_valid(to_mnist(ring(11.3, 15.8))))
    assert np.hypot(row - CENTRE, col - CENTRE) < 0.5


def test_normalise() -> None:
    image = np.linspace(0, 1, MNIST_SIZE * MNIST_SIZE).reshape(MNIST_SIZE, MNIST_SIZE)
    result = normalise(image, 0.1307, 0.3081)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, (image - 0.1307) / 0.3081, atol=1e-6)
    for std in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError):
            normalise(image, 0.5, std)


def test_centre_of_mass_uses_pixel_centres() -> None:
    image = np.zeros((10, 6))
    image[3, 4] = 7.0
    assert centre_of_mass(image) == (3.5, 4.5)
    assert centre_of_mass(np.ones((10, 6))) == pytest.approx((5.0, 3.0))
    image[7, 0] = 7.0
    assert centre_of_mass(image) == pytest.approx((5.5, 2.5))
    with pytest.raises(ValueError):
        centre_of_mass(np.zeros((4, 4)))


def test_ink_bbox_is_exclusive_and_uses_the_threshold() -> None:
    image = np.zeros((50, 40), dtype=np.uint8)
    assert ink_bbox(image) is None
    image[12:20, 5:31] = 255
    assert ink_bbox(image) == (12, 5, 20, 31)
    image[2, 2] = int(INK_THRESHOLD * 255)  # just below the threshold: not ink
    assert ink_bbox(image) == (12, 5, 20, 31)
    image[2, 2] += 1
    assert ink_bbox(image) == (2, 2, 20, 31)


def test_preprocess_never_imports_qt() -> None:
    code = (
        "import sys, playground.core.preprocess\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_report_time_for_a_280_canvas(capsys: pytest.CaptureFixture[str]) -> None:
    canvas = np.round(render([(0.2, 0.3, 0.8, 0.6, 0.03), (0.3, 0.3, 0.3, 0.7, 0.03)], 280, 280))
    canvas = (canvas * 255).astype(np.uint8)
    times = []
    for _ in range(200):
        start = time.perf_counter()
        to_mnist(canvas)
        times.append(time.perf_counter() - start)
    with capsys.disabled():
        print(f"\nto_mnist on a 280x280 uint8 canvas: {np.median(times) * 1e3:.3f} ms (median)")
