"""Training data in memory as tensors: batching by index, normalisation, batched augmentation."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


@dataclass
class TensorSplit:
    """One split (train, validation or test) on a device: inputs (N, *shape) as the dataset holds them
    (uint8 images, float32 features) and targets (int64 classes or float32 values)."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @classmethod
    def from_numpy(cls, x: np.ndarray, y: np.ndarray, device: torch.device) -> TensorSplit:
        """Copy a split's arrays onto ``device`` once."""
        return cls(torch.from_numpy(np.array(x)).to(device), torch.from_numpy(np.array(y)).to(device))


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out ``fraction`` of the training samples (a seeded random choice) for validation."""
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(round(len(y) * (1.0 - fraction)))
    keep, held = np.sort(order[:cut]), np.sort(order[cut:])
    return (x[keep], y[keep]), (x[held], y[held])


def batch_indices(
    n: int, batch_size: int, generator: torch.Generator | None, device: torch.device
) -> Iterator[torch.Tensor]:
    """Shuffled (or, without a generator, ordered) index batches; a last batch of one is dropped
    when shuffling because BatchNorm cannot train on a single sample."""
    if generator is None:
        order = torch.arange(n, device=device)
    else:
        order = torch.randperm(n, generator=generator).to(device)
    stop = n - 1 if generator is not None and n % batch_size == 1 and n > 1 else n
    for start in range(0, stop, batch_size):
        yield order[start : start + batch_size]


def batches_per_epoch(n: int, batch_size: int) -> int:
    """How many shuffled batches ``batch_indices`` yields for ``n`` samples."""
    full = math.ceil(n / batch_size)
    return full - 1 if n % batch_size == 1 and n > 1 else full


def normalise(x: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """Inputs as the network reads them: images (N, C, H, W), uint8 0-255 or float in [0, 1], become
    (pixels - mean[c]) / std[c] with pixels in [0, 1]; without statistics (float features, already
    standardised) the values pass as float32."""
    if not mean:
        return x.to(torch.float32)
    scale = 255.0 if x.dtype == torch.uint8 else 1.0
    out = x.to(torch.float32, copy=True)
    if len(mean) == 1:
        return out.mul_(1.0 / (scale * std[0])).sub_(mean[0] / std[0])
    shape = (1, len(mean), 1, 1)
    m = torch.tensor(mean, dtype=torch.float32, device=x.device).reshape(shape)
    s = torch.tensor(std, dtype=torch.float32, device=x.device).reshape(shape)
    return out.div_(scale).sub_(m).div_(s)


@dataclass(frozen=True)
class Augmentation:
    """How strongly ``augment`` moves images: the largest shift (a fraction of the size), rotation
    (degrees either way) and relative zoom."""

    shift: float = 0.1
    degrees: float = 12.0
    scale: float = 0.1


def augment(
    images: torch.Tensor,
    generator: torch.Generator,
    shift: float = 0.1,
    degrees: float = 12.0,
    scale: float = 0.1,
    background: float | torch.Tensor = 0.0,
) -> torch.Tensor:
    """Random shift, rotation and scale for a whole float batch with one affine_grid/grid_sample.

    Args:
        images: float (B,C,H,W) batch, already normalised.
        generator: a CPU generator, so runs with a seed repeat exactly.
        shift: largest shift as a fraction of the image size.
        degrees: largest rotation either way.
        scale: largest relative zoom either way.
        background: the value of a blank pixel after normalisation (per channel: shaped (1, C, 1, 1)).
    """
    b = images.shape[0]
    rand = torch.rand(b, 4, generator=generator) * 2.0 - 1.0
    angle = rand[:, 0] * math.radians(degrees)
    zoom = 1.0 + rand[:, 1] * scale
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack(
        (torch.stack((cos, -sin, rand[:, 2] * shift * 2), 1),
         torch.stack((sin, cos, rand[:, 3] * shift * 2), 1)), 1,
    ).to(images.device, images.dtype)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    shifted = images - background
    out = F.grid_sample(shifted, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out.add_(background)
