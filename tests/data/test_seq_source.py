"""The sequence tasks as registry sources (seq:sine, seq:recall, seq:adding), their options and flags."""

import json

import numpy as np
import pytest
import torch

from playground.cli import main
from playground.core.builder import build_model
from playground.core.presets import preset
from playground.core.spec import NetworkSpec, layer
from playground.data.dataset import CLASSIFICATION, REGRESSION, DataRef
from playground.data.registry import dataset_info, load_dataset, parse
from playground.errors import DatasetError


@pytest.mark.parametrize(("task", "shape", "kind", "outputs"), [
    ("seq:recall", (30, 9), CLASSIFICATION, 8), ("seq:adding", (30, 2), REGRESSION, 1),
    ("seq:sine", (30, 1), REGRESSION, 1)])
def test_each_task_loads_with_its_options_and_matches_its_info(task, shape, kind, outputs) -> None:
    options = {"length": 30, "samples": 300, **({"classes": 8} if task == "seq:recall" else {})}
    ref = parse(task, [f"{k}={v}" for k, v in options.items()])
    data, info = load_dataset(ref), dataset_info(ref)
    assert data.input_shape == info.input_shape == shape and data.task == info.task == kind
    assert data.outputs == outputs and len(data.train_y) == 240 and len(data.test_y) == 60
    again = load_dataset(DataRef.of(task, {**options, "seed": 0}))
    assert np.array_equal(again.train_x, data.train_x)
    other = load_dataset(DataRef.of(task, {**options, "seed": 1}))
    assert not np.array_equal(other.train_x, data.train_x)


def test_out_of_range_and_unknown_options_are_clear_errors() -> None:
    with pytest.raises(DatasetError, match="between 5 and 200"):
        parse("seq:recall", ["length=201"])
    with pytest.raises(DatasetError, match="has no option 'noise'"):
        parse("seq:recall", ["noise=0.1"])


def test_a_task_too_large_for_memory_is_refused_before_it_is_made() -> None:
    with pytest.raises(DatasetError, match="1,297 MiB, more than the 512 MiB") as caught:
        load_dataset(DataRef.of("seq:recall", {"samples": 100_000, "length": 200}))
    assert "fewer samples" in caught.value.hint
    assert load_dataset(DataRef.of("seq:adding", {"samples": 100_000, "length": 200})).input_shape == (200, 2)


def test_the_length_flag_is_the_length_option_and_a_dataset_without_it_says_so(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["train", "--dataset", "seq:recall", "--length", "3"])
    assert caught.value.code == 2 and "between 5 and 200, not 3" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "mnist-sample", "--length", "30"])
    assert "mnist-sample has no option 'length'" in capsys.readouterr().err


def test_a_sequence_preset_trains_on_its_own_task_with_its_recipe_unless_told(capsys) -> None:
    assert main(["train", "--preset", "rnn-recall", "--length", "5", "--option", "samples=100",
                 "--epochs", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["dataset"].startswith("seq:recall {") and '"length":5' in summary["dataset"]
    assert len(summary["epochs"]) == 1


def test_the_memory_setting_opens_the_keep_gates_whatever_the_initialisation() -> None:
    spec = NetworkSpec((layer("LSTM", hidden=4, memory=3.0), layer("Linear", units=2)))
    for init in ("default", "xavier_uniform"):
        rnn = build_model(spec, (6, 3), 2, init=init).blocks[0].layer.rnn
        assert torch.all(rnn.bias_ih_l0[4:8] == 3.0) and torch.all(rnn.bias_ih_l0[:4] == -3.0)
        assert torch.all(rnn.bias_hh_l0[:8] == 0.0)
    gru = build_model(preset("gru-recall"), (10, 17), 16).blocks[0].layer.rnn
    assert torch.all(gru.bias_ih_l0[32:64] == 4.0)
    plain = build_model(preset("rnn-recall"), (10, 17), 16).blocks[0].layer.rnn
    assert not torch.all(plain.bias_ih_l0 == 0.0)  # PyTorch's own start, untouched
