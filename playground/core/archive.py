"""Checks on untrusted containers before anything is read: zip entry names and sizes, safetensors headers."""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Callable

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors

from playground.errors import PlaygroundError

MAX_ENTRIES = 4096
MAX_RATIO = 200  # uncompressed / compressed size allowed for entries over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024 * 1024
DTYPE_SIZES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
    "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}


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
            raise PlaygroundError(f"{where}: unsafe entry name {name!r} (absolute, '..' or backslash)",
                                  "refusing to read it; open only files from sources you trust")
        if name in names:
            raise PlaygroundError(f"{where}: the entry {name!r} appears twice", "the file is damaged")
        names.add(name)
        size = info.file_size
        if size > cap(name):
            raise PlaygroundError(f"{where}: the entry {name!r} claims {size:,} bytes, more than the "
                                  f"{cap(name):,} allowed", "the file is damaged or not from this app")
        if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise PlaygroundError(f"{where}: the entry {name!r} would expand {ratio:,} times when unpacked",
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


def check_safetensors_header(data: bytes, where: str,
                             max_elements: int) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Parse a safetensors header and check every claim against the bytes and caps; nothing is allocated.

    Returns:
        name -> (safetensors dtype, shape) for each tensor.
    """
    if len(data) < 8:
        raise PlaygroundError(f"{where}: too short to be a safetensors file")
    size = int.from_bytes(data[:8], "little")
    if size > MAX_HEADER_BYTES or 8 + size > len(data):
        raise PlaygroundError(f"{where}: the safetensors header claims {size:,} bytes; the file has "
                              f"{len(data):,}")
    try:
        header = json.loads(data[8 : 8 + size])
    except (ValueError, RecursionError) as exc:
        raise PlaygroundError(f"{where}: the safetensors header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise PlaygroundError(f"{where}: the safetensors header is not a JSON object")
    payload = len(data) - 8 - size
    out: dict[str, tuple[str, tuple[int, ...]]] = {}
    elements = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict) or info.get("dtype") not in DTYPE_SIZES:
            raise PlaygroundError(f"{where}: tensor {name!r} has no known dtype")
        shape, offsets = _shape(info.get("shape")), info.get("data_offsets")
        if shape is None or not (isinstance(offsets, list) and len(offsets) == 2
                                 and all(isinstance(o, int) for o in offsets)):
            raise PlaygroundError(f"{where}: tensor {name!r} has a bad shape or data offsets")
        numel = math.prod(shape)
        elements += numel
        if elements > max_elements:
            raise PlaygroundError(f"{where}: tensor {name!r} claims {numel:,} elements; at most "
                                  f"{max_elements:,} in all are allowed",
                                  "the file is damaged or not made for this app")
        begin, end = offsets
        if not (0 <= begin <= end <= payload) or end - begin != numel * DTYPE_SIZES[info["dtype"]]:
            raise PlaygroundError(f"{where}: tensor {name!r} claims data the file does not hold")
        out[name] = (info["dtype"], shape)
    return out


def read_safetensors(data: bytes, where: str, max_elements: int) -> dict[str, torch.Tensor]:
    """Check the header against caps, then load the tensors (CPU)."""
    check_safetensors_header(data, where, max_elements)
    try:
        return load_safetensors(data)
    except (SafetensorError, ValueError, TypeError) as exc:
        raise PlaygroundError(f"{where}: not a readable safetensors file: {exc}") from None


def non_finite(tensors: dict[str, torch.Tensor]) -> list[str]:
    """Names of floating-point tensors holding NaN or infinite values."""
    return [k for k, v in tensors.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
