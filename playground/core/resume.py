"""Exact resume of a training run: the state at a batch boundary, its file form, capture and restore."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, TypeGuard

import torch

from playground.errors import PlaygroundError, TrainingError
from playground.safe_read import short

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_GENERATOR_BYTES = int(torch.Generator().get_state().numel())
_RESUME_HINT = "start a new run instead of continuing this one"


@dataclass(frozen=True, eq=False)
class ResumeState:
    """Where a stopped (or finished) run can continue exactly, taken at a batch boundary.

    Position: ``batch > 0`` means epoch ``epoch`` is in progress with its first ``batch`` batches
    done (``epoch_totals`` holds their seen / loss sum / correct). ``batch == 0`` means epoch
    ``epoch`` is complete, evaluated included (0: nothing done yet), and the next batch is batch 1
    of epoch ``epoch + 1``; ``epoch_totals`` is then (0, 0.0, 0). ``shuffle_state`` is always the
    shuffle generator's state from which the permutation of the next batch's epoch is drawn.
    ``first_epoch`` and ``schedule_start`` mark where the current stretch of ``config.epochs``
    epochs (and so the learning-rate schedule) began: epoch 1 and step 0, or later for a
    finished run that was continued. Dropout on a GPU draws from the GPU's generator, which
    is not kept: only CPU runs resume bit for bit.
    """

    epoch: int
    batch: int
    step: int
    base_lr: float
    first_loss: float | None
    epoch_totals: tuple[int, float, int]
    shuffle_state: torch.Tensor
    jitter_state: torch.Tensor
    rng_state: torch.Tensor
    optimizer_state: dict
    optimizer: str = ""
    first_epoch: int = 1
    schedule_start: int = 0

    def to_tensors_and_json(self) -> tuple[dict[str, torch.Tensor], dict]:
        """Tensors (generator states, optimizer moments) and JSON-able facts, for a project file."""
        tensors = {"shuffle_state": self.shuffle_state, "jitter_state": self.jitter_state,
                   "rng_state": self.rng_state}
        param_state: dict[str, dict[str, Any]] = {}
        for pid, state in self.optimizer_state.get("state", {}).items():
            entry: dict[str, Any] = {"tensors": [], "values": {}}
            for key, value in state.items():
                if isinstance(value, torch.Tensor):
                    tensors[f"optimizer.{pid}.{key}"] = value.detach().cpu().contiguous()
                    entry["tensors"].append(key)
                else:
                    entry["values"][key] = value
            param_state[str(pid)] = entry
        meta = {"epoch": self.epoch, "batch": self.batch, "step": self.step, "base_lr": self.base_lr,
                "first_loss": self.first_loss, "epoch_totals": list(self.epoch_totals),
                "optimizer": self.optimizer, "first_epoch": self.first_epoch,
                "schedule_start": self.schedule_start,
                "param_groups": [_plain(g) for g in self.optimizer_state.get("param_groups", [])],
                "param_state": param_state}
        return tensors, meta

    @classmethod
    def from_tensors_and_json(cls, tensors: dict[str, torch.Tensor], meta: Any) -> ResumeState:
        """Read what ``to_tensors_and_json`` wrote, checking every field; nonsense is a PlaygroundError."""
        if not isinstance(meta, dict):
            raise _bad("the resume data is not a JSON object")
        counts = {k: _count(meta, k) for k in ("epoch", "batch", "step", "first_epoch", "schedule_start")}
        if counts["first_epoch"] < 1 or counts["schedule_start"] > counts["step"]:
            raise _bad("the resume data has an impossible first_epoch or schedule_start")
        if counts["batch"] > 0 and counts["epoch"] < counts["first_epoch"]:
            raise _bad("the resume data has a batch in progress before its first epoch")
        base_lr, first_loss = meta.get("base_lr"), meta.get("first_loss")
        if not _real(base_lr) or base_lr <= 0:
            raise _bad(f"the resume data has a bad learning rate {short(base_lr)}")
        if first_loss is not None and not _real(first_loss):
            raise _bad(f"the resume data has a bad first loss {short(first_loss)}")
        totals = meta.get("epoch_totals")
        if not (isinstance(totals, list) and len(totals) == 3 and _int(totals[0]) and _real(totals[1])
                and _int(totals[2]) and 0 <= totals[2] <= totals[0]):
            raise _bad("the resume data has bad epoch totals")
        name = meta.get("optimizer", "")
        if not isinstance(name, str) or len(name) > 32:
            raise _bad("the resume data has a bad optimizer name")
        states = {}
        for key in ("shuffle_state", "jitter_state", "rng_state"):
            value = tensors.get(key)
            if not (isinstance(value, torch.Tensor) and value.dtype == torch.uint8
                    and value.shape == (_GENERATOR_BYTES,)):
                raise _bad(f"the resume data lacks a valid {key}")
            states[key] = value
        optimizer_state = _optimizer_state(tensors, meta)
        return cls(counts["epoch"], counts["batch"], counts["step"], float(base_lr),
                   None if first_loss is None else float(first_loss),
                   (int(totals[0]), float(totals[1]), int(totals[2])), states["shuffle_state"],
                   states["jitter_state"], states["rng_state"], optimizer_state, name,
                   counts["first_epoch"], counts["schedule_start"])


@dataclass(frozen=True)
class Plan:
    """Which epochs a run covers and where it starts inside the first of them."""

    first_epoch: int
    start_epoch: int
    last_epoch: int
    skip: int
    totals: tuple[int, float, int]
    schedule_start: int


def plan_run(resume: ResumeState | None, epochs: int, per_epoch: int) -> Plan:
    """A fresh run covers epochs 1..epochs; a resumed one goes on where it stopped, and a resumed
    run whose stretch is complete trains ``epochs`` more epochs, numbered on, with a fresh schedule."""
    if resume is None:
        return Plan(1, 1, epochs, 0, (0, 0.0, 0), 0)
    if resume.batch >= per_epoch:
        raise TrainingError(f"the saved run stopped after batch {resume.batch} of an epoch, but an "
                            f"epoch now has {per_epoch} batches", "use the batch size and data the run "
                            "was saved with, or " + _RESUME_HINT)
    if resume.batch > 0:
        last = max(resume.first_epoch + epochs - 1, resume.epoch)
        return Plan(resume.first_epoch, resume.epoch, last, resume.batch, resume.epoch_totals,
                    resume.schedule_start)
    if resume.epoch < resume.first_epoch + epochs - 1:
        return Plan(resume.first_epoch, resume.epoch + 1, resume.first_epoch + epochs - 1, 0, (0, 0.0, 0),
                    resume.schedule_start)
    return Plan(resume.epoch + 1, resume.epoch + 1, resume.epoch + epochs, 0, (0, 0.0, 0), resume.step)


def restore(resume: ResumeState | None, optimizer: torch.optim.Optimizer, name: str,
            shuffle: torch.Generator, jitter: torch.Generator) -> None:
    """Load the optimizer's moments (keeping the configured hyperparameters) and every RNG state."""
    if resume is None:
        return
    if resume.optimizer and resume.optimizer != name:
        raise TrainingError(f"the saved run trained with the optimizer '{resume.optimizer}', the "
                            f"settings now say '{name}'",
                            f"choose {resume.optimizer} to continue, or {_RESUME_HINT}")
    saved = resume.optimizer_state
    groups = optimizer.param_groups
    if [len(g["params"]) for g in saved["param_groups"]] != [len(g["params"]) for g in groups]:
        raise TrainingError("the saved optimizer state does not fit this network", _RESUME_HINT)
    params = [p for g in groups for p in g["params"]]
    for pid, state in saved["state"].items():
        for value in state.values():
            if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape != params[pid].shape:
                raise TrainingError("the saved optimizer state does not fit this network", _RESUME_HINT)
    settings = [{k: v for k, v in g.items() if k != "params"} for g in groups]
    optimizer.load_state_dict(copy.deepcopy(saved))
    for group, setting in zip(optimizer.param_groups, settings, strict=True):
        group.update(setting)
    shuffle.set_state(resume.shuffle_state)
    jitter.set_state(resume.jitter_state)
    torch.set_rng_state(resume.rng_state)


def capture(plan: Plan, epoch: int, done: int, totals: tuple[int, float, int], shuffle_state: torch.Tensor,
            jitter: torch.Generator, optimizer: torch.optim.Optimizer, name: str, step: int,
            base_lr: float, first_loss: float | None) -> ResumeState:
    """The state after ``done`` batches of ``epoch`` (0: before its first), on the CPU."""
    if done == 0:
        epoch, totals = epoch - 1, (0, 0.0, 0)
    state = optimizer.state_dict()
    cpu = {"state": {pid: {k: v.detach().to("cpu", copy=True) if isinstance(v, torch.Tensor) else v
                           for k, v in s.items()} for pid, s in state["state"].items()},
           "param_groups": copy.deepcopy(state["param_groups"])}
    return ResumeState(epoch, done, step, base_lr, first_loss, (int(totals[0]), float(totals[1]),
                       int(totals[2])), shuffle_state.clone(), jitter.get_state(), torch.get_rng_state(),
                       cpu, name, plan.first_epoch, plan.schedule_start)


def _bad(problem: str) -> PlaygroundError:
    return PlaygroundError(problem, _RESUME_HINT)


def _int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def _real(value: Any) -> TypeGuard[float]:
    """A finite number of a sane size (a 400-digit integer is a number, but no float can hold it)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e300


def _count(meta: dict, key: str) -> int:
    value = meta.get(key, 1 if key == "first_epoch" else 0 if key == "schedule_start" else None)
    if not _int(value):
        raise _bad(f"the resume data has a bad {key} {short(value)}")
    return value


def _plain(group: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in group.items()}


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | str) or _real(value)


def _optimizer_state(tensors: dict[str, torch.Tensor], meta: dict) -> dict:
    """The optimizer's state_dict from the file form, with every id, key and tensor checked."""
    groups, param_state = meta.get("param_groups"), meta.get("param_state")
    if not isinstance(groups, list) or not groups or not isinstance(param_state, dict):
        raise _bad("the resume data lacks the optimizer's state")
    ids: list[int] = []
    out_groups = []
    for group in groups:
        if not isinstance(group, dict) or not isinstance(group.get("params"), list):
            raise _bad("the optimizer state has a bad parameter group")
        for key, value in group.items():
            ok = all(_int(v) for v in value) if key == "params" else (
                _scalar(value) or (isinstance(value, list) and len(value) <= 8 and all(map(_real, value))))
            if not (isinstance(key, str) and _KEY.fullmatch(key) and ok):
                raise _bad(f"the optimizer state has a bad setting {short(key)}")
        ids.extend(group["params"])
        out_groups.append({k: tuple(v) if isinstance(v, list) and k != "params" else v
                           for k, v in group.items()})
    if sorted(ids) != list(range(len(ids))):
        raise _bad("the optimizer state numbers its parameters wrongly")
    used = {"shuffle_state", "jitter_state", "rng_state"}
    state: dict[int, dict[str, Any]] = {}
    for pid_text, entry in param_state.items():
        pid = int(pid_text) if isinstance(pid_text, str) and pid_text.isdigit() else -1
        if pid not in ids or not isinstance(entry, dict) or set(entry) != {"tensors", "values"}:
            raise _bad(f"the optimizer state has a bad entry for parameter {short(pid_text)}")
        names, values = entry["tensors"], entry["values"]
        if not (isinstance(names, list) and isinstance(values, dict)):
            raise _bad(f"the optimizer state has a bad entry for parameter {short(pid_text)}")
        slot: dict[str, Any] = {}
        for key in names:
            tensor = tensors.get(f"optimizer.{pid}.{key}") if isinstance(key, str) else None
            if tensor is None or not _KEY.fullmatch(key) or not tensor.is_floating_point():
                raise _bad(f"the optimizer state lacks a valid tensor {short(key)} for parameter {pid}")
            if not bool(torch.isfinite(tensor).all()):
                raise _bad(f"the optimizer state for parameter {pid} holds NaN or infinite values")
            slot[key] = tensor
            used.add(f"optimizer.{pid}.{key}")
        for key, value in values.items():
            if not (_KEY.fullmatch(key) and _scalar(value)) or key in slot:
                raise _bad(f"the optimizer state has a bad value {short(key)} for parameter {pid}")
            slot[key] = value
        state[pid] = slot
    extra = sorted(set(tensors) - used)
    if extra:
        raise _bad(f"the resume data holds an unexpected tensor {short(extra[0])}")
    return {"state": state, "param_groups": out_groups}
