"""Pixel statistics of a dataset, refusing images a network cannot be trained on (no pixels, no contrast)."""

import numpy as np

from playground.errors import DatasetError

STATS_DIGITS = 4


def pixel_stats(images: np.ndarray, name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of uint8 (N, C, H, W) pixels scaled to [0, 1], from a
    histogram of each channel (no float copy of the images).

    Args:
        images: the training images, uint8 (N, C, H, W).
        name: the dataset, for messages.

    Raises:
        DatasetError: the images have no pixels, or every pixel of a channel has one value (a std of 0 would
            make the normalisation divide by zero).
    """
    if images.size == 0:
        size = "x".join(map(str, images.shape[2:]))
        raise DatasetError(f"{name}: the images have no pixels ({size})",
                           hint="the files hold empty images; check how they were made")
    values = np.arange(256, dtype=np.float64) / 255.0
    means, stds = [], []
    for channel in range(images.shape[1]):
        plane = images[:, channel]
        counts = np.bincount(plane.ravel(), minlength=256).astype(np.float64)
        total = counts.sum()
        mean = float((counts * values).sum() / total)
        std = float(np.sqrt((counts * (values - mean) ** 2).sum() / total))
        if std == 0.0:
            where = f" in channel {channel + 1}" if images.shape[1] > 1 else ""
            raise DatasetError(f"{name}: every pixel of every training image is {int(plane.flat[0])}{where}",
                               hint="images without contrast teach a network nothing; check the files")
        means.append(round(mean, STATS_DIGITS))
        stds.append(round(std, STATS_DIGITS) or std)
    return tuple(means), tuple(stds)
