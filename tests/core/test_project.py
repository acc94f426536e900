"""Model files: safetensors with the spec in the header, atomic saves, clear errors on bad files."""

import os

import pytest
import torch
from safetensors.torch import save_file

from playground.core.builder import build_model
from playground.core.presets import preset
from playground.core.project import DataFacts, load_model, save_model
from playground.data.dataset import DataRef
from playground.errors import PlaygroundError
from tests.conftest import MNIST

FACTS = DataFacts(DataRef("mnist-sample"), MNIST, tuple("0123456789"), (0.13,), (0.31,))
OLD_FACTS = ('{"dataset": "mnist-sample", "input_shape": [1, 28, 28], "num_classes": 10, '
             '"class_names": ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], "mean": 0.13, "std": 0.31}')


def test_round_trip(tmp_path):
    spec, model = preset("lenet5"), build_model(preset("lenet5"), MNIST, 10)
    save_model(tmp_path / "m.safetensors", spec, model, FACTS)
    spec2, model2, facts = load_model(tmp_path / "m.safetensors")
    assert spec2 == spec and facts == FACTS
    x = torch.randn(3, 1, 28, 28)
    assert torch.equal(model.eval()(x), model2.eval()(x))


def test_failed_write_leaves_the_old_file_byte_identical(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    spec = preset("article-mlp")
    save_model(path, spec, build_model(spec, MNIST, 10), FACTS)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(PlaygroundError, match="No space left"):
        save_model(path, spec, build_model(spec, MNIST, 10), FACTS)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


@pytest.mark.parametrize("content", [b"", b"\x00" * 3, b"not a model at all", b"\xff" * 64])
def test_garbage_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(PlaygroundError, match="bad.safetensors"):
        load_model(path)


def test_mismatched_and_nan_weights_are_refused(tmp_path):
    spec = preset("article-mlp")
    header = {"spec": spec.to_json(), "facts": OLD_FACTS}
    state = {k: v.clone() for k, v in build_model(spec, MNIST, 10).state_dict().items()}
    wrong = dict(state, **{"blocks.1.layer.weight": torch.zeros(5, 5)})
    save_file(wrong, tmp_path / "wrong.safetensors", metadata=header)
    with pytest.raises(PlaygroundError, match="do not match"):
        load_model(tmp_path / "wrong.safetensors")
    state["blocks.2.layer.bias"][0] = float("nan")
    save_file(state, tmp_path / "nan.safetensors", metadata=header)
    with pytest.raises(PlaygroundError, match="NaN"):
        load_model(tmp_path / "nan.safetensors")


def test_missing_file(tmp_path):
    with pytest.raises(PlaygroundError, match="cannot read"):
        load_model(tmp_path / "none.safetensors")


def test_a_model_file_with_facts_of_the_first_format_opens(tmp_path):
    spec = preset("article-mlp")
    state = {k: v.clone() for k, v in build_model(spec, MNIST, 10).state_dict().items()}
    save_file(state, tmp_path / "old.safetensors", metadata={"spec": spec.to_json(), "facts": OLD_FACTS})
    _, _, facts = load_model(tmp_path / "old.safetensors")
    assert facts == FACTS
