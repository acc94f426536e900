"""Weights from .pt/.pth (weights-only unpickler) or .safetensors files, checked and reported."""

from __future__ import annotations

import pickle
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import torch
from torch import nn

from playground.core.archive import check_zip_entries, non_finite, read_safetensors
from playground.errors import PlaygroundError
from playground.safe_read import clip, open_regular, read_capped, reason, short

MAX_WEIGHTS_FILE_BYTES = 1024 * 1024 * 1024
MAX_WEIGHTS_ELEMENTS = MAX_WEIGHTS_FILE_BYTES // 2
TORCH_SUFFIXES = (".pt", ".pth")
SUFFIXES = (*TORCH_SUFFIXES, ".safetensors")
MAX_PICKLE_BYTES = 64 * 1024 * 1024
"""data.pkl holds the structure of a state dict, not its numbers: far smaller than this."""
LISTED = 10
"""Names a report lists of each kind; the rest are counted."""
WRAPPERS = ("state_dict", "model")
PLAIN_HINT = ("save only the weights: torch.save(model.state_dict(), path), or use safetensors; "
              "open only files from sources you trust")


@dataclass(frozen=True)
class WeightsReport:
    """How a file's tensors matched a model's: loaded, missing from the file, unexpected, mis-shaped."""

    loaded: tuple[str, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    mismatched: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]

    @property
    def ok(self) -> bool:
        """True when the file matches the model exactly."""
        return not (self.missing or self.unexpected or self.mismatched)

    def text(self) -> str:
        """A readable, multi-line account for a dialog."""
        total = len(self.loaded) + len(self.missing) + len(self.mismatched)
        lines = [f"{len(self.loaded):,} of {total:,} tensors of the network match the file."]
        if self.missing:
            lines.append(f"Missing from the file ({len(self.missing):,}): {_names(self.missing)}")
        if self.unexpected:
            lines.append(f"In the file but not in the network ({len(self.unexpected):,}): "
                         f"{_names(self.unexpected)}")
        for name, found, wanted in self.mismatched[:LISTED]:
            what = (f"shape {_dims(found)} in the file, {_dims(wanted)} in the network" if found != wanted
                    else f"shape {_dims(found)}, but a different number type")
            lines.append(f"Different: {name}: {what}")
        if len(self.mismatched) > LISTED:
            lines.append(f"... and {len(self.mismatched) - LISTED:,} more different tensors")
        return "\n".join(lines)


def _names(names: tuple[str, ...]) -> str:
    """The first LISTED names, and how many more there are."""
    shown = ", ".join(clip(name) for name in names[:LISTED])
    return shown + (f", and {len(names) - LISTED:,} more" if len(names) > LISTED else "")


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "scalar"


def _check_torch_zip(stream: BinaryIO, path: Path) -> None:
    """A .pt/.pth must be PyTorch's zip format with safe entry names and sizes, checked before torch.load."""
    if not zipfile.is_zipfile(stream):
        raise PlaygroundError(f"{path} is not a PyTorch zip file (older formats are not read)",
                              "re-save it with a current PyTorch, or as .safetensors")
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as zf:
            infos = check_zip_entries(zf, str(path), lambda _name: MAX_WEIGHTS_FILE_BYTES,
                                      MAX_WEIGHTS_FILE_BYTES)
            pickles = [i for i in infos
                       if i.filename.endswith("/data.pkl") and i.file_size <= MAX_PICKLE_BYTES]
            if len(pickles) != 1 or not zf.read(pickles[0]).endswith(b"."):
                raise PlaygroundError(f"{path} is damaged: its data.pkl is missing or cut short",
                                      "save the weights again")
    except (zipfile.BadZipFile, EOFError, ValueError, zlib.error) as exc:
        raise PlaygroundError(f"{path} is damaged ({reason(exc)})", PLAIN_HINT) from None
    stream.seek(0)


def _unwrap(loaded: Any, path: Path) -> dict[str, torch.Tensor]:
    """The state dict itself, taken from under "state_dict" or "model" where a checkpoint nests it."""
    if isinstance(loaded, dict):
        for key in WRAPPERS:
            if isinstance(loaded.get(key), dict):
                loaded = loaded[key]
                break
    if not isinstance(loaded, dict) or not loaded:
        raise PlaygroundError(f"{path} holds no dictionary of named tensors (a state_dict)", PLAIN_HINT)
    for key, value in loaded.items():
        if not isinstance(key, str):
            raise PlaygroundError(f"{path}: the key {short(key)} is not a name (a state dict maps names to "
                                  "tensors)", PLAIN_HINT)
        if not isinstance(value, torch.Tensor):
            kind = type(value).__name__
            raise PlaygroundError(f"{path}: the entry {short(key)} is {'an' if kind[0] in 'aeiou' else 'a'} "
                                  f"{kind}, not a tensor", PLAIN_HINT)
    return dict(loaded)


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a state dict from .pt/.pth (weights-only unpickling, never full) or .safetensors, on the CPU.

    Refuses anything but a regular file, files over the size cap, unsafe or oversized zip entries,
    anything but named tensors, and NaN or infinite values; every problem is a PlaygroundError naming
    the file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PlaygroundError(f"{path}: unknown weights file type '{path.suffix}'",
                              f"choose a {', '.join(SUFFIXES)} file")
    if suffix == ".safetensors":
        data = read_capped(path, MAX_WEIGHTS_FILE_BYTES, PlaygroundError, "a weights file")
        tensors = read_safetensors(data, str(path), MAX_WEIGHTS_ELEMENTS)
    else:
        try:
            with open_regular(path, MAX_WEIGHTS_FILE_BYTES, PlaygroundError, "a weights file") as stream:
                _check_torch_zip(stream, path)
                tensors = _unwrap(_torch_load(stream, path), path)
        except OSError as exc:
            raise PlaygroundError(f"cannot read {path}: {exc.strerror or exc}") from None
    bad = non_finite(tensors)
    if bad:
        raise PlaygroundError(f"{path}: the tensor {bad[0]} contains NaN or infinite values",
                              "these weights come from a run that diverged; use an earlier file")
    return tensors


def _torch_load(stream: BinaryIO, path: Path) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's remarks on odd pickles; the outcome is reported here
            return torch.load(stream, weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as exc:
        named = re.search(r"GLOBAL (\S+)", str(exc))
        if named is None:
            raise PlaygroundError(f"{path} is damaged and could not be read as PyTorch weights",
                                  PLAIN_HINT) from None
        raise PlaygroundError(f"{path} holds more than plain tensors, so it was not opened (it refers to "
                              f"{clip(named.group(1))})", PLAIN_HINT) from None
    except Exception as exc:  # the weights-only unpickler raises many types on damaged data: the file's fault
        raise PlaygroundError(f"{path} is damaged and could not be read as PyTorch weights ({reason(exc)})",
                              PLAIN_HINT) from None


def compare(tensors: dict[str, torch.Tensor], model: nn.Module) -> WeightsReport:
    """Match ``tensors`` against ``model``'s state dict by name, shape and kind of number."""
    expected = model.state_dict()
    loaded, missing, mismatched = [], [], []
    for name, target in expected.items():
        found = tensors.get(name)
        if found is None:
            missing.append(name)
        elif found.shape != target.shape or (found.dtype != target.dtype and not (
                found.is_floating_point() and target.is_floating_point())):
            mismatched.append((name, tuple(found.shape), tuple(target.shape)))
        else:
            loaded.append(name)
    unexpected = tuple(name for name in tensors if name not in expected)
    return WeightsReport(tuple(loaded), tuple(missing), unexpected, tuple(mismatched))


def load_weights(path: str | Path, model: nn.Module, strict: bool = True) -> WeightsReport:
    """Load a weights file into ``model``.

    Args:
        path: a .pt, .pth or .safetensors file.
        model: the network to fill.
        strict: load only on an exact match (else a PlaygroundError holding the report's text);
            False loads every tensor that matches and leaves the rest as they are (transfer learning).
    """
    tensors = read_state_dict(path)
    report = compare(tensors, model)
    if strict and not report.ok:
        raise PlaygroundError(f"{path} does not match the network:\n{report.text()}",
                              "the spec must describe the network these weights were saved from")
    if report.loaded:
        with torch.no_grad():
            state = model.state_dict()
            for name in report.loaded:
                state[name].copy_(tensors[name])
    return report
