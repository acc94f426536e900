"""Properties of the JSON loaders: a network spec (text, file, settings) and small JSON notes (recovery)
give a valid object or the project's error, never another exception, never a hang."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from playground.core.presets import PRESETS, preset
from playground.core.spec import NetworkSpec
from playground.core.specfile import read_spec_data
from playground.errors import PlaygroundError, SpecError
from playground.safe_read import parse_json, read_json
from tests.hostile import deadline
from tests.property.budget import CASE_SECONDS
from tests.property.strategies import byte_mutations, dumps, json_values, type_swaps

VALID_SPECS = [preset(name).to_dict() for name in sorted(PRESETS)]


def _spec_or_spec_error(load) -> NetworkSpec | None:
    """Run ``load``; a spec must survive its own round trip, anything else must be a SpecError."""
    with deadline(CASE_SECONDS):
        try:
            spec = load()
        except SpecError as exc:
            assert exc.message and len(exc.message) < 400
            return None
    assert isinstance(spec, NetworkSpec)
    assert NetworkSpec.from_json(spec.to_json()) == spec
    return spec


@st.composite
def spec_texts(draw: st.DrawFn) -> bytes:
    """Spec JSON from every direction: valid specs with values swapped, mutated bytes, random JSON."""
    valid = draw(st.sampled_from(VALID_SPECS))
    kind = draw(st.sampled_from(["swap", "swap", "bytes", "random"]))
    if kind == "swap":
        return dumps(draw(type_swaps(valid)), draw(st.booleans()))
    if kind == "bytes":
        return draw(byte_mutations(dumps(valid, False)))
    return dumps(draw(json_values()), draw(st.booleans()))


@given(spec_texts())
def test_spec_text(text: bytes) -> None:
    _spec_or_spec_error(lambda: NetworkSpec.from_json(text))
    decoded = text.decode("utf-8", "surrogateescape")  # a str may hold real lone surrogates too
    _spec_or_spec_error(lambda: NetworkSpec.from_json(decoded))


@given(spec_texts())
def test_spec_file(tmp_path_factory, text: bytes) -> None:
    path: Path = tmp_path_factory.mktemp("spec") / "net.json"
    path.write_bytes(text)

    def load() -> NetworkSpec:
        spec, data = read_spec_data(path)
        assert isinstance(data, dict)
        return spec

    _spec_or_spec_error(load)


@given(st.one_of(json_values().map(lambda v: dumps(v, False)), json_values().map(lambda v: dumps(v, True)),
                 st.binary(max_size=64), byte_mutations(b'{"path": "/home/me/digits.nnproj"}')))
def test_small_json_note(tmp_path_factory, data: bytes) -> None:
    """The recovery note (autosave.json) and other small JSON files: a value of valid text, or the error."""
    path: Path = tmp_path_factory.mktemp("note") / "autosave.json"
    path.write_bytes(data)
    with deadline(CASE_SECONDS):
        try:
            value = read_json(path, 64 * 1024)
        except PlaygroundError as exc:
            assert str(path) in exc.message
            return
    assert parse_json(dumps(value, True), "again") == value or value != value  # NaN is not equal to itself
