"""Hostile inputs shared by the loader tests: bad JSON texts and files rewritten one entry at a time."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from safetensors.torch import save as save_safetensors

from playground.core.builder import build_model
from playground.core.project import Project, save_model, save_project
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig
from playground.data.dataset import DataFacts, DataRef

SMALL_SPEC = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=8), layer("Linear", units=10)))
DIGITS = tuple(str(i) for i in range(10))
MNIST_FACTS = {"dataset": "mnist-sample", "input_shape": [1, 28, 28], "num_classes": 10,
               "class_names": list(DIGITS), "mean": 0.1307, "std": 0.3081}
"""A model file's facts as the app wrote them before per-channel statistics (still read)."""
FACT_FIELDS = ("class_names", "mean", "std")

DEEP = "[" * 100_000 + "]" * 100_000
"""Nested far past Python's recursion limit."""

HUGE_INT = "1" + "0" * 5000
"""An integer longer than Python's 4,300-digit limit for int()."""

LONE_SURROGATE = '"\\ud800"'
"""A JSON string holding half of a UTF-16 pair: valid JSON syntax, not valid text."""

BAD_SPEC_TEXTS = {
    "deep nesting": DEEP,
    "deep nesting inside a layer": '{"layers": [{"type": ' + "[" * 50_000 + "]" * 50_000 + "}]}",
    "a huge integer": '{"layers": [{"type": "Linear", "params": {"units": ' + HUGE_INT + "}}]}",
    "a list as the activation": '{"layers": [{"type": "Linear", "params": {"units": 10}, "activation": []}]}',
    "an object as the type": '{"layers": [{"type": {"a": 1}}]}',
    "a list as the type": '{"layers": [{"type": ["Linear"]}]}',
    "a number as a parameter name": '{"layers": [{"type": "Linear", "params": {"units": 10, "1": {}}}]}',
    "a lone surrogate": '{"layers": [{"type": ' + LONE_SURROGATE + "}]}",
    "true as the schema version": '{"schema_version": true, "layers": []}',
    "a float overflow": '{"layers": [{"type": "Dropout", "params": {"p": 1e999}}]}',
    "not UTF-8": b'{"layers": [{"type": "\xff\xfe"}]}',
    "NaN": '{"layers": [{"type": "Dropout", "params": {"p": NaN}}]}',
}


def mnist_facts(class_names: tuple[str, ...] = DIGITS, mean: float = 0.1307,
                std: float = 0.3081) -> DataFacts:
    """The facts of the bundled MNIST sample, with other class names or statistics if asked."""
    return DataFacts(DataRef("mnist-sample"), (1, 28, 28), tuple(class_names), (mean,), (std,))


def mlp_project(**changes: object) -> Project:
    """The small MLP (or ``spec``) as a project with weights, for rewriting; ``class_names``, ``mean`` and
    ``std`` change its data facts."""
    model = build_model(changes.get("spec", SMALL_SPEC), (1, 28, 28), 10)  # type: ignore[arg-type]
    facts = mnist_facts(**{k: changes.pop(k) for k in FACT_FIELDS if k in changes})  # type: ignore[arg-type]
    base: dict[str, object] = dict(spec=SMALL_SPEC, config=TrainConfig(epochs=2), facts=facts,
                                   weights={k: v.detach().clone() for k, v in model.state_dict().items()})
    base.update(changes)
    return Project(**base)  # type: ignore[arg-type]


def saved_project(path: Path, **changes: object) -> Path:
    """``path`` holding ``mlp_project(**changes)``."""
    save_project(path, mlp_project(**changes))
    return path


def zip_entries(data: bytes) -> dict[str, bytes]:
    """The entries of a zip held in memory."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rezip(entries: dict[str, bytes]) -> bytes:
    """A zip of ``entries`` (safetensors stored, the rest deflated), as the app writes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data, zipfile.ZIP_STORED if name.endswith(".safetensors")
                        else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def with_entry(path: Path, name: str, data: bytes | str) -> Path:
    """Rewrite the project at ``path`` with entry ``name`` replaced by ``data``."""
    entries = zip_entries(path.read_bytes())
    entries[name] = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    path.write_bytes(rezip(entries))
    return path


def model_file(path: Path, spec_text: str | None = None, facts: object = None,
               tensors: dict[str, torch.Tensor] | None = None) -> Path:
    """A model file as ``train --save`` writes it, with the header's spec or facts replaced."""
    model = build_model(SMALL_SPEC, (1, 28, 28), 10)
    save_model(path, SMALL_SPEC, model, mnist_facts())
    if spec_text is None and facts is None and tensors is None:
        return path
    header = {"spec": SMALL_SPEC.to_json() if spec_text is None else spec_text,
              "facts": json.dumps(MNIST_FACTS) if facts is None else
              facts if isinstance(facts, str) else json.dumps(facts)}
    state = tensors if tensors is not None else {k: v.contiguous() for k, v in model.state_dict().items()}
    path.write_bytes(save_safetensors(state, metadata=header))
    return path


def unreadable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` behave as a folder without read and search permission does for a normal user
    (the tests run as root, for whom chmod 000 changes nothing): listing it, and anything inside, fails."""
    inside = str(folder) + os.sep

    def guard(original):
        def call(path, *args, **kwargs):
            name = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else ""
            if name == str(folder) and original in (os.listdir, os.scandir) or name.startswith(inside):
                raise PermissionError(errno.EACCES, "Permission denied", name)
            return original(path, *args, **kwargs)
        return call

    for name in ("listdir", "scandir", "stat", "open", "lstat"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))


class Hang(Exception):
    """A loader ran past its deadline."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise Hang in the main thread if the block runs longer than ``seconds`` (a blocked read included:
    the signal interrupts it)."""
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def special_file(folder: Path, kind: str, name: str) -> Path:
    """``folder/name`` made into a special file: a FIFO, a symlink to /dev/zero or to a FIFO, a folder,
    or a symlink to /dev/urandom."""
    path = folder / name
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "urandom":
        path.symlink_to("/dev/urandom")
    elif kind == "fifo link":
        os.mkfifo(folder / f"pipe-{name}")
        path.symlink_to(folder / f"pipe-{name}")
    elif kind == "folder":
        path.mkdir()
    return path


SPECIAL_KINDS = ("fifo", "zero", "urandom", "fifo link", "folder")
