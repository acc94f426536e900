"""Pixel statistics of a dataset, refusing images a network cannot be trained on (no pixels, no contrast)."""

import numpy as np

from playground.errors import DatasetError

STATS_DIGITS = 4


def pixel_stats(images: np.ndarray, name: str) -> tuple[float, float]:
    """Mean and standard deviation of uint8 pixels scaled to [0, 1], from a histogram (no float copy).

    Args:
        images: the training images, uint8 (N, H, W).
        name: the dataset, for messages.

    Raises:
        DatasetError: the images have no pixels, or every pixel has one value (a std of 0 would make the
            normalisation divide by zero).
    """
    if images.size == 0:
        size = "x".join(map(str, images.shape[1:]))
        raise DatasetError(f"{name}: the images have no pixels ({size})",
                           hint="the files hold empty images; check how they were made")
    counts = np.bincount(images.ravel(), minlength=256).astype(np.float64)
    values = np.arange(256, dtype=np.float64) / 255.0
    total = counts.sum()
    mean = float((counts * values).sum() / total)
    std = float(np.sqrt((counts * (values - mean) ** 2).sum() / total))
    if std == 0.0:
        raise DatasetError(f"{name}: every pixel of every training image is {int(images.flat[0])}",
                           hint="images without contrast teach a network nothing; check the files")
    return round(mean, STATS_DIGITS), round(std, STATS_DIGITS) or std
