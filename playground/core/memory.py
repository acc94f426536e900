"""Will a training batch fit in memory? An estimate from the analysis, checked against the memory free now;
and telling an out-of-memory failure (CPU or CUDA) from other errors."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import torch
from torch import nn

from playground.core.analysis import BYTES_PER_VALUE, analyse
from playground.core.layer_rules import GATES, steps_and_features
from playground.core.layers import Shape
from playground.core.spec import NetworkSpec
from playground.errors import TrainingError

MEMINFO = Path("/proc/meminfo")
CGROUP = Path("/sys/fs/cgroup")
BACKWARD_FACTOR = 2
"""Training keeps each activation for the backward pass and makes its gradient: measured peaks for the
presets at batch 2048 were 0.6-0.9 of 2x the forward activations (small CNN 407 MiB, LeNet-5 218 MiB)."""
RECURRENT_VALUES = 4
"""Values a recurrent layer keeps per gate, hidden unit and step for the backward pass (an LSTM over 28
rows with 128 units measured 230 KB per sample: 28 x 128 x 4 gates x 4 values x 4 bytes)."""
OOM_MARKERS = ("DefaultCPUAllocator: can't allocate memory", "can't allocate memory", "out of memory")
OOM_HINT = "use a smaller batch size or a smaller network"


def _meminfo_available() -> int | None:
    try:
        for line in MEMINFO.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_available() -> int | None:
    try:
        limit = (CGROUP / "memory.max").read_text(encoding="ascii").strip()
        if limit == "max":
            return None
        return max(int(limit) - int((CGROUP / "memory.current").read_text(encoding="ascii")), 0)
    except (OSError, ValueError):
        return None


def available_bytes() -> int | None:
    """Memory free for a new allocation now: Linux's MemAvailable, less where a cgroup (a container) allows
    less; None where neither can be read (other systems), and then nothing is refused."""
    figures = [f for f in (_meminfo_available(), _cgroup_available()) if f is not None]
    return min(figures) if figures else None


def batch_bytes(spec: NetworkSpec, input_shape: Shape, outputs: int, batch_size: int) -> int:
    """Estimated memory of one training step of ``batch_size`` samples: activations kept for the backward
    pass and their gradients, recurrent layers' per-step state, and weights with gradients and optimizer
    moments."""
    result = analyse(spec, input_shape, outputs)
    shape, recurrent = tuple(input_shape), 0
    for lay, info in zip(spec.layers, result.layers, strict=True):
        if lay.type in GATES and len(shape) in (2, 3):
            steps, _features = steps_and_features(shape)
            recurrent += int(steps * lay.params["layers"] * lay.params["hidden"] * GATES[lay.type][0]
                             * RECURRENT_VALUES * BYTES_PER_VALUE)
        if info.output_shape is None:
            break
        shape = info.output_shape
    per_sample = result.activation_bytes * BACKWARD_FACTOR + recurrent
    return per_sample * batch_size + result.total_params * BYTES_PER_VALUE * 4


def _gib(size: float) -> str:
    return f"{size / 2**30:,.1f} GiB"


def check_batch_fits(spec: NetworkSpec, input_shape: Shape, outputs: int, batch_size: int,
                     device: torch.device | str) -> None:
    """Refuse, before anything is allocated, a CPU run whose batch will not fit in the memory free now.

    Raises:
        TrainingError: naming the memory needed and free, and the largest batch size that would fit.
    """
    if torch.device(device).type != "cpu":
        return
    free = available_bytes()
    if free is None:
        return
    needed = batch_bytes(spec, input_shape, outputs, batch_size)
    if needed <= free:
        return
    fixed = batch_bytes(spec, input_shape, outputs, 0)
    per_sample = batch_bytes(spec, input_shape, outputs, 1) - fixed
    fits = (free - fixed) // per_sample if per_sample > 0 and free > fixed else 0
    hint = (f"use a batch size of {fits:,} or less" if fits >= 1
            else "use a smaller network (fewer filters, units or layers)")
    raise TrainingError(f"a batch of {batch_size:,} needs about {_gib(needed)} for this network, but only "
                        f"{_gib(free)} of memory is free", hint)


def is_out_of_memory(exc: BaseException) -> bool:
    """True for MemoryError, torch's OutOfMemoryError and the CPU allocator's RuntimeError."""
    if isinstance(exc, MemoryError | torch.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and any(marker in str(exc) for marker in OOM_MARKERS)


def release(model: nn.Module) -> None:
    """Drop what a failed step left behind: gradients, unreachable tensors, CUDA's cached blocks.

    Unreachable cycles are collected only on the main thread: a collection on a worker thread of a Qt app
    can finalise Qt wrappers there and deadlock with the GUI thread (seen with the training worker).
    """
    model.zero_grad(set_to_none=True)
    if threading.current_thread() is threading.main_thread():
        gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
