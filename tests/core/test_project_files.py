"""Project files (.nnproj): round trip, atomic saves, and one clear error per kind of bad file."""

import dataclasses
import io
import json
import os
import zipfile

import pytest
import torch
from safetensors.torch import save as save_safetensors

from playground.core.metrics import BatchRecord
from playground.core.presets import preset
from playground.core.project import (
    PROJECT_SCHEMA,
    PROJECT_SUFFIX,
    DataFacts,
    Project,
    load_project,
    save_project,
)
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig, Trainer
from playground.data.dataset import DataRef
from playground.errors import PlaygroundError

SPEC = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=16), layer("Linear", units=10)))
DIGITS = tuple("0123456789")
FACTS = DataFacts(DataRef("mnist-sample"), (1, 28, 28), DIGITS, (0.1307,), (0.3081,))
OLD_DATA = {"dataset_id": "mnist-sample", "input_shape": [1, 28, 28], "num_classes": 10,
            "class_names": list(DIGITS), "mean": 0.1307, "std": 0.3081}
"""data.json as project schema 1 wrote it."""


def _project(**changes) -> Project:
    history = ({"run": 1, "losses": [2.3, 1.1]},)
    base = Project(SPEC, TrainConfig(epochs=3, batch_size=32, seed=5), FACTS, history)
    project = dataclasses.replace(base, **changes)
    if "weights" not in changes:
        project = dataclasses.replace(project, weights=project.build().state_dict())
    return project


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / f"p{PROJECT_SUFFIX}"
    save_project(path, _project())
    return path


def _entries(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _rewrite(path, **changes) -> None:
    """Rewrite the project with entries changed (bytes), added, or removed (None); '__' in a name is '/'."""
    entries = _entries(path)
    for name, data in changes.items():
        name = name.replace("__", "/") if "__" in name else name.replace("_json", ".json").replace(
            "_safetensors", ".safetensors")
        entries.pop(name, None) if data is None else entries.__setitem__(name, data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def _manifest(path, **changes) -> bytes:
    manifest = json.loads(_entries(path)["manifest.json"])
    manifest.update(changes)
    return json.dumps(manifest).encode()


def _fails(path, *fragments: str) -> PlaygroundError:
    with pytest.raises(PlaygroundError) as info:
        load_project(path)
    assert str(path) in info.value.message and info.value.hint
    for fragment in fragments:
        assert fragment in info.value.message
    return info.value


def test_round_trip_keeps_everything_and_predicts_identically(tmp_path, tiny_dataset):
    config = TrainConfig(optimizer="adamw", epochs=2, batch_size=32, seed=9, augment=True, schedule="cosine")
    trainer = Trainer(SPEC, tiny_dataset, config)
    for record in trainer.run():
        if isinstance(record, BatchRecord) and record.step == 3:
            trainer.stop()
    resume = trainer.resume_state()
    project = _project(config=config, weights=trainer.model.state_dict(), resume=resume)
    save_project(tmp_path / "a.nnproj", project)
    back = load_project(tmp_path / "a.nnproj")
    assert back.spec == project.spec and back.config == config and back.history == project.history
    assert back.facts == FACTS
    x = torch.randn(5, 1, 28, 28)
    assert torch.equal(trainer.model.eval()(x), back.build().eval()(x))
    r = back.resume
    assert (r.epoch, r.batch, r.step, r.base_lr, r.first_loss, r.epoch_totals, r.optimizer) == (
        resume.epoch, resume.batch, 3, resume.base_lr, resume.first_loss, resume.epoch_totals, "adamw")
    assert torch.equal(r.rng_state, resume.rng_state) and torch.equal(r.shuffle_state, resume.shuffle_state)
    assert all(torch.equal(a, b) for a, b in zip(r.optimizer_state["state"][1].values(),
                                                 resume.optimizer_state["state"][1].values(), strict=True))
    assert set(_entries(tmp_path / "a.nnproj")) == {"manifest.json", "spec.json", "config.json", "data.json",
                                                    "history.json", "weights.safetensors",
                                                    "optimizer.safetensors", "resume.json"}


def test_a_project_without_weights_builds_a_fresh_model(tmp_path):
    save_project(tmp_path / "new.nnproj", _project(weights=None, history=()))
    back = load_project(tmp_path / "new.nnproj")
    assert back.weights is None and back.resume is None and back.history == ()
    assert back.build()(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
    manifest = json.loads(_entries(tmp_path / "new.nnproj")["manifest.json"])
    assert manifest["format"] == "nn-playground-project" and manifest["schema_version"] == PROJECT_SCHEMA
    assert manifest["entries"] == ["manifest.json", "spec.json", "config.json", "data.json", "history.json"]
    assert manifest["app_version"] and manifest["created"]


def test_failed_write_leaves_the_old_file_byte_identical(saved, monkeypatch):
    before = saved.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(PlaygroundError, match="No space left") as info:
        save_project(saved, _project(spec=preset("lenet5")))
    assert info.value.hint
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_nan_weights_are_not_saved(tmp_path):
    weights = {k: v.clone() for k, v in _project().weights.items()}
    weights["blocks.1.layer.weight"][0, 0] = float("inf")
    with pytest.raises(PlaygroundError, match="NaN or infinite"):
        save_project(tmp_path / "x.nnproj", _project(weights=weights))
    assert not (tmp_path / "x.nnproj").exists()


def test_not_a_zip(tmp_path):
    (tmp_path / "junk.nnproj").write_bytes(b"this is not a zip file at all" * 10)
    _fails(tmp_path / "junk.nnproj", "damaged or not a project file")


def test_truncated_zip(saved):
    saved.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    _fails(saved, "damaged or not a project file")


@pytest.mark.parametrize("name", ["spec.json", "weights.safetensors"])
def test_damaged_entry_data(saved, name):
    with zipfile.ZipFile(saved) as zf:
        info = zf.getinfo(name)
    data = bytearray(saved.read_bytes())
    start = info.header_offset + 30 + len(name)  # the entry's data follows its local header
    for i in range(start + 2, start + 12):
        data[i] ^= 0x5A
    saved.write_bytes(bytes(data))
    _fails(saved, "damaged")


def test_missing_file(tmp_path):
    _fails(tmp_path / "none.nnproj", "cannot read")


@pytest.mark.parametrize("entry", ["spec_json", "history_json", "manifest_json"])
def test_missing_entry(saved, entry):
    _rewrite(saved, **{entry: None})
    _fails(saved, f"the entry {entry.replace('_', '.')} is missing")


def test_entry_listed_in_the_manifest_but_absent(saved):
    _rewrite(saved, weights_safetensors=None)
    _fails(saved, "the entry weights.safetensors is missing")


def test_unexpected_entry(saved):
    _rewrite(saved, notes_txt=b"hello")
    _fails(saved, "notes_txt")


@pytest.mark.parametrize("entry", ["spec_json", "config_json", "data_json", "history_json", "manifest_json"])
def test_bad_json(saved, entry):
    _rewrite(saved, **{entry: b'{"layers": ['})
    _fails(saved, entry.replace("_", "."), "JSON" if entry != "manifest_json" else "")


def test_newer_schema(saved):
    _rewrite(saved, manifest_json=_manifest(saved, schema_version=PROJECT_SCHEMA + 1), history_json=None,
             future_bin=b"new things")
    error = _fails(saved, "made by a newer version")
    assert "update" in error.hint


@pytest.mark.parametrize("name", ["/etc__passwd", "..__evil.json", "a\\b.json"])
def test_unsafe_entry_names(saved, name):
    _rewrite(saved, **{name: b"{}"})
    _fails(saved, "unsafe entry name")


def test_a_header_claiming_a_huge_entry_is_refused_before_reading(saved, monkeypatch):
    data = bytearray(saved.read_bytes())
    central = data.index(b"PK\x01\x02")  # the manifest's central directory record: uncompressed size at +24
    data[central + 24 : central + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    saved.write_bytes(bytes(data))
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("an entry was read"))
    _fails(saved, "manifest.json", "claims 4,294,967,280 bytes")


def test_an_entry_that_would_expand_too_much_is_refused(saved):
    _rewrite(saved, history_json=b"[" + b" " * (4 * 1024 * 1024) + b"]")
    _fails(saved, "history.json", "would expand")


@pytest.mark.parametrize(("change", "problem"), [
    (lambda w: w.pop("blocks.2.layer.bias"), "lack blocks.2.layer.bias"),
    (lambda w: w.__setitem__("blocks.9.layer.weight", torch.zeros(2)), "extra tensor blocks.9.layer.weight"),
    (lambda w: w.__setitem__("blocks.1.layer.weight", torch.zeros(8, 784)), "torch.float32 (8, 784)"),
    (lambda w: w.__setitem__("blocks.1.layer.bias", torch.zeros(16, dtype=torch.float64)), "torch.float64"),
    (lambda w: w["blocks.2.layer.weight"].__setitem__((0, 0), float("nan")), "NaN or infinite"),
])
def test_weights_that_do_not_fit_the_spec(saved, change, problem):
    weights = {k: v.clone() for k, v in _project().weights.items()}
    change(weights)
    _rewrite(saved, weights_safetensors=save_safetensors(weights))
    _fails(saved, problem)


def test_a_safetensors_header_claiming_a_huge_tensor(saved):
    header = json.dumps({"blocks.1.layer.weight": {"dtype": "F32", "shape": [1_000_000, 1_000_000],
                                                   "data_offsets": [0, 4 * 10**12]}}).encode()
    _rewrite(saved, weights_safetensors=len(header).to_bytes(8, "little") + header + b"\0" * 64)
    _fails(saved, "weights.safetensors", "claims 1,000,000,000,000 elements")


def test_a_project_of_the_first_schema_opens(saved):
    _rewrite(saved, data_json=json.dumps(OLD_DATA).encode(), manifest_json=_manifest(saved, schema_version=1))
    assert load_project(saved).facts == FACTS


def test_a_regression_project_on_features_keeps_its_facts(tmp_path):
    facts = DataFacts(DataRef.of("toy:line", {"points": 64}), (2,), (), (), (), "regression", ("y",))
    spec = NetworkSpec((layer("Linear", "tanh", units=8), layer("Linear", units=1)))
    save_project(tmp_path / "r.nnproj", Project(spec, TrainConfig(loss="mse"), facts))
    back = load_project(tmp_path / "r.nnproj")
    assert back.facts == facts and back.build()(torch.zeros(3, 2)).shape == (3, 1)


@pytest.mark.parametrize(("entry", "data", "problem"), [
    ("data_json", {**OLD_DATA, "std": 0.0}, "standard deviation"),
    ("data_json", {**OLD_DATA, "num_classes": 3}, "class names"),
    ("data_json", {**OLD_DATA, "mean": "dark"}, "normalisation mean"),
    ("data_json", {"dataset": {"id": "x", "options": {"n": [1]}}, "input_shape": [1, 28, 28],
                   "class_names": list(DIGITS), "mean": [0.1], "std": [0.3]}, "plain values"),
    ("data_json", {"dataset": {"id": "x"}, "input_shape": [3, 28, 28], "class_names": list(DIGITS),
                   "mean": [0.1], "std": [0.3]}, "one per image channel"),
    ("data_json", {"dataset": {"id": "x"}, "input_shape": [1, 28, 28], "task": "ranking",
                   "class_names": list(DIGITS), "mean": [0.1], "std": [0.3]}, "unknown task"),
    ("config_json", {"batch_size": 64.5}, "bad batch_size"),
    ("config_json", {"optimizer": "magic"}, "unknown optimizer"),
    ("spec_json", {"layers": [{"type": "Warp"}]}, "unknown layer type"),
    ("history_json", {"run": 1}, "history.json"),
])
def test_bad_contents(saved, entry, data, problem):
    _rewrite(saved, **{entry: json.dumps(data).encode()})
    _fails(saved, problem)


def test_a_spec_that_does_not_fit_the_data(saved):
    _rewrite(saved, spec_json=NetworkSpec((layer("Conv2d", filters=4, kernel=40),)).to_json().encode())
    _fails(saved, "does not fit its data")


def test_resume_data_without_its_tensors(saved):
    entries = json.loads(_entries(saved)["manifest.json"])["entries"]
    _rewrite(saved, resume_json=b"{}", manifest_json=_manifest(saved, entries=[*entries, "resume.json"]))
    _fails(saved, "the entry optimizer.safetensors is missing")


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("step", -1, "bad step"),
    ("base_lr", -1.0, "bad learning rate"),  # NaN is refused before, as no JSON holds it
    ("epoch_totals", [10, 1.0, 11], "bad epoch totals"),
    ("param_state", {"7": {"tensors": ["exp_avg"], "values": {}}}, "parameter '7'"),
])
def test_nonsense_resume_data(tmp_path, tiny_dataset, key, value, problem):
    trainer = Trainer(SPEC, tiny_dataset, TrainConfig(epochs=1, batch_size=64))
    list(trainer.run())
    path = tmp_path / "r.nnproj"
    save_project(path, _project(weights=trainer.model.state_dict(), resume=trainer.resume_state()))
    assert load_project(path).resume.epoch == 1
    meta = json.loads(_entries(path)["resume.json"])
    meta[key] = value
    _rewrite(path, resume_json=json.dumps(meta).encode())
    _fails(path, problem)


def test_resume_rng_state_of_the_wrong_size(tmp_path, tiny_dataset):
    trainer = Trainer(SPEC, tiny_dataset, TrainConfig(epochs=1, batch_size=64))
    list(trainer.run())
    path = tmp_path / "r.nnproj"
    save_project(path, _project(weights=trainer.model.state_dict(), resume=trainer.resume_state()))
    tensors, meta = trainer.resume_state().to_tensors_and_json()
    tensors["rng_state"] = torch.zeros(16, dtype=torch.uint8)
    _rewrite(path, optimizer_safetensors=save_safetensors(tensors))
    _fails(path, "rng_state")
