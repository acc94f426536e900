"""Properties of the file loaders (project, model file, .pt weights, picture, IDX folder): mutated valid files
and special files give a valid object or the project's error; never another exception, a hang or a NaN."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from playground.core.archive import non_finite
from playground.core.metrics import BatchRecord
from playground.core.predict_files import load_for_prediction, read_digit
from playground.core.project import load_model, load_project, save_project
from playground.core.training import TrainConfig, Trainer
from playground.core.weights import read_state_dict
from playground.data.registry import load_dataset
from playground.errors import DatasetError, PlaygroundError
from tests.conftest import cut
from tests.data.conftest import STANDARD_NAMES, tiny_arrays
from tests.hostile import SPECIAL_KINDS, mlp_project, model_file, rezip, special_file, zip_entries
from tests.property.cases import Blob, outcome, put
from tests.property.strategies import byte_mutations, dumps, picture_files, sample_pictures, type_swaps

DIGIT = np.zeros((28, 28), np.float32)
DIGIT[5:23, 12:16] = 1.0


@pytest.fixture(scope="module")
def valid_project(tmp_path_factory, sample_dataset) -> bytes:
    """A project with weights, a run record and a run to continue (optimizer state, resume data)."""
    project = mlp_project()
    trainer = Trainer(project.spec, cut(sample_dataset, 256, 64), TrainConfig(epochs=1, batch_size=64))
    for record in trainer.run():
        if isinstance(record, BatchRecord) and record.step == 2:
            trainer.stop()
    path = tmp_path_factory.mktemp("valid") / "valid.nnproj"
    save_project(path, mlp_project(weights=trainer.model.state_dict(), resume=trainer.resume_state(),
                                   history=({"number": 1, "config": {}},)))
    return Blob(path.read_bytes())


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _project_or_error(path: Path) -> None:
    project = outcome(lambda: load_project(path), path)
    if project is None:
        return
    facts = project.facts
    assert all(math.isfinite(m) for m in facts.mean) and all(math.isfinite(s) and s > 0 for s in facts.std)
    assert len(facts.class_names) == facts.outputs and all(map(_is_text, facts.class_names))
    model = project.build()
    if project.weights is not None:
        assert not non_finite(project.weights)
        assert set(project.weights) == set(model.state_dict())


@st.composite
def mutated_projects(draw: st.DrawFn, valid: bytes) -> bytes:
    """The valid project with its zip bytes mutated, or one entry's JSON values swapped, or one
    safetensors entry's bytes mutated (header or payload)."""
    kind = draw(st.sampled_from(["zip bytes", "json entry", "json entry", "tensors entry"]))
    if kind == "zip bytes":
        return draw(byte_mutations(valid))
    entries = zip_entries(valid)
    if kind == "json entry":
        name = draw(st.sampled_from(sorted(n for n in entries if n.endswith(".json"))))
        entries[name] = dumps(draw(type_swaps(json.loads(entries[name]))), draw(st.booleans()))
    else:
        name = draw(st.sampled_from(sorted(n for n in entries if n.endswith(".safetensors"))))
        data = entries[name]
        header_end = 8 + int.from_bytes(data[:8], "little")
        region = draw(st.sampled_from(["header", "payload"]))
        if region == "header":
            entries[name] = draw(byte_mutations(data[:header_end])) + data[header_end:]
        else:
            entries[name] = data[:header_end] + draw(byte_mutations(data[header_end:]))
    return rezip(entries)


@given(st.data())
def test_project(tmp_path_factory, valid_project, data) -> None:
    folder = tmp_path_factory.mktemp("project")
    _project_or_error(put(data, folder, "p.nnproj", mutated_projects(valid_project), special_one_in=20))


@pytest.fixture(scope="module")
def valid_model(tmp_path_factory) -> bytes:
    return Blob(model_file(tmp_path_factory.mktemp("model") / "m.safetensors").read_bytes())


@st.composite
def mutated_models(draw: st.DrawFn, valid: bytes) -> bytes:
    """The model file with its bytes mutated, or its header's spec or facts with values swapped."""
    if draw(st.booleans()):
        return draw(byte_mutations(valid))
    size = int.from_bytes(valid[:8], "little")
    header = json.loads(valid[8 : 8 + size])
    key = draw(st.sampled_from(["spec", "facts"]))
    swapped = draw(type_swaps(json.loads(header["__metadata__"][key])))
    header["__metadata__"][key] = dumps(swapped, draw(st.booleans())).decode("utf-8", "surrogateescape")
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + valid[8 + size :]


@given(st.data())
def test_model_file_and_prediction(tmp_path_factory, valid_model, data) -> None:
    path = put(data, tmp_path_factory.mktemp("model"), "m.safetensors", mutated_models(valid_model))
    opened = outcome(lambda: (load_model(path)[2], load_for_prediction(path)), path)
    if opened is None:
        return
    facts, loaded = opened
    assert facts.input_shape == (1, 28, 28) and len(loaded.class_names) == facts.num_classes
    try:
        probs = loaded.classify(DIGIT[None])
    except PlaygroundError as exc:
        assert "not a number" in exc.message
        return
    assert np.isfinite(probs).all() and abs(float(probs.sum()) - 1.0) < 1e-4


@pytest.fixture(scope="module")
def valid_weights(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("weights") / "w.pt"
    torch.save(mlp_project().weights, path)
    return Blob(path.read_bytes())


@st.composite
def mutated_weights(draw: st.DrawFn, valid: bytes) -> bytes:
    """A .pt file with its bytes or one zip entry's bytes mutated."""
    if draw(st.booleans()):
        return draw(byte_mutations(valid))
    entries = zip_entries(valid)
    name = draw(st.sampled_from(sorted(entries)))
    entries[name] = draw(byte_mutations(entries[name] or b"\0"))
    return rezip(entries)


@given(st.data())
def test_pt_weights(tmp_path_factory, valid_weights, data) -> None:
    path = put(data, tmp_path_factory.mktemp("weights"), "w.pt", mutated_weights(valid_weights))
    tensors = outcome(lambda: read_state_dict(path), path)
    if tensors is None:
        return
    assert tensors and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in tensors.items())
    assert not non_finite(tensors)


@pytest.fixture(scope="module")
def valid_pictures() -> list[bytes]:
    return sample_pictures()


@given(st.data())
def test_picture(tmp_path_factory, valid_pictures, data) -> None:
    path = put(data, tmp_path_factory.mktemp("picture"), "digit.png", picture_files(valid_pictures))
    image = outcome(lambda: read_digit(path), path)
    if image is not None:
        assert image.shape == (28, 28) and image.dtype == np.float32
        assert np.isfinite(image).all() and image.min() >= 0 and image.max() <= 1


@pytest.fixture(scope="module")
def valid_idx() -> dict[str, bytes]:
    from playground.data.idx import UBYTE

    out = {}
    for key, array in tiny_arrays(train=30, test=10).items():
        header = bytes([0, 0, UBYTE, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
        out[key] = gzip.compress(header + array.tobytes(), mtime=0)
    return out


@given(st.data())
def test_idx_folder(tmp_path_factory, valid_idx, data) -> None:
    folder = tmp_path_factory.mktemp("idx")
    victim = data.draw(st.sampled_from(sorted(valid_idx)))
    special = data.draw(st.integers(0, 9)) == 0
    for key, raw in valid_idx.items():
        name = STANDARD_NAMES[key]
        if key != victim:
            (folder / name).write_bytes(raw)
        elif special:
            special_file(folder, data.draw(st.sampled_from(SPECIAL_KINDS)), name)
        else:
            plain = data.draw(st.booleans())
            body = gzip.decompress(raw) if plain else raw
            (folder / (name.removesuffix(".gz") if plain else name)).write_bytes(
                data.draw(byte_mutations(body)))
    dataset = outcome(lambda: load_dataset(f"idx:{folder}"), folder, DatasetError)
    if dataset is None:
        return
    assert all(math.isfinite(m) for m in dataset.mean)
    assert all(math.isfinite(s) and s > 0 for s in dataset.std)
    assert dataset.train_x.ndim == 4 and dataset.train_x.size > 0
    assert int(dataset.train_y.max()) < dataset.num_classes

