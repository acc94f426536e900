"""The source registry and the dataset types: refs with options, one registration per source, checks."""

from __future__ import annotations

import numpy as np
import pytest

from playground.data import registry
from playground.data.checks import pixel_stats
from playground.data.dataset import REGRESSION, DataRef, OptionDef, make_dataset
from playground.data.registry import SourceKind, check, kind_of, list_datasets, load_dataset, parse, patterns
from playground.errors import DatasetError
from tests.wave import Wave, wave  # noqa: F401  (a fixture)


def test_a_ref_is_plain_hashable_data_with_its_options_in_order() -> None:
    ref = DataRef.of("toy:spiral", {"points": 200, "noise": 0.1})
    assert ref == DataRef.of("toy:spiral", {"noise": 0.1, "points": 200})
    assert len({ref, DataRef("mnist")}) == 2
    assert ref.key == 'toy:spiral {"noise":0.1,"points":200}' and DataRef("mnist").key == "mnist"
    assert DataRef.from_dict(ref.to_dict()) == ref
    for bad in ({"options": {}}, {"id": ""}, {"id": "x", "options": {"n": [1]}}, "mnist"):
        with pytest.raises(DatasetError):
            DataRef.from_dict(bad)


def test_options_are_typed_ranged_and_filled_with_defaults(wave) -> None:  # noqa: F811
    assert check("test-wave") == DataRef.of("test-wave", {"points": 400, "noise": 0.05})
    parsed = parse("test-wave", ["points=64", "noise=0"])
    assert parsed == DataRef.of("test-wave", {"points": 64, "noise": 0.0})
    for ref, words in ((DataRef.of("test-wave", {"size": 3}), "unknown option 'size'"),
                       (DataRef.of("test-wave", {"points": 2.5}), "must be int"),
                       (DataRef.of("test-wave", {"points": True}), "must be int"),
                       (DataRef.of("test-wave", {"noise": 2.0}), "between 0 and 1")):
        with pytest.raises(DatasetError, match=words):
            check(ref)
    with pytest.raises(DatasetError, match="NAME=VALUE"):
        parse("test-wave", ["points"])
    with pytest.raises(DatasetError, match="must be int"):
        parse("test-wave", ["points=many"])
    assert OptionDef("on", bool, False).parse("yes") is True


def test_one_registration_makes_a_source_listed_and_loadable(wave) -> None:  # noqa: F811
    ids = [info.ref.id for info in list_datasets()]
    assert ids == ["mnist-sample", "mnist", "fashion-mnist", "my-drawings", "seq:sine", "seq:recall",
                   "seq:adding", "toy:circle", "toy:xor", "toy:gauss", "toy:spiral", "toy:spiral3",
                   "toy:plane", "toy:multigauss", "test-wave"]
    listed = next(info for info in list_datasets() if info.ref.id == "test-wave")
    assert listed.task == REGRESSION and listed.input_shape == (2,)
    assert load_dataset("test-wave").name == "Wave"
    assert kind_of("test-wave").options[0].name == "points"


def test_prefix_sources_answer_for_their_family(wave, tmp_path) -> None:  # noqa: F811
    assert kind_of(f"idx:{tmp_path}").key == "idx:" and patterns()[0][0] == "idx:DIR"
    registry.register(SourceKind("wave:", Wave, syntax="wave:NAME", help="waves by name"))
    assert kind_of("wave:calm").make(DataRef("wave:calm")).info().name == "Wave"
    assert ("wave:NAME", "waves by name") in patterns()
    for unknown in ("idx:", "wave:", "cifar", "cifar:x"):
        with pytest.raises(DatasetError, match="unknown dataset"):
            kind_of(unknown)


def test_make_dataset_measures_images_per_channel_and_leaves_features_alone() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 3, 4, 4), dtype=np.uint8)
    data = make_dataset(DataRef("x"), "colour", (images, np.arange(6) % 2), (images[:2], np.array([0, 1])),
                        class_names=("a", "b"))
    scaled = images.astype(np.float64) / 255
    assert data.mean == tuple(round(m, 4) for m in scaled.mean(axis=(0, 2, 3)))
    assert data.std == tuple(round(s, 4) for s in scaled.std(axis=(0, 2, 3)))
    assert data.is_image and data.input_shape == (3, 4, 4)
    assert pixel_stats(images, "x") == (data.mean, data.std)
    rows = rng.normal(size=(5, 3))
    table = make_dataset(DataRef("t"), "table", (rows, np.zeros(5, np.int64)), (rows, np.zeros(5, np.int64)),
                         class_names=("only",))
    assert table.train_x.dtype == np.float32 and table.mean == table.std == () and not table.is_image


@pytest.mark.parametrize(("train", "test", "kwargs", "words"), [
    ((np.zeros((0, 2)), np.zeros(0)), (np.zeros((1, 2)), np.zeros(1)), {}, "holds no samples"),
    ((np.zeros((2, 2)), np.zeros(2)), (np.zeros((1, 3)), np.zeros(1)), {}, "both splits"),
    ((np.zeros((2, 2)), np.zeros(3)), (np.zeros((1, 2)), np.zeros(1)), {}, "differ in number"),
    ((np.zeros((2, 2)), np.array([0, 5])), (np.zeros((1, 2)), np.array([0])), {"class_names": "ab"},
     "outside"),
    ((np.zeros((2, 2)), np.array([0.5, 1.5])), (np.zeros((1, 2)), np.array([0.5])), {"class_names": "ab"},
     "whole numbers"),
    ((np.zeros((2, 2)), np.array([np.nan, 1.0])), (np.zeros((1, 2)), np.array([0.5])), {"task": REGRESSION},
     "finite"),
    ((np.full((2, 2), np.inf), np.zeros(2)), (np.zeros((1, 2)), np.zeros(1)), {"task": REGRESSION},
     "not finite"),
    ((np.zeros((2, 1, 3, 3)), np.zeros(2, np.int64)), (np.zeros((1, 1, 3, 3)), np.zeros(1, np.int64)),
     {"class_names": "ab"}, "uint8"),
])
def test_make_dataset_refuses_what_does_not_fit(train, test, kwargs, words) -> None:
    with pytest.raises(DatasetError, match=words):
        make_dataset(DataRef("bad"), "bad", train, test, **kwargs)
