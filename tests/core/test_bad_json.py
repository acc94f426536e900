"""Bad JSON in any file the app reads (spec, project entries, model metadata) is the project's error."""

from __future__ import annotations

import json

import pytest
import torch

from playground.cli import main
from playground.core.builder import build_model
from playground.core.predict_files import load_for_prediction
from playground.core.project import load_model, load_project
from playground.core.spec import NetworkSpec
from playground.errors import PlaygroundError, SpecError
from tests.hostile import (
    BAD_SPEC_TEXTS,
    DEEP,
    HUGE_INT,
    LONE_SURROGATE,
    SMALL_SPEC,
    model_file,
    saved_project,
    with_entry,
)

TEXTS = {name: text for name, text in BAD_SPEC_TEXTS.items() if isinstance(text, str)}
BAD_VALUES = {"deep nesting": DEEP, "a huge integer": HUGE_INT, "a lone surrogate": LONE_SURROGATE}


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")


@pytest.mark.parametrize("what", sorted(TEXTS))
def test_from_json_turns_every_bad_text_into_a_spec_error(what):
    with pytest.raises(SpecError) as info:
        NetworkSpec.from_json(TEXTS[what])
    assert len(info.value.message) < 300


@pytest.mark.parametrize("what", sorted(BAD_SPEC_TEXTS))
def test_a_spec_file_names_itself(tmp_path, what):
    from playground.core.specfile import read_spec_file

    path = tmp_path / "net.json"
    path.write_bytes(_bytes(BAD_SPEC_TEXTS[what]))
    with pytest.raises(SpecError) as info:
        read_spec_file(path)
    assert str(path) in info.value.message


@pytest.mark.parametrize("what", sorted(BAD_SPEC_TEXTS))
def test_a_project_with_a_bad_spec_entry(tmp_path, what):
    path = with_entry(saved_project(tmp_path / "p.nnproj"), "spec.json", _bytes(BAD_SPEC_TEXTS[what]))
    with pytest.raises(PlaygroundError) as info:
        load_project(path)
    assert str(path) in info.value.message and "spec.json" in info.value.message


@pytest.mark.parametrize("entry", ["manifest.json", "config.json", "data.json", "history.json"])
@pytest.mark.parametrize("what", sorted(BAD_VALUES))
def test_a_project_with_bad_json_in_another_entry(tmp_path, entry, what):
    path = saved_project(tmp_path / "p.nnproj")
    value = BAD_VALUES[what]
    text = value if entry in ("history.json",) else '{"format": ' + value + "}"
    with pytest.raises(PlaygroundError) as info:
        load_project(with_entry(path, entry, text))
    assert str(path) in info.value.message


def test_a_class_name_that_is_a_list(tmp_path):
    path = saved_project(tmp_path / "p.nnproj")
    data = {"dataset_id": "x", "input_shape": [1, 28, 28], "num_classes": 10,
            "class_names": [[]] * 10, "mean": 0.1, "std": 0.3}
    with pytest.raises(PlaygroundError, match="class names"):
        load_project(with_entry(path, "data.json", json.dumps(data)))


@pytest.mark.parametrize("what", sorted(TEXTS))
def test_a_model_file_with_a_bad_spec_in_its_header(tmp_path, what):
    path = model_file(tmp_path / "m.safetensors", spec_text=TEXTS[what].replace(LONE_SURROGATE, '"x\\ud800"'))
    with pytest.raises(PlaygroundError) as info:
        load_model(path)
    assert str(path) in info.value.message


@pytest.mark.parametrize("facts", [DEEP, '{"input_shape": ' + HUGE_INT + "}", '{"class_names": ' + DEEP + "}",
                                   '{"input_shape": [1, 28, 28], "num_classes": []}', "[]", "7",
                                   '{"input_shape": 5, "num_classes": 10}'])
def test_a_model_file_with_bad_facts(tmp_path, facts):
    path = model_file(tmp_path / "m.safetensors", facts=facts)
    with pytest.raises(PlaygroundError) as info:
        load_model(path)
    assert str(path) in info.value.message


@pytest.mark.parametrize("what", sorted(BAD_SPEC_TEXTS))
def test_predict_with_a_bad_spec_file(tmp_path, what):
    weights = tmp_path / "w.pt"
    torch.save(build_model(SMALL_SPEC, (1, 28, 28), 10).state_dict(), weights)
    spec = tmp_path / "net.json"
    spec.write_bytes(_bytes(BAD_SPEC_TEXTS[what]))
    with pytest.raises(PlaygroundError) as info:
        load_for_prediction(weights, spec)
    assert str(spec) in info.value.message


@pytest.mark.parametrize("what", ["deep nesting", "a huge integer", "a list as the activation"])
def test_train_spec_gives_one_line_and_exit_1(tmp_path, capsys, what):
    spec = tmp_path / "net.json"
    spec.write_text(BAD_SPEC_TEXTS[what])
    assert main(["train", "--spec", str(spec), "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"nn-playground: {spec}") and "Traceback" not in err


@pytest.mark.parametrize("setting", ["epochs", "learning_rate", "seed"])
def test_a_huge_but_readable_integer_in_the_settings(tmp_path, setting):
    path = saved_project(tmp_path / "p.nnproj")
    with pytest.raises(PlaygroundError, match="config.json: not usable JSON: an integer of 401 digits"):
        load_project(with_entry(path, "config.json", json.dumps({setting: 10**400})))
    from playground.core.training import TrainConfig
    from playground.errors import TrainingError

    with pytest.raises(TrainingError, match=setting) as info:  # the same number from code or the CLI
        TrainConfig(**{setting: 10**400})
    assert len(info.value.message) < 200


def test_a_huge_learning_rate_in_the_resume_data(tmp_path, tiny_dataset):
    from playground.core.resume import ResumeState
    from playground.core.training import TrainConfig, Trainer

    trainer = Trainer(SMALL_SPEC, tiny_dataset, TrainConfig(epochs=1))
    list(trainer.run())
    tensors, meta = trainer.resume_state().to_tensors_and_json()
    with pytest.raises(PlaygroundError, match="learning rate"):
        ResumeState.from_tensors_and_json(tensors, {**meta, "base_lr": 10**400})


def test_a_huge_number_of_epochs_on_the_command_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--epochs", "1" + "0" * 400])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--epochs: must be between" in err and len(err) < 300 and "Traceback" not in err


@pytest.mark.parametrize("key", ["mean", "std"])
def test_a_huge_but_readable_integer_as_the_normalisation(tmp_path, key):
    from playground.core.factcheck import check_norm

    data = {"dataset_id": "x", "input_shape": [1, 28, 28], "num_classes": 10,
            "class_names": list("0123456789"), "mean": 0.1, "std": 0.3, key: 10**400}
    path = with_entry(saved_project(tmp_path / "p.nnproj"), "data.json", json.dumps(data))
    with pytest.raises(PlaygroundError, match="data.json: not usable JSON: an integer of 401 digits"):
        load_project(path)
    with pytest.raises(PlaygroundError, match=key):  # the same check for facts that come from code
        check_norm(data["mean"], data["std"], "facts")
