"""The standalone training script's text: fixed code in a template, the network and settings filled in."""

from __future__ import annotations

import json
import re
from string import Template
from typing import TYPE_CHECKING

from playground.core.activations import ACTIVATIONS
from playground.core.analysis import analyse
from playground.core.choices import INITS, LOSSES, OPTIMIZERS, SCHEDULES
from playground.core.layers import LAYER_TYPES, Shape
from playground.core.script_code import BODY, HEAD, HELPERS, IMAGE_USAGE, SEQUENCE_CODE, SEQUENCE_USAGE
from playground.core.spec import LayerSpec, NetworkSpec
from playground.data.registry import check, dataset_info
from playground.data.seq_source import PREFIX as SEQ_PREFIX
from playground.errors import DatasetError, PlaygroundError, SpecError

if TYPE_CHECKING:
    from playground.core.project import Project

MAX_LINE = 88  # the generated script stays within ruff's default line length


def _shape(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)


def _describe(lay: LayerSpec) -> str:
    params = ", ".join(f"{k}={v}" for k, v in lay.params.items())
    text = f"{lay.type}({params})" if params else lay.type
    text += f" + {lay.activation}" if lay.activation != "none" else ""
    return text + ("" if lay.trainable else " (frozen)")


def network_lines(spec: NetworkSpec, input_shape: Shape, outputs: int,
                  loss: str = "cross_entropy") -> tuple[list[str], list[str]]:
    """The ``Block(...)`` lines of the script's network and a one-line summary per layer.

    Raises:
        SpecError: the spec cannot be built for this input and number of outputs.
    """
    result = analyse(spec, input_shape, outputs, loss)
    if not result.ok:
        raise SpecError(f"the network cannot be exported: {result.errors[0].text}")
    code, summary = [], []
    shape = tuple(input_shape)
    for i, (lay, info) in enumerate(zip(spec.layers, result.layers, strict=True), start=1):
        out = info.output_shape
        if out is None:
            raise SpecError(f"the network cannot be exported: layer {i}'s output shape is unknown")
        layer_code = LAYER_TYPES[lay.type].code(shape, dict(lay.params))
        act = ACTIVATIONS[lay.activation].code
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


def _plain(text: str) -> str:
    """``text`` safe inside the script's docstring: no quotes, backslashes or control characters."""
    return re.sub(r'[\\"\x00-\x1f$]+', "-", text).strip("-") or "a dataset"


def _entries(rows: dict[str, str]) -> str:
    """The lines of a dict literal from names to source code, wrapped to stay within MAX_LINE."""
    lines = []
    for name, code in rows.items():
        line = f"    {_quoted(name)}: {code},"
        if "\n" in code or len(line) > MAX_LINE:
            inner = "\n".join(f"        {part}" for part in code.splitlines())
            line = f"    {_quoted(name)}: (\n{inner}\n    ),"
        lines.append(line)
    return "\n".join(lines)


def _dataset_name(project: Project) -> str:
    """The dataset's name from the registry (its id when this app has no source of that id)."""
    try:
        return dataset_info(project.facts.dataset).name
    except DatasetError:
        return project.facts.dataset.key


def _sequence_task(project: Project) -> dict | None:
    """The options of a ``seq:`` dataset, every one of them, with its task name; None for others."""
    ref = project.facts.dataset
    if not ref.id.startswith(SEQ_PREFIX):
        return None
    try:
        ref = check(ref)
    except DatasetError as exc:
        raise PlaygroundError(f"the script cannot make {ref.key}: {exc.message}") from None
    return {"task": ref.id[len(SEQ_PREFIX):], **ref.values()}


def _task_literal(task: dict | None) -> str:
    """TASK's Python text, one entry a line."""
    if task is None:
        return "None"
    return "{\n" + "".join(f"    {key!r}: {value!r},\n" for key, value in task.items()) + "}"


def render_script(project: Project) -> str:
    """The whole script for ``project``: its network, training settings and normalisation.

    Raises:
        PlaygroundError: the project's data are not images (the script reads IDX image files).
        SpecError: the network cannot be built for its data.
    """
    cfg, spec, facts = project.config, project.spec, project.facts
    task = _sequence_task(project)
    if task is None and (len(facts.input_shape) != 3 or not facts.class_names):
        raise PlaygroundError(f"the training script reads MNIST-style image files or makes a sequence "
                              f"task, and {_dataset_name(project)} is neither",
                              "export the network as TorchScript or ONNX")
    regression = task is not None and task["task"] != "recall"
    shape = tuple(facts.input_shape)
    code, summary = network_lines(spec, shape, facts.outputs, cfg.loss)
    total = sum(info.params for info in analyse(spec, shape, facts.outputs, cfg.loss).layers)
    rows = [LAYER_TYPES[lay.type] for lay in spec.layers]
    helpers = sorted({row.script_helper for row in rows if row.script_helper})
    frozen = tuple(i for i, lay in enumerate(spec.layers) if not lay.trainable)
    values = {
        "dataset": _plain(_dataset_name(project)),
        "layers": len(spec.layers),
        "params": f"{total:,}",
        "summary": "\n".join(summary),
        "optimizer": _quoted(cfg.optimizer),
        "learning_rate": repr(float(cfg.learning_rate)),
        "weight_decay": repr(float(cfg.weight_decay)),
        "clip_norm": repr(float(cfg.clip_norm)),
        "batch_size": int(cfg.batch_size),
        "epochs": int(cfg.epochs),
        "loss": _quoted(cfg.loss),
        "init": _quoted(cfg.init),
        "seed": repr(cfg.seed),
        "schedule": _quoted(cfg.schedule),
        "augment": repr(bool(cfg.augment)),
        "frozen": repr(frozen),
        "weighted": repr(tuple(i for i, row in enumerate(rows) if row.weighted)),
        "mean": repr(tuple(float(m) for m in facts.mean)),
        "std": repr(tuple(float(s) for s in facts.std)),
        "input_shape": repr(shape),
        "num_classes": int(facts.num_classes),
        "class_names": _names(tuple(str(n) for n in facts.class_names)),
        "optimizers": _entries({name: row.code for name, row in OPTIMIZERS.items()}),
        "losses": _entries({name: row.code for name, row in LOSSES.items()}),
        "schedules": _entries({name: row.code for name, row in SCHEDULES.items()}),
        "inits": _entries({name: row.code for name, row in INITS.items()}),
        "blocks": "\n".join(code),
        "helpers": "".join(HELPERS[name] for name in helpers),
        "task": _task_literal(task),
        "regression": repr(regression),
        "task_code": "" if task is None else SEQUENCE_CODE,
        "load_data": ('    train_set = load_split(args.data, ("train",))\n'
                      '    test_set = load_split(args.data, ("t10k", "test"))') if task is None
        else "    train_set, test_set = make_task()",
        "usage": IMAGE_USAGE if task is None else Template(SEQUENCE_USAGE).substitute(
            task_id=task["task"], score="test RMSE" if regression else "test accuracy"),
    }
    return Template(HEAD + BODY).substitute(values)
