"""Checks on untrusted containers before anything is read: zip entry names and sizes, safetensors headers."""

from __future__ import annotations

import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors

from playground.errors import PlaygroundError
from playground.safe_read import clip, parse_json, short

MAX_ENTRIES = 4096
MAX_RATIO = 200  # uncompressed / compressed size allowed for entries over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_TENSORS = 10_000
"""More tensors than a network of the most layers a spec may have (1,000) holds: BatchNorm keeps 5."""
DTYPE_SIZES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
    "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}
TORCH_DTYPES = {"BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16,
                "F16": torch.float16, "BF16": torch.bfloat16, "I32": torch.int32, "F32": torch.float32,
                "I64": torch.int64, "F64": torch.float64}


def safe_entry_name(name: str) -> bool:
    """True for a relative, forward-slash entry name without '..' parts, drive letters or odd characters."""
    if not name or name.startswith("/") or "\\" in name or ":" in name or "\x00" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.rstrip("/").split("/"))


def check_zip_entries(zf: zipfile.ZipFile, where: str, cap: Callable[[str], int],
                      total_cap: int) -> list[zipfile.ZipInfo]:
    """Check every entry's name and claimed sizes before any is read; return the entries.

    Args:
        zf: the open archive (only its central directory has been read).
        where: the file, for messages.
        cap: the largest uncompressed size allowed for an entry name.
        total_cap: the largest uncompressed size of all entries together.
    """
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise PlaygroundError(f"{where}: {len(infos)} entries, more than {MAX_ENTRIES}",
                              "this is not a file this app wrote")
    names: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if not safe_entry_name(name):
            raise PlaygroundError(f"{where}: unsafe entry name {short(name)} (absolute, '..' or backslash)",
                                  "refusing to read it; open only files from sources you trust")
        if name in names:
            raise PlaygroundError(f"{where}: the entry {short(name)} appears twice", "the file is damaged")
        names.add(name)
        size = info.file_size
        if size > cap(name):
            raise PlaygroundError(f"{where}: the entry {short(name)} claims {size:,} bytes, more than the "
                                  f"{cap(name):,} allowed", "the file is damaged or not from this app")
        if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise PlaygroundError(f"{where}: the entry {short(name)} would expand {ratio:,} times when "
                                  "unpacked",
                                  "the file looks like a zip bomb; not reading it")
        total += size
    if total > total_cap:
        raise PlaygroundError(f"{where}: the entries add up to {total:,} bytes, more than {total_cap:,}",
                              "the file is damaged or too large for this app")
    return infos


def _shape(value: object) -> tuple[int, ...] | None:
    if not isinstance(value, list) or len(value) > 8:
        return None
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in value):
        return None
    return tuple(value)


@dataclass(frozen=True)
class SafetensorsHeader:
    """What a safetensors header claims, checked against the file's size and the caps."""

    tensors: dict[str, tuple[str, tuple[int, ...]]]
    """name -> (safetensors dtype, shape)."""
    metadata: dict[str, str]


def _check_count(count: int, where: str) -> None:
    if count > MAX_TENSORS:
        raise PlaygroundError(f"{where}: {count:,} tensors, more than the {MAX_TENSORS:,} a network of "
                              "this app has", "the file is damaged or not made for this app")


def _parse_header(text: bytes, payload: int, where: str, max_elements: int) -> SafetensorsHeader:
    """Check every claim of a header (the JSON after the 8-byte size) against a payload of ``payload``
    bytes and the caps; nothing is allocated."""
    _check_count(text.count(b'"data_offsets"'), where)  # every tensor has one: refused before a slow parse
    header = parse_json(text, f"{where}: the safetensors header", PlaygroundError)
    if not isinstance(header, dict):
        raise PlaygroundError(f"{where}: the safetensors header is not a JSON object")
    _check_count(len(header) - ("__metadata__" in header), where)
    metadata = header.get("__metadata__", {})
    if not (isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())):
        raise PlaygroundError(f"{where}: the safetensors metadata is not a table of texts")
    out: dict[str, tuple[str, tuple[int, ...]]] = {}
    elements = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict) or info.get("dtype") not in DTYPE_SIZES:
            raise PlaygroundError(f"{where}: tensor {short(name)} has no known dtype")
        shape, offsets = _shape(info.get("shape")), info.get("data_offsets")
        if shape is None or not (isinstance(offsets, list) and len(offsets) == 2
                                 and all(isinstance(o, int) for o in offsets)):
            raise PlaygroundError(f"{where}: tensor {short(name)} has a bad shape or data offsets")
        numel = math.prod(shape)
        elements += numel
        if elements > max_elements:
            raise PlaygroundError(f"{where}: tensor {short(name)} claims {numel:,} elements; at most "
                                  f"{max_elements:,} in all are allowed",
                                  "the file is damaged or not made for this app")
        begin, end = offsets
        if not (0 <= begin <= end <= payload) or end - begin != numel * DTYPE_SIZES[info["dtype"]]:
            raise PlaygroundError(f"{where}: tensor {short(name)} claims data the file does not hold")
        out[name] = (info["dtype"], shape)
    return SafetensorsHeader(out, metadata)


def _header_size(head: bytes, total: int, where: str) -> int:
    if len(head) < 8:
        raise PlaygroundError(f"{where}: too short to be a safetensors file")
    size = int.from_bytes(head[:8], "little")
    if size > MAX_HEADER_BYTES or 8 + size > total:
        raise PlaygroundError(f"{where}: the safetensors header claims {size:,} bytes; the file has "
                              f"{total:,}")
    return size


def check_safetensors_header(data: bytes, where: str, max_elements: int) -> SafetensorsHeader:
    """Parse the header of safetensors bytes and check every claim against the bytes and caps."""
    size = _header_size(data[:8], len(data), where)
    return _parse_header(data[8 : 8 + size], len(data) - 8 - size, where, max_elements)


def mismatch(found: dict[str, tuple[str, tuple[int, ...]]], expected: dict[str, torch.Tensor]) -> str | None:
    """How tensors (name -> safetensors dtype and shape) differ from a model's state dict, or None:
    a missing or extra name, or another shape or dtype."""
    missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    if missing or extra:
        what = f"lack {missing[0]}" if missing else f"have an extra tensor {clip(extra[0])}"
        return f"the weights {what}: they do not match the network"
    for key, value in expected.items():
        dtype, shape = found[key]
        if shape != tuple(value.shape) or TORCH_DTYPES.get(dtype) != value.dtype:
            return (f"the weights do not match the network: {key} is {TORCH_DTYPES.get(dtype, dtype)} "
                    f"{shape}, the network needs {value.dtype} {tuple(value.shape)}")
    return None


def header_of(tensors: dict[str, torch.Tensor]) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Tensors described as a header describes them (for ``mismatch``)."""
    codes = {dtype: code for code, dtype in TORCH_DTYPES.items()}
    return {k: (codes.get(v.dtype, str(v.dtype)), tuple(v.shape)) for k, v in tensors.items()}


def _load(data: bytes, where: str) -> dict[str, torch.Tensor]:
    try:
        return load_safetensors(data)
    except (SafetensorError, ValueError, TypeError) as exc:
        raise PlaygroundError(f"{where}: not a readable safetensors file: {exc}") from None


def read_safetensors(data: bytes, where: str, max_elements: int,
                     expected: dict[str, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
    """Check the header against caps (and, given ``expected``, against a model's state dict), then load
    the tensors (CPU)."""
    header = check_safetensors_header(data, where, max_elements)
    problem = mismatch(header.tensors, expected) if expected is not None else None
    if problem:
        raise PlaygroundError(f"{where}: {problem}")
    return _load(data, where)


def read_safetensors_entry(zf: zipfile.ZipFile, name: str, where: str, max_elements: int,
                           expected: dict[str, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
    """Like ``read_safetensors`` for a zip entry, whose payload is read only after its header passed."""
    total = zf.getinfo(name).file_size
    with zf.open(name) as entry:
        head = entry.read(8)
        size = _header_size(head, total, where)
        text = entry.read(size)
        header = _parse_header(text, total - 8 - size, where, max_elements)
        problem = mismatch(header.tensors, expected) if expected is not None else None
        if problem:
            raise PlaygroundError(f"{where}: {problem}")
        return _load(head + text + entry.read(), where)


def non_finite(tensors: dict[str, torch.Tensor]) -> list[str]:
    """Names of floating-point tensors holding NaN or infinite values."""
    return [k for k, v in tensors.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
