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
from torch import nn  # thread while the GUI thread imports too can deadlock, so import it here

from playground.core.builder import PlaygroundNet, build_model
from playground.core.choices import INITS, LOSSES, OPTIMIZERS, SCHEDULES
from playground.core.diagnostics import Diagnostics
from playground.core.memory import OOM_HINT, check_batch_fits, is_out_of_memory, release
from playground.core.metrics import (
    BatchRecord,
    EpochRecord,
    Record,
    RunState,
    Scores,
    StateRecord,
    regression_scores,
)
from playground.core.overfitting import EarlyStopping
from playground.core.pipeline import SAMPLES, TIMED, BatchTrace, Tracer, WeightHistogram, weight_histograms
from playground.core.resume import ResumeState, capture, plan_run, restore
from playground.core.spec import NetworkSpec
from playground.data.dataset import CLASSIFICATION, Dataset
from playground.data.tensors import (
    Augmentation,
    TensorSplit,
    augment,
    batch_indices,
    batches_per_epoch,
    normalise,
    split_validation,
)
from playground.errors import TrainingError
from playground.safe_read import short

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
    "clip_norm": (0.0, 1000.0),
    "early_stop": (0, 100),
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
    early_stop: int = 0  # patience in epochs: stop when the held-out loss has not improved for so long; 0 off
    restore_best: bool = True  # when stopping early, go back to the best epoch's weights
    clip_norm: float = 0.0  # gradient clipping: scale the gradients down to this total L2 norm; 0 off

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


@torch.no_grad()
def evaluate(model: nn.Module, split: TensorSplit, mean: tuple[float, ...], std: tuple[float, ...],
             loss: str, batch_size: int = 1000) -> Scores:
    """Mean loss and accuracy (class targets) or RMSE and R² (value targets) of ``model`` on ``split``,
    in eval mode (each module's mode restored after)."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    compute = LOSSES[loss].compute
    classes = not split.y.is_floating_point()
    total_loss = torch.zeros((), device=split.y.device)
    correct = torch.zeros((), device=split.y.device, dtype=torch.int64)
    outputs = []
    for start in range(0, len(split), batch_size):
        y = split.y[start : start + batch_size]
        out = model(normalise(split.x[start : start + batch_size], mean, std))
        total_loss += compute(out, y) * y.shape[0]
        if classes:
            correct += (out.argmax(1) == y).sum()
        else:
            outputs.append(out)
    for module, mode in modes:
        module.training = mode
    n = max(len(split), 1)
    if classes:
        return Scores(float(total_loss) / n, accuracy=int(correct) / n)
    if not outputs:
        return Scores(math.nan, rmse=math.nan, r2=math.nan)
    rmse, r2 = regression_scores(torch.cat(outputs), split.y)
    return Scores(float(total_loss) / n, rmse=rmse, r2=r2)


def train_mode(model: PlaygroundNet) -> None:
    """Train mode from the first block that learns on; the frozen blocks before it (BatchNorm
    statistics, Dropout) stay in eval mode, as a frozen feature extractor should."""
    learning = False
    for block in model.blocks:
        learning = learning or any(p.requires_grad for p in block.parameters())
        block.train(learning)
    model.training = True


def _finished_text(first: int, last: int) -> str:
    """"finished 10 epochs", or for a continued run "finished epochs 11-20" (the epochs it trained)."""
    if first == 1:
        return f"finished {last} epoch{'s' if last != 1 else ''}"
    return f"finished epoch {last}" if first == last else f"finished epochs {first}-{last}"


class Trainer:
    """Trains a spec on a dataset; ``run()`` is a generator of records.

    Control methods (pause, resume, step_batch, step_epoch, stop, set_learning_rate) are safe to
    call from any thread; they take effect between batches. ``cancel`` is the event ``stop`` sets (a
    new one unless given): whoever sets it stops the run at the next batch boundary. With ``resume``
    (and ``model`` holding that run's weights) the run continues exactly where ``resume_state()`` of
    an earlier one left it. ``augmentation`` sets how strongly images move when ``config.augment`` is on.

    Raises:
        TrainingError: the loss cannot train this dataset's targets, augmentation is asked for inputs
            that are not images, or the device is not available.
    """

    def __init__(self, spec: NetworkSpec, dataset: Dataset, config: TrainConfig,
                 model: PlaygroundNet | None = None, resume: ResumeState | None = None,
                 augmentation: Augmentation | None = None, cancel: threading.Event | None = None) -> None:
        loss = LOSSES[config.loss]
        if dataset.task not in loss.tasks:
            fitting = ", ".join(row.label for row in LOSSES.values() if dataset.task in row.tasks)
            raise TrainingError(f"{loss.label} cannot train the {dataset.task} targets of {dataset.name}",
                                f"choose another loss: {fitting}")
        if config.augment and not dataset.is_image:
            raise TrainingError(f"augmentation moves images, and {dataset.name} holds no images",
                                "switch augmentation off")
        self.spec, self.dataset, self.config = spec, dataset, config
        self.augmentation = augmentation or Augmentation()
        self.device = resolve_device(config.device)
        self.state = RunState.IDLE
        self.cancel = cancel if cancel is not None else threading.Event()
        if config.seed is not None:
            torch.manual_seed(config.seed)
        self.model = model or build_model(spec, dataset.input_shape, dataset.outputs, config.init,
                                          config.loss)
        self.model.to(self.device)
        self._cond = threading.Condition()
        self._paused = self._pause_after_epoch = False
        self._budget: int | None = None
        self._pending_lr: float | None = None
        self._snapshot: dict[str, torch.Tensor] = {}
        self._snapshot_version = 0
        self._last_good: dict[str, torch.Tensor] = {}
        self._resume_in = self._resume_out = resume
        self._last_good_resume: ResumeState | None = None
        self.step, self.base_lr = (resume.step, resume.base_lr) if resume else (0, config.learning_rate)
        self.best_epoch: int | None = None  # with early stopping: the epoch of the lowest held-out loss
        self.stopped_early = False
        self._stopping = EarlyStopping(config.early_stop) if config.early_stop else None
        self._best_weights: dict[str, torch.Tensor] = {}
        # the pipeline's view: a batch traced through the steps (on request and at each epoch's first batch),
        # the weights the run started from, and the seconds spent in each step of the loop
        self.initial_weights: tuple[WeightHistogram, ...] = ()
        self.fresh_weights = model is None and resume is None
        self.phase_seconds = dict.fromkeys(TIMED, 0.0)
        self._trace: BatchTrace | None = None
        self._trace_version = 0
        self._trace_next = False
        self._trace_stepped = False

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
        """Run exactly one batch (traced through the steps), then pause."""
        with self._cond:
            self._paused, self._budget = False, 1
            self._trace_next = self._trace_stepped = True
            self._cond.notify_all()

    def step_epoch(self) -> None:
        """Run to the end of the current epoch, then pause."""
        with self._cond:
            self._paused, self._budget, self._pause_after_epoch = False, None, True
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop at the next batch boundary (sets ``cancel``)."""
        with self._cond:
            self.cancel.set()
            self._cond.notify_all()

    def set_learning_rate(self, lr: float) -> None:
        """Use ``lr`` from the next batch on; the record of that batch says so."""
        low, high = RANGES["learning_rate"]
        if not (math.isfinite(lr) and low <= lr <= high):
            raise TrainingError(f"learning_rate must be between {low:g} and {high:g}, not {lr}")
        with self._cond:
            self._pending_lr = lr

    def trace_next(self) -> None:
        """Trace the next batch through the steps (``trace()`` then has it)."""
        self._trace_next = True

    def trace(self) -> tuple[int, BatchTrace | None]:
        """The latest batch trace and its version number (0: none yet)."""
        with self._cond:
            return self._trace_version, self._trace

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
            if self._paused and not self.cancel.is_set():
                self.state = RunState.PAUSED
        if self.state == RunState.PAUSED:
            yield StateRecord(RunState.PAUSED)
        with self._cond:
            while self._paused and not self.cancel.is_set():
                self._cond.wait(0.1)
            if self._budget is not None:
                self._budget -= 1
                if self._budget <= 0:
                    self._paused, self._budget = True, None
        if self.state == RunState.PAUSED and not self.cancel.is_set():
            self.state = RunState.RUNNING
            yield StateRecord(RunState.RUNNING)

    def run(self) -> Iterator[Record]:
        """Train for ``config.epochs`` epochs, yielding records; ends with a StateRecord."""
        ds = self.dataset
        check_batch_fits(self.spec, ds.input_shape, ds.outputs, self.config.batch_size, self.device)
        try:
            yield from self._run()
            return
        except (MemoryError, RuntimeError) as exc:  # torch.OutOfMemoryError and the CPU allocator's too
            self.state = RunState.FAILED
            if not is_out_of_memory(exc):
                raise
        except Exception:
            self.state = RunState.FAILED
            raise
        release(self.model)  # outside the except block, so the failed step's frames and tensors are freed
        raise TrainingError("out of memory while training", OOM_HINT)

    def _splits(self) -> tuple[TensorSplit, TensorSplit | None, TensorSplit]:
        ds, cfg = self.dataset, self.config
        train, val = (ds.train_x, ds.train_y), None
        if cfg.validation_fraction > 0:
            train, val = split_validation(*train, cfg.validation_fraction, cfg.seed or 0)
        return (TensorSplit.from_numpy(*train, self.device),
                TensorSplit.from_numpy(*val, self.device) if val else None,
                TensorSplit.from_numpy(ds.test_x, ds.test_y, self.device))

    def _run(self) -> Iterator[Record]:
        cfg, ds, model = self.config, self.dataset, self.model
        train, val, test = self._splits()
        if len(train) == 0:
            raise TrainingError("the training set is empty")
        classes = ds.task == CLASSIFICATION
        seed = cfg.seed if cfg.seed is not None else int(torch.seed() % 2**31)
        shuffle = torch.Generator().manual_seed(seed)
        jitter = torch.Generator().manual_seed(seed + 1)
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            raise TrainingError("every layer is frozen: nothing to train",
                                "make at least one layer trainable")
        optimizer = OPTIMIZERS[cfg.optimizer].make(params, cfg.learning_rate, cfg.weight_decay)
        compute_loss, factor = LOSSES[cfg.loss].compute, SCHEDULES[cfg.schedule].factor
        diagnostics = Diagnostics(model)
        per_epoch = batches_per_epoch(len(train), cfg.batch_size)
        plan = plan_run(self._resume_in, cfg.epochs, per_epoch)
        total_steps = per_epoch * (plan.last_epoch - plan.first_epoch + 1)
        background = (normalise(torch.zeros((1, ds.input_shape[0], 1, 1), dtype=torch.uint8), ds.mean, ds.std)
                      .to(self.device) if ds.is_image else None)
        move = self.augmentation
        first_loss = None if self._resume_in is None else self._resume_in.first_loss
        restore(self._resume_in, optimizer, cfg.optimizer, shuffle, jitter)
        def snap(epoch: int, done: int, totals: tuple[int, float, int], order: torch.Tensor) -> ResumeState:
            return capture(plan, epoch, done, totals, order, jitter, optimizer, cfg.optimizer, self.step,
                           self.base_lr, first_loss)
        train_mode(model)
        self.initial_weights = weight_histograms(model)
        tracer, phases, clock = Tracer(model), self.phase_seconds, time.perf_counter
        self._publish(snap(plan.start_epoch, plan.skip, plan.totals, shuffle.get_state()))
        self.state = RunState.RUNNING
        yield StateRecord(RunState.RUNNING)
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
                if self.cancel.is_set():
                    self._resume_out = snap(epoch, batch - 1, (seen, loss_sum, correct), epoch_shuffle)
                    self.state = RunState.STOPPED
                    yield StateRecord(RunState.STOPPED, f"stopped in epoch {epoch}, batch {batch}")
                    return
                began = clock()
                changed = False
                if self._pending_lr is not None:
                    with self._cond:
                        self.base_lr, self._pending_lr, changed = self._pending_lr, None, True
                lr = self.base_lr * factor(self.step - plan.schedule_start, total_steps)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                x = normalise(train.x[index], ds.mean, ds.std)
                if cfg.augment and background is not None:  # only images augment (checked at the start)
                    x = augment(x, jitter, move.shift, move.degrees, move.scale, background=background)
                y = train.y[index]
                diagnostics.armed = batch == 1 or time.perf_counter() - last_diag >= DIAGNOSTICS_SECONDS
                tracing = batch == skip + 1 or self._trace_next
                prepared = clock()
                out = model(x)
                forward = clock()
                loss = compute_loss(out, y)
                loss_value = loss.item()
                measured = clock()
                hits = int(out.argmax(1).eq_(y).sum()) if classes else 0
                if first_loss is None:
                    first_loss = loss_value
                if not math.isfinite(loss_value) or loss_value > DIVERGE_FACTOR * max(first_loss, 0.5):
                    yield self._diverge(epoch, batch, loss_value, first_loss)
                    return
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                backward = clock()
                norms = dead = None
                if diagnostics.armed:
                    norms = tuple(diagnostics.grad_norms().tolist())
                    dead = tuple(diagnostics.dead_fractions())
                    last_diag = time.perf_counter()
                if tracing:
                    tracer.before_step()
                    backward = clock()  # the copy is the trace's cost, not the loop's
                if cfg.clip_norm:
                    nn.utils.clip_grad_norm_(params, cfg.clip_norm, foreach=True)
                optimizer.step()
                updated = clock()
                phases["preprocess"] += prepared - began
                phases["forward"] += forward - prepared
                phases["loss"] += measured - forward
                phases["backward"] += backward - measured
                phases["update"] += updated - backward
                if tracing:
                    self._keep_trace(tracer, epoch, batch, train.x[index], x, y, out, loss_value, lr,
                                     classes)
                self.step += 1
                n = int(y.shape[0])
                seen, loss_sum, correct = seen + n, loss_sum + loss_value * n, correct + hits
                elapsed = max(time.perf_counter() - started - paused_for, 1e-9)
                yield BatchRecord(self.step, epoch, batch, per_epoch, loss_value,
                                  hits / n if classes else None, lr, (seen - seen_before) / elapsed, norms,
                                  dead, changed)
                if time.perf_counter() - last_publish > SNAPSHOT_SECONDS:
                    self._publish(snap(epoch, batch, (seen, loss_sum, correct), epoch_shuffle))
                    last_publish = time.perf_counter()
            seconds = time.perf_counter() - started - paused_for
            diagnostics.armed = False
            tested = evaluate(model, test, ds.mean, ds.std, cfg.loss)
            checked = evaluate(model, val, ds.mean, ds.std, cfg.loss) if val else None
            after = snap(epoch + 1, 0, (0, 0.0, 0), shuffle.get_state())
            self._publish(after)
            record = EpochRecord(
                epoch, loss_sum / max(seen, 1), correct / max(seen, 1) if classes else None, tested.loss,
                tested.accuracy, seconds, (seen - seen_before) / max(seconds, 1e-9),
                checked.loss if checked else None, checked.accuracy if checked else None,
                tested.rmse, tested.r2, checked.rmse if checked else None, checked.r2 if checked else None)
            yield record
            if self._stopping is not None and self._early_stop(record, after):
                yield StateRecord(RunState.FINISHED, self._stopping.text(epoch, cfg.restore_best))
                return
            with self._cond:
                if self._pause_after_epoch:
                    self._paused, self._pause_after_epoch = True, False
        self._resume_out = snap(plan.last_epoch + 1, 0, (0, 0.0, 0), shuffle.get_state())
        self.state = RunState.FINISHED
        yield StateRecord(RunState.FINISHED, _finished_text(plan.start_epoch, plan.last_epoch))

    def _keep_trace(self, tracer: Tracer, epoch: int, batch: int, raw: torch.Tensor, x: torch.Tensor,
                    y: torch.Tensor, out: torch.Tensor, loss: float, lr: float, classes: bool) -> None:
        """Keep this batch's trace through the steps (its first SAMPLES samples, every layer)."""
        stepped, self._trace_next, self._trace_stepped = self._trace_stepped, False, False
        grads, ratios = tracer.norms()
        k = min(SAMPLES, int(y.shape[0]))
        outputs = out[:k].detach().float().cpu()
        trace = BatchTrace(self.step + 1, epoch, batch, raw[:k].float().cpu().numpy(),
                           x[:k].detach().float().cpu().numpy(), y[:k].cpu().numpy(), outputs.numpy(),
                           torch.softmax(outputs, 1).numpy() if classes else None, loss,
                           LOSSES[self.config.loss].label, lr, self.config.augment, grads, ratios,
                           tuple(f"{i + 1}: {lay.type}" for i, lay in enumerate(self.spec.layers)), stepped)
        with self._cond:
            self._trace, self._trace_version = trace, self._trace_version + 1

    def _early_stop(self, record: EpochRecord, after: ResumeState) -> bool:
        """Track the best epoch; at the patience's end restore its weights (when asked) and say stop."""
        assert self._stopping is not None
        improved, stop = self._stopping.update(record)
        self.best_epoch = self._stopping.best_epoch
        if improved and self.config.restore_best:
            with self._cond:
                self._best_weights = self._snapshot  # a fresh CPU copy each publish, never changed after
        if not stop:
            return False
        self.stopped_early = True
        if self.config.restore_best and self._best_weights:
            self.model.load_state_dict(self._best_weights)
            self._publish(after)  # continuing goes on from the restored weights, at the next epoch
        self._resume_out = after
        self.state = RunState.FINISHED
        return True

    def _diverge(self, epoch: int, batch: int, loss: float, first: float) -> StateRecord:
        with self._cond:
            good, self._resume_out = self._last_good, self._last_good_resume
        if good:
            self.model.load_state_dict(good)
        self.state = RunState.DIVERGED
        what = (f"the loss became {loss}" if not math.isfinite(loss)
                else f"the loss jumped to {loss:.4g}, over {DIVERGE_FACTOR:g}x its start ({first:.4g})")
        return StateRecord(RunState.DIVERGED, f"{what} in epoch {epoch}, batch {batch}; "
                                              "the last good weights are kept", DIVERGED_HINT)
