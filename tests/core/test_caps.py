"""Memory stays bounded inside the caps: pictures by pixels, archives by their headers, specs by layers."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib

import pytest
import torch
from PIL import ImageFile

from playground.core.builder import build_model
from playground.core.predict_files import read_digit
from playground.core.project import load_model, load_project
from playground.core.spec import NetworkSpec
from playground.core.weights import load_weights, read_state_dict
from playground.errors import PlaygroundError, SpecError
from tests.hostile import SMALL_SPEC, model_file, saved_project, with_entry


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` RGBA pixels and holds one short row of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
            + chunk(b"IEND", b""))


def _safetensors(header: dict, payload: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + payload


def test_a_huge_picture_is_refused_from_its_header_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_header(13_000, 13_000))  # under Pillow's own bomb limit, 2.4 GB to decode
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self) or None)
    with pytest.raises(PlaygroundError, match="13,000 x 13,000 pixels is more than the 16.8 megapixels"):
        read_digit(path)
    assert not decoded


class _Counting:
    """Counts the bytes read from zip entries whose name ends in ``suffix``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
        self.bytes = 0
        original = zipfile.ZipExtFile.read

        def read(entry: zipfile.ZipExtFile, n: int = -1) -> bytes:
            data = original(entry, n)
            if entry.name.endswith(suffix):
                self.bytes += len(data)
            return data

        monkeypatch.setattr(zipfile.ZipExtFile, "read", read)


@pytest.mark.parametrize(("name", "info", "problem"), [
    ("blocks.9.layer.weight", {"dtype": "F32", "shape": [2_500_000]}, "extra tensor"),
    ("blocks.1.layer.weight", {"dtype": "F32", "shape": [2_500, 1000]}, "(2500, 1000)"),
    ("blocks.1.layer.weight", {"dtype": "F64", "shape": [8, 784]}, "torch.float64"),
])
def test_project_weights_are_checked_from_their_header_before_the_payload_is_read(tmp_path, monkeypatch,
                                                                                 name, info, problem):
    good = build_model(SMALL_SPEC, (1, 28, 28), 10).state_dict()
    header, offset = {}, 0
    tensors = {k: {"dtype": "F32", "shape": list(v.shape)} for k, v in good.items()}
    tensors[name] = info
    payload = bytearray()
    for key, entry in tensors.items():
        size = 4 * int(torch.tensor(entry["shape"]).prod()) * (2 if entry["dtype"] == "F64" else 1)
        header[key] = {**entry, "data_offsets": [offset, offset + size]}
        offset += size
        payload += bytes(size)
    path = with_entry(saved_project(tmp_path / "p.nnproj"), "weights.safetensors",
                      _safetensors(header, payload))
    counted = _Counting(monkeypatch, "weights.safetensors")
    with pytest.raises(PlaygroundError, match="do not match the network") as info_:
        load_project(path)
    assert problem in info_.value.message
    assert counted.bytes < 16 * 1024 < len(payload)


@pytest.fixture(scope="module")
def many_empty_tensors() -> bytes:
    """A safetensors file of 250,000 empty tensors (a 16 MB header)."""
    text = b"{" + b",".join(b'"t%d":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}' % i
                            for i in range(250_000)) + b"}"
    return len(text).to_bytes(8, "little") + text


@pytest.mark.parametrize("where", ["weights", "model file", "project"])
def test_a_quarter_million_empty_tensors_are_refused_by_their_count(tmp_path, where, many_empty_tensors):
    data = many_empty_tensors
    if where == "weights":
        (tmp_path / "w.safetensors").write_bytes(data)
        call = lambda: read_state_dict(tmp_path / "w.safetensors")  # noqa: E731
    elif where == "model file":
        path = model_file(tmp_path / "m.safetensors")
        header_size = int.from_bytes(path.read_bytes()[:8], "little")
        meta = json.loads(path.read_bytes()[8 : 8 + header_size])["__metadata__"]
        text = b'{"__metadata__": ' + json.dumps(meta).encode() + b", " + data[9:]  # spliced: quicker
        path.write_bytes(len(text).to_bytes(8, "little") + text)
        call = lambda: load_model(path)  # noqa: E731
    else:
        path = with_entry(saved_project(tmp_path / "p.nnproj"), "weights.safetensors", data)
        call = lambda: load_project(path)  # noqa: E731
    with pytest.raises(PlaygroundError, match="250,000 tensors") as info:
        call()
    assert len(str(info.value)) < 400


def test_a_mismatch_report_lists_a_few_names_not_all(tmp_path):
    state = {f"extra.{i}": torch.zeros(1) for i in range(3000)}
    torch.save(state, tmp_path / "many.pt")
    with pytest.raises(PlaygroundError) as info:
        load_weights(tmp_path / "many.pt", build_model(SMALL_SPEC, (1, 28, 28), 10))
    text = str(info.value)
    assert len(text) < 2000 and "(3,000)" in text and "and 2,990 more" in text


def test_a_spec_of_100000_layers_is_refused_before_it_is_built():
    text = json.dumps({"layers": [{"type": "Dropout"}] * 100_000})
    with pytest.raises(SpecError, match="100,000 layers, more than the 1,000"):
        NetworkSpec.from_json(text)


def test_the_layer_cap_is_not_hit_by_a_deep_but_real_network():
    NetworkSpec.from_json(json.dumps({"layers": [{"type": "Dropout"}] * 1000}))


@pytest.mark.parametrize("what", ["type", "param", "activation"])
def test_a_megabyte_name_is_not_echoed_whole(what):
    long = "x" * 1_000_000
    lay = {"type": long} if what == "type" else {"type": "Linear", "params": {long: 1}} if what == "param" \
        else {"type": "Linear", "activation": long}
    with pytest.raises(SpecError) as info:
        NetworkSpec.from_dict({"layers": [lay]})
    assert len(str(info.value)) < 400


def test_a_huge_tensor_name_is_not_echoed_whole(tmp_path):
    (tmp_path / "w.safetensors").write_bytes(_safetensors({"n" * 1_000_000: {"dtype": "XX"}}))
    with pytest.raises(PlaygroundError) as info:
        read_state_dict(tmp_path / "w.safetensors")
    assert len(str(info.value)) < 400



def test_a_huge_entry_name_in_the_manifest_is_not_echoed_whole(tmp_path):
    from tests.hostile import zip_entries

    path = saved_project(tmp_path / "p.nnproj")
    manifest = json.loads(zip_entries(path.read_bytes())["manifest.json"])
    manifest["entries"].append("x" * 50_000)  # the manifest may hold 64 KiB
    with pytest.raises(PlaygroundError) as info:
        load_project(with_entry(path, "manifest.json", json.dumps(manifest)))
    assert "entry" in info.value.message and len(str(info.value)) < 400


def test_a_damaged_zip_header_is_not_quoted_whole(tmp_path):
    import struct

    path = saved_project(tmp_path / "p.nnproj")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo("spec.json").header_offset
    data[offset + 26 : offset + 28] = struct.pack("<H", 3000)  # the local header claims a 3,000-byte name
    path.write_bytes(bytes(data))
    with pytest.raises(PlaygroundError, match="damaged or not a project file") as info:
        load_project(path)
    assert len(str(info.value)) < 400
