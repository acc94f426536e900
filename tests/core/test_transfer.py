"""Transfer learning: a new output layer, frozen features, carried weights, and teaching new symbols."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from playground.core.builder import build_model
from playground.core.predict import probabilities
from playground.core.presets import PRESETS, preset
from playground.core.project import load_model
from playground.core.spec import NetworkSpec, layer
from playground.core.transfer import (
    TaughtModel,
    TeachingStopped,
    carry_weights,
    freeze_features,
    replace_output,
    teach,
    weighted_layers,
)
from playground.errors import PlaygroundError, SpecError
from playground.resources import sample_model_path
from tests.conftest import MNIST
from tests.core.preset_data import preset_input
from tests.core.symbols import drawings

SAMPLE = sample_model_path()
SYMBOLS = "+-x"


@pytest.fixture(scope="module")
def sample() -> tuple[NetworkSpec, dict[str, torch.Tensor], dict]:
    """The shipped sample CNN: spec, weights and facts."""
    spec, model, facts = load_model(SAMPLE)
    return spec, {k: v.clone() for k, v in model.state_dict().items()}, facts


@pytest.fixture(scope="module")
def taught(sample) -> TaughtModel:
    """The sample CNN taught +, - and x from five drawings of each."""
    spec, state, facts = sample
    images, labels = drawings(SYMBOLS, 5, seed=1)
    return teach(spec, state, images, labels, list(SYMBOLS), facts.mean, facts.std)


@pytest.mark.parametrize("name", list(PRESETS))
def test_replace_output_changes_only_the_last_linear(name: str) -> None:
    spec = preset(name)
    new = replace_output(spec, 3)
    last = weighted_layers(spec)[-1]
    shape, outputs = preset_input(name)
    assert new.layers[last].params["units"] == 3 and spec.layers[last].params["units"] == outputs
    assert [lay for i, lay in enumerate(new.layers) if i != last] == [
        lay for i, lay in enumerate(spec.layers) if i != last]
    assert build_model(new, shape, 3)(torch.zeros(2, *shape)).shape == (2, 3)


@pytest.mark.parametrize("spec", [
    NetworkSpec((layer("LSTM", hidden=8),)),
    NetworkSpec((layer("Flatten"), layer("Dropout"))),
])
def test_replace_output_needs_a_linear_at_the_end(spec: NetworkSpec) -> None:
    with pytest.raises(SpecError) as caught:
        replace_output(spec, 3)
    assert "Linear" in caught.value.hint


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("train_last", [1, 2])
def test_freeze_features_trains_only_the_last_weighted_layers(name: str, train_last: int) -> None:
    spec = preset(name)
    frozen = freeze_features(spec, train_last)
    indices = weighted_layers(spec)
    if train_last > len(indices):
        pytest.skip("the preset has fewer weighted layers")
    for i in indices:
        assert frozen.layers[i].trainable == (i in indices[-train_last:])
    model = build_model(frozen, *preset_input(name))
    learning = {n.split(".")[1] for n, p in model.named_parameters() if p.requires_grad}
    assert learning == {str(i) for i in indices[-train_last:]}


def test_freeze_features_freezes_batchnorm_before_the_trained_layers() -> None:
    spec = NetworkSpec((layer("Conv2d", filters=4), layer("BatchNorm"), layer("Flatten"),
                        layer("Linear", units=8), layer("BatchNorm"), layer("Linear", units=10)))
    assert [lay.trainable for lay in freeze_features(spec, 1).layers] == [
        False, False, True, False, False, True]
    assert [lay.trainable for lay in freeze_features(spec, 2).layers] == [
        False, False, True, True, True, True]
    with pytest.raises(SpecError):
        freeze_features(spec, 4)
    with pytest.raises(SpecError):
        freeze_features(spec, 0)


def test_carry_weights_copies_exactly_the_matching_tensors(sample) -> None:
    spec, state, _ = sample
    model = build_model(replace_output(spec, 3), (1, 28, 28), 3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    extra = dict(state, **{"blocks.9.layer.weight": torch.ones(2), "blocks.5.layer.bias": torch.ones(7)})
    copied, skipped = carry_weights(extra, model)
    assert copied == ("blocks.0.layer.weight", "blocks.0.layer.bias", "blocks.2.layer.weight",
                      "blocks.2.layer.bias", "blocks.5.layer.weight")
    assert skipped == ("blocks.5.layer.bias", "blocks.6.layer.weight", "blocks.6.layer.bias")
    after = model.state_dict()
    for name in copied:
        assert torch.equal(after[name], state[name])
    for name in skipped:
        assert torch.equal(after[name], before[name])


def test_teaching_keeps_frozen_weights_bitwise(sample, taught: TaughtModel) -> None:
    _, state, _ = sample
    after = taught.model.state_dict()
    for name in ("blocks.0.layer.weight", "blocks.0.layer.bias", "blocks.2.layer.weight",
                 "blocks.2.layer.bias"):
        assert torch.equal(after[name], state[name]), name
    assert not torch.equal(after["blocks.5.layer.weight"], state["blocks.5.layer.weight"])
    assert after["blocks.6.layer.weight"].shape == (3, 128)
    assert taught.class_names == tuple(SYMBOLS) and taught.train_accuracy == 1.0
    assert not taught.model.training and taught.seconds > 0


def test_taught_model_reads_fresh_drawings(taught: TaughtModel) -> None:
    """The acceptance test: taught with 5 drawings each, it reads 10 fresh ones of each."""
    images, labels = drawings(SYMBOLS, 10, seed=2)
    read = probabilities(taught.model, images, taught.mean, taught.std).argmax(1)
    assert int((read == labels).sum()) == 30, read


def test_teaching_keeps_frozen_batchnorm_statistics() -> None:
    spec = NetworkSpec((layer("Conv2d", "relu", filters=4, kernel=5, stride=2), layer("BatchNorm"),
                        layer("Flatten"), layer("Linear", "relu", units=16), layer("Dropout", p=0.2),
                        layer("Linear", units=10)))
    base = build_model(spec, MNIST, 10)
    with torch.no_grad():
        base(torch.randn(8, 1, 28, 28))
    state = {k: v.clone() for k, v in base.state_dict().items()}
    images, labels = drawings("+-", 5, seed=3)
    taught = teach(spec, state, images, labels, ["plus", "minus"], 0.13, 0.31, epochs=2)
    after = taught.model.state_dict()
    for name in ("blocks.1.layer.running_mean", "blocks.1.layer.running_var",
                 "blocks.1.layer.num_batches_tracked", "blocks.0.layer.weight"):
        assert torch.equal(after[name], state[name]), name


def test_progress_and_stop(sample) -> None:
    spec, state, facts = sample
    images, labels = drawings("+-", 5, seed=4)
    seen: list[float] = []
    teach(spec, state, images, labels, ["+", "-"], facts.mean, facts.std, epochs=3,
          progress=seen.append)
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])
    stopped = threading.Event()
    stopped.set()
    with pytest.raises(TeachingStopped):
        teach(spec, state, images, labels, ["+", "-"], facts.mean, facts.std, cancel=stopped)


@pytest.mark.parametrize(("names", "per_class", "words"), [
    (["+"], 5, "between 2 and 20"),
    ([str(i) for i in range(21)], 5, "between 2 and 20"),
    (["+", " "], 5, "name"),
    (["+", "+"], 5, "own name"),
    (["+", "-"], 4, "at least 5"),
])
def test_bad_examples_are_refused_with_a_hint(sample, names: list[str], per_class: int,
                                              words: str) -> None:
    spec, state, facts = sample
    count = max(len(names), 2)
    images = np.zeros((count * per_class, 28, 28), dtype=np.float32)
    labels = np.repeat(np.arange(count), per_class) % len(names)
    with pytest.raises(PlaygroundError) as caught:
        teach(spec, state, images, labels, names, facts.mean, facts.std)
    assert words in caught.value.hint


def test_base_weights_that_do_not_fit_are_refused(sample) -> None:
    spec, state, facts = sample
    images, labels = drawings("+-", 5, seed=5)
    wrong = {k: v for k, v in state.items() if not k.startswith("blocks.0.")}
    with pytest.raises(PlaygroundError, match="do not fit"):
        teach(spec, wrong, images, labels, ["+", "-"], facts.mean, facts.std)
