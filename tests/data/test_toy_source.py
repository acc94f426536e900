"""The 2-D datasets as sources: ids, options, shapes, seeds, regression, and training on them."""

import json

import numpy as np
import pytest

from playground.cli import main
from playground.data.dataset import REGRESSION
from playground.data.registry import dataset_info, list_datasets, load_dataset, parse
from playground.errors import DatasetError

TANH_8_8_2 = {"layers": [{"type": "Linear", "params": {"units": 8}, "activation": "tanh"},
                         {"type": "Linear", "params": {"units": 8}, "activation": "tanh"},
                         {"type": "Linear", "params": {"units": 2}}]}


def test_each_2d_dataset_loads_with_tfps_defaults():
    for name in ("circle", "xor", "gauss", "spiral", "spiral3"):
        data = load_dataset(f"toy:{name}")
        assert data.input_shape == (2,) and len(data.train_x) + len(data.test_x) == 500
        assert len(data.train_x) == 250 and data.train_x.dtype == np.float32  # ratio 0.5, as TFP
        assert data.num_classes == (3 if name == "spiral3" else 2)
    plane = load_dataset("toy:plane")
    assert plane.task == REGRESSION and len(plane.train_x) + len(plane.test_x) == 1200
    assert plane.train_y.shape == (600, 1)


def test_the_options_set_points_noise_ratio_seed_and_features():
    ref = parse("toy:spiral", ["points=400", "noise=0.2", "ratio=0.75", "seed=3",
                               "features=x1,x2,x1x2,sinx1"])
    data = load_dataset(ref)
    assert len(data.train_x) == 300 and len(data.test_x) == 100 and data.input_shape == (4,)
    assert np.allclose(data.train_x[:, 2], data.train_x[:, 0] * data.train_x[:, 1], atol=1e-5)
    again = load_dataset(parse("toy:spiral", ["points=400", "noise=0.2", "ratio=0.75", "seed=3",
                                              "features=x1,x2,x1x2,sinx1"]))
    assert np.array_equal(again.train_x, data.train_x)
    other = load_dataset(parse("toy:spiral", ["points=400", "seed=4"]))
    assert not np.array_equal(other.train_x[:, :2], data.train_x[:, :2])
    assert dataset_info(ref).input_shape == (4,)


@pytest.mark.parametrize("dataset_id, options, words", [
    ("toy:moons", [], "unknown 2-D dataset 'toy:moons'"),
    ("toy:circle", ["features=x3"], "unknown input feature 'x3'"),
    ("toy:circle", ["points=5"], "the number of points must be between 10"),
    ("toy:circle", ["features=" + "x" * 5000], r"unknown input feature 'x{10,80}\.\.\.x{10,80}' \("),
])
def test_bad_ids_and_options_are_clear_errors(dataset_id, options, words):
    with pytest.raises(DatasetError, match=words):
        load_dataset(parse(dataset_id, options) if options else dataset_id)


def test_the_datasets_command_lists_each_2d_dataset_and_the_family(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out.splitlines()
    line = next(row for row in out if row.startswith("toy:NAME"))
    assert "toy:circle, toy:xor, toy:gauss, toy:spiral, toy:spiral3, toy:plane, toy:multigauss" in line
    assert any(row.startswith("toy:spiral ") and "available" in row for row in out)
    listed = [info for info in list_datasets() if info.ref.id.startswith("toy:")]  # rows, for the picker
    assert [info.name for info in listed][:2] == ["Circle (2-D)", "XOR (2-D)"] and len(listed) == 7


def test_a_small_tanh_network_learns_xor_and_the_plane(tmp_path, capsys):
    spec = tmp_path / "net.json"
    spec.write_text(json.dumps(TANH_8_8_2))
    assert main(["train", "--dataset", "toy:xor", "--spec", str(spec), "--epochs", "40", "--lr", "0.03",
                 "--batch-size", "25", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["test_accuracy"] >= 0.95
    plane = tmp_path / "plane.json"
    plane.write_text(json.dumps({"layers": [{"type": "Linear", "params": {"units": 4}, "activation": "tanh"},
                                            {"type": "Linear", "params": {"units": 1}}]}))
    assert main(["train", "--dataset", "toy:plane", "--spec", str(plane), "--epochs", "20", "--lr", "0.03",
                 "--batch-size", "25", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["test_r2"] >= 0.95
