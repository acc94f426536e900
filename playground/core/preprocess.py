"""Turn a drawing into an MNIST-style 28x28 input: crop to the ink, fit 20x20, centre by mass."""

import math

import numpy as np

INK_THRESHOLD: float = 0.05
"""Fraction of full scale below which a pixel is not ink (for cropping and emptiness)."""

MIN_INK_PIXELS: int = 3
"""Fewest ink pixels a drawing may have on any canvas before it counts as empty."""

MIN_INK_FRACTION: float = 1 / 2000
"""Fraction of the canvas area that must be ink where that is more than MIN_INK_PIXELS."""

MNIST_SIZE: int = 28
"""Side of the output image."""

FIT_SIZE: int = 20
"""Side of the box the cropped drawing is scaled to fit into, keeping its aspect ratio."""


def min_ink_pixels(height: int, width: int) -> int:
    """Return how many ink pixels a canvas of this size needs to count as non-empty.

    Args:
        height: Canvas height in pixels.
        width: Canvas width in pixels.
    """
    return max(MIN_INK_PIXELS, math.ceil(height * width * MIN_INK_FRACTION))


def to_mnist(image: np.ndarray) -> np.ndarray | None:
    """Return the drawing as a float32 (28, 28) image in [0, 1], or None if it is (near) empty.

    The drawing is cropped to its ink, scaled to fit 20x20 keeping its aspect ratio (box filter
    when shrinking, bilinear when enlarging) and shifted, by a sub-pixel bilinear shift, so that
    its centre of mass sits at (14, 14). The shift is limited so that no ink leaves the image;
    only a very lopsided drawing has its centre of mass off (14, 14) because of that.

    Args:
        image: A 2-D drawing, white ink on black: uint8 (0..255) or float (0..1). NaN counts as
            0; values out of range are clipped.

    Raises:
        ValueError: If `image` is not 2-D.
    """
    unit = _to_unit(image)
    mask = unit >= INK_THRESHOLD
    bbox = _bbox(mask)
    if bbox is None or np.count_nonzero(mask) < min_ink_pixels(*unit.shape):
        return None
    top, left, bottom, right = bbox
    crop = unit[top:bottom, left:right]
    height, width = crop.shape
    scale = FIT_SIZE / max(height, width)
    out_height = max(1, round(height * scale))
    out_width = max(1, round(width * scale))
    patch = _resample_matrix(height, out_height) @ crop @ _resample_matrix(width, out_width).T
    row, col = centre_of_mass(patch)
    centre = MNIST_SIZE / 2
    placed = (
        _shift_matrix(out_height, centre - row) @ patch @ _shift_matrix(out_width, centre - col).T
    )
    return np.clip(placed, 0.0, 1.0).astype(np.float32)


def normalise(image28: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Return (image28 - mean) / std as float32, the normalisation the network was trained with.

    Args:
        image28: An image from `to_mnist`.
        mean: Mean pixel value of the training set.
        std: Standard deviation of the training pixel values; must be positive and finite.

    Raises:
        ValueError: If `std` is not positive and finite.
    """
    if not (math.isfinite(std) and std > 0):
        raise ValueError(f"std must be positive and finite, got {std}")
    return ((np.asarray(image28, dtype=np.float32) - mean) / std).astype(np.float32)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Return the intensity-weighted (row, col) centre, with pixel i's centre at i + 0.5.

    Args:
        image: A 2-D array of non-negative weights (any scale); NaN counts as 0.

    Raises:
        ValueError: If `image` is not 2-D or has no positive total weight.
    """
    weights = np.nan_to_num(_require_2d(image).astype(np.float64), nan=0.0)
    total = weights.sum()
    if not total > 0:
        raise ValueError("image has no mass to take the centre of")
    height, width = weights.shape
    row = weights.sum(axis=1) @ (np.arange(height) + 0.5) / total
    col = weights.sum(axis=0) @ (np.arange(width) + 0.5) / total
    return float(row), float(col)


def ink_bbox(image: np.ndarray) -> tuple[int, int, int, int] | None:
    """Return (top, left, bottom, right), bottom and right exclusive, of the ink, or None.

    Args:
        image: A 2-D drawing, uint8 (0..255) or float (0..1); ink is at least INK_THRESHOLD of
            full scale.

    Raises:
        ValueError: If `image` is not 2-D.
    """
    return _bbox(_to_unit(image) >= INK_THRESHOLD)


def _require_2d(image: np.ndarray) -> np.ndarray:
    """Return `image` as an array, raising ValueError unless it is 2-D.

    Args:
        image: Anything array-like.
    """
    array = np.asarray(image)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {array.shape}")
    return array


def _to_unit(image: np.ndarray) -> np.ndarray:
    """Return a 2-D image as float64 in [0, 1]: integers are read as 0..255, NaN as 0.

    Args:
        image: A 2-D array of any real dtype.
    """
    array = _require_2d(image)
    if array.dtype == np.uint8:
        return array / 255.0
    if np.issubdtype(array.dtype, np.integer):
        return np.clip(array, 0, 255) / 255.0
    unit = array.astype(np.float64)
    unit[~(unit >= 0.0)] = 0.0  # NaN and negatives
    return np.minimum(unit, 1.0, out=unit)


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """Return the exclusive (top, left, bottom, right) box of the True pixels, or None.

    Args:
        mask: A 2-D boolean array.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def _resample_matrix(source: int, target: int) -> np.ndarray:
    """Return (target, source) weights that resample one axis, each row summing to 1.

    Shrinking averages the exact area each output pixel covers (a box filter); enlarging (or
    keeping the size) interpolates bilinearly between pixel centres, clamped at the edges.

    Args:
        source: Number of pixels along the axis now.
        target: Number of pixels along the axis wanted.
    """
    step = source / target
    pixels = np.arange(source)
    if target < source:
        edges = np.arange(target + 1) * step
        overlap = np.minimum(edges[1:, None], pixels + 1) - np.maximum(edges[:-1, None], pixels)
        return np.clip(overlap, 0.0, None) / step
    centres = np.clip((np.arange(target) + 0.5) * step - 0.5, 0.0, source - 1)
    return np.clip(1.0 - np.abs(centres[:, None] - pixels), 0.0, None)


def _shift_matrix(size: int, offset: float) -> np.ndarray:
    """Return (MNIST_SIZE, size) weights placing an axis of `size` pixels at a sub-pixel offset.

    The offset is clamped to [0, MNIST_SIZE - size] so nothing falls off the image; the
    fractional part is a bilinear shift, which keeps the mass and moves its centre exactly.

    Args:
        size: Number of pixels along the axis of the patch (at most MNIST_SIZE).
        offset: Where the patch's first pixel edge should go, in output pixels.
    """
    offset = min(max(offset, 0.0), float(MNIST_SIZE - size))
    start = math.floor(offset)
    fraction = offset - start
    pixels = np.arange(size)
    weights = np.zeros((MNIST_SIZE, size))
    weights[start + pixels, pixels] = 1.0 - fraction
    if fraction > 0:
        weights[start + 1 + pixels, pixels] = fraction
    return weights
