"""Training data in memory as uint8 tensors: batching by index, normalisation, batched augmentation."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


@dataclass
class TensorSplit:
    """One split (train, validation or test) on a device: uint8 images (N,1,H,W), int64 labels."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @classmethod
    def from_numpy(cls, images: np.ndarray, labels: np.ndarray, device: torch.device) -> TensorSplit:
        """Copy uint8 (N,H,W) images and labels onto ``device`` once."""
        x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.uint8).copy()).unsqueeze(1)
        y = torch.from_numpy(np.asarray(labels, dtype=np.int64).copy())
        return cls(x.to(device), y.to(device))


def split_validation(
    images: np.ndarray, labels: np.ndarray, fraction: float, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out ``fraction`` of the training images (a seeded random choice) for validation."""
    order = np.random.default_rng(seed).permutation(len(labels))
    cut = int(round(len(labels) * (1.0 - fraction)))
    keep, held = np.sort(order[:cut]), np.sort(order[cut:])
    return (images[keep], labels[keep]), (images[held], labels[held])


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


def normalise(images: torch.Tensor, mean: float, std: float) -> torch.Tensor:
    """uint8 images -> float32 ((x / 255) - mean) / std, in one fused pass."""
    return images.to(torch.float32).mul_(1.0 / (255.0 * std)).sub_(mean / std)


def augment(
    images: torch.Tensor,
    generator: torch.Generator,
    shift: float = 0.1,
    degrees: float = 12.0,
    scale: float = 0.1,
    background: float = 0.0,
) -> torch.Tensor:
    """Random shift, rotation and scale for a whole float batch with one affine_grid/grid_sample.

    Args:
        images: float (B,C,H,W) batch, already normalised.
        generator: a CPU generator, so runs with a seed repeat exactly.
        shift: largest shift as a fraction of the image size.
        degrees: largest rotation either way.
        scale: largest relative zoom either way.
        background: the value of a blank pixel after normalisation.
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
