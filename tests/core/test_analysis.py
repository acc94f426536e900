"""Analysis: shapes, counts, and problems that name the layer and offer a working fix."""

import time

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.activations import ACTIVATIONS
from playground.core.analysis import SOFTMAX_BEFORE_CE, Analysis, analyse
from playground.core.builder import build_model
from playground.core.layers import LAYER_TYPES
from playground.core.presets import PRESETS, preset
from playground.core.spec import LayerSpec, NetworkSpec, layer
from tests.conftest import MNIST
from tests.core.preset_data import preset_input


def mnist(spec: NetworkSpec, outputs: int = 10, **rest: str) -> Analysis:
    """The analysis of ``spec`` on 1x28x28 images with ``outputs`` classes."""
    return analyse(spec, MNIST, outputs, **rest)


def _torch_params(spec: NetworkSpec) -> int:
    return sum(p.numel() for p in build_model(spec, MNIST, 10).parameters())


def test_presets_are_valid_and_counts_match_torch():
    for name in PRESETS:
        spec = preset(name)
        shape, outputs = preset_input(name)
        result = analyse(spec, shape, outputs)
        assert result.ok, (name, [p.text for p in result.problems])
        assert result.output_shape == (outputs,)
        assert result.total_params == sum(p.numel() for p in build_model(spec, shape, outputs).parameters())


def test_lenet5_has_the_classic_61706_parameters():
    assert mnist(preset("lenet5")).total_params == 61_706


def test_per_layer_shapes_of_lenet5():
    shapes = [info.output_shape for info in mnist(preset("lenet5")).layers]
    assert shapes == [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (400,), (120,), (84,), (10,)]


def test_macs_and_memory_of_the_article_mlp():
    result = mnist(preset("article-mlp"))
    assert result.total_macs == 784 * 128 + 128 * 10
    # input 784 + flatten 784 + linear 128 (x2 with ReLU) + 10, four bytes each
    assert result.activation_bytes == 4 * (784 + 784 + 2 * 128 + 10)


def test_linear_after_maps_needs_flatten_and_the_fix_works():
    spec = NetworkSpec((layer("Conv2d", filters=8, kernel=5), layer("MaxPool2d"), layer("Linear", units=10)))
    result = mnist(spec)
    (problem,) = result.errors
    assert problem.layer == 2
    assert problem.message == "Linear after 8x12x12 needs Flatten: insert Flatten"
    fixed = problem.fix.apply(spec)
    assert [lay.type for lay in fixed.layers] == ["Conv2d", "MaxPool2d", "Flatten", "Linear"]
    assert mnist(fixed).ok


def test_kernel_larger_than_input():
    spec = NetworkSpec((
        layer("Conv2d", filters=4, kernel=5), layer("MaxPool2d", kernel=2, stride=8),
        layer("Conv2d", filters=4, kernel=5), layer("Flatten"), layer("Linear", units=10),
    ))
    result = mnist(spec)
    (problem,) = result.errors
    assert problem.layer == 2
    assert "kernel 5 is larger than the 3x3 input" in problem.message
    assert mnist(problem.fix.apply(spec)).ok
    assert result.layers[3].output_shape is None  # nothing is guessed past an error


def test_wrong_number_of_outputs_names_both_numbers_and_fixes():
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=7)))
    (problem,) = mnist(spec).errors
    assert problem.message == "the last layer has 7 outputs but the dataset has 10 classes"
    assert mnist(problem.fix.apply(spec)).ok
    assert mnist(spec, 7).ok


def test_network_ending_in_maps_and_empty_network_get_fixes():
    for spec in (NetworkSpec(), NetworkSpec((layer("Conv2d", filters=4),))):
        (problem,) = mnist(spec).errors
        assert mnist(problem.fix.apply(spec)).ok


def test_out_of_range_parameters_are_layer_errors():
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=0), layer("Linear", units=10)))
    (problem,) = mnist(spec).errors
    assert problem.layer == 1 and "units must be between 1" in problem.message
    assert mnist(problem.fix.apply(spec)).ok
    stride0 = NetworkSpec((layer("Conv2d", stride=0), layer("Flatten"), layer("Linear", units=10)))
    assert "stride must be between 1" in mnist(stride0).errors[0].message


def test_softmax_before_cross_entropy_is_a_warning_not_an_error():
    spec = NetworkSpec((layer("Flatten"), layer("Linear", "softmax", units=10)))
    result = mnist(spec)
    assert result.ok
    (warning,) = result.warnings
    assert warning.message == SOFTMAX_BEFORE_CE
    assert mnist(spec, loss="mse").warnings == ()


def test_regression_asks_for_as_many_outputs_as_targets():
    spec = NetworkSpec((layer("Linear", "relu", units=16), layer("Dropout"), layer("Linear", units=5)))
    (problem,) = analyse(spec, (2,), 1, "mse", "regression").errors
    assert problem.message == "the last layer has 5 outputs but the dataset has 1 target value"
    assert problem.fix.label == "Set units of layer 3 to 1"
    assert analyse(problem.fix.apply(spec), (2,), 1, "mse", "regression").ok
    assert analyse(spec, (2,), 5, "mse", "regression").ok


def test_layer_and_group_norm_keep_the_shape_and_groups_must_divide_the_channels():
    spec = NetworkSpec((layer("Conv2d", filters=6, padding=1), layer("GroupNorm", groups=4),
                        layer("LayerNorm"), layer("Flatten"), layer("Linear", units=10)))
    result = mnist(spec)
    (problem,) = result.errors
    assert problem.layer == 1 and problem.message == "4 groups do not divide the 6 channels evenly"
    assert problem.fix.label == "Set groups to 3"
    fixed = mnist(problem.fix.apply(spec))
    assert fixed.ok and [info.output_shape for info in fixed.layers][1:3] == [(6, 28, 28)] * 2
    assert fixed.layers[1].params == 2 * 6 and fixed.layers[2].params == 2 * 6 * 28 * 28
    assert fixed.total_params == _torch_params(problem.fix.apply(spec))


def test_a_recurrent_layer_reads_sequences_as_they_are():
    result = analyse(NetworkSpec((layer("LSTM", hidden=8), layer("Linear", units=3))), (20, 4), 3)
    assert result.ok and result.layers[0].output_shape == (8,)
    assert result.layers[0].params == 4 * (8 * (4 + 8) + 2 * 8)


def test_recurrent_layer_after_flatten_is_an_error():
    spec = NetworkSpec((layer("Flatten"), layer("GRU"), layer("Linear", units=10)))
    assert "move it before the Flatten" in mnist(spec).errors[0].message


def test_frozen_layers_do_not_count_as_trainable():
    spec = preset("article-mlp")
    frozen = spec.replace_layer(1, spec.layers[1].with_trainable(False))
    result = mnist(frozen)
    assert result.trainable_params == 128 * 10 + 10
    assert result.total_params == mnist(spec).total_params


def test_huge_networks_are_refused_before_allocation():
    spec = NetworkSpec((layer("Flatten"), layer("Linear", units=4096), layer("Linear", units=4096),
                        *[layer("Linear", units=4096)] * 3, layer("Linear", units=10)))
    assert any("parameters is more than" in p.message for p in mnist(spec).errors)


def test_analysis_of_a_20_layer_spec_is_fast():
    spec = NetworkSpec((layer("Conv2d", "relu", filters=8, padding=1),) * 10
                       + (layer("Flatten"),) + (layer("Linear", "relu", units=32),) * 8
                       + (layer("Linear", units=10),))
    assert len(spec) == 20 and mnist(spec).ok
    start = time.perf_counter()
    for _ in range(100):
        mnist(spec)
    print(f"analysis of a 20-layer spec: {(time.perf_counter() - start) * 10:.3f} ms")


# --- property: analysis predicts the real forward pass, or reports an error ------------------

def _layer_strategy():
    def params(type_name):
        row = LAYER_TYPES[type_name]
        fields = {}
        for p in row.params:
            if p.kind is int:
                # one below the minimum too: out-of-range values must be errors with a fix
                fields[p.name] = st.integers(int(p.minimum) - 1, min(int(p.maximum), 40))
            else:
                fields[p.name] = st.floats(0.0, 0.9)
        return st.fixed_dictionaries(fields)

    @st.composite
    def one(draw):
        type_name = draw(st.sampled_from(sorted(LAYER_TYPES)))
        acts = sorted(ACTIVATIONS) if LAYER_TYPES[type_name].has_activation else ["none"]
        p = draw(params(type_name))
        if type_name in ("RNN", "LSTM", "GRU"):
            p["hidden"] = min(p["hidden"], 16)
            p["layers"] = min(p["layers"], 2)
        if type_name == "Conv2d":
            p["filters"] = min(p["filters"], 8)
        if type_name == "Linear":
            p["units"] = min(p["units"], 64)
        return LayerSpec(type_name, p, draw(st.sampled_from(acts)))

    return one()


@settings(max_examples=120, deadline=None)
@given(st.lists(_layer_strategy(), min_size=0, max_size=6),
       st.sampled_from([(1, 28, 28), (3, 9, 7), (1, 5, 5), (12,), (7, 5)]))
def test_property_analysis_matches_forward_pass(layers, input_shape):
    spec = NetworkSpec(tuple(layers))
    result = analyse(spec, input_shape, 10)
    for _ in range(4):  # one-click fixes make most random stacks valid, and must keep working
        if result.ok or result.errors[0].fix is None:
            break
        spec = result.errors[0].fix.apply(spec)
        result = analyse(spec, input_shape, 10)
    if not result.ok:
        assert all(p.text for p in result.errors)
        return
    model = build_model(spec, input_shape, 10).eval()
    x = torch.zeros(2, *input_shape)
    for block, info in zip(model.blocks, result.layers, strict=True):
        x = block(x)
        assert tuple(x.shape[1:]) == info.output_shape
    assert result.total_params == sum(p.numel() for p in model.parameters())
