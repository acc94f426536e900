"""Strict reader and atomic writer for MNIST-style IDX files, raw or gzip-compressed."""

import gzip
import struct
import zlib
from math import prod
from pathlib import Path
from typing import BinaryIO

import numpy as np

from playground.atomic import atomic_write
from playground.errors import DatasetError, IdxFormatError
from playground.safe_read import open_regular

GZIP_MAGIC = b"\x1f\x8b"
UBYTE = 0x08
MAX_NDIM = 4
_CHUNK = 1 << 20
_HEADER_ROOM = 64 * 1024
"""A file may be this much larger than the data its header claims (header, gzip framing)."""
_BAD_FILE_HINT = "download the file again, or pick another dataset"
_GZIP_ERRORS = (OSError, EOFError, zlib.error)

_IDX_KEYS = {
    "train_images": (("train",), "images", "idx3"),
    "train_labels": (("train",), "labels", "idx1"),
    "test_images": (("t10k", "test"), "images", "idx3"),
    "test_labels": (("t10k", "test"), "labels", "idx1"),
}


def _fail(path: Path, problem: str) -> IdxFormatError:
    """Build the error for a file that breaks the IDX format."""
    return IdxFormatError(f"{path}: {problem}", hint=_BAD_FILE_HINT)


def _read_exact(stream: BinaryIO | gzip.GzipFile, size: int, path: Path, what: str) -> bytes:
    """Read exactly `size` bytes or fail, saying which part of the file was cut short."""
    data = stream.read(size)
    if len(data) != size:
        raise _fail(path, f"truncated {what}: expected {size} bytes, found {len(data)}")
    return data


def _describe_start(head: bytes) -> str:
    """Say what a file that is not IDX seems to be, from its first bytes."""
    if head.lstrip().startswith(b"<"):
        return "not an IDX file: it looks like an HTML or XML page (a failed download?)"
    return f"not an IDX file: bad magic number {head[:4].hex(' ')} (expected 00 00 08 0N)"


def _parse(stream: BinaryIO | gzip.GzipFile, path: Path, max_bytes: int) -> np.ndarray:
    """Parse one IDX stream: header, size cap, payload, and nothing after it."""
    magic = stream.read(4)
    if magic[:2] != b"\x00\x00"[: len(magic)]:
        raise _fail(path, _describe_start(magic))
    if len(magic) < 4:
        raise _fail(path, f"truncated header: {len(magic)} bytes, an IDX file needs 8 or more")
    if magic[2] != UBYTE:
        raise _fail(path, f"unsupported type code 0x{magic[2]:02X} (only 0x08, unsigned bytes)")
    ndim = magic[3]
    if not 1 <= ndim <= MAX_NDIM:
        raise _fail(path, f"unsupported number of dimensions {ndim} (expected 1 to {MAX_NDIM})")
    dims = struct.unpack(f">{ndim}I", _read_exact(stream, 4 * ndim, path, "header"))
    size = prod(dims)
    if size > max_bytes:
        raise _fail(
            path, f"header claims {size:,} bytes of data {dims}, over the limit of {max_bytes:,}"
        )
    payload = bytearray()
    while len(payload) < size:
        chunk = stream.read(min(_CHUNK, size - len(payload)))
        if not chunk:
            found = len(payload)
            raise _fail(path, f"truncated: header {dims} needs {size:,} bytes, found {found:,}")
        payload += chunk
    if stream.read(1):
        raise _fail(path, f"trailing bytes after the {size:,} data bytes of the header {dims}")
    return np.frombuffer(payload, dtype=np.uint8).reshape(dims)


def read_idx(path: str | Path, *, max_bytes: int = 200_000_000) -> np.ndarray:
    """Read an unsigned-byte IDX file, gzip-compressed or not (told by its first two bytes).

    Args:
        path: the file.
        max_bytes: refuse files whose header claims more data bytes than this, before reading.

    Raises:
        DatasetError: the file is missing, cannot be read, is not a regular file, or is far larger than
            ``max_bytes``.
        IdxFormatError: the file breaks the IDX format or its gzip stream is broken.
    """
    path = Path(path)
    try:
        with open_regular(path, max_bytes + _HEADER_ROOM, DatasetError, "an IDX file") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            if not compressed:
                return _parse(raw, path, max_bytes)
            try:
                with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                    return _parse(stream, path, max_bytes)
            except _GZIP_ERRORS as exc:
                raise _fail(path, f"broken gzip data ({str(exc) or type(exc).__name__})") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write a uint8 array of 1 to 4 dimensions as IDX, gzip-compressed if the name ends in .gz.

    The write is atomic: a temporary file in the same folder, flushed, synced, then renamed.

    Raises:
        IdxFormatError: the array is not uint8 or has an unsupported number of dimensions.
        DatasetError: the file cannot be written.
    """
    path = Path(path)
    if array.dtype != np.uint8 or not 1 <= array.ndim <= MAX_NDIM:
        raise IdxFormatError(
            f"{path}: cannot write a {array.dtype} array with {array.ndim} dimensions",
            hint=f"IDX files here hold uint8 arrays with 1 to {MAX_NDIM} dimensions",
        )
    if max(array.shape) >= 1 << 32:
        raise IdxFormatError(f"{path}: a dimension of {array.shape} does not fit in 32 bits")
    header = bytes([0, 0, UBYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + np.ascontiguousarray(array).tobytes()
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise DatasetError(f"{path}: cannot write ({exc.strerror or exc})") from exc


def read_idx_pair(
    images_path: str | Path, labels_path: str | Path, *, num_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read matching images (N, H, W) and labels (N,), checking counts and label range.

    Args:
        images_path: an IDX file with magic 0x0803.
        labels_path: an IDX file with magic 0x0801.
        num_classes: when given, every label must be below it.

    Raises:
        IdxFormatError: either file is malformed or the two do not match.
    """
    images_path, labels_path = Path(images_path), Path(labels_path)
    images = read_idx(images_path)
    if images.ndim != 3:
        raise _fail(images_path, f"expected images (magic 0x0803, 3 dims), found {images.ndim}")
    labels = read_idx(labels_path)
    if labels.ndim != 1:
        raise _fail(labels_path, f"expected labels (magic 0x0801, 1 dim), found {labels.ndim}")
    if len(images) != len(labels):
        raise _fail(
            labels_path, f"holds {len(labels):,} labels but {images_path.name} has {len(images):,}"
        )
    if num_classes is not None and len(labels) and int(labels.max()) >= num_classes:
        index = int(np.argmax(labels >= num_classes))
        raise _fail(
            labels_path,
            f"label {labels[index]} at index {index} is out of range for {num_classes} classes",
        )
    return images, labels


def _candidates(prefixes: tuple[str, ...], kind: str, code: str) -> list[str]:
    """Every accepted file name for one of the four standard files."""
    return [
        f"{prefix}-{kind}{sep}{code}-ubyte{ext}"
        for prefix in prefixes
        for sep in ("-", ".")
        for ext in (".gz", "")
    ]


def find_idx_files(folder: str | Path) -> dict[str, Path]:
    """Find the four standard MNIST-style files in a folder.

    Accepts `train-`, `t10k-` or `test-` prefixes, `-idx3-ubyte` or `.idx3-ubyte`, with or
    without `.gz`. Returns paths under the keys train_images, train_labels, test_images and
    test_labels.

    Raises:
        DatasetError: the folder is missing or lacks some of the files.
    """
    folder = Path(folder)
    found: dict[str, Path] = {}
    missing: list[str] = []
    try:
        if not folder.is_dir():
            raise DatasetError(f"{folder}: no such folder", hint="give a folder holding IDX files")
        for key, spec in _IDX_KEYS.items():
            names = _candidates(*spec)
            match = next((folder / name for name in names if (folder / name).is_file()), None)
            if match is None:
                missing.append(f"{key} (e.g. {names[0]} or {names[1]})")
            else:
                found[key] = match
    except OSError as exc:
        raise DatasetError(f"{folder}: cannot read the folder ({exc.strerror or exc})",
                           hint="check that you may read the folder and its files") from None
    if missing:
        raise DatasetError(
            f"{folder}: missing {', '.join(missing)}",
            hint="the folder needs train- and t10k- (or test-) images-idx3 and labels-idx1 "
            "files, optionally .gz",
        )
    return found
