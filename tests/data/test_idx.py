"""Strict IDX parsing: round trips, one case per malformed header, broken gzip, fuzzing."""

import gzip
import os
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.data.idx import find_idx_files, read_idx, read_idx_pair, write_idx
from playground.errors import DatasetError, IdxFormatError

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def idx_bytes(dims: tuple[int, ...], payload: bytes, type_code: int = 0x08) -> bytes:
    """Hand-made IDX bytes: magic, big-endian dims, then the payload as given."""
    return bytes([0, 0, type_code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + payload


def put(path: Path, data: bytes) -> Path:
    """Write bytes to a file and return its path."""
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
@pytest.mark.parametrize("shape", [(7,), (5, 28, 28), (2, 3, 4, 5), (0, 28, 28)])
def test_round_trip(tmp_path: Path, name: str, shape: tuple[int, ...]) -> None:
    array = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    write_idx(tmp_path / name, array)
    back = read_idx(tmp_path / name)
    assert back.dtype == np.uint8
    np.testing.assert_array_equal(back, array)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_gzip_is_told_by_magic_not_name(tmp_path: Path) -> None:
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    write_idx(tmp_path / "x.gz", array)
    os.replace(tmp_path / "x.gz", tmp_path / "x-raw-name")
    np.testing.assert_array_equal(read_idx(tmp_path / "x-raw-name"), array)
    put(tmp_path / "y.gz", idx_bytes((3, 4), array.tobytes()))
    np.testing.assert_array_equal(read_idx(tmp_path / "y.gz"), array)


def test_gz_write_is_deterministic(tmp_path: Path) -> None:
    array = np.arange(100, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x01\x00\x08\x01\x00\x00\x00\x01x", "bad magic"),
        (b"\x00\x01\x08\x01\x00\x00\x00\x01x", "bad magic"),
        (idx_bytes((2,), b"\x00" * 8, type_code=0x0D), "type code 0x0D"),
        (idx_bytes((2,), b"\x00" * 2, type_code=0x09), "type code 0x09"),
        (idx_bytes((), b"\x00"), "dimensions 0"),
        (idx_bytes((1, 1, 1, 1, 1), b"\x00"), "dimensions 5"),
        (idx_bytes((2, 3), b"\x00" * 5), "truncated"),
        (idx_bytes((2, 3), b"\x00" * 7), "trailing bytes"),
        (idx_bytes((4,), b""), "truncated"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header"),
        (b"\x00\x00", "truncated header"),
        (b"", "truncated header"),
    ],
)
def test_malformed_header(tmp_path: Path, data: bytes, words: str) -> None:
    for name, body in (("f-ubyte", data), ("f-ubyte.gz", gzip.compress(data))):
        path = put(tmp_path / name, body)
        with pytest.raises(IdxFormatError, match=words) as caught:
            read_idx(path)
        assert str(path) in caught.value.message


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        read_idx(tmp_path / "absent.gz")
    with pytest.raises(DatasetError, match="a folder, not an IDX file"):
        read_idx(tmp_path)


def test_truncated_gzip(tmp_path: Path) -> None:
    good = gzip.compress(idx_bytes((50, 28, 28), bytes(range(256)) * 153 + b"\x00" * 152))
    for cut in (len(good) // 2, len(good) - 4, 12):
        path = put(tmp_path / "t.gz", good[:cut])
        with pytest.raises(IdxFormatError, match="t.gz") as caught:
            read_idx(path)
        assert "gzip" in caught.value.message or "truncated" in caught.value.message


def test_corrupt_gzip_body(tmp_path: Path) -> None:
    good = bytearray(gzip.compress(idx_bytes((100,), bytes(100))))
    good[-8] ^= 0xFF
    with pytest.raises(IdxFormatError, match="gzip"):
        read_idx(put(tmp_path / "c.gz", bytes(good)))


def test_html_page_saved_as_gz(tmp_path: Path) -> None:
    page = b"<!DOCTYPE html>\n<html><body><h1>403 Forbidden</h1></body></html>\n"
    path = put(tmp_path / "train-images-idx3-ubyte.gz", page)
    with pytest.raises(IdxFormatError, match="HTML") as caught:
        read_idx(path)
    assert "train-images-idx3-ubyte.gz" in caught.value.message


def test_huge_header_refused_without_allocating(tmp_path: Path) -> None:
    data = idx_bytes((10_000, 10_000, 10_000), b"\x00" * 16)
    for path in (put(tmp_path / "h", data), put(tmp_path / "h.gz", gzip.compress(data))):
        tracemalloc.start()
        try:
            with pytest.raises(IdxFormatError, match="limit"):
                read_idx(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 5_000_000


def test_max_bytes_is_checked_from_the_header(tmp_path: Path) -> None:
    path = put(tmp_path / "m", idx_bytes((1000,), bytes(1000)))
    assert read_idx(path, max_bytes=1000).shape == (1000,)
    with pytest.raises(IdxFormatError, match="limit"):
        read_idx(path, max_bytes=999)


def test_write_refuses_bad_arrays(tmp_path: Path) -> None:
    for array in (np.zeros(3, np.float32), np.zeros((), np.uint8), np.zeros((1,) * 5, np.uint8)):
        with pytest.raises(IdxFormatError):
            write_idx(tmp_path / "bad.gz", array)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keep.gz"
    write_idx(path, np.arange(10, dtype=np.uint8))
    before = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(DatasetError, match="cannot write"):
        write_idx(path, np.arange(20, dtype=np.uint8))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.gz"]


def pair_files(tmp_path: Path, images: np.ndarray, labels: np.ndarray) -> tuple[Path, Path]:
    """Write an images file and a labels file."""
    write_idx(tmp_path / "img.gz", images)
    write_idx(tmp_path / "lab.gz", labels)
    return tmp_path / "img.gz", tmp_path / "lab.gz"


def test_pair_reads(tmp_path: Path) -> None:
    images = np.zeros((6, 28, 28), np.uint8)
    labels = np.array([0, 1, 2, 9, 3, 4], np.uint8)
    got_images, got_labels = read_idx_pair(*pair_files(tmp_path, images, labels), num_classes=10)
    assert got_images.shape == (6, 28, 28)
    np.testing.assert_array_equal(got_labels, labels)


def test_pair_count_mismatch(tmp_path: Path) -> None:
    paths = pair_files(tmp_path, np.zeros((6, 28, 28), np.uint8), np.zeros(5, np.uint8))
    with pytest.raises(IdxFormatError, match="lab.gz: holds 5 labels but img.gz has 6"):
        read_idx_pair(*paths)


def test_pair_label_out_of_range(tmp_path: Path) -> None:
    labels = np.array([0, 1, 10, 2], np.uint8)
    paths = pair_files(tmp_path, np.zeros((4, 28, 28), np.uint8), labels)
    with pytest.raises(IdxFormatError, match="label 10 at index 2 is out of range for 10"):
        read_idx_pair(*paths, num_classes=10)
    assert len(read_idx_pair(*paths)[1]) == 4


def test_pair_two_dimensional_images(tmp_path: Path) -> None:
    paths = pair_files(tmp_path, np.zeros((4, 784), np.uint8), np.zeros(4, np.uint8))
    with pytest.raises(IdxFormatError, match="img.gz: expected images .*0x0803"):
        read_idx_pair(*paths)


def test_pair_labels_with_dims(tmp_path: Path) -> None:
    paths = pair_files(tmp_path, np.zeros((4, 28, 28), np.uint8), np.zeros((4, 1), np.uint8))
    with pytest.raises(IdxFormatError, match="lab.gz: expected labels .*0x0801"):
        read_idx_pair(*paths)


@pytest.mark.parametrize(
    "names",
    [
        ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
        ("train-images.idx3-ubyte", "train-labels.idx1-ubyte",
         "test-images.idx3-ubyte", "test-labels.idx1-ubyte"),
        ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "test-images-idx3-ubyte.gz", "t10k-labels.idx1-ubyte.gz"),
    ],
)  # fmt: skip
def test_find_idx_files(tmp_path: Path, names: tuple[str, ...]) -> None:
    for name in names:
        put(tmp_path / name, b"")
    found = find_idx_files(tmp_path)
    assert [path.name for path in found.values()] == list(names)
    assert list(found) == ["train_images", "train_labels", "test_images", "test_labels"]


def test_find_idx_files_lists_missing(tmp_path: Path) -> None:
    put(tmp_path / "train-images-idx3-ubyte.gz", b"")
    put(tmp_path / "train-labels-idx1-ubyte.gz", b"")
    with pytest.raises(DatasetError, match="missing test_images .*test_labels") as caught:
        find_idx_files(tmp_path)
    assert "t10k-images-idx3-ubyte.gz" in caught.value.message
    with pytest.raises(DatasetError, match="no such folder"):
        find_idx_files(tmp_path / "nowhere")


def assert_array_or_format_error(path: Path) -> None:
    """The property: reading gives a uint8 array or the project's own error, nothing else."""
    try:
        array = read_idx(path, max_bytes=100_000)
    except DatasetError:
        return
    assert array.dtype == np.uint8 and 1 <= array.ndim <= 4


@FUZZ
@given(data=st.binary(max_size=300), compress=st.booleans())
def test_random_bytes(tmp_path: Path, data: bytes, compress: bool) -> None:
    assert_array_or_format_error(put(tmp_path / "r", gzip.compress(data) if compress else data))


@FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
    compress=st.booleans(),
)
def test_mutated_valid_file(
    tmp_path: Path, edits: list[tuple[int, int]], cut: int | None, compress: bool
) -> None:
    valid = idx_bytes((3, 5, 4), bytes(range(60)))
    body = bytearray(gzip.compress(valid, mtime=0) if compress else valid)
    for position, value in edits:
        body[position % len(body)] = value
    assert_array_or_format_error(put(tmp_path / "m", bytes(body[:cut])))
