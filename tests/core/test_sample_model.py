"""The shipped sample model: a safetensors file that loads without pickle and reads MNIST well."""

import json
from pathlib import Path

import numpy as np
from safetensors import safe_open

from playground.core.predict import Predictor
from playground.core.project import DataFacts, load_model
from playground.core.spec import NetworkSpec
from playground.data.dataset import DataRef
from playground.resources import sample_model_path

MODEL = sample_model_path()


def notes(path: Path) -> dict:
    """Everything the model file's header says of its training, beyond the data facts."""
    with safe_open(str(path), "pt") as opened:
        return json.loads(opened.metadata()["facts"])


def test_sample_model_file_carries_its_facts() -> None:
    assert MODEL.read_bytes()[8:9] == b"{"  # a safetensors header, not a pickle
    spec, _, facts = load_model(MODEL)
    assert isinstance(spec, NetworkSpec)
    digits = tuple("0123456789")
    assert facts == DataFacts(DataRef("mnist-sample"), (1, 28, 28), digits, facts.mean, facts.std)
    assert len(facts.mean) == len(facts.std) == 1 and 0.1 < facts.mean[0] < 0.2
    assert notes(MODEL)["config"]["augment"] is True
    assert (MODEL.parent / "README.md").is_file()


def test_sample_model_scores_95_percent_on_the_bundled_test_split(sample_dataset) -> None:
    spec, model, facts = load_model(MODEL)
    predictor = Predictor(spec, facts.input_shape, facts.outputs, facts.mean, facts.std)
    predictor.load(0, model.state_dict())
    images = sample_dataset.test_x.astype(np.float32) / 255
    accuracy = float((predictor.predict(images).argmax(1) == sample_dataset.test_y).mean())
    assert accuracy >= 0.95
    assert abs(accuracy - notes(MODEL)["test_accuracy"]) < 0.01
