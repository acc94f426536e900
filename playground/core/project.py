"""Trained-model files: weights as safetensors with the spec and data facts in the header; atomic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from playground.atomic import atomic_write
from playground.core.builder import PlaygroundNet, build_model
from playground.core.spec import NetworkSpec
from playground.errors import PlaygroundError, SpecError

MAX_MODEL_BYTES = 512 * 1024 * 1024


def save_model(path: str | Path, spec: NetworkSpec, model: PlaygroundNet, facts: dict[str, Any]) -> None:
    """Save weights and, in the header, the spec and ``facts`` (input shape, classes, mean, std...)."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    header = {"spec": spec.to_json(), "facts": json.dumps(facts)}
    try:
        atomic_write(Path(path), save_safetensors(tensors, metadata=header))
    except OSError as exc:
        raise PlaygroundError(f"cannot save {path}: {exc.strerror or exc}") from None


def load_model(path: str | Path) -> tuple[NetworkSpec, PlaygroundNet, dict[str, Any]]:
    """Read a file written by ``save_model``; every problem is a PlaygroundError naming the file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_MODEL_BYTES:
            raise PlaygroundError(f"{path}: larger than {MAX_MODEL_BYTES // 2**20} MiB")
        data = path.read_bytes()
        header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")]).get("__metadata__", {})
        spec = NetworkSpec.from_json(header["spec"])
        facts = json.loads(header["facts"])
        tensors = load_safetensors(data)
    except OSError as exc:
        raise PlaygroundError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError, SafetensorError, SpecError) as exc:
        raise PlaygroundError(f"{path} is not a model file of this app: {exc}") from None
    model = build_model(spec, tuple(facts["input_shape"]), int(facts["num_classes"]))
    expected = model.state_dict()
    if set(expected) != set(tensors) or any(
        expected[k].shape != tensors[k].shape for k in expected
    ):
        raise PlaygroundError(f"{path}: the weights do not match the network in the file")
    if not all(torch.isfinite(t).all() for t in tensors.values() if t.is_floating_point()):
        raise PlaygroundError(f"{path}: the weights contain NaN or infinite values")
    model.load_state_dict(tensors)
    return spec, model, facts
