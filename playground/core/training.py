"""TrainConfig and Trainer: a training loop that yields metric records and obeys pause, step and stop."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from itertools import islice
from typing import Any

import torch
import torch._dynamo  # noqa: F401  optimizers import it lazily on their first step; doing that on a worker
import torch.nn.functional as F  # thread while the GUI thread imports too can deadlock, so import it here
from torch import nn

from playground.core.builder import INITS, PlaygroundNet, build_model
from playground.core.memory import OOM_HINT, check_batch_fits, is_out_of_memory, release
from playground.core.metrics import BatchRecord, EpochRecord, Record, StateRecord
from playground.core.resume import ResumeState, capture, plan_run, restore
from playground.core.spec import NetworkSpec
from playground.data.sources import Dataset
from playground.data.tensors import (
    TensorSplit,
    augment,
    batch_indices,
    batches_per_epoch,
    normalise,
    split_validation,
)
from playground.errors import TrainingError
from playground.safe_read import short

OPTIMIZERS = {
    "sgd": "SGD",
    "momentum": "SGD with momentum 0.9",
    "nesterov": "SGD with Nesterov momentum",
    "adam": "Adam",
    "adamw": "AdamW",
    "rmsprop": "RMSprop",
}
LOSSES = {"cross_entropy": "Cross-entropy", "mse": "Mean squared error (one-hot targets)"}
SCHEDULES = {"none": "Constant", "step": "Step (x0.1 at 1/2 and 3/4)", "cosine": "Cosine"}
DEVICES = ("auto", "cpu", "cuda", "mps")
SNAPSHOT_SECONDS = 0.3
DIAGNOSTICS_SECONDS = 1 / 30  # gradient norms and dead units at most this often (and each epoch's 1st batch)
# A batch loss above this multiple of the first batch's (floored at 0.5) counts as diverged: healthy
# runs, even with aggressive learning rates, stay under 2x; a blow-up passes 3x within a few steps.
DIVERGE_FACTOR = 3.0
DIVERGED_HINT = "lower the learning rate (try 10x smaller) or use Adam"

# Ranges of the numeric fields: (minimum, maximum); the GUI form uses the same table.
RANGES: dict[str, tuple[float, float]] = {
    "learning_rate": (1e-6, 1e6),
    "weight_decay": (0.0, 1.0),
    "batch_size": (1, 4096),
    "epochs": (1, 1000),
    "seed": (0, 2**31 - 1),
    "validation_fraction": (0.0, 0.5),
}


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides how a network trains; plain data, JSON-friendly."""

    optimizer: str = "adam"
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: int = 10
    loss: str = "cross_entropy"
    init: str = "default"
    seed: int | None = 0
    augment: bool = False
    schedule: str = "none"
    device: str = "auto"
    validation_fraction: float = 0.0

    def __post_init__(self) -> None:
        for name, table in (("optimizer", OPTIMIZERS), ("loss", LOSSES), ("init", INITS),
                            ("schedule", SCHEDULES), ("device", DEVICES)):
            if getattr(self, name) not in table:
                raise TrainingError(f"unknown {name} '{getattr(self, name)}'",
                                    f"choose one of {', '.join(table)}")
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if value is None and name == "seed":
                continue
            if not isinstance(value, int | float) or not (low <= value <= high):  # NaN and inf fail it too
                raise TrainingError(f"{name} must be between {low:g} and {high:g}, not {short(value)}")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Read a config, refusing unknown fields."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TrainingError(f"unknown training setting '{unknown[0]}'")
        return cls(**data)


def resolve_device(name: str) -> torch.device:
    """"auto" picks CUDA, then MPS, then the CPU; an unavailable device is a TrainingError."""
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (name == "cuda" and not cuda) or (name == "mps" and not mps):
        raise TrainingError(f"the device '{name}' is not available here", "use auto or cpu")
    return torch.device(name)


def make_optimizer(name: str, params: list[nn.Parameter], lr: float, wd: float) -> torch.optim.Optimizer:
    """The optimizer called ``name`` (a key of OPTIMIZERS)."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=name == "nesterov",
                               weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)


def schedule_factor(schedule: str, step: int, total_steps: int) -> float:
    """The learning-rate multiplier at ``step`` of ``total_steps``."""
    if schedule == "step":
        return 0.01 if step >= 0.75 * total_steps else 0.1 if step >= 0.5 * total_steps else 1.0
    if schedule == "cosine":
        return 0.5 * (1.0 + math.cos(math.pi * min(step / max(total_steps, 1), 1.0)))
    return 1.0


def compute_loss(name: str, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy on logits, or the article's mean squared error against one-hot targets."""
    if name == "mse":
        return F.mse_loss(logits, F.one_hot(labels, logits.shape[1]).to(logits.dtype))
    return F.cross_entropy(logits, labels)


@torch.no_grad()
def evaluate(model: nn.Module, split: TensorSplit, mean: float, std: float, loss: str,
             batch_size: int = 1000) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on ``split``, in eval mode."""
    was_training = model.training
    model.eval()
    total_loss = torch.zeros((), device=split.labels.device)
    correct = torch.zeros((), device=split.labels.device, dtype=torch.int64)
    for start in range(0, len(split), batch_size):
        x = normalise(split.images[start : start + batch_size], mean, std)
        y = split.labels[start : start + batch_size]
        out = model(x)
        total_loss += compute_loss(loss, out, y) * y.shape[0]
        correct += (out.argmax(1) == y).sum()
    model.train(was_training)
    n = max(len(split), 1)
    return float(total_loss) / n, int(correct) / n


class _Diagnostics:
    """Per-layer gradient norms and dead-ReLU fractions, computed on the device without syncing."""

    def __init__(self, model: PlaygroundNet) -> None:
        self.count = len(model.blocks)
        self.params: list[nn.Parameter] = []
        owners: list[int] = []
        for i, block in enumerate(model.blocks):
            for p in block.parameters():
                if p.requires_grad:
                    self.params.append(p)
                    owners.append(i)
        self.owners = torch.tensor(owners, dtype=torch.int64)
        self.weighted = torch.zeros(self.count, dtype=torch.bool)
        self.weighted[self.owners] = True
        self.relu = [i for i, b in enumerate(model.blocks) if isinstance(b.activation, nn.ReLU)]
        self.alive: dict[int, torch.Tensor] = {}
        self.armed = True
        for i in self.relu:
            model.blocks[i].activation.register_forward_hook(self._hook(i))

    def _hook(self, index: int):
        def hook(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
            if module.training and self.armed:
                self.alive[index] = (out > 0).flatten(1).any(0).float().mean()
        return hook

    def grad_norms(self) -> torch.Tensor:
        """L2 gradient norm per block, as a (blocks,) tensor; NaN where nothing trains."""
        out = torch.full((self.count,), float("nan"))
        grads = [p.grad for p in self.params if p.grad is not None]
        if len(grads) == len(self.params) and grads:
            norms = torch.stack(torch._foreach_norm(grads)).float().cpu()
            sums = torch.zeros(self.count).index_add_(0, self.owners, norms.square())
            out = torch.where(self.weighted, sums.sqrt(), out)
        return out

    def dead_fractions(self) -> list[float]:
        """Fraction of ReLU units that were 0 for the whole last batch (NaN for other layers)."""
        dead = [math.nan] * self.count
        if self.alive:
            values = torch.stack([self.alive[i] for i in self.relu]).tolist()
            for i, alive in zip(self.relu, values, strict=True):
                dead[i] = 1.0 - alive
        return dead


def _finished_text(first: int, last: int) -> str:
    """"finished 10 epochs", or for a continued run "finished epochs 11-20" (the epochs it trained)."""
    if first == 1:
        return f"finished {last} epoch{'s' if last != 1 else ''}"
    return f"finished epoch {last}" if first == last else f"finished epochs {first}-{last}"


class Trainer:
    """Trains a spec on a dataset; ``run()`` is a generator of records.

    Control methods (pause, resume, step_batch, step_epoch, stop, set_learning_rate) are safe to
    call from any thread; they take effect between batches. With ``resume`` (and ``model`` holding
    that run's weights) the run continues exactly where ``resume_state()`` of an earlier one left it.
    """

    def __init__(self, spec: NetworkSpec, dataset: Dataset, config: TrainConfig,
                 model: PlaygroundNet | None = None, resume: ResumeState | None = None) -> None:
        self.spec, self.dataset, self.config = spec, dataset, config
        self.device = resolve_device(config.device)
        self.state = "idle"
        if config.seed is not None:
            torch.manual_seed(config.seed)
        self.model = model or build_model(spec, dataset.input_shape, dataset.num_classes,
                                          config.init, config.loss)
        self.model.to(self.device)
        self._cond = threading.Condition()
        self._paused = self._stopping = self._pause_after_epoch = False
        self._budget: int | None = None
        self._pending_lr: float | None = None
        self._snapshot: dict[str, torch.Tensor] = {}
        self._snapshot_version = 0
        self._last_good: dict[str, torch.Tensor] = {}
        self._resume_in = self._resume_out = resume
        self._last_good_resume: ResumeState | None = None
        self.step, self.base_lr = (resume.step, resume.base_lr) if resume else (0, config.learning_rate)

    # --- control, from any thread -------------------------------------------------------------

    def pause(self) -> None:
        """Pause before the next batch."""
        with self._cond:
            self._paused, self._budget = True, None

    def resume(self) -> None:
        """Run freely again."""
        with self._cond:
            self._paused, self._budget, self._pause_after_epoch = False, None, False
            self._cond.notify_all()

    def step_batch(self) -> None:
        """Run exactly one batch, then pause."""
        with self._cond:
            self._paused, self._budget = False, 1
            self._cond.notify_all()

    def step_epoch(self) -> None:
        """Run to the end of the current epoch, then pause."""
        with self._cond:
            self._paused, self._budget, self._pause_after_epoch = False, None, True
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop at the next batch boundary."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def set_learning_rate(self, lr: float) -> None:
        """Use ``lr`` from the next batch on; the record of that batch says so."""
        low, high = RANGES["learning_rate"]
        if not (math.isfinite(lr) and low <= lr <= high):
            raise TrainingError(f"learning_rate must be between {low:g} and {high:g}, not {lr}")
        with self._cond:
            self._pending_lr = lr

    def snapshot(self) -> tuple[int, dict[str, torch.Tensor]]:
        """The latest weight copy (CPU) and its version number, for a predictor on another thread."""
        with self._cond:
            return self._snapshot_version, self._snapshot

    def resume_state(self) -> ResumeState | None:
        """The state at the last batch boundary: valid while paused and after run() stopped,
        finished or diverged (then at the kept weights); None when there is nothing to continue."""
        with self._cond:
            state, lr = self._resume_out, self._pending_lr
        return replace(state, base_lr=lr) if state is not None and lr is not None else state

    # --- the loop ---------------------------------------------------------------------------------

    def _publish(self, resume: ResumeState) -> None:
        state = {k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()}
        finite = all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
        with self._cond:
            self._snapshot, self._snapshot_version = state, self._snapshot_version + 1
            if finite:
                self._last_good, self._last_good_resume = state, resume

    def _gate(self) -> Iterator[StateRecord]:
        """Block while paused (announcing it); returns when the next batch may run."""
        with self._cond:
            if self._paused and not self._stopping:
                self.state = "paused"
        if self.state == "paused":
            yield StateRecord("paused")
        with self._cond:
            while self._paused and not self._stopping:
                self._cond.wait(0.1)
            if self._budget is not None:
                self._budget -= 1
                if self._budget <= 0:
                    self._paused, self._budget = True, None
        if self.state == "paused" and not self._stopping:
            self.state = "running"
            yield StateRecord("running")

    def run(self) -> Iterator[Record]:
        """Train for ``config.epochs`` epochs, yielding records; ends with a StateRecord."""
        ds = self.dataset
        check_batch_fits(self.spec, ds.input_shape, ds.num_classes, self.config.batch_size, self.device)
        try:
            yield from self._run()
            return
        except (MemoryError, RuntimeError) as exc:  # torch.OutOfMemoryError and the CPU allocator's too
            if not is_out_of_memory(exc):
                raise
        self.state = "failed"  # outside the except block, so the failed step's frames and tensors are freed
        release(self.model)
        raise TrainingError("out of memory while training", OOM_HINT)

    def _splits(self) -> tuple[TensorSplit, TensorSplit | None, TensorSplit]:
        ds, cfg = self.dataset, self.config
        train, val = (ds.train_images, ds.train_labels), None
        if cfg.validation_fraction > 0:
            train, val = split_validation(*train, cfg.validation_fraction, cfg.seed or 0)
        return (TensorSplit.from_numpy(*train, self.device),
                TensorSplit.from_numpy(*val, self.device) if val else None,
                TensorSplit.from_numpy(ds.test_images, ds.test_labels, self.device))

    def _run(self) -> Iterator[Record]:
        cfg, ds, model = self.config, self.dataset, self.model
        train, val, test = self._splits()
        if len(train) == 0:
            raise TrainingError("the training set is empty")
        seed = cfg.seed if cfg.seed is not None else int(torch.seed() % 2**31)
        shuffle = torch.Generator().manual_seed(seed)
        jitter = torch.Generator().manual_seed(seed + 1)
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            raise TrainingError("every layer is frozen: nothing to train",
                                "make at least one layer trainable")
        optimizer = make_optimizer(cfg.optimizer, params, cfg.learning_rate, cfg.weight_decay)
        diagnostics = _Diagnostics(model)
        per_epoch = batches_per_epoch(len(train), cfg.batch_size)
        plan = plan_run(self._resume_in, cfg.epochs, per_epoch)
        total_steps = per_epoch * (plan.last_epoch - plan.first_epoch + 1)
        background = -ds.mean / ds.std
        first_loss = None if self._resume_in is None else self._resume_in.first_loss
        restore(self._resume_in, optimizer, cfg.optimizer, shuffle, jitter)
        def snap(epoch: int, done: int, totals: tuple[int, float, int], order: torch.Tensor) -> ResumeState:
            return capture(plan, epoch, done, totals, order, jitter, optimizer, cfg.optimizer, self.step,
                           self.base_lr, first_loss)
        model.train()
        self._publish(snap(plan.start_epoch, plan.skip, plan.totals, shuffle.get_state()))
        self.state = "running"
        yield StateRecord("running")
        last_publish = time.perf_counter()
        last_diag = 0.0
        for epoch in range(plan.start_epoch, plan.last_epoch + 1):
            started, paused_for = time.perf_counter(), 0.0
            skip = plan.skip if epoch == plan.start_epoch else 0
            seen, loss_sum, correct = plan.totals if skip else (0, 0.0, 0)
            seen_before, epoch_shuffle = seen, shuffle.get_state()
            for batch, index in enumerate(islice(batch_indices(len(train), cfg.batch_size, shuffle,
                                                               self.device), skip, None), start=skip + 1):
                if self._paused or self._budget is not None:  # plain reads: the fast path takes no lock
                    self._resume_out = snap(epoch, batch - 1, (seen, loss_sum, correct), epoch_shuffle)
                    wait_start = time.perf_counter()
                    yield from self._gate()
                    paused_for += time.perf_counter() - wait_start
                if self._stopping:
                    self._resume_out = snap(epoch, batch - 1, (seen, loss_sum, correct), epoch_shuffle)
                    self.state = "stopped"
                    yield StateRecord("stopped", f"stopped in epoch {epoch}, batch {batch}")
                    return
                changed = False
                if self._pending_lr is not None:
                    with self._cond:
                        self.base_lr, self._pending_lr, changed = self._pending_lr, None, True
                lr = self.base_lr * schedule_factor(cfg.schedule, self.step - plan.schedule_start,
                                                    total_steps)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                x = normalise(train.images[index], ds.mean, ds.std)
                if cfg.augment:
                    x = augment(x, jitter, background=background)
                y = train.labels[index]
                diagnostics.armed = batch == 1 or time.perf_counter() - last_diag >= DIAGNOSTICS_SECONDS
                out = model(x)
                loss = compute_loss(cfg.loss, out, y)
                loss_value, hits = loss.item(), int(out.argmax(1).eq_(y).sum())
                if first_loss is None:
                    first_loss = loss_value
                if not math.isfinite(loss_value) or loss_value > DIVERGE_FACTOR * max(first_loss, 0.5):
                    yield self._diverge(epoch, batch, loss_value, first_loss)
                    return
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                norms = dead = None
                if diagnostics.armed:
                    norms = tuple(diagnostics.grad_norms().tolist())
                    dead = tuple(diagnostics.dead_fractions())
                    last_diag = time.perf_counter()
                optimizer.step()
                self.step += 1
                n = int(y.shape[0])
                seen, loss_sum, correct = seen + n, loss_sum + loss_value * n, correct + int(hits)
                elapsed = max(time.perf_counter() - started - paused_for, 1e-9)
                yield BatchRecord(self.step, epoch, batch, per_epoch, loss_value, hits / n, lr,
                                  (seen - seen_before) / elapsed, norms, dead, changed)
                if time.perf_counter() - last_publish > SNAPSHOT_SECONDS:
                    self._publish(snap(epoch, batch, (seen, loss_sum, correct), epoch_shuffle))
                    last_publish = time.perf_counter()
            seconds = time.perf_counter() - started - paused_for
            test_loss, test_acc = evaluate(model, test, ds.mean, ds.std, cfg.loss)
            val_loss, val_acc = (evaluate(model, val, ds.mean, ds.std, cfg.loss)
                                 if val else (None, None))
            self._publish(snap(epoch + 1, 0, (0, 0.0, 0), shuffle.get_state()))
            yield EpochRecord(epoch, loss_sum / max(seen, 1), correct / max(seen, 1), test_loss, test_acc,
                              seconds, (seen - seen_before) / max(seconds, 1e-9), val_loss, val_acc)
            with self._cond:
                if self._pause_after_epoch:
                    self._paused, self._pause_after_epoch = True, False
        self._resume_out = snap(plan.last_epoch + 1, 0, (0, 0.0, 0), shuffle.get_state())
        self.state = "finished"
        yield StateRecord("finished", _finished_text(plan.start_epoch, plan.last_epoch))

    def _diverge(self, epoch: int, batch: int, loss: float, first: float) -> StateRecord:
        with self._cond:
            good, self._resume_out = self._last_good, self._last_good_resume
        if good:
            self.model.load_state_dict(good)
        self.state = "diverged"
        what = (f"the loss became {loss}" if not math.isfinite(loss)
                else f"the loss jumped to {loss:.4g}, over {DIVERGE_FACTOR:g}x its start ({first:.4g})")
        return StateRecord("diverged", f"{what} in epoch {epoch}, batch {batch}; "
                                       "the last good weights are kept", DIVERGED_HINT)
