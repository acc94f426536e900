"""Hypothesis strategies for hostile inputs: odd JSON values, type swaps inside valid JSON, byte mutations."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
from hypothesis import strategies as st
from PIL import Image

ODD_TEXT = ["", "\ud800", "\udfff", "a\ud83d", "\x00", "x" * 5000, "Linear", "relu", "none", "Flatten",
            "__metadata__", "../../etc/passwd", "\u202e", "😀", "NaN", "1e999", "\n\t", "spec.json"]
HUGE = [10**400, -(10**400), 2**63, 2**64 + 1, -1, 0, 1, 4096, 4097, 10**12]


def odd_text() -> st.SearchStrategy[str]:
    """Text of any code point (lone surrogates included), or one of the known troublemakers."""
    return st.one_of(st.text(st.characters(), max_size=12), st.sampled_from(ODD_TEXT))


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(HUGE),
                     st.floats(allow_nan=True, allow_infinity=True), odd_text())


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON-like value: scalars, lists and objects with odd keys, nested a few levels."""
    return st.recursive(scalars(), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(odd_text(), inner, max_size=4)), max_leaves=max_leaves)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON value (the root included) as a path of keys and indexes."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def type_swaps(draw: st.DrawFn, valid: Any, max_swaps: int = 3) -> Any:
    """``valid`` with up to ``max_swaps`` of its values (or keys' values) replaced by any JSON value, or a
    key dropped or added."""
    value = valid
    for _ in range(draw(st.integers(1, max_swaps))):
        path = draw(st.sampled_from(_paths(value)))
        action = draw(st.sampled_from(["swap", "swap", "drop", "add"]))
        target = _get(value, path)
        if action == "drop" and path:
            parent = _get(value, path[:-1])
            if isinstance(parent, dict):
                value = _replace(value, path[:-1], {k: v for k, v in parent.items() if k != path[-1]})
                continue
        if action == "add" and isinstance(target, dict):
            value = _replace(value, path, {**target, draw(odd_text()): draw(json_values(4))})
            continue
        value = _replace(value, path, draw(st.one_of(scalars(), json_values(6))))  # scalars: huge ones often
    return value


def _get(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def dumps(value: Any, raw_unicode: bool) -> bytes:
    """JSON text of ``value`` as bytes: escaped (lone surrogates as \\uD800) or raw UTF-8 (lone surrogates
    then make the bytes invalid UTF-8)."""
    text = json.dumps(value, ensure_ascii=not raw_unicode, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def byte_mutations(draw: st.DrawFn, raw: bytes) -> bytes:
    """``raw`` truncated, with bytes flipped, inserted or deleted, or a stretch replaced by deep nesting."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "flip", "truncate", "insert", "delete", "nest", "digits"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "nest":
            depth = draw(st.sampled_from([65, 1000, 100_000]))
            data[at:at] = b"[" * depth + b"]" * depth
        else:
            data[at:at] = b"9" * draw(st.sampled_from([20, 4400, 10_000]))
    return bytes(data)


PICTURE_KINDS = [("L", "PNG"), ("RGBA", "PNG"), ("P", "GIF"), ("I;16", "PNG"), ("F", "TIFF"),
                 ("CMYK", "JPEG"),
                 ("RGB", "JPEG"), ("1", "BMP"), ("LA", "PNG"), ("RGB", "WEBP")]
MAGIC = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"II*\0", b"BM", b"RIFF", b""]


def sample_pictures() -> list[bytes]:
    """A digit-like bar in each of PICTURE_KINDS (mode and format), as file bytes."""
    ink = np.zeros((40, 30), np.uint8)
    ink[6:34, 13:18] = 255
    out = []
    for mode, fmt in PICTURE_KINDS:
        image = Image.fromarray(ink)
        if mode == "I;16":
            image = Image.fromarray(ink.astype(np.uint16) * 16)
        elif mode == "F":
            image = Image.fromarray(ink.astype(np.float32) / 255)
        elif mode != "L":
            image = image.convert(mode)
        buffer = io.BytesIO()
        image.save(buffer, fmt)
        out.append(buffer.getvalue())
    return out


@st.composite
def picture_files(draw: st.DrawFn, valid: list[bytes]) -> bytes:
    """A valid picture with its bytes mutated, or random bytes behind a picture format's magic."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(MAGIC)) + draw(st.binary(max_size=256))
    return draw(byte_mutations(draw(st.sampled_from(valid))))
