"""Export a network: TorchScript, ONNX with probabilities, or a standalone PyTorch training script."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from playground.atomic import save_file
from playground.core.factcheck import check_class_names, check_norm
from playground.core.layers import Shape
from playground.core.script_template import render_script
from playground.data.dataset import CLASSIFICATION, DataFacts
from playground.errors import PlaygroundError

if TYPE_CHECKING:
    from playground.core.project import Project

FORMATS = {"torchscript": ".pt", "onnx": ".onnx", "script": ".py"}
FORMAT_TITLES = {"torchscript": "TorchScript", "onnx": "ONNX", "script": "PyTorch training script"}
TORCHSCRIPT_TOLERANCE = 1e-5
ONNX_TOLERANCE = 1e-4
ONNX_HINT = "pip install 'nn-playground[onnx]'"
CHECK_BATCH = 5  # the check runs another batch size than the export's example, to test the dynamic axis
EXAMPLE_BATCH = 2


class Probabilities(nn.Module):
    """The network followed by a softmax over classes, for exports whose output is probabilities."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(x), dim=1)


def ends_in_softmax(model: nn.Module) -> bool:
    """True when the model's last block already applies a softmax."""
    blocks = getattr(model, "blocks", None)
    return blocks is not None and len(blocks) > 0 and isinstance(getattr(blocks[-1], "activation", None),
                                                                  nn.Softmax)


@contextlib.contextmanager
def _quiet_torch() -> Iterator[None]:
    """Hide torch's own deprecation chatter and exporter log lines; our check reports the outcome."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _frozen_copy(model: nn.Module) -> nn.Module:
    """A CPU copy in eval mode, so the caller's model (maybe training on a GPU) is left alone."""
    return copy.deepcopy(model).cpu().eval()


def _check_input(input_shape: Shape, batch: int = CHECK_BATCH) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.randn((batch, *input_shape), generator=generator)


def _write(path: Path, data: bytes) -> None:
    save_file(path, data, "choose a folder you can write to", verb="write")


def _reject(path: Path, what: str, diff: float, tolerance: float) -> PlaygroundError:
    path.unlink(missing_ok=True)
    return PlaygroundError(
        f"{path.name}: {what} differs from PyTorch by {diff:.3g}, more than {tolerance:g}; "
        "the file was removed",
        "export to another format, or report this network as a bug",
    )


def export_torchscript(path: str | Path, model: nn.Module, input_shape: Shape) -> float:
    """Script ``model`` to ``path``, load it back with torch.jit.load and compare outputs.

    Returns:
        The largest absolute difference between the loaded file's outputs and the model's.

    Raises:
        PlaygroundError: the network cannot be scripted or written, or the check fails.
    """
    path, net = Path(path), _frozen_copy(model)
    buffer = io.BytesIO()
    try:
        with _quiet_torch():
            torch.jit.save(torch.jit.script(net), buffer)
    except (RuntimeError, torch.jit.Error) as exc:
        raise PlaygroundError(f"TorchScript cannot compile this network: {exc}".splitlines()[0]) from None
    _write(path, buffer.getvalue())
    x = _check_input(input_shape)
    with _quiet_torch(), torch.no_grad():
        loaded = torch.jit.load(str(path), map_location="cpu")
        diff = float((loaded(x) - net(x)).abs().max())
    if not diff <= TORCHSCRIPT_TOLERANCE:
        raise _reject(path, "the TorchScript file", diff, TORCHSCRIPT_TOLERANCE)
    return diff


def _onnx_modules():
    try:
        import onnx
        import onnxruntime
        import onnxscript  # noqa: F401  torch's ONNX exporter needs it
    except ImportError as exc:
        raise PlaygroundError(f"ONNX export needs the package '{exc.name}', which is not installed",
                              ONNX_HINT) from None
    return onnx, onnxruntime


def export_onnx(path: str | Path, model: nn.Module, facts: DataFacts) -> float:
    """Write ``model`` as ONNX with a dynamic batch axis: class probabilities for a classifier, the
    predicted values for regression.

    The input is what the network reads: images as ``(pixels in [0, 1] - mean) / std`` per channel,
    float features as they are; the statistics and the class (or target) names go into the file's
    metadata. onnxruntime then runs the file and must agree with PyTorch.

    Returns:
        The largest absolute difference between onnxruntime's outputs and PyTorch's.

    Raises:
        PlaygroundError: onnx/onnxruntime missing, the export fails, or the check fails.
    """
    onnx, onnxruntime = _onnx_modules()
    path, net = Path(path), _frozen_copy(model)
    classes = facts.task == CLASSIFICATION
    if classes and not ends_in_softmax(net):
        net = Probabilities(net).eval()
    output = "probabilities" if classes else "values"
    image = bool(facts.mean)
    name = "image" if image else "features"
    example = _check_input(facts.input_shape, EXAMPLE_BATCH)
    # The torch.export-based exporter (the default since torch 2.9; the TorchScript-based one is
    # deprecated) handles every catalogue layer, LSTM/GRU/RNN included, with a symbolic batch axis.
    try:
        with _quiet_torch():
            program = torch.onnx.export(
                net, (example,), dynamo=True, verbose=False, input_names=[name],
                output_names=[output], dynamic_shapes=({0: torch.export.Dim("batch")},),
            )
            if program is None:
                raise RuntimeError("the exporter returned no program")
            proto = program.model_proto
    except Exception as exc:  # torch's exporter raises many types; the message is what a user needs
        raise PlaygroundError(f"the ONNX exporter failed: {exc}".splitlines()[0]) from None
    props = {"class_names": json.dumps(list(facts.class_names)), "task": facts.task,
             "target_names": json.dumps(list(facts.target_names)),
             "input": "(pixels in [0, 1] - mean) / std, per channel" if image else "the features as they are"}
    if image:
        props.update(mean=json.dumps(list(facts.mean)), std=json.dumps(list(facts.std)))
    onnx.helper.set_model_props(proto, props)
    shape = "x".join(map(str, facts.input_shape))
    proto.doc_string = f"Neural Network Playground export: input (N, {shape}), output {output}"
    _write(path, proto.SerializeToString())
    x = _check_input(facts.input_shape)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ours = session.run(None, {name: x.numpy()})[0]
    with torch.no_grad():
        reference = net(x).numpy()
    diff = float(np.abs(ours - reference).max())
    if not diff <= ONNX_TOLERANCE:
        raise _reject(path, "onnxruntime's answer", diff, ONNX_TOLERANCE)
    return diff


def export_script(path: str | Path, project: Project) -> None:
    """Write a readable, standalone PyTorch training script for the project's network and settings."""
    _write(Path(path), render_script(project).encode("utf-8"))


def export_project(project: Project, fmt: str, out: str | Path) -> str:
    """Export ``project`` in format ``fmt`` (a key of FORMATS) to ``out``; returns a one-line summary."""
    if fmt not in FORMATS:
        raise PlaygroundError(f"unknown export format '{fmt}'", f"choose one of {', '.join(FORMATS)}")
    facts = project.facts
    check_class_names(facts.class_names, facts.num_classes, "the project")
    for mean, std in zip(facts.mean, facts.std, strict=True):
        check_norm(mean, std, "the project")
    out = Path(out)
    if fmt == "script":
        export_script(out, project)
        return f"Wrote {out}: a standalone PyTorch training script (python {out.name} --data DIR)"
    if project.weights is None:
        raise PlaygroundError(f"the project has no trained weights to export as {FORMAT_TITLES[fmt]}",
                              "train it (or load weights) first; the training script needs no weights")
    model = project.build()
    if fmt == "torchscript":
        diff = export_torchscript(out, model, facts.input_shape)
        return f"Wrote {out} (TorchScript); the reloaded file agrees within {diff:.2g}"
    diff = export_onnx(out, model, facts)
    what = (f"probabilities over {facts.num_classes} classes" if facts.task == CLASSIFICATION
            else f"{facts.outputs} predicted value{'s' if facts.outputs != 1 else ''}")
    return f"Wrote {out} (ONNX, {what}); onnxruntime agrees within {diff:.2g}"
