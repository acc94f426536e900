"""Project files (.nnproj: a zip of JSON and safetensors) and trained-model files; atomic, checked on load."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeGuard

import torch
from safetensors.torch import save as save_safetensors

from playground import __version__
from playground.atomic import save_file
from playground.core.archive import (
    check_safetensors_header,
    check_zip_entries,
    header_of,
    mismatch,
    non_finite,
    read_safetensors,
    read_safetensors_entry,
)
from playground.core.builder import PlaygroundNet, build_model
from playground.core.factcheck import check_class_names, check_input_shape, check_norm
from playground.core.resume import ResumeState
from playground.core.spec import NetworkSpec
from playground.core.training import TrainConfig
from playground.data.dataset import CLASSIFICATION, TASKS, DataFacts, DataRef, channel_stats
from playground.errors import DatasetError, PlaygroundError, SpecError
from playground.safe_read import clip, open_regular, parse_json, read_capped, reason, short

MAX_MODEL_BYTES = 512 * 1024 * 1024
PROJECT_SUFFIX = ".nnproj"
PROJECT_SCHEMA = 2
"""2: data.json names the dataset by reference (id and options) and holds per-channel statistics."""
PROJECT_FORMAT = "nn-playground-project"
MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_DATASET_ID = 4096 + 4
"""idx: and the longest path a system allows."""
MAX_ELEMENTS = MAX_MODEL_BYTES // 4
CAPS = {"manifest.json": 64 * 1024, "spec.json": 4 * 1024 * 1024, "config.json": 64 * 1024,
        "data.json": 4 * 1024 * 1024, "history.json": MAX_JSON_BYTES, "resume.json": MAX_JSON_BYTES,
        "weights.safetensors": MAX_MODEL_BYTES + MAX_JSON_BYTES,
        "optimizer.safetensors": 2 * MAX_MODEL_BYTES + MAX_JSON_BYTES}
REQUIRED = ("manifest.json", "spec.json", "config.json", "data.json", "history.json")
DAMAGED_HINT = "the file is damaged or was not written by this app; open a backup or another project"
MODEL_HINT = "give a model saved by this app (train --save), or a project (.nnproj)"

__all__ = ["PROJECT_SCHEMA", "PROJECT_SUFFIX", "DataFacts", "Project", "ResumeState", "load_model",
           "load_project", "model_config", "save_model", "save_project"]


@dataclass(frozen=True, eq=False)
class Project:
    """Everything a project file holds: the network, its training settings, data facts, runs, weights."""

    spec: NetworkSpec
    config: TrainConfig
    facts: DataFacts
    history: tuple[dict, ...] = ()
    weights: dict[str, torch.Tensor] | None = None
    resume: ResumeState | None = None

    def build(self) -> PlaygroundNet:
        """The model for ``spec`` with ``weights`` loaded (freshly initialised when there are none)."""
        facts = self.facts
        model = build_model(self.spec, facts.input_shape, facts.outputs, self.config.init, self.config.loss)
        if self.weights is not None:
            model.load_state_dict(self.weights)
        return model


def facts_to_json(facts: DataFacts) -> dict[str, Any]:
    """data.json's content: the dataset reference, one sample's shape, the outputs, the statistics."""
    return {"dataset": facts.dataset.to_dict(), "input_shape": list(facts.input_shape), "task": facts.task,
            "class_names": list(facts.class_names), "target_names": list(facts.target_names),
            "mean": list(facts.mean), "std": list(facts.std)}


def save_project(path: str | Path, project: Project, *, replace_read_only: bool = False) -> None:
    """Write ``project`` to ``path`` atomically: the old file stays whole if anything fails. A read-only
    file is refused unless ``replace_read_only``."""
    path = Path(path)
    where = str(path)
    facts = facts_from_json(facts_to_json(project.facts), where)
    model = build_model(project.spec, facts.input_shape, facts.outputs, project.config.init,
                        project.config.loss)
    entries: dict[str, bytes] = {}
    try:
        entries["spec.json"] = project.spec.to_json().encode()
        entries["config.json"] = json.dumps(project.config.to_dict(), indent=2, allow_nan=False).encode()
        entries["data.json"] = json.dumps(facts_to_json(facts), indent=2, allow_nan=False).encode()
        entries["history.json"] = json.dumps(list(project.history), allow_nan=False).encode()
        if project.weights is not None:
            weights = {k: v.detach().to("cpu").contiguous() for k, v in project.weights.items()}
            _check_weights(weights, model, where)
            entries["weights.safetensors"] = save_safetensors(weights)
        if project.resume is not None:
            if project.weights is None:
                raise PlaygroundError(f"cannot save {path}: a run to continue needs its weights")
            tensors, meta = project.resume.to_tensors_and_json()
            entries["optimizer.safetensors"] = save_safetensors(tensors)
            entries["resume.json"] = json.dumps(meta, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise PlaygroundError(f"cannot save {path}: {exc}") from None
    manifest = {"format": PROJECT_FORMAT, "schema_version": PROJECT_SCHEMA, "app_version": __version__,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "entries": ["manifest.json", *entries]}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=2), zipfile.ZIP_DEFLATED)
        for name, data in entries.items():
            zf.writestr(name, data, zipfile.ZIP_STORED if name.endswith(".safetensors")
                        else zipfile.ZIP_DEFLATED)
    save_file(path, buffer.getvalue(), "choose another folder or free some disk space",
              replace_read_only=replace_read_only)


def load_project(path: str | Path) -> Project:
    """Read and check a project file; every problem is a PlaygroundError naming the file."""
    path = Path(path)
    where = str(path)
    try:
        with open_regular(path, sum(CAPS.values()), PlaygroundError, "a project file") as stream, \
                zipfile.ZipFile(stream) as zf:
            infos = check_zip_entries(zf, where, lambda name: CAPS.get(name, MAX_JSON_BYTES),
                                      sum(CAPS.values()))
            names = {info.filename for info in infos}
            if "manifest.json" not in names:
                raise PlaygroundError(f"{where}: the entry manifest.json is missing", DAMAGED_HINT)
            _check_manifest(_json(zf, "manifest.json", where), names, where)
            raw = {name: zf.read(name) for name in sorted(names) if not name.endswith(".safetensors")}

            def tensors(name: str, limit: int, expected: dict | None = None) -> dict[str, torch.Tensor]:
                try:
                    return read_safetensors_entry(zf, name, f"{where} ({name})", limit, expected)
                except PlaygroundError as exc:
                    raise PlaygroundError(exc.message, exc.hint or DAMAGED_HINT) from None

            return _project(raw, names, tensors, where)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, RuntimeError,
            NotImplementedError) as exc:
        raise PlaygroundError(f"{where} is damaged or not a project file ({reason(exc)})",
                              DAMAGED_HINT) from None
    except OSError as exc:
        raise PlaygroundError(f"cannot read {where}: {exc.strerror or exc}",
                              "check that the file exists and that you may read it") from None


def _json(zf: zipfile.ZipFile | dict[str, bytes], name: str, where: str) -> Any:
    data = zf.read(name) if isinstance(zf, zipfile.ZipFile) else zf[name]
    return parse_json(data, f"{where}: {name}", PlaygroundError, DAMAGED_HINT)


def _check_manifest(manifest: Any, names: set[str], where: str) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != PROJECT_FORMAT:
        raise PlaygroundError(f"{where} is not a project of this app (no '{PROJECT_FORMAT}' manifest)",
                              DAMAGED_HINT)
    version = manifest.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PlaygroundError(f"{where}: bad schema version {short(version)}", DAMAGED_HINT)
    if version > PROJECT_SCHEMA:
        raise PlaygroundError(f"{where} was made by a newer version of the app (project schema "
                              f"{short(version)}; this version reads up to {PROJECT_SCHEMA})",
                              "update the Neural Network Playground to open it")
    for name in REQUIRED:
        if name not in names:
            raise PlaygroundError(f"{where}: the entry {name} is missing", DAMAGED_HINT)
    listed = manifest.get("entries")
    if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
        raise PlaygroundError(f"{where}: the manifest has no list of entries", DAMAGED_HINT)
    missing, unknown = sorted(set(listed) - names), sorted(names - set(listed) - {"manifest.json"})
    if missing:
        raise PlaygroundError(f"{where}: the entry {clip(missing[0])} is missing", DAMAGED_HINT)
    if unknown or any(n not in CAPS for n in listed):
        odd = (unknown or sorted(set(listed) - set(CAPS)))[0]
        raise PlaygroundError(f"{where}: unexpected entry {clip(odd)}", DAMAGED_HINT)


def _names(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list | tuple) and all(isinstance(n, str) for n in value)


def _numbers(value: Any) -> TypeGuard[list[float]]:
    return isinstance(value, list | tuple) and len(value) <= 4096 and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value)


def facts_from_json(data: Any, where: str, hint: str = DAMAGED_HINT) -> DataFacts:
    """The facts of data.json (or a model file's header), checked: the dataset, one sample's shape, the
    outputs and the statistics.

    Files of project schema 1 and older model files (a plain "dataset_id" or "dataset", one mean and
    std, "num_classes") read as well.
    """
    what = f"{where}: data.json"

    def bad(problem: str) -> PlaygroundError:
        return PlaygroundError(f"{what}: {problem}", hint)

    if not isinstance(data, dict):
        raise bad("not a JSON object")
    old = not isinstance(data.get("dataset"), dict)
    named = data.get("dataset_id", data.get("dataset"))
    if old and not (isinstance(named, str) and 0 < len(named) <= MAX_DATASET_ID):
        raise bad(f"bad dataset id {short(named)}")
    try:
        ref = DataRef(str(named)) if old else DataRef.from_dict(data["dataset"])
    except DatasetError as exc:
        raise bad(exc.message) from None
    shape = check_input_shape(data.get("input_shape"), what, hint)
    names, targets = data.get("class_names"), data.get("target_names", [])
    task = data.get("task", CLASSIFICATION)
    if task not in TASKS:
        raise bad(f"unknown task {short(task)}")
    if not _names(names) or not _names(targets):
        raise bad("the class names or target names are not lists of names")
    if old and (isinstance(data.get("num_classes"), bool) or data.get("num_classes") != len(names)):
        raise bad("the class names do not match the number of classes")
    check_class_names(names, len(names), what, hint)
    check_class_names(targets, len(targets), what, hint)
    outputs = len(names) if task == CLASSIFICATION else len(targets)
    if not 1 <= outputs <= 100_000:
        raise bad(f"bad number of outputs {outputs}")
    mean, std = data.get("mean"), data.get("std")
    if old and not isinstance(mean, list | tuple) and not isinstance(std, list | tuple):
        mean, std = [mean], [std]
    if not (_numbers(mean) and _numbers(std)):
        raise bad(f"the normalisation mean {short(mean)} or std {short(std)} is not a list of numbers")
    image = len(shape) == 3
    if len(mean) != len(std) or len(mean) != (shape[0] if image else 0):
        raise bad("the statistics do not fit the input shape (one per image channel, none for features)")
    for m, s in zip(mean, std, strict=True):
        check_norm(m, s, what, hint)
    return DataFacts(ref, tuple(shape), tuple(names), channel_stats(mean), channel_stats(std), task,
                     tuple(targets))


def _config(data: Any, where: str) -> TrainConfig:
    """A TrainConfig from config.json, with the type of every field checked first."""
    if not isinstance(data, dict):
        raise PlaygroundError(f"{where}: config.json is not a JSON object", DAMAGED_HINT)
    unknown = sorted(set(data) - {f.name for f in fields(TrainConfig)})
    if unknown:
        raise PlaygroundError(f"{where}: config.json: unknown training setting {short(unknown[0])}",
                              DAMAGED_HINT)
    for f in fields(TrainConfig):
        if f.name not in data:
            continue
        value, default = data[f.name], f.default
        ok = (value is None and f.name == "seed") or (
            isinstance(value, bool) if isinstance(default, bool) else
            isinstance(value, str) if isinstance(default, str) else
            isinstance(value, int) and not isinstance(value, bool) if isinstance(default, int) else
            isinstance(value, int | float) and not isinstance(value, bool))
        if not ok or (isinstance(value, str) and len(value) > 40):
            raise PlaygroundError(f"{where}: config.json: bad {f.name} {short(value)}", DAMAGED_HINT)
    try:
        return TrainConfig.from_dict(data)
    except PlaygroundError as exc:
        raise PlaygroundError(f"{where}: config.json: {exc.message}", exc.hint or DAMAGED_HINT) from None


def _check_weights(weights: dict[str, torch.Tensor], model: PlaygroundNet, where: str) -> None:
    """Exact key set, shapes and dtypes of ``model``; only finite values."""
    problem = mismatch(header_of(weights), model.state_dict())
    if problem:
        raise PlaygroundError(f"{where}: {problem}", DAMAGED_HINT)
    bad = non_finite(weights)
    if bad:
        raise PlaygroundError(f"{where}: the weights contain NaN or infinite values ({bad[0]})",
                              "the run diverged before saving; open an earlier save or train anew")


def _project(raw: dict[str, bytes], names: set[str], tensors: Callable[..., dict[str, torch.Tensor]],
             where: str) -> Project:
    """Build a Project from the JSON entries' bytes and ``tensors`` (a reader of the safetensors entries,
    which checks each header against the network before its payload is read)."""
    try:
        spec = NetworkSpec.from_json(raw["spec.json"])
    except PlaygroundError as exc:
        raise PlaygroundError(f"{where}: spec.json: {exc.message}", exc.hint or DAMAGED_HINT) from None
    config = _config(_json(raw, "config.json", where), where)
    facts = facts_from_json(_json(raw, "data.json", where), where)
    history = _json(raw, "history.json", where)
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise PlaygroundError(f"{where}: history.json is not a list of run records", DAMAGED_HINT)
    try:
        model = build_model(spec, facts.input_shape, facts.outputs, config.init, config.loss)
    except PlaygroundError as exc:
        raise PlaygroundError(f"{where}: the network does not fit its data: {exc.message}",
                              exc.hint or DAMAGED_HINT) from None
    for needs, needed in (("resume.json", "optimizer.safetensors"), ("optimizer.safetensors", "resume.json"),
                          ("resume.json", "weights.safetensors")):
        if needs in names and needed not in names:
            raise PlaygroundError(f"{where}: the entry {needed} is missing", DAMAGED_HINT)
    weights = None
    if "weights.safetensors" in names:
        weights = tensors("weights.safetensors", MAX_ELEMENTS, model.state_dict())
        _check_weights(weights, model, where)
    resume = None
    if "resume.json" in names:
        meta = _json(raw, "resume.json", where)
        state = tensors("optimizer.safetensors", 2 * MAX_ELEMENTS + 2**20)
        try:
            resume = ResumeState.from_tensors_and_json(state, meta)
        except PlaygroundError as exc:
            raise PlaygroundError(f"{where}: {exc.message}", exc.hint) from None
    return Project(spec, config, facts, tuple(history), weights, resume)


def save_model(path: str | Path, spec: NetworkSpec, model: PlaygroundNet, facts: DataFacts,
               extra: dict[str, Any] | None = None) -> None:
    """Save weights and, in the header, the spec, the data ``facts`` and ``extra`` notes (the config...)."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    try:
        header = {"spec": spec.to_json(),
                  "facts": json.dumps({**(extra or {}), **facts_to_json(facts)}, allow_nan=False)}
    except (TypeError, ValueError) as exc:  # what this app could not read back is not written
        raise PlaygroundError(f"cannot save {path}: {exc}") from None
    save_file(path, save_safetensors(tensors, metadata=header), "choose another folder or file name")


def model_config(path: str | Path) -> TrainConfig:
    """The training settings a model file was saved with (``save_model``'s "config" note), or the defaults
    when it has none or they cannot be read."""
    try:
        data = read_capped(Path(path), MAX_MODEL_BYTES + MAX_JSON_BYTES, PlaygroundError, "a model file")
        meta = check_safetensors_header(data, str(path), MAX_ELEMENTS).metadata
        return _config(parse_json(meta["facts"], f"{path}: facts").get("config"), str(path))
    except (PlaygroundError, KeyError, TypeError, AttributeError):
        return TrainConfig()


def load_model(path: str | Path) -> tuple[NetworkSpec, PlaygroundNet, DataFacts]:
    """Read a file written by ``save_model``; every problem is a PlaygroundError naming the file."""
    path = Path(path)
    where = str(path)
    data = read_capped(path, MAX_MODEL_BYTES + MAX_JSON_BYTES, PlaygroundError, "a model file")
    meta = check_safetensors_header(data, where, MAX_ELEMENTS).metadata
    if not (isinstance(meta.get("spec"), str) and isinstance(meta.get("facts"), str)):
        raise PlaygroundError(f"{path} is not a model file of this app (no network in its header)",
                              MODEL_HINT)
    try:
        spec = NetworkSpec.from_json(meta["spec"])
    except SpecError as exc:
        raise PlaygroundError(f"{path}: the network in the file: {exc.message}", MODEL_HINT) from None
    facts = facts_from_json(parse_json(meta["facts"], f"{where}: facts"), where, MODEL_HINT)
    try:
        model = build_model(spec, facts.input_shape, facts.outputs)
    except SpecError as exc:
        raise PlaygroundError(f"{path}: the network does not fit its data: {exc.message}",
                              MODEL_HINT) from None
    try:
        tensors = read_safetensors(data, where, MAX_ELEMENTS, model.state_dict())
    except PlaygroundError as exc:
        raise PlaygroundError(f"{exc.message} (in the file)", MODEL_HINT) from None
    if non_finite(tensors):
        raise PlaygroundError(f"{path}: the weights contain NaN or infinite values")
    model.load_state_dict(tensors)
    return spec, model, facts
