"""The lab notebook: what changed from one run to the next, each run's result in one line, and the whole
notebook as Markdown or HTML. It reads the runs as a project keeps them (``core.runs.run_dict``)."""

from __future__ import annotations

import difflib
import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from playground.core.overfitting import turn_of
from playground.core.runs import spec_summary
from playground.core.spec import NetworkSpec
from playground.errors import PlaygroundError

NOTE_LIMIT = 10_000  # characters of a run's note kept (a project is not a place for a novel)
# How each setting is named in a change ("lr 0.001 -> 0.01"), in the order changes are listed.
SETTING_NAMES = {"optimizer": "optimizer", "learning_rate": "lr", "batch_size": "batch", "epochs": "epochs",
                 "loss": "loss", "init": "init", "weight_decay": "weight decay", "augment": "augmentation",
                 "seed": "seed", "schedule": "schedule", "device": "device",
                 "validation_fraction": "validation", "early_stop": "early stopping",
                 "restore_best": "restore best"}


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None:
        return "random" if key == "seed" else "-"
    if key == "early_stop" and value == 0:
        return "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def setting_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """"lr 0.001 -> 0.01" for each setting that differs (a setting one side lacks counts as its
    default: early stopping was added after older runs were saved)."""
    defaults = {"early_stop": 0, "restore_best": True}
    changes = []
    keys = [*SETTING_NAMES, *sorted((set(before) | set(after)) - set(SETTING_NAMES))]
    for key in keys:
        old, new = before.get(key, defaults.get(key)), after.get(key, defaults.get(key))
        if old != new:
            changes.append(f"{SETTING_NAMES.get(key, key)} {_value(key, old)} -> {_value(key, new)}")
    return changes


def _layers(spec_json: str) -> list[str]:
    """Each layer of a spec as one summary ("Linear(128) relu"); [] for a spec that cannot be read."""
    try:
        spec = NetworkSpec.from_json(spec_json)
    except PlaygroundError:
        return []
    return [spec_summary(NetworkSpec((lay,))) + ("" if lay.trainable else " frozen") for lay in spec.layers]


def network_changes(before_json: str, after_json: str) -> list[str]:
    """What changed between two networks, layer by layer: "Dropout(0.5) added after layer 2", "layer 3
    removed: Linear(64) relu", "layer 2: Linear(128) relu -> Linear(256) relu" (layers numbered from 1,
    as the editor numbers them, in the earlier network)."""
    old, new = _layers(before_json), _layers(after_json)
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            changes += [f"layer {i + 1}: {old[i]} -> {new[j]}" for i, j in zip(range(i1, i2), range(j1, j2),
                                                                              strict=True)]
            continue
        if tag in ("delete", "replace"):
            changes += [f"layer {i + 1} removed: {old[i]}" for i in range(i1, i2)]
        if tag in ("insert", "replace"):
            where = f"after layer {i1}" if i1 else "at the start"
            changes += [f"{new[j]} added {where}" for j in range(j1, j2)]
    return changes


def changes(previous: Mapping[str, Any] | None, run: Mapping[str, Any]) -> list[str]:
    """Every change from ``previous`` to ``run`` (run dicts): dataset, network, settings."""
    if previous is None:
        return []
    out = []
    if previous.get("dataset_id") != run.get("dataset_id"):
        out.append(f"dataset {previous.get('dataset_id')} -> {run.get('dataset_id')}")
    out += network_changes(str(previous.get("spec_json", "")), str(run.get("spec_json", "")))
    out += setting_changes(previous.get("config", {}), run.get("config", {}))
    return out


def _numbers(values: Any) -> list[float]:
    return [math.nan if v is None else float(v) for v in (values or [])]


def result_line(run: Mapping[str, Any]) -> str:
    """A run's result in one line: "test acc 0.912 at epoch 7, overfitting from epoch 9"; with early
    stopping the restored epoch, and how it ended when it did not finish."""
    curves = run.get("curves", {})
    epochs = [int(e) for e in _numbers(curves.get("epoch_x"))]
    accuracy = run.get("final_test_accuracy")
    state = str(run.get("state", ""))
    restored = run.get("stopped_early") and run.get("config", {}).get("restore_best", True)
    kept = run.get("best_epoch") if restored else (epochs[-1] if epochs else None)
    parts = []
    if accuracy is not None and math.isfinite(accuracy):
        parts.append(f"test acc {accuracy:.3f}" + (f" at epoch {kept}" if kept else ""))
    elif epochs:
        test = _numbers(curves.get("test_loss"))
        parts.append(f"test loss {test[-1]:.4f} at epoch {kept}" if test else f"{len(epochs)} epochs")
    else:
        parts.append("no epoch finished")
    if run.get("stopped_early"):
        parts.append(f"stopped early after epoch {epochs[-1] if epochs else '?'}")
    train, test, val = (_numbers(curves.get(name)) for name in ("train_loss", "test_loss", "val_loss"))
    validation = len(val) == len(epochs) and any(math.isfinite(v) for v in val)
    held = val if validation else test
    if epochs and len(train) == len(epochs) == len(held):
        turn = turn_of(epochs, train, held, "validation" if validation else "test")
        if turn is not None:
            parts.append(f"overfitting from epoch {turn.epoch}")
    if state and state != "finished":
        parts.append(state)
    return ", ".join(parts)


def note_of(run: Mapping[str, Any]) -> str:
    """The note a user typed for a run ("" without one), capped at NOTE_LIMIT characters."""
    note = run.get("note", "")
    return note[:NOTE_LIMIT] if isinstance(note, str) else ""


def _settings_line(config: Mapping[str, Any]) -> str:
    return ", ".join(f"{SETTING_NAMES[key]} {_value(key, config[key])}" for key in SETTING_NAMES
                     if key in config)


def _md(text: str) -> str:
    """``text`` safe in a Markdown table cell or line: no pipes, no line breaks, no HTML tags ("->" stays)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def changed_text(previous: Mapping[str, Any] | None, run: Mapping[str, Any]) -> str:
    """The changes as one line: "lr 0.001 -> 0.01; Dropout(0.5) added after layer 2", "first run" or
    "nothing"."""
    return "; ".join(changes(previous, run)) or ("first run" if previous is None else "nothing")


def to_markdown(runs: Sequence[Mapping[str, Any]], title: str,
                images: Mapping[int, str] | None = None) -> str:
    """The notebook as Markdown: a table of every run (changes, result, note), then a section per run
    with its dataset, network, settings and, where ``images`` names one, its plot."""
    images = images or {}
    lines = [f"# {_md(title)}", "", f"{len(runs)} run(s).", "",
             "| Run | What changed | Result | Note |", "| --- | --- | --- | --- |"]
    changed = [changed_text(runs[i - 1] if i else None, run) for i, run in enumerate(runs)]
    for run, what in zip(runs, changed, strict=True):
        lines.append(f"| {run.get('number')} | {_md(what)} | {_md(result_line(run))} | {_md(note_of(run))} |")
    for run, what in zip(runs, changed, strict=True):
        number = run.get("number")
        lines += ["", f"## Run {number}", "",
                  f"- Result: {_md(result_line(run))}",
                  f"- Changes: {_md(what)}",
                  f"- Dataset: {_md(str(run.get('dataset_id', '')))}",
                  f"- Network: {_md(str(run.get('network', '')))}",
                  f"- Settings: {_md(_settings_line(run.get('config', {})))}",
                  f"- Time: {float(run.get('seconds', 0.0)):.1f} s, "
                  f"{float(run.get('samples_per_second', 0.0)):,.0f} samples/s"]
        if note_of(run):
            lines += ["", *(f"> {_md(line)}" for line in note_of(run).splitlines())]
        if isinstance(number, int) and number in images:
            lines += ["", f"![Run {number}: loss and test accuracy]({images[number]})"]
    return "\n".join(lines) + "\n"


def to_html(runs: Sequence[Mapping[str, Any]], title: str, images: Mapping[int, str] | None = None) -> str:
    """The notebook as one HTML page: the same table and sections as :func:`to_markdown`."""
    images = images or {}
    e = html.escape
    rows, sections = [], []
    for i, run in enumerate(runs):
        number = run.get("number")
        changed = changed_text(runs[i - 1] if i else None, run)
        rows.append(f"<tr><td>{e(str(number))}</td><td>{e(changed)}</td><td>{e(result_line(run))}</td>"
                    f"<td>{e(note_of(run))}</td></tr>")
        picture = (f'<p><img src="{e(images[number])}" alt="Run {e(str(number))}: loss and test '
                   'accuracy"></p>' if isinstance(number, int) and number in images else "")
        note = f"<blockquote>{e(note_of(run))}</blockquote>" if note_of(run) else ""
        sections.append(
            f"<h2>Run {e(str(number))}</h2><ul><li>Result: {e(result_line(run))}</li>"
            f"<li>Changes: {e(changed)}</li><li>Dataset: {e(str(run.get('dataset_id', '')))}</li>"
            f"<li>Network: {e(str(run.get('network', '')))}</li>"
            f"<li>Settings: {e(_settings_line(run.get('config', {})))}</li></ul>{note}{picture}")
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
            "table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}"
            "img{max-width:100%}</style></head><body>"
            f"<h1>{e(title)}</h1><p>{len(runs)} run(s).</p><table><tr><th>Run</th><th>What changed</th>"
            f"<th>Result</th><th>Note</th></tr>{''.join(rows)}</table>{''.join(sections)}</body></html>\n")
