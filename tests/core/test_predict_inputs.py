"""predict's inputs: normalisation, class names and shapes from files are checked; no NaN is an answer."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from playground.cli import main
from playground.core.builder import build_model
from playground.core.export import export_project
from playground.core.predict_files import load_for_prediction
from playground.core.project import load_model, load_project
from playground.core.spec import layer
from playground.errors import PlaygroundError
from tests.hostile import MNIST_FACTS, SMALL_SPEC, model_file, saved_project, with_entry


@pytest.fixture
def weights(tmp_path: Path) -> Path:
    path = tmp_path / "w.pt"
    torch.save(build_model(SMALL_SPEC, (1, 28, 28), 10).state_dict(), path)
    return path


@pytest.fixture
def one(tmp_path: Path) -> Path:
    picture = np.full((56, 56), 255, np.uint8)
    picture[8:48, 26:31] = 0
    Image.fromarray(picture).save(tmp_path / "one.png")
    return tmp_path / "one.png"


def _spec_file(tmp_path: Path, **facts: object) -> Path:
    path = tmp_path / "net.json"
    text = json.dumps({**SMALL_SPEC.to_dict(), **facts})
    path.write_text(text.replace('"__nan__"', "NaN").replace('"__inf__"', "Infinity"))
    return path


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"the output holds a bare {constant}")

    return json.loads(text, parse_constant=refuse)


# --- item 5: non-finite normalisation ------------------------------------------------------------------

@pytest.mark.parametrize(("mean", "std"), [("__nan__", 0.3), (0.1, "__inf__"), (0.1, "__nan__"),
                                           ("__inf__", 1), (0.1, 0), (0.1, -0.3), ("0.1", 0.3), (True, 0.3),
                                           (0.1, 1e300)])
def test_bad_normalisation_in_a_spec_file_is_refused(tmp_path, weights, mean, std):
    spec = _spec_file(tmp_path, mean=mean, std=std)
    refused = r": the normalisation|: not usable JSON: (NaN|Infinity) is not"
    with pytest.raises(PlaygroundError, match=refused) as info:
        load_for_prediction(weights, spec)
    assert str(spec) in info.value.message


@pytest.mark.parametrize(("facts", "problem"), [
    ({"mean": float("nan")}, "facts: not usable JSON: NaN is not a number JSON allows"),
    ({"std": float("inf")}, "facts: not usable JSON: Infinity is not a number JSON allows"),
    ({"std": 0.0}, "standard deviation must be positive"),
    ({"mean": 10**400}, "facts: not usable JSON: an integer of 401 digits"),
])
def test_bad_normalisation_in_a_model_file_is_refused(tmp_path, facts, problem):
    text = json.dumps({**MNIST_FACTS, **facts})
    with pytest.raises(PlaygroundError, match=problem):
        load_model(model_file(tmp_path / "m.safetensors", facts=text))


def test_a_nan_mean_is_not_printed_as_an_answer(tmp_path, weights, one, capsys):
    spec = _spec_file(tmp_path, mean="__nan__", std=0.3)
    assert main(["predict", str(weights), str(one), "--spec", str(spec), "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "NaN is not a number JSON allows" in err


def test_a_network_that_answers_nan_is_an_error_not_an_answer(tmp_path, one, capsys):
    state = build_model(SMALL_SPEC, (1, 28, 28), 10).state_dict()
    state = {k: torch.full_like(v, 3e38) for k, v in state.items()}  # finite, but the sums overflow to inf
    state["blocks.1.layer.weight"].zero_()
    torch.save(state, tmp_path / "huge.pt")
    spec = _spec_file(tmp_path)
    loaded = load_for_prediction(tmp_path / "huge.pt", spec)
    with pytest.raises(PlaygroundError, match="not a number"):
        loaded.classify(np.ones((1, 28, 28), np.float32))
    assert main(["predict", str(tmp_path / "huge.pt"), str(one), "--spec", str(spec), "--json"]) == 1
    result = _strict_json(capsys.readouterr().out)
    assert "not a number" in result["images"][0]["error"]
    assert main(["predict", str(tmp_path / "huge.pt"), str(one), "--spec", str(spec)]) == 1
    out, err = capsys.readouterr()
    assert "nan" not in out.lower() and "not a number" in err


# --- item 6: predict --spec with impossible layers or facts -----------------------------------------------

@pytest.mark.parametrize("facts", [{"class_names": 5}, {"input_shape": 5}, {"class_names": ["a"]},
                                   {"class_names": [[]] * 10}, {"input_shape": [1, 28, "x"]},
                                   {"input_shape": [3, 32, 32]}, {"class_names": "0123456789"}])
def test_odd_facts_in_a_spec_file_are_errors(tmp_path, weights, facts):
    spec = _spec_file(tmp_path, **facts)
    with pytest.raises(PlaygroundError) as info:
        load_for_prediction(weights, spec)
    assert str(spec) in info.value.message or str(weights) in info.value.message


@pytest.mark.parametrize("conv", [{"stride": 0}, {"kernel": 0}, {"filters": 0}, {"padding": -1},
                                  {"kernel": 99}, {"stride": 10**12}])
def test_impossible_layers_in_a_spec_file_are_errors(tmp_path, weights, conv, capsys):
    spec = tmp_path / "net.json"
    layers = [layer("Conv2d", **{"filters": 4, **conv}), layer("Flatten"), layer("Linear", units=10)]
    spec.write_text(json.dumps({"layers": [lay.to_dict() for lay in layers]}))
    with pytest.raises(PlaygroundError) as info:
        load_for_prediction(weights, spec)
    assert "layer 1" in info.value.message
    assert main(["predict", str(weights), str(tmp_path / "x.png"), "--spec", str(spec)]) == 1
    assert "Traceback" not in capsys.readouterr().err


# --- item 9: lone surrogates ------------------------------------------------------------------------------

def test_a_lone_surrogate_in_a_class_name_is_refused_by_predict_and_export(tmp_path, one, capsys):
    data = {"dataset_id": "x", "input_shape": [1, 28, 28], "num_classes": 10,
            "class_names": ["\ud800", *"123456789"], "mean": 0.1, "std": 0.3}
    project = with_entry(saved_project(tmp_path / "p.nnproj"), "data.json",
                         json.dumps(data))  # ensure_ascii writes the escape "\ud800"
    with pytest.raises(PlaygroundError, match=r"not valid Unicode \(a lone surrogate\)"):
        load_project(project)
    assert main(["predict", str(project), str(one)]) == 1
    assert main(["export", str(project), "--format", "script", "-o", str(tmp_path / "t.py")]) == 1
    assert "Traceback" not in capsys.readouterr().err and not (tmp_path / "t.py").exists()
    spec = _spec_file(tmp_path, class_names=["\ud800", *"123456789"])
    with pytest.raises(PlaygroundError, match=r"not valid Unicode \(a lone surrogate\)"):
        load_for_prediction(tmp_path / "w.pt", spec)


def test_a_picture_name_that_is_not_valid_text_is_printed_escaped(tmp_path, capsys):
    model = model_file(tmp_path / "m.safetensors")
    odd = tmp_path / "\udcff.png"  # a file name of undecodable bytes, as Python passes it on
    picture = np.zeros((40, 40), np.uint8)
    picture[5:35, 18:22] = 255
    Image.fromarray(picture).save(odd)
    assert main(["predict", str(model), str(odd)]) == 0
    assert "\\udcff.png: " in capsys.readouterr().out


def test_export_refuses_class_names_that_are_not_valid_text(tmp_path):
    project = load_project(saved_project(tmp_path / "p.nnproj"))
    bad = replace(project, facts=replace(project.facts, class_names=("\udcff", *"123456789")))
    with pytest.raises(PlaygroundError, match="class name 1"):
        export_project(bad, "script", tmp_path / "t.py")
    assert not (tmp_path / "t.py").exists()
