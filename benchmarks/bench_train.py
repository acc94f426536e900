"""One epoch of the article's MLP (batch 64) three ways, side by side: engine vs article loop vs bare loop.

The article's loop is the torchvision-style pipeline it uses: a Dataset that turns each image into a PIL
image, then a tensor, then normalises it, behind a DataLoader. The bare loop indexes pre-normalised
tensors and does nothing else. Goals: engine >= 3x the article's loop and >= 0.9x the bare loop.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset

from playground.core.metrics import EpochRecord
from playground.core.presets import preset
from playground.core.training import TrainConfig, Trainer
from playground.data.registry import load_dataset

BATCH = 64
ROUNDS = 5


class ArticleDataset(Dataset):
    """What ``datasets.MNIST(transform=Compose([ToTensor(), Normalize((0.5,), (0.5,))]))`` does per item."""

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        img = Image.fromarray(self.images[i], mode="L")
        x = torch.from_numpy(np.array(img, dtype=np.uint8)).to(torch.float32).div(255).unsqueeze(0)
        return (x - 0.5) / 0.5, int(self.labels[i])


class ArticleNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(28 * 28, 128), nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(x.view(-1, 28 * 28))))


def article_epoch(ds) -> float:
    torch.manual_seed(0)
    model = ArticleNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(ArticleDataset(ds.train_x[:, 0], ds.train_y), batch_size=BATCH, shuffle=True)
    start = time.perf_counter()
    running = 0.0
    for inputs, targets in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        opt.step()
        running += loss.item()
    return time.perf_counter() - start


def bare_epoch(ds) -> float:
    torch.manual_seed(0)
    model = ArticleNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = (torch.from_numpy(ds.train_x.copy()).float().div(255) - ds.mean[0]) / ds.std[0]
    y = torch.from_numpy(ds.train_y.astype(np.int64))
    start = time.perf_counter()
    order = torch.randperm(len(y))
    for i in range(0, len(y), BATCH):
        idx = order[i : i + BATCH]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        loss.item()
    return time.perf_counter() - start


def engine_epoch(ds) -> float:
    trainer = Trainer(preset("article-mlp"), ds, TrainConfig(epochs=1, batch_size=BATCH))
    epoch = next(r for r in trainer.run() if isinstance(r, EpochRecord))
    return epoch.seconds


def main() -> None:
    ds = load_dataset("mnist-sample")
    for warm in (article_epoch, bare_epoch, engine_epoch):
        warm(ds)  # first-use imports and allocator warm-up
    times: dict[str, list[float]] = {"article": [], "bare": [], "engine": []}
    for _ in range(ROUNDS):  # interleaved, so machine noise hits all three alike
        times["article"].append(article_epoch(ds))
        times["bare"].append(bare_epoch(ds))
        times["engine"].append(engine_epoch(ds))
    med = {k: statistics.median(v) for k, v in times.items()}
    n = len(ds.train_y)
    for k, v in med.items():
        print(f"{k:8} {v * 1000:8.1f} ms/epoch  {n / v:10,.0f} samples/s")
    print(f"engine vs article loop: {med['article'] / med['engine']:.2f}x (goal >= 3x)")
    print(f"engine vs bare loop:    {med['bare'] / med['engine']:.2f}x (goal >= 0.9x)")


if __name__ == "__main__":
    main()
