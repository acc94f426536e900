"""The command line: train with the article's report lines or one JSON object, datasets, exit codes."""

import json
import subprocess
import sys

import numpy as np
import pytest

from playground.cli import main
from playground.core.predict import Predictor
from playground.core.presets import preset
from playground.core.project import load_model
from playground.core.spec import NetworkSpec, layer


def test_train_prints_the_article_lines(capsys, idx_folder):
    assert main(["train", "--dataset", f"idx:{idx_folder}", "--epochs", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Epoch 1, train loss: ") and ", test acc: " in out[0]
    assert out[0].endswith("samples/s")
    assert out[1].startswith("Epoch 2, ")
    assert out[2].startswith("done in ")


def test_train_json_is_one_object(capsys, idx_folder, tmp_path):
    model_file = tmp_path / "m.safetensors"
    code = main(["train", "--preset", "small-cnn", "--dataset", f"idx:{idx_folder}", "--epochs", "1",
                 "--json", "--save", str(model_file), "--seed", "3"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) == {"dataset", "preset", "epochs", "test_accuracy", "samples_per_second",
                            "parameters", "best_epoch", "stopped_early", "overfitting_from"}
    assert summary["best_epoch"] == 1 and summary["stopped_early"] is False
    assert summary["preset"] == "small-cnn" and summary["parameters"] == 206_922
    assert set(summary["epochs"][0]) == {"epoch", "train_loss", "train_accuracy", "test_loss",
                                         "test_accuracy", "seconds"}
    spec, model, facts = load_model(model_file)
    assert spec == preset("small-cnn") and facts.num_classes == 10 and facts.dataset.id == f"idx:{idx_folder}"
    predictor = Predictor(spec, (1, 28, 28), 10, facts.mean, facts.std)
    predictor.load(1, model.state_dict())
    probs = predictor.predict(np.zeros((2, 28, 28), np.float32))
    assert probs.shape == (2, 10) and np.allclose(probs.sum(1), 1, atol=1e-5)


def test_train_from_a_spec_file(capsys, idx_folder, tmp_path):
    spec_file = tmp_path / "net.json"
    spec_file.write_text(NetworkSpec((layer("Flatten"), layer("Linear", units=10))).to_json())
    assert main(["train", "--spec", str(spec_file), "--dataset", f"idx:{idx_folder}", "--epochs", "1",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["spec"] == str(spec_file)


@pytest.mark.parametrize(
    "argv",
    [["train", "--epochs", "x"], ["train", "--epochs", "0"], ["train", "--preset", "vgg"],
     ["train", "--dataset", "cifar"], ["train", "--lr", "-1"], ["frobnicate"], ["download", "cifar"],
     ["train", "--option", "points=5"]],
)
def test_bad_arguments_are_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "error" in err


def test_dataset_problems_exit_1_with_the_way_out(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", str(tmp_path))
    assert main(["train", "--dataset", "mnist", "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert "not downloaded" in err and "mnist-sample" in err
    assert main(["train", "--dataset", f"idx:{tmp_path / 'nowhere'}"]) == 1
    capsys.readouterr()
    assert main(["train", "--dataset", "my-drawings", "--epochs", "1"]) == 1  # a known id: no usage error
    assert "none saved yet" in capsys.readouterr().err


def test_broken_spec_file_and_invalid_network_exit_1(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"layers": [{"type": "Dense"}]}')
    assert main(["train", "--spec", str(bad)]) == 1
    assert "unknown layer type 'Dense'" in capsys.readouterr().err
    invalid = tmp_path / "invalid.json"
    invalid.write_text(NetworkSpec((layer("Conv2d"), layer("Linear", units=10))).to_json())
    assert main(["train", "--spec", str(invalid)]) == 1
    assert "insert Flatten" in capsys.readouterr().err


def test_diverging_run_exits_1_with_a_hint(capsys, idx_folder):
    argv = ["train", "--preset", "deep-sigmoid", "--optimizer", "sgd", "--lr", "10", "--dataset",
            f"idx:{idx_folder}", "--epochs", "2"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "diverged" in err and "learning rate" in err


def test_datasets_lists_every_source(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in ("mnist-sample", "mnist", "fashion-mnist", "idx:DIR"):
        assert name in out


@pytest.mark.slow
def test_python_dash_m_works_and_core_loads_without_qt():
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    if name.split('.')[0] in ('PySide6', 'pyqtgraph'):\n"
        "        raise ImportError('Qt is blocked in this test')\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        "from playground.cli import main\n"
        "sys.exit(main(['datasets']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    help_run = subprocess.run([sys.executable, "-m", "playground", "train", "--help"],
                              capture_output=True, text=True, timeout=120)
    assert help_run.returncode == 0 and "--preset" in help_run.stdout
