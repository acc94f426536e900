"""The standalone training script's text: fixed code in a template, the network and settings filled in."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from string import Template
from typing import TYPE_CHECKING

from playground.core.analysis import analyse
from playground.core.layers import Shape
from playground.core.script_code import BODY, HEAD, SEQUENCE_OVER_ROWS
from playground.core.spec import LayerSpec, NetworkSpec
from playground.errors import SpecError

if TYPE_CHECKING:
    from playground.core.project import Project

MAX_LINE = 88  # the generated script stays within ruff's default line length

ACTIVATION_CODE = {
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "elu": "nn.ELU()",
    "gelu": "nn.GELU()",
    "silu": "nn.SiLU()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "softmax": "nn.Softmax(dim=1)",
}


def _rnn(cell: str) -> Callable[[Shape, dict], str]:
    def code(shape: Shape, p: dict) -> str:
        return f"SequenceOverRows(nn.{cell}, {shape[0] * shape[2]}, {p['hidden']}, {p['layers']})"
    return code


LAYER_CODE: dict[str, Callable[[Shape, dict], str]] = {
    "Linear": lambda s, p: f"nn.Linear({s[0]}, {p['units']})",
    "Conv2d": lambda s, p: (f"nn.Conv2d({s[0]}, {p['filters']}, kernel_size={p['kernel']}, "
                            f"stride={p['stride']}, padding={p['padding']})"),
    "MaxPool2d": lambda s, p: f"nn.MaxPool2d(kernel_size={p['kernel']}, stride={p['stride']})",
    "AvgPool2d": lambda s, p: f"nn.AvgPool2d(kernel_size={p['kernel']}, stride={p['stride']})",
    "Flatten": lambda s, p: "nn.Flatten()",
    "Dropout": lambda s, p: f"nn.Dropout(p={p['p']!r})",
    "BatchNorm": lambda s, p: f"nn.BatchNorm1d({s[0]})" if len(s) == 1 else f"nn.BatchNorm2d({s[0]})",
    "RNN": _rnn("RNN"),
    "LSTM": _rnn("LSTM"),
    "GRU": _rnn("GRU"),
    "Activation": lambda s, p: "nn.Identity()",
}


def _shape(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)


def _describe(lay: LayerSpec) -> str:
    params = ", ".join(f"{k}={v}" for k, v in lay.params.items())
    text = f"{lay.type}({params})" if params else lay.type
    text += f" + {lay.activation}" if lay.activation != "none" else ""
    return text + ("" if lay.trainable else " (frozen)")


def network_lines(spec: NetworkSpec, input_shape: Shape, num_classes: int,
                  loss: str = "cross_entropy") -> tuple[list[str], list[str]]:
    """The ``Block(...)`` lines of the script's network and a one-line summary per layer.

    Raises:
        SpecError: the spec cannot be built for this input and number of classes.
    """
    result = analyse(spec, input_shape, num_classes, loss)
    if not result.ok:
        raise SpecError(f"the network cannot be exported: {result.errors[0].text}")
    code, summary = [], []
    shape = tuple(input_shape)
    for i, (lay, info) in enumerate(zip(spec.layers, result.layers, strict=True), start=1):
        out = info.output_shape
        layer_code = LAYER_CODE[lay.type](shape, dict(lay.params))
        act = ACTIVATION_CODE.get(lay.activation)
        code.append(f"            # {i}. {_shape(shape)} -> {_shape(out)}")
        line = f"            Block({layer_code}{', ' + act if act else ''}),"
        if len(line) > MAX_LINE:
            line = f"            Block(\n                {layer_code},\n" + (
                f"                {act},\n" if act else "") + "            ),"
        code.append(line)
        summary.append(f"{i:6}. {_describe(lay)} -> {_shape(out)}")
        shape = out
    return code, summary


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _names(names: tuple[str, ...]) -> str:
    """A tuple literal of the class names, one per line when they do not fit on one."""
    items = [_quoted(n) for n in names]
    one_line = "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if len(one_line) <= 60:
        return one_line
    return "(\n" + "".join(f"    {item},\n" for item in items) + ")"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "dataset"


def render_script(project: Project) -> str:
    """The whole script for ``project``: its network, training settings and normalisation."""
    cfg, spec = project.config, project.spec
    shape = tuple(project.input_shape)
    code, summary = network_lines(spec, shape, project.num_classes, cfg.loss)
    total = sum(info.params for info in analyse(spec, shape, project.num_classes, cfg.loss).layers)
    uses_rnn = any(lay.type in ("RNN", "LSTM", "GRU") for lay in spec.layers)
    frozen = tuple(i for i, lay in enumerate(spec.layers) if not lay.trainable)
    values = {
        "dataset": _slug(project.dataset_id),
        "layers": len(spec.layers),
        "params": f"{total:,}",
        "summary": "\n".join(summary),
        "optimizer": _quoted(cfg.optimizer),
        "learning_rate": repr(float(cfg.learning_rate)),
        "weight_decay": repr(float(cfg.weight_decay)),
        "batch_size": int(cfg.batch_size),
        "epochs": int(cfg.epochs),
        "loss": _quoted(cfg.loss),
        "init": _quoted(cfg.init),
        "seed": repr(cfg.seed),
        "schedule": _quoted(cfg.schedule),
        "augment": repr(bool(cfg.augment)),
        "frozen": repr(frozen),
        "mean": repr(float(project.mean)),
        "std": repr(float(project.std)),
        "input_shape": repr(shape),
        "num_classes": int(project.num_classes),
        "class_names": _names(tuple(str(n) for n in project.class_names)),
        "blocks": "\n".join(code),
        "sequence_over_rows": SEQUENCE_OVER_ROWS if uses_rnn else "",
    }
    return Template(HEAD + BODY).substitute(values)
