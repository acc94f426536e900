"""LayerSpec and NetworkSpec: the whole network as plain, immutable, JSON-serialisable data."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from playground.core.activations import ACTIVATIONS
from playground.core.layers import LAYER_TYPES
from playground.errors import SpecError
from playground.safe_read import parse_json, short

SCHEMA_VERSION = 1
MAX_LAYERS = 1000
"""More layers than any network this app trains; a spec with more is refused before it is built."""
MAX_SPEC_BYTES = 4 * 1024 * 1024
MAX_MAGNITUDE = 2**53
"""Parameter values beyond this are refused as they are read (every range in the catalogue is far
smaller), so no later arithmetic meets a 4,000-digit integer."""


def _coerce(type_name: str, name: str, value: Any, kind: type) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"{type_name}: parameter '{name}' must be a number, not {short(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError(f"{type_name}: parameter '{name}' must be a finite number, not {value}")
    if abs(value) > MAX_MAGNITUDE:
        raise SpecError(f"{type_name}: parameter '{name}' is far out of range ({short(value)})")
    if kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise SpecError(f"{type_name}: parameter '{name}' must be a whole number, not {value}")
        return int(value)
    return float(value)


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its catalogue type, parameters, activation and whether it trains.

    Unknown types, unknown parameter names and non-numeric values raise SpecError; values out of
    range are kept and reported by the analysis on the layer concerned.
    """

    type: str
    params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    activation: str = "none"
    trainable: bool = True

    def __post_init__(self) -> None:
        row = LAYER_TYPES.get(self.type) if isinstance(self.type, str) else None
        if row is None:
            known = ", ".join(LAYER_TYPES)
            raise SpecError(f"unknown layer type {short(self.type)}", f"known types: {known}")
        given = dict(self.params)
        names = {p.name for p in row.params}
        unknown = sorted(short(k) for k in set(given) - names)
        if unknown:
            allowed = ", ".join(sorted(names)) or "none"
            raise SpecError(f"{self.type}: unknown parameter {unknown[0]}", f"parameters: {allowed}")
        values = row.defaults()
        for p in row.params:
            if p.name in given:
                values[p.name] = _coerce(self.type, p.name, given[p.name], p.kind)
        object.__setattr__(self, "params", MappingProxyType(values))
        if not isinstance(self.activation, str) or self.activation not in ACTIVATIONS:
            known = ", ".join(ACTIVATIONS)
            raise SpecError(f"unknown activation {short(self.activation)}", f"known: {known}")
        if self.activation != "none" and not row.has_activation:
            raise SpecError(f"{self.type} takes no activation; add an Activation layer after it")
        if not isinstance(self.trainable, bool):
            raise SpecError(f"{self.type}: 'trainable' must be true or false")

    def with_params(self, **changes: int | float) -> LayerSpec:
        """A copy with some parameters changed."""
        return replace(self, params=MappingProxyType({**self.params, **changes}))

    def with_activation(self, activation: str) -> LayerSpec:
        """A copy with another activation."""
        return replace(self, activation=activation)

    def with_trainable(self, trainable: bool) -> LayerSpec:
        """A copy frozen or unfrozen."""
        return replace(self, trainable=trainable)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "type": self.type,
            "params": dict(self.params),
            "activation": self.activation,
            "trainable": self.trainable,
        }

    @classmethod
    def from_dict(cls, data: Any) -> LayerSpec:
        """Read a layer from plain data, with clear errors."""
        if not isinstance(data, dict):
            raise SpecError(f"a layer must be an object, not {type(data).__name__}")
        extra = sorted(short(k) for k in set(data) - {"type", "params", "activation", "trainable"})
        if extra:
            raise SpecError(f"layer: unknown field {extra[0]}")
        if "type" not in data:
            raise SpecError("layer: missing field 'type'")
        if not isinstance(data["type"], str):
            raise SpecError(f"layer: the type must be a name, not {short(data['type'])}")
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise SpecError(f"{short(data['type'])}: 'params' must be an object")
        return cls(
            data["type"],
            MappingProxyType(params),
            data.get("activation", "none"),
            data.get("trainable", True),
        )


def layer(type_name: str, activation: str = "none", trainable: bool = True, **params: Any) -> LayerSpec:
    """Shorthand: ``layer("Linear", "relu", units=128)``."""
    return LayerSpec(type_name, MappingProxyType(params), activation, trainable)


@dataclass(frozen=True)
class NetworkSpec:
    """A network: an ordered tuple of layers. Edits return new specs, which makes undo trivial."""

    layers: tuple[LayerSpec, ...] = ()
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def outputs_probabilities(self) -> bool:
        """True when the last layer's activation already turns the outputs into probabilities (softmax)."""
        return bool(self.layers) and ACTIVATIONS[self.layers[-1].activation].probabilities

    def insert(self, index: int, new: LayerSpec) -> NetworkSpec:
        """A copy with ``new`` at ``index``."""
        return replace(self, layers=self.layers[:index] + (new,) + self.layers[index:])

    def remove(self, index: int) -> NetworkSpec:
        """A copy without layer ``index``."""
        return replace(self, layers=self.layers[:index] + self.layers[index + 1 :])

    def replace_layer(self, index: int, new: LayerSpec) -> NetworkSpec:
        """A copy with layer ``index`` replaced."""
        return replace(self, layers=self.layers[:index] + (new,) + self.layers[index + 1 :])

    def move(self, index: int, to: int) -> NetworkSpec:
        """A copy with layer ``index`` moved to position ``to``."""
        layers = list(self.layers)
        layers.insert(to, layers.pop(index))
        return replace(self, layers=tuple(layers))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "schema_version": self.schema_version,
            "layers": [lay.to_dict() for lay in self.layers],
        }

    def to_json(self) -> str:
        """The spec as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> NetworkSpec:
        """Read a spec from plain data; newer schema versions and bad fields are clear errors."""
        if not isinstance(data, dict):
            raise SpecError("a network spec must be a JSON object with a 'layers' list")
        version = data.get("schema_version", SCHEMA_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise SpecError(f"bad schema_version {short(version)}")
        if version > SCHEMA_VERSION:
            raise SpecError(
                f"the spec has schema version {short(version)}, newer than this app's {SCHEMA_VERSION}",
                "update the Neural Network Playground",
            )
        layers = data.get("layers")
        if not isinstance(layers, list):
            raise SpecError("a network spec needs a 'layers' list")
        if len(layers) > MAX_LAYERS:
            raise SpecError(f"the spec has {len(layers):,} layers, more than the {MAX_LAYERS:,} "
                            "this app builds")
        out = []
        for i, item in enumerate(layers, start=1):
            try:
                out.append(LayerSpec.from_dict(item))
            except SpecError as exc:
                raise SpecError(f"layer {i}: {exc.message}", exc.hint) from None
        return cls(tuple(out))

    @classmethod
    def from_json(cls, text: str | bytes) -> NetworkSpec:
        """Parse JSON text; anything but a valid spec (bad JSON included) is a SpecError."""
        if len(text) > MAX_SPEC_BYTES:
            raise SpecError(f"{len(text):,} characters is too long for a network spec",
                            "network specs are small JSON files")
        return cls.from_dict(parse_json(text, "", SpecError))
