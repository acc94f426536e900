"""The shipped sample model: a safetensors file that loads without pickle and reads MNIST well."""


import numpy as np

from playground.core.predict import Predictor
from playground.core.project import load_model
from playground.core.spec import NetworkSpec
from playground.resources import sample_model_path

MODEL = sample_model_path()


def test_sample_model_file_carries_its_facts() -> None:
    assert MODEL.read_bytes()[8:9] == b"{"  # a safetensors header, not a pickle
    spec, _, facts = load_model(MODEL)
    assert isinstance(spec, NetworkSpec)
    assert facts["dataset"] == "mnist-sample" and facts["config"]["augment"] is True
    assert facts["input_shape"] == [1, 28, 28] and facts["num_classes"] == 10
    assert facts["class_names"] == list("0123456789")
    assert (MODEL.parent / "README.md").is_file()


def test_sample_model_scores_95_percent_on_the_bundled_test_split(sample_dataset) -> None:
    spec, model, facts = load_model(MODEL)
    predictor = Predictor(spec, tuple(facts["input_shape"]), facts["num_classes"], facts["mean"],
                          facts["std"])
    predictor.load(0, model.state_dict())
    images = sample_dataset.test_images.astype(np.float32) / 255
    accuracy = float((predictor.predict(images).argmax(1) == sample_dataset.test_labels).mean())
    assert accuracy >= 0.95
    assert abs(accuracy - facts["test_accuracy"]) < 0.01
