"""The command line's walkthrough end to end: train and save, predict, export, spec files, datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image

from playground.cli import main
from playground.core.builder import build_model
from playground.core.presets import preset
from playground.core.project import load_model, load_project
from playground.core.spec import NetworkSpec
from playground.data.dataset import DataRef, DatasetInfo
from playground.data.drawings import add_drawing
from playground.resources import mnist_sample_dir


@pytest.fixture(autouse=True)
def own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """My drawings and the download cache live under tmp_path, never in the user's home."""
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def digit(tmp_path: Path, sample_dataset) -> Path:
    """A bundled test digit as a dark-on-light PNG, as a person would photograph it."""
    path = tmp_path / "digit.png"
    Image.fromarray(255 - sample_dataset.test_x[0, 0]).resize((112, 112)).save(path)
    return path


def test_train_save_nnproj_writes_a_project_with_its_run_and_optimizer_state(idx_folder, tmp_path, capsys):
    out = tmp_path / "m.nnproj"
    assert main(["train", "--dataset", f"idx:{idx_folder}", "--epochs", "2", "--save", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(f"saved to {out}")
    project = load_project(out)
    assert project.spec == preset("article-mlp") and project.config.epochs == 2
    assert project.weights is not None and project.resume is not None and project.resume.step == 6
    (run,) = project.history
    assert run["state"] == "finished" and run["curves"]["epoch_x"] == [1.0, 2.0]
    assert len(run["curves"]["x"]) == len(run["curves"]["loss_ema"]) == 2 * 3  # 192 images, batches of 64
    assert run["final_test_accuracy"] == pytest.approx(run["curves"]["test_accuracy"][-1])


@pytest.mark.parametrize("suffix", [".nnproj", ".safetensors"])
def test_predict_and_export_take_what_train_saved(suffix, idx_folder, digit, tmp_path, capsys):
    model = tmp_path / f"m{suffix}"
    assert main(["train", "--preset", "small-cnn", "--dataset", f"idx:{idx_folder}", "--epochs", "1",
                 "--save", str(model), "--json"]) == 0
    capsys.readouterr()
    assert main(["predict", str(model), str(digit), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["images"][0]["probabilities"]) == 10
    assert main(["export", str(model), "--format", "onnx"]) == 0
    assert "onnxruntime agrees" in capsys.readouterr().out and (tmp_path / "m.onnx").is_file()
    assert main(["export", str(model), "--format", "torchscript"]) == 0
    assert "the reloaded file agrees" in capsys.readouterr().out and (tmp_path / "m-torchscript.pt").is_file()
    assert main(["export", str(model), "--format", "script", "-o", str(tmp_path / "train.py")]) == 0
    assert "def main()" in (tmp_path / "train.py").read_text()
    assert main(["export", str(model), "--format", "onnx"]) == 1  # the default name is never overwritten
    assert "m.onnx exists already" in capsys.readouterr().err
    assert main(["export", str(model), "--format", "onnx", "--force"]) == 0


def test_a_bad_or_unwritable_destination_is_refused_before_training(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "--save", str(tmp_path / "model.pt")])
    assert info.value.code == 2 and "must end in .nnproj" in capsys.readouterr().err
    (tmp_path / "folder.nnproj").mkdir()
    for target, reason in ((tmp_path / "no" / "m.nnproj", "does not exist"),
                           (tmp_path / "folder.nnproj", "it is a folder")):
        assert main(["train", "--save", str(target)]) == 1
        captured = capsys.readouterr()
        assert reason in captured.err and "hint:" in captured.err and "Epoch" not in captured.out
    if Path("/proc/self").is_dir():  # read-only even for root
        assert main(["train", "--save", "/proc/m.nnproj"]) == 1
        assert "cannot save to /proc/m.nnproj" in capsys.readouterr().err


def test_spec_writes_a_file_that_train_and_predict_take(idx_folder, digit, tmp_path, capsys):
    net = tmp_path / "my-net.json"
    assert main(["spec", "lenet5", "-o", str(net)]) == 0
    assert f"train --spec {net}" in capsys.readouterr().out
    assert NetworkSpec.from_json(net.read_text()) == preset("lenet5")
    assert main(["train", "--spec", str(net), "--dataset", f"idx:{idx_folder}", "--epochs", "1",
                 "--save", str(tmp_path / "lenet.safetensors"), "--json"]) == 0
    capsys.readouterr()
    assert main(["spec", str(tmp_path / "lenet.safetensors")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["class_names"] == [str(d) for d in range(10)] and printed["std"][0] > 0
    facts_spec = tmp_path / "lenet-facts.json"
    facts_spec.write_text(json.dumps(printed))
    spec, model, _ = load_model(tmp_path / "lenet.safetensors")
    torch.save(model.state_dict(), tmp_path / "lenet.pt")
    assert main(["predict", str(tmp_path / "lenet.pt"), str(digit), "--spec", str(facts_spec)]) == 0
    assert capsys.readouterr().out.startswith(f"{digit}: ")
    assert main(["export", str(tmp_path / "lenet.pt"), "--spec", str(facts_spec), "--format", "torchscript",
                 "-o", str(tmp_path / "lenet-ts.pt")]) == 0


def test_export_of_a_state_dict_checks_it_against_its_spec(tmp_path, capsys):
    spec = preset("article-mlp")
    net = tmp_path / "net.json"
    net.write_text(spec.to_json())
    wrong = build_model(preset("small-cnn"), (1, 28, 28), 10)
    torch.save(wrong.state_dict(), tmp_path / "wrong.pt")
    assert main(["export", str(tmp_path / "wrong.pt"), "--spec", str(net), "--format", "onnx"]) == 1
    assert "nn-playground:" in capsys.readouterr().err


def test_my_drawings_is_a_dataset_train_accepts(sample_dataset, capsys):
    for index in range(50):  # five of each digit: every fifth goes to the test set
        add_drawing(sample_dataset.test_x[index, 0], int(index % 10))
    assert main(["train", "--dataset", "my-drawings", "--epochs", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dataset"] == "my-drawings"


def test_datasets_prints_one_folder_for_scripts(capsys):
    assert main(["datasets", "mnist-sample"]) == 0
    assert Path(capsys.readouterr().out.strip()) == mnist_sample_dir()
    assert main(["datasets", "mnist"]) == 1
    assert "download mnist" in capsys.readouterr().err


def test_download_uses_an_installed_system_copy(monkeypatch, tmp_path, capsys):
    system = tmp_path / "system-fashion"
    info = DatasetInfo(DataRef("fashion-mnist"), "Fashion-MNIST", "", (1, 28, 28), ("a",) * 10,
                       location=str(system))
    monkeypatch.setattr("playground.commands.data.list_datasets", lambda: [info])

    def no_network(*args, **kwargs):
        raise AssertionError("downloaded although the system has a copy")

    monkeypatch.setattr("playground.data.sources.download_dataset", no_network)
    assert main(["download", "fashion-mnist"]) == 0
    assert f"installed at {system}; nothing to download" in capsys.readouterr().out


@pytest.mark.realdata
@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist").is_dir(), reason="no system Fashion-MNIST")
def test_download_fashion_mnist_points_to_debians_copy(monkeypatch, tmp_path, capsys):
    assert main(["download", "fashion-mnist"]) == 0
    assert "/usr/share/datasets/fashion-mnist; nothing to download" in capsys.readouterr().out
    assert not (tmp_path / "cache").exists()
