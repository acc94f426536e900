"""Network specs: JSON round trip and clear errors for anything unknown."""

import pytest

from playground.core.presets import PRESETS, preset
from playground.core.spec import SCHEMA_VERSION, LayerSpec, NetworkSpec, layer
from playground.errors import SpecError


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_round_trip_through_json(name):
    spec = preset(name)
    again = NetworkSpec.from_json(spec.to_json())
    assert again == spec
    assert again.to_dict()["schema_version"] == SCHEMA_VERSION


def test_defaults_are_filled_and_ints_coerced():
    conv = LayerSpec.from_dict({"type": "Conv2d", "params": {"filters": 8.0}})
    assert dict(conv.params) == {"filters": 8, "kernel": 3, "stride": 1, "padding": 0}
    assert isinstance(conv.params["filters"], int)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"type": "Dense"}, "unknown layer type 'Dense'"),
        ({"type": "Linear", "params": {"neurons": 3}}, "unknown parameter 'neurons'"),
        ({"type": "Linear", "params": {"units": "ten"}}, "must be a number"),
        ({"type": "Linear", "params": {"units": 2.5}}, "whole number"),
        ({"type": "Linear", "activation": "swish"}, "unknown activation 'swish'"),
        ({"type": "Flatten", "activation": "relu"}, "takes no activation"),
        ({"type": "Linear", "colour": "red"}, "unknown field 'colour'"),
        ({"params": {}}, "missing field 'type'"),
        ([1, 2], "must be an object"),
    ],
)
def test_bad_layers_are_clear_errors(data, words):
    with pytest.raises(SpecError, match=words):
        NetworkSpec.from_dict({"layers": [data]})


def test_error_names_the_layer_number():
    with pytest.raises(SpecError, match="layer 2: unknown layer type"):
        NetworkSpec.from_dict({"layers": [{"type": "Flatten"}, {"type": "Nope"}]})


def test_bad_json_and_newer_schema():
    with pytest.raises(SpecError, match="not valid JSON"):
        NetworkSpec.from_json("{layers: ")
    with pytest.raises(SpecError, match="newer than this app"):
        NetworkSpec.from_dict({"schema_version": SCHEMA_VERSION + 1, "layers": []})
    with pytest.raises(SpecError, match="'layers' list"):
        NetworkSpec.from_dict({"layers": "Linear"})


def test_edits_return_new_specs():
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=10)))
    bigger = spec.insert(1, layer("Linear", "relu", units=32))
    assert len(spec) == 2 and len(bigger) == 3
    assert bigger.layers[1].activation == "relu"
    assert bigger.move(1, 0).layers[0].type == "Linear"
    assert bigger.remove(1) == spec
    frozen = bigger.replace_layer(1, bigger.layers[1].with_trainable(False))
    assert frozen.layers[1].trainable is False and bigger.layers[1].trainable is True
