"""Only regular files are read: a FIFO, a device behind a symlink or a folder is refused before reading."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from playground.cli import main
from playground.core.predict_files import load_for_prediction, read_digit
from playground.core.project import load_model, load_project
from playground.core.specfile import read_spec_file
from playground.core.weights import read_state_dict
from playground.data.idx import read_idx
from playground.data.registry import load_dataset
from playground.errors import PlaygroundError
from tests.data.conftest import tiny_arrays, write_dataset
from tests.hostile import SPECIAL_KINDS, deadline, model_file, special_file

LOADERS: dict[str, tuple[str, Callable[[Path], object]]] = {
    "model file": ("m.safetensors", load_model),
    "weights (.pt)": ("w.pt", read_state_dict),
    "weights (.safetensors)": ("w.safetensors", read_state_dict),
    "project": ("p.nnproj", load_project),
    "spec": ("net.json", read_spec_file),
    "picture": ("digit.png", read_digit),
    "IDX file": ("train-images-idx3-ubyte", read_idx),
    "prediction model": ("m.safetensors", load_for_prediction),
}


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_special_files_are_refused_at_once(tmp_path, loader, kind):
    name, load = LOADERS[loader]
    path = special_file(tmp_path, kind, name)
    with deadline(5), pytest.raises(PlaygroundError) as info:
        load(path)
    message = info.value.message
    assert str(path) in message
    if kind == "folder":
        assert "a folder" in message
    elif kind != "urandom":
        assert "not a" in message or "is a" in message


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_special_file_in_a_dataset_folder(tmp_path, kind):
    paths = write_dataset(tmp_path / "digits", tiny_arrays())
    paths["train_labels"].unlink()
    special_file(tmp_path / "digits", kind, paths["train_labels"].name)
    with deadline(5), pytest.raises(PlaygroundError):
        load_dataset(f"idx:{tmp_path / 'digits'}")


def test_predict_with_a_fifo_as_the_picture_answers_at_once(tmp_path, capsys):
    model = model_file(tmp_path / "m.safetensors")
    fifo = special_file(tmp_path, "fifo", "digit.png")
    with deadline(10):
        assert main(["predict", str(model), str(fifo)]) == 1
    assert "named pipe" in capsys.readouterr().err


def test_a_file_larger_than_its_cap_is_refused_without_reading_it(tmp_path, monkeypatch):
    import playground.core.project as project

    path = model_file(tmp_path / "m.safetensors")
    monkeypatch.setattr(project, "MAX_MODEL_BYTES", 1000)
    monkeypatch.setattr(project, "MAX_JSON_BYTES", 1000)
    with pytest.raises(PlaygroundError, match="larger than a model file may be"):
        load_model(path)
