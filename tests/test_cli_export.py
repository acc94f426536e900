"""The export and predict subcommands, on real project files, real models and pictures written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from playground.cli import main
from playground.core.project import Project, load_model, save_project
from playground.core.training import TrainConfig
from playground.data.registry import load_dataset
from playground.resources import sample_model_path

SAMPLE = sample_model_path()


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project file holding the shipped sample CNN and its data facts."""
    spec, model, facts = load_model(SAMPLE)
    project = Project(spec, TrainConfig(epochs=1), facts,
                      weights={k: v.clone() for k, v in model.state_dict().items()})
    path = tmp_path_factory.mktemp("project") / "sample.nnproj"
    save_project(path, project)
    return path


@pytest.fixture(scope="module")
def digits(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[str]]:
    """Ten real MNIST test digits as pictures: dark ink on paper (PNG) and light on black (JPEG)."""
    folder = tmp_path_factory.mktemp("digits")
    data = load_dataset("mnist-sample")
    paths, labels = [], []
    for i in range(10):
        picture = Image.fromarray(data.test_x[i, 0]).resize((112, 112), Image.Resampling.BILINEAR)
        path = folder / (f"{i}.png" if i % 2 else f"{i}.jpg")
        (Image.fromarray(255 - np.asarray(picture)) if i % 2 else picture).save(path)
        paths.append(path)
        labels.append(str(data.test_y[i]))
    return paths, labels


def _drawn_one(path: Path) -> Path:
    """A '1' drawn with a thick black pen on white paper."""
    picture = Image.new("RGB", (120, 160), "white")
    ImageDraw.Draw(picture).line([(62, 20), (58, 140)], fill="black", width=14)
    picture.save(path)
    return path


def test_export_writes_torchscript_and_a_script(sample_project: Path, tmp_path: Path, capsys) -> None:
    assert main(["export", str(sample_project), "--format", "torchscript", "-o", str(tmp_path / "m.pt")]) == 0
    assert "agrees within" in capsys.readouterr().out
    assert (tmp_path / "m.pt").stat().st_size > 100_000
    assert main(["export", str(sample_project), "--format", "script", "-o", str(tmp_path / "t.py")]) == 0
    assert "t.py" in capsys.readouterr().out
    assert "class Network(nn.Module)" in (tmp_path / "t.py").read_text()


@pytest.mark.slow
def test_export_onnx_reports_onnxruntimes_agreement(sample_project: Path, tmp_path: Path, capsys) -> None:
    assert main(["export", str(sample_project), "--format", "onnx", "-o", str(tmp_path / "m.onnx")]) == 0
    out = capsys.readouterr().out
    assert "onnxruntime agrees within" in out and (tmp_path / "m.onnx").is_file()


def test_export_of_a_bad_project_is_a_message(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.nnproj"
    bad.write_bytes(b"PK\x03\x04 this is no zip")
    assert main(["export", str(bad), "--format", "script", "-o", str(tmp_path / "t.py")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nn-playground: ") and "Traceback" not in err
    assert not (tmp_path / "t.py").exists()


@pytest.mark.parametrize("argv", [["export", "p.nnproj", "-o", "x.pt"],
                                  ["export", "p.nnproj", "--format", "keras", "-o", "x.h5"],
                                  ["export", "weights.pt", "--format", "onnx"],
                                  ["predict", "weights.pt", "digit.png"]])
def test_bad_arguments_exit_2(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_predict_reads_real_digits_with_the_sample_model(digits, capsys) -> None:
    paths, labels = digits
    assert main(["predict", str(SAMPLE), *map(str, paths), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["classes"] == [str(d) for d in range(10)]
    predicted = [item["prediction"] for item in answer["images"]]
    assert sum(p == t for p, t in zip(predicted, labels, strict=True)) >= 9
    for item in answer["images"]:
        assert sum(item["probabilities"]) == pytest.approx(1.0, abs=1e-4)
        assert item["confidence"] == max(item["probabilities"])


def test_predict_prints_class_confidence_and_probabilities(tmp_path: Path, capsys) -> None:
    one = _drawn_one(tmp_path / "one.png")
    assert main(["predict", str(SAMPLE), str(one)]) == 0
    first, probs = capsys.readouterr().out.splitlines()
    assert first.startswith(f"{one}: 1 (") and first.endswith("%)")
    assert probs.split()[:2] == ["0:", "0.000"] and "9:" in probs


def test_predict_from_a_project_file(sample_project: Path, tmp_path: Path, capsys) -> None:
    assert main(["predict", str(sample_project), str(_drawn_one(tmp_path / "one.png")), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["images"][0]["prediction"] == "1"


def test_predict_from_a_state_dict_and_a_spec(tmp_path: Path, capsys) -> None:
    spec, model, _ = load_model(SAMPLE)
    torch.save(model.state_dict(), tmp_path / "weights.pt")
    spec_file = tmp_path / "net.json"
    spec_file.write_text(spec.to_json())
    one = _drawn_one(tmp_path / "one.png")
    assert main(["predict", str(tmp_path / "weights.pt"), str(one), "--spec", str(spec_file), "--json"]) == 0
    item = json.loads(capsys.readouterr().out)["images"][0]
    assert item["prediction"] == "1" and item["confidence"] > 0.5


def test_blank_and_unreadable_pictures_are_reported(tmp_path: Path, capsys) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    one = _drawn_one(tmp_path / "one.png")
    assert main(["predict", str(SAMPLE), str(blank), str(broken), str(one)]) == 1
    captured = capsys.readouterr()
    assert f"{blank}: no ink found" in captured.out
    assert f"{one}: 1 (" in captured.out
    assert "cannot read the image" in captured.err and "Traceback" not in captured.err


def test_an_unreadable_model_is_a_message(tmp_path: Path, capsys) -> None:
    fake = tmp_path / "model.safetensors"
    fake.write_bytes(b"\x00" * 16)
    assert main(["predict", str(fake), str(_drawn_one(tmp_path / "one.png"))]) == 1
    err = capsys.readouterr().err
    assert "model.safetensors" in err and "Traceback" not in err
