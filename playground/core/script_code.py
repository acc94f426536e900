r"""The fixed text of the exported training script, as string.Template pieces ($name is filled in)."""

HEAD = r'''"""Train a network built in the Neural Network Playground, with plain PyTorch.

Exported from the Neural Network Playground, where it was set up for
$dataset.
It has $layers layers and $params parameters:

$summary

$usage At
the end the weights go to --out as a state dict whose names match the Playground's, so
the app opens it with the same network; an existing --out that is not such a state
dict (a TorchScript model.pt, say) is kept unless --force. It needs only Python, numpy
and PyTorch.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import struct
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

# --- Training configuration, as set in the Playground ---------------------------
OPTIMIZER = $optimizer  # a key of OPTIMIZERS below
LEARNING_RATE = $learning_rate
WEIGHT_DECAY = $weight_decay
CLIP_NORM = $clip_norm  # gradient clipping: total L2 norm at most this (0: off)
BATCH_SIZE = $batch_size  # per process: torchrun with N processes takes N batches per step
EPOCHS = $epochs
LOSS = $loss  # a key of LOSSES below
INIT = $init  # a key of INITS below
SEED = $seed  # None: a different run each time
SCHEDULE = $schedule  # a key of SCHEDULES below
AUGMENT = $augment  # random shifts, rotations and zoom of the training images
FROZEN_LAYERS = $frozen  # indices of blocks that do not train
WEIGHTED_LAYERS = $weighted  # indices of blocks whose weights INIT sets

# --- Data ------------------------------------------------------------------------
TASK = $task  # None: MNIST-style IDX images from --data; else a sequence task
REGRESSION = $regression  # value targets: the test line reports the RMSE, not the accuracy
MEAN = $mean  # per-channel pixel mean of the training set: the network sees
STD = $std  # (pixels - MEAN) / STD, pixels in [0, 1]
INPUT_SHAPE = $input_shape
NUM_CLASSES = $num_classes
CLASS_NAMES = $class_names

# --- The Playground's choices: name -> how to make it -----------------------------
OPTIMIZERS = {
$optimizers
}
LOSSES = {
$losses
}
SCHEDULES = {
$schedules
}
INITS = {
$inits
}
'''

HELPERS = {
    "SequenceOverRows": r'''class SequenceOverRows(nn.Module):
    """Reads (steps, features) sequences, or C x H x W maps as H time steps of C*W
    features (the image's rows); returns the last hidden state."""

    def __init__(self, cell: type[nn.RNNBase], features: int, hidden: int,
                 layers: int, memory: float = 0.0) -> None:
        super().__init__()
        self.rnn = cell(features, hidden, num_layers=layers, batch_first=True)
        self.memory = memory
        self.open_gates()

    @torch.no_grad()
    def open_gates(self) -> None:
        """Open the keep gates: LSTM forget +memory, input -memory; GRU update."""
        if not self.memory:
            return
        size = self.rnn.hidden_size
        for layer in range(self.rnn.num_layers):
            b_ih = getattr(self.rnn, f"bias_ih_l{layer}")
            b_hh = getattr(self.rnn, f"bias_hh_l{layer}")
            b_ih[size:2 * size], b_hh[size:2 * size] = self.memory, 0.0
            if isinstance(self.rnn, nn.LSTM):
                b_ih[:size], b_hh[:size] = -self.memory, 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:
            n, c, h, w = x.shape
            x = x.permute(0, 2, 1, 3).reshape(n, h, c * w)
        _, state = self.rnn(x)
        hidden = state[0] if isinstance(state, tuple) else state
        return hidden[-1]


''',
}

BODY = r'''

def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (raw or gzip): a big-endian header, then unsigned bytes."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    zero, kind, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 0x08:
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
    start = 4 + 4 * ndim
    dims = struct.unpack(f">{ndim}I", data[4:start])
    if len(data) - start != math.prod(dims):
        raise SystemExit(f"{path}: the header says {dims}, the file has other sizes")
    return np.frombuffer(data, dtype=np.uint8, offset=start).reshape(dims)


def find_file(folder: Path, names: list[str]) -> Path:
    """The first of ``names``, raw or .gz, that exists in ``folder``."""
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    raise SystemExit(f"{folder}: no {names[0]}[.gz]; --data needs MNIST IDX files")


def load_split(folder: Path, prefixes: tuple[str, ...]) -> TensorDataset:
    """Images, normalised with MEAN and STD, and labels of the train or test split."""
    images = read_idx(find_file(folder, [f"{p}-images-idx3-ubyte" for p in prefixes]))
    labels = read_idx(find_file(folder, [f"{p}-labels-idx1-ubyte" for p in prefixes]))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    if len(images) != len(labels) or tuple(x.shape[1:]) != INPUT_SHAPE:
        raise SystemExit(f"{folder}: expected pairs of {INPUT_SHAPE} images and labels")
    mean = torch.tensor(MEAN).reshape(1, -1, 1, 1)
    std = torch.tensor(STD).reshape(1, -1, 1, 1)
    return TensorDataset((x - mean) / std, torch.from_numpy(labels.astype(np.int64)))


${task_code}class Block(nn.Module):
    """One layer of the Playground's stack, then its activation (if any)."""

    def __init__(self, layer: nn.Module, activation: nn.Module | None = None) -> None:
        super().__init__()
        self.layer = layer
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer(x)
        return x if self.activation is None else self.activation(x)


${helpers}class Network(nn.Module):
    """The network built in the Playground: blocks[i] is layer i + 1 of its stack."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([
$blocks
        ])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x


def init_weights(model: nn.Module) -> None:
    """Initialise the weighted blocks as the Playground does; biases start at zero."""
    fill = INITS[INIT]
    if fill is None:
        return
    for index in WEIGHTED_LAYERS:
        for name, param in model.blocks[index].named_parameters():
            if name.rsplit(".", 1)[-1].startswith("bias"):
                nn.init.zeros_(param)
            elif param.dim() >= 2:
                fill(param)
        layer = getattr(model.blocks[index], "layer", None)
        if hasattr(layer, "open_gates"):
            layer.open_gates()


def mse_targets(outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """One-hot rows of class labels (values as they are), for the mean squared error."""
    if labels.is_floating_point():
        return labels.reshape(outputs.shape).to(outputs.dtype)
    return F.one_hot(labels, outputs.shape[1]).to(outputs.dtype)


def train_mode(model: nn.Module) -> None:
    """Train mode from the first block that learns on; the frozen blocks before it
    (BatchNorm statistics, Dropout) stay in eval mode."""
    learning = False
    for block in model.blocks:
        learning = learning or any(p.requires_grad for p in block.parameters())
        block.train(learning)


def augment(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Shift by up to 10%, rotate by up to 12 degrees, zoom by up to 10%, per image."""
    b = images.shape[0]
    rand = torch.rand(b, 4, generator=generator) * 2.0 - 1.0
    angle = rand[:, 0] * math.radians(12.0)
    zoom = 1.0 + rand[:, 1] * 0.1
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack((torch.stack((cos, -sin, rand[:, 2] * 0.2), 1),
                         torch.stack((sin, cos, rand[:, 3] * 0.2), 1)), 1)
    theta = theta.to(images.device, images.dtype)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    background = (-torch.tensor(MEAN) / torch.tensor(STD)).reshape(1, -1, 1, 1)
    background = background.to(images.device)
    out = F.grid_sample(images - background, grid, align_corners=False)
    return out + background


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer,
                step: int, total_steps: int, device: torch.device,
                generator: torch.Generator) -> tuple[torch.Tensor, int]:
    """One pass over the training data; returns [loss sum, images seen] and the step."""
    train_mode(model.module if isinstance(model, DistributedDataParallel) else model)
    totals = torch.zeros(2, dtype=torch.float64, device=device)
    factor, compute_loss = SCHEDULES[SCHEDULE], LOSSES[LOSS]
    for images, labels in loader:
        for group in optimizer.param_groups:
            group["lr"] = LEARNING_RATE * factor(step, total_steps)
        images, labels = images.to(device), labels.to(device)
        if AUGMENT:
            images = augment(images, generator)
        loss = compute_loss(model(images), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if CLIP_NORM:
            nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        optimizer.step()
        step += 1
        totals[0] += loss.detach() * len(labels)
        totals[1] += len(labels)
    return totals, step


@torch.no_grad()
def evaluate(model: nn.Module, data: TensorDataset,
             device: torch.device) -> tuple[float, float]:
    """Mean loss and accuracy on ``data`` (for value targets: the RMSE)."""
    model.eval()
    loss_sum, correct, squares = 0.0, 0, 0.0
    for images, labels in DataLoader(data, batch_size=1000):
        images, labels = images.to(device), labels.to(device)
        outputs = model(images)
        loss_sum += LOSSES[LOSS](outputs, labels).item() * len(labels)
        if REGRESSION:
            errors = outputs - mse_targets(outputs, labels)
            squares += errors.pow(2).mean(1).sum().item()
        else:
            correct += (outputs.argmax(1) == labels).sum().item()
    count = max(len(data), 1)
    return loss_sum / count, (math.sqrt(squares / count) if REGRESSION
                              else correct / count)


def holds_weights_of(path: Path, model: nn.Module) -> bool:
    """True when ``path`` is a state dict with the names and shapes of ``model``."""
    try:
        with warnings.catch_warnings():  # TorchScript loads as such, with a warning
            warnings.simplefilter("ignore")
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # anything that is not a weights-only PyTorch file
        return False
    expected = model.state_dict()
    if not isinstance(state, dict) or set(state) != set(expected):
        return False
    return all(isinstance(state[k], torch.Tensor) and state[k].shape == v.shape
               for k, v in expected.items())


def main() -> None:
    """Parse the arguments, train, report each epoch and save the weights."""
    parser = argparse.ArgumentParser(description="Train the Playground's network.")
    if TASK is None:
        parser.add_argument("--data", type=Path, required=True,
                            help="folder of MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="passes over data")
    parser.add_argument("--out", type=Path, default=Path("trained-weights.pt"),
                        help="where to save the weights (a state dict)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite --out, whatever it holds")
    args = parser.parse_args()
    ours = not args.out.exists() or holds_weights_of(args.out, Network())
    if not (ours or args.force):
        parser.error(f"{args.out} exists and is not a state dict of this network: "
                     "give another --out, or --force to overwrite it")

    distributed = "LOCAL_RANK" in os.environ  # set by torchrun
    cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
        local_rank = int(os.environ["LOCAL_RANK"])
        device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
        if cuda:
            torch.cuda.set_device(device)
    else:
        device = torch.device("cuda" if cuda else "cpu")
    rank = dist.get_rank() if distributed else 0

    if SEED is not None:
        torch.manual_seed(SEED)
    model = Network()
    init_weights(model)
    for index in FROZEN_LAYERS:
        model.blocks[index].requires_grad_(False)
    model.to(device)
    net = model
    devices = [device.index] if cuda else None
    if distributed:
        net = DistributedDataParallel(model, device_ids=devices)

$load_data
    seed = SEED if SEED is not None else int(torch.seed() % 2**31)
    sampler = DistributedSampler(train_set, seed=seed) if distributed else None
    per_process = len(sampler) if sampler is not None else len(train_set)
    loader = DataLoader(
        train_set, batch_size=BATCH_SIZE, shuffle=sampler is None, sampler=sampler,
        generator=torch.Generator().manual_seed(seed),
        drop_last=per_process % BATCH_SIZE == 1,  # BatchNorm cannot train on one image
    )
    generator = torch.Generator().manual_seed(seed + 1)
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimizer = OPTIMIZERS[OPTIMIZER](trainable, LEARNING_RATE, WEIGHT_DECAY)
    total_steps = len(loader) * args.epochs
    step = 0
    for epoch in range(1, args.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)
        totals, step = train_epoch(net, loader, optimizer, step, total_steps, device,
                                   generator)
        if distributed:
            dist.all_reduce(totals)
        if rank == 0:
            train_loss = totals[0].item() / max(totals[1].item(), 1)
            test_loss, test_acc = evaluate(model, test_set, device)
            score = "test rmse" if REGRESSION else "test acc"
            print(f"Epoch {epoch}, train loss: {train_loss:.4f}, "
                  f"test loss: {test_loss:.4f}, {score}: {test_acc:.4f}", flush=True)
    if rank == 0:
        torch.save({k: v.cpu() for k, v in model.state_dict().items()}, args.out)
        print(f"saved the weights to {args.out}")
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''

IMAGE_USAGE = """Run it on one process (the GPU when there is one):

    python this_script.py --data DIR [--epochs N] [--out trained-weights.pt] [--force]

or on N processes with DistributedDataParallel (gloo on the CPU, NCCL on CUDA GPUs):

    torchrun --nproc_per_node=N this_script.py --data DIR

DIR holds MNIST-format IDX files, raw or gzip-compressed: train-images-idx3-ubyte,
train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (test- may
stand for t10k-). Each epoch prints one line: train loss, test loss, test accuracy."""

SEQUENCE_USAGE = """Run it on one process (the GPU when there is one):

    python this_script.py [--epochs N] [--out trained-weights.pt] [--force]

or on N processes with DistributedDataParallel (gloo on the CPU, NCCL on CUDA GPUs):

    torchrun --nproc_per_node=N this_script.py

The data is the Playground's sequence task seq:$task_id, made here from its seed exactly
as the app makes it (TASK below). Each epoch prints one line: train loss, test loss,
$score."""

SEQUENCE_CODE = r'''def make_task() -> tuple[TensorDataset, TensorDataset]:
    """The sequence task of TASK, as the Playground makes it: the first 80 % of
    the samples train, the last 20 % test."""
    kind, rng = TASK["task"], np.random.default_rng(TASK["seed"])
    n, length = TASK["samples"], TASK["length"]
    if kind == "recall":  # name the first (marked) token after all `length` steps
        classes = TASK["classes"]
        tokens = rng.integers(0, classes, (n, length))
        x = np.zeros((n, length, classes + 1), dtype=np.float32)
        x[np.arange(n)[:, None], np.arange(length)[None, :], tokens] = 1.0
        x[:, 0, classes] = 1.0
        y = torch.from_numpy(tokens[:, 0].astype(np.int64))
    elif kind == "adding":  # the sum of the two marked values
        values = rng.uniform(0.0, 1.0, (n, length))
        half, rows = length // 2, np.arange(n)
        first, second = rng.integers(0, half, n), rng.integers(half, length, n)
        markers = np.zeros((n, length))
        markers[rows, first] = markers[rows, second] = 1.0
        x = np.stack([values, markers], axis=2).astype(np.float32)
        sums = values[rows, first] + values[rows, second]
        y = torch.from_numpy(sums.astype(np.float32)[:, None])
    else:  # sine: the next value of a noisy sum of sines after `length` past ones
        t = np.arange(n + length)
        phases = rng.uniform(0, 2 * math.pi, 3)
        clean = sum(a * np.sin(2 * math.pi * t / p + phase) for a, p, phase
                    in zip((0.6, 0.3, 0.1), (25.0, 9.0, 61.0), phases, strict=True))
        noise = rng.normal(0.0, TASK["noise"], n + length)
        series = (clean + noise).astype(np.float32).astype(np.float64)[:, None]
        view = np.lib.stride_tricks.sliding_window_view(
            series[:n + length - 1], length, axis=0)
        x = np.ascontiguousarray(view.transpose(0, 2, 1).astype(np.float32))
        y = torch.from_numpy(series[length:, [0]][:n].astype(np.float32))
    cut = min(max(n - round(n * 0.2), 1), n - 1)
    x = torch.from_numpy(x)
    return TensorDataset(x[:cut], y[:cut]), TensorDataset(x[cut:], y[cut:])


'''
