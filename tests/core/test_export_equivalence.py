"""For every catalogue row, the exported script's network with the app's weights gives the app's outputs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from playground.core.activations import ACTIVATIONS
from playground.core.analysis import analyse
from playground.core.builder import build_model
from playground.core.export import export_script
from playground.core.layers import LAYER_TYPES
from playground.core.project import DataFacts, Project
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig
from playground.data.dataset import DataRef

SHAPE = (4, 8, 8)
"""Four channels, so that every default (GroupNorm's four groups too) fits; small, so the check is fast."""
CLASSES = tuple("abc")
FACTS = DataFacts(DataRef("idx:/data/colour"), SHAPE, CLASSES, (0.2, 0.3, 0.4, 0.5), (0.25, 0.2, 0.3, 0.35))


def network_with(type_name: str, activation: str) -> NetworkSpec:
    """The first of a few small stacks around one ``type_name`` layer that fits SHAPE and CLASSES."""
    row = LAYER_TYPES[type_name]
    own = layer(type_name, activation if row.has_activation else "none")
    maps = layer("Conv2d", filters=4, padding=1)
    out = layer("Linear", units=len(CLASSES))
    flatten = layer("Flatten")
    for layers in ((maps, own, flatten, out), (own, flatten, out), (flatten, own, out), (own, out)):
        spec = NetworkSpec(layers)
        if analyse(spec, SHAPE, len(CLASSES)).ok:
            return spec
    raise AssertionError(f"no small network around {type_name} fits {SHAPE}")


def app_and_script_outputs(spec: NetworkSpec, tmp_path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    """The app model (every tensor randomised) and the exported script's Network loaded with its
    state dict, both in eval mode, on the same random batch."""
    torch.manual_seed(0)
    model = build_model(spec, SHAPE, len(CLASSES))
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                tensor.copy_(torch.rand_like(tensor) + 0.5 if "var" in name else torch.randn_like(tensor))
    project = Project(spec, TrainConfig(), FACTS, weights=model.state_dict())
    path = tmp_path / "train.py"
    export_script(path, project)
    loaded = importlib.util.spec_from_file_location(f"exported_{tmp_path.name}", path)
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    network = module.Network()
    network.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(5, *SHAPE)
    with torch.no_grad():
        return model.eval()(x), network.eval()(x)


@pytest.mark.parametrize("type_name", sorted(LAYER_TYPES))
def test_every_layer_type_exports_to_the_same_network(type_name: str, tmp_path: Path) -> None:
    ours, theirs = app_and_script_outputs(network_with(type_name, "tanh"), tmp_path)
    assert ours.shape == (5, len(CLASSES))
    torch.testing.assert_close(theirs, ours, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_exports_to_the_same_network(name: str, tmp_path: Path) -> None:
    spec = NetworkSpec((layer("Flatten"), layer("Linear", name, units=6), layer("Activation", name),
                        layer("Linear", units=len(CLASSES))))
    ours, theirs = app_and_script_outputs(spec, tmp_path)
    torch.testing.assert_close(theirs, ours, rtol=1e-5, atol=1e-6)
