"""Exports: TorchScript and ONNX files agree with PyTorch; the training script runs and loads back."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from playground.core import export
from playground.core.builder import build_model
from playground.core.export import export_onnx, export_project, export_script, export_torchscript
from playground.core.project import DataFacts, Project
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig
from playground.data.dataset import DataRef
from playground.data.idx import write_idx
from playground.errors import PlaygroundError
from tests.conftest import MNIST

MLP = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=32), layer("Linear", units=10)))
CNN = NetworkSpec((
    layer("Conv2d", "relu", filters=4, kernel=3, padding=1), layer("BatchNorm"),
    layer("MaxPool2d", kernel=2, stride=2), layer("AvgPool2d", kernel=2, stride=2),
    layer("Dropout", p=0.3), layer("Flatten"), layer("Linear", "gelu", units=16),
    layer("BatchNorm"), layer("Linear", "softmax", units=10),
))
LSTM = NetworkSpec((layer("LSTM", hidden=8), layer("Linear", units=10)))
EVERY_LAYER = NetworkSpec((
    layer("Conv2d", "leaky_relu", filters=3, kernel=3, padding=1), layer("BatchNorm"),
    layer("MaxPool2d", kernel=2, stride=2), layer("Dropout", p=0.1), layer("GRU", "tanh", hidden=8),
    layer("Activation", "silu"), layer("BatchNorm"), layer("Linear", "elu", units=12, trainable=False),
    layer("Linear", units=10),
))
RNN_ONLY = NetworkSpec((layer("RNN", "tanh", hidden=8, layers=2), layer("Linear", units=10)))
DIGITS = tuple(str(d) for d in range(10))


def make_project(spec: NetworkSpec, trained: bool = True, **config: object) -> Project:
    """A project with (when ``trained``) non-default weights and BatchNorm statistics."""
    torch.manual_seed(1)
    model = build_model(spec, MNIST, 10)
    for name, tensor in model.state_dict().items():
        if name.endswith("running_var"):
            tensor.uniform_(0.5, 2.0)
        elif name.endswith("running_mean"):
            tensor.normal_()
    cfg = TrainConfig(**{"epochs": 1, **config})
    weights = {k: v.clone() for k, v in model.state_dict().items()} if trained else None
    facts = DataFacts(DataRef("mnist-sample"), MNIST, DIGITS, (0.1307,), (0.3081,))
    return Project(spec, cfg, facts, weights=weights)


def test_torchscript_loads_back_with_the_same_outputs(tmp_path: Path) -> None:
    project = make_project(CNN)
    path = tmp_path / "cnn.pt"
    diff = export_torchscript(path, project.build(), (1, 28, 28))
    assert 0.0 <= diff <= 1e-5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit is deprecated in torch itself
        loaded = torch.jit.load(str(path))
    x = torch.randn(7, 1, 28, 28)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), project.build().eval()(x))


def test_torchscript_of_an_rnn_keeps_the_batch_size_free(tmp_path: Path) -> None:
    assert export_torchscript(tmp_path / "rnn.pt", make_project(RNN_ONLY).build(), (1, 28, 28)) <= 1e-5


def test_a_failed_check_removes_the_file_and_says_why(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(export, "TORCHSCRIPT_TOLERANCE", -1.0)
    path = tmp_path / "bad.pt"
    with pytest.raises(PlaygroundError, match="differs from PyTorch"):
        export_torchscript(path, make_project(MLP).build(), (1, 28, 28))
    assert not path.exists()


@pytest.mark.slow
@pytest.mark.parametrize("spec", [MLP, CNN, LSTM], ids=["mlp", "cnn-batchnorm-softmax", "lstm"])
def test_onnx_gives_pytorch_probabilities_for_any_batch(tmp_path: Path, spec: NetworkSpec) -> None:
    import onnx
    import onnxruntime

    project = make_project(spec)
    path = tmp_path / "model.onnx"
    diff = export_onnx(path, project.build(), project.facts)
    assert 0.0 <= diff <= 1e-4
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    model = project.build().eval()
    for batch in (1, 6):
        x = torch.randn(batch, 1, 28, 28)
        probs = session.run(None, {"image": x.numpy()})[0]
        with torch.no_grad():
            expected = torch.softmax(model(x), 1) if spec is not CNN else model(x)  # CNN ends in softmax
        assert probs.shape == (batch, 10)
        np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
        np.testing.assert_allclose(probs, expected.numpy(), atol=1e-4)
    props = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert props["class_names"] == '["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]'
    assert json.loads(props["mean"]) == pytest.approx([0.1307]) and props["task"] == "classification"


def test_onnx_without_onnxruntime_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(PlaygroundError) as info:
        export_onnx(tmp_path / "m.onnx", make_project(MLP).build(), make_project(MLP).facts)
    assert "onnxruntime" in info.value.message
    assert info.value.hint == "pip install 'nn-playground[onnx]'"
    assert not (tmp_path / "m.onnx").exists()


def test_export_project_dispatches_and_refuses_unknown_formats(tmp_path: Path) -> None:
    project = make_project(MLP)
    summary = export_project(project, "torchscript", tmp_path / "m.pt")
    assert "m.pt" in summary and "agrees within" in summary
    with pytest.raises(PlaygroundError, match="unknown export format"):
        export_project(project, "keras", tmp_path / "m.h5")
    with pytest.raises(PlaygroundError, match="cannot write"):
        export_project(project, "script", tmp_path / "missing" / "train.py")


def _load_script(path: Path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_network_has_the_apps_names_shapes_and_settings(tmp_path: Path) -> None:
    project = make_project(EVERY_LAYER, optimizer="nesterov", schedule="step", seed=7, init="zeros")
    path = tmp_path / "every_layer.py"
    export_script(path, project)
    script = _load_script(path)
    ours, app = script.Network().state_dict(), build_model(EVERY_LAYER, MNIST, 10).state_dict()
    assert list(ours) == list(app)
    assert all(ours[k].shape == app[k].shape for k in app)
    assert (script.OPTIMIZER, script.SCHEDULE, script.SEED, script.INIT) == ("nesterov", "step", 7, "zeros")
    assert script.FROZEN_LAYERS == (7,)
    assert (script.MEAN, script.STD, script.CLASS_NAMES) == ((0.1307,), (0.3081,), DIGITS)
    assert "import playground" not in path.read_text() and "from playground" not in path.read_text()


def _ruff(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--line-length", "88",
         "--select", "E,F,W,I,B,UP,SIM", "--target-version", "py311", str(path)],
        capture_output=True, text=True, check=False)


@pytest.mark.parametrize("spec", [MLP, EVERY_LAYER], ids=["mlp", "every-layer"])
def test_the_script_passes_ruff(tmp_path: Path, spec: NetworkSpec) -> None:
    path = tmp_path / "train.py"
    export_script(path, make_project(spec, augment=True, schedule="cosine"))
    result = _ruff(path)
    assert result.returncode == 0, result.stdout
    assert not re.search(r"TODO|FIXME|XXX|\$\w+", path.read_text())


@pytest.fixture(scope="module")
def idx_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """128 training and 64 test images of random noise, half of them gzip-compressed."""
    folder = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(0)
    write_idx(folder / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (128, 28, 28), dtype=np.uint8))
    write_idx(folder / "train-labels-idx1-ubyte.gz", rng.integers(0, 10, 128, dtype=np.uint8))
    write_idx(folder / "t10k-images-idx3-ubyte", rng.integers(0, 256, (64, 28, 28), dtype=np.uint8))
    write_idx(folder / "t10k-labels-idx1-ubyte", rng.integers(0, 10, 64, dtype=np.uint8))
    return folder


REPORT = re.compile(r"^Epoch 1, train loss: \d+\.\d{4}, test loss: \d+\.\d{4}, test acc: [01]\.\d{4}$")


def _start(command: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # the runs go side by side on a small machine
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _finish(process: subprocess.Popen) -> tuple[str, str]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    reports = [line for line in out.splitlines() if line.startswith("Epoch")]
    assert len(reports) == 1 and REPORT.match(reports[0]), out
    return out, err


@pytest.mark.slow
def test_the_script_trains_and_its_weights_load_into_the_app(tmp_path: Path, idx_folder: Path) -> None:
    runs = {}
    for name, spec in (("mlp", MLP), ("cnn", CNN)):
        folder = tmp_path / name
        folder.mkdir()
        export_script(folder / "train.py", make_project(spec, batch_size=32))
        # the weights an earlier run left
        torch.save(build_model(spec, MNIST, 10).state_dict(), folder / "trained-weights.pt")
        before = (folder / "trained-weights.pt").read_bytes()
        runs[name] = (spec, folder, before, _start([sys.executable, "train.py", "--data", str(idx_folder),
                                                    "--epochs", "1"], folder))
    for spec, folder, before, process in runs.values():
        _finish(process)
        assert (folder / "trained-weights.pt").read_bytes() != before
        state = torch.load(folder / "trained-weights.pt", weights_only=True)
        build_model(spec, MNIST, 10).load_state_dict(state, strict=True)


def test_the_script_keeps_a_file_that_is_not_its_weights(tmp_path: Path, idx_folder: Path) -> None:
    export_script(tmp_path / "train.py", make_project(MLP, batch_size=32))
    export_torchscript(tmp_path / "model.pt", build_model(MLP, MNIST, 10), MNIST)
    before = (tmp_path / "model.pt").read_bytes()
    refused = subprocess.run([sys.executable, "train.py", "--data", str(idx_folder), "--out", "model.pt"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert refused.returncode == 2 and "is not a state dict of this network" in refused.stderr
    assert "--force" in refused.stderr and (tmp_path / "model.pt").read_bytes() == before


@pytest.mark.slow
def test_the_script_trains_on_two_processes_with_torchrun(tmp_path: Path, idx_folder: Path) -> None:
    export_script(tmp_path / "train.py", make_project(CNN, batch_size=32))
    torchrun = Path(sys.executable).with_name("torchrun")
    _, err = _finish(_start([str(torchrun), "--nproc_per_node=2", "--standalone", "train.py", "--data",
                             str(idx_folder), "--epochs", "1", "--out", "ddp.pt"], tmp_path))
    assert "Traceback" not in err  # and _finish saw one report line: rank 0 alone prints
    state = torch.load(tmp_path / "ddp.pt", weights_only=True)
    build_model(CNN, MNIST, 10).load_state_dict(state, strict=True)


@pytest.mark.parametrize(("task", "preset_name", "score"), [
    ("seq:recall", "gru-recall", "test acc"), ("seq:sine", "lstm-sine", "test rmse"),
    ("seq:adding", "lstm-sine", "test rmse")])
def test_the_script_of_a_sequence_task_makes_the_apps_data_and_trains_on_it(
        tmp_path: Path, task: str, preset_name: str, score: str) -> None:
    from playground.core.presets import preset
    from playground.data.registry import load_dataset

    data = load_dataset(DataRef.of(task, {"length": 9, "samples": 150, "seed": 3}))
    loss = "cross_entropy" if task == "seq:recall" else "mse"
    path = tmp_path / "train.py"
    export_script(path, Project(preset(preset_name), TrainConfig(epochs=1, batch_size=32, loss=loss,
                                                                 clip_norm=1.0), data.facts))
    text = path.read_text()
    assert _ruff(path).returncode == 0 and "--data" not in text.split('"""')[1]
    namespace: dict = {"__name__": "exported"}
    exec(compile(text, str(path), "exec"), namespace)
    train_set, test_set = namespace["make_task"]()
    for made, ours in ((train_set.tensors[0], data.train_x), (train_set.tensors[1], data.train_y),
                       (test_set.tensors[0], data.test_x), (test_set.tensors[1], data.test_y)):
        assert np.array_equal(made.numpy(), ours)  # the very same sequences, from the seed
    done = subprocess.run([sys.executable, "train.py", "--out", "w.pt"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(rf"^Epoch 1, train loss: \d+\.\d{{4}}, test loss: \d+\.\d{{4}}, {score}: \d+\.\d{{4}}$",
                     done.stdout, re.MULTILINE), done.stdout
    state = torch.load(tmp_path / "w.pt", weights_only=True)
    build_model(preset(preset_name), data.input_shape, data.outputs).load_state_dict(state, strict=True)
