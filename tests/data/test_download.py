"""Downloads against a local mirror server: fallbacks, hashes, leftovers, progress, cancel."""

import threading
from pathlib import Path

import numpy as np
import pooch
import pytest
import requests

from playground.data import download
from playground.data.download import RemoteFile, cache_dir, download_files
from playground.data.idx import read_idx
from playground.errors import DownloadError
from tests.data.conftest import Mirrors, remote_files, tiny_arrays, write_dataset

Remote = tuple[tuple[RemoteFile, ...], dict[str, bytes]]


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    """Four tiny IDX gz files (the images ones a few chunks long) with their true hashes."""
    write_dataset(tmp_path / "upstream", tiny_arrays())
    return remote_files(tmp_path / "upstream")


def names_in(folder: Path) -> list[str]:
    """Every entry in a folder, sorted."""
    return sorted(entry.name for entry in folder.iterdir())


def test_first_mirror_drops_second_is_used(mirrors: Mirrors, remote: Remote, tmp_path: Path) -> None:
    files, bodies = remote
    mirrors.serve("a", bodies, "drop")
    mirrors.serve("b", bodies)
    dest = tmp_path / "dest"
    paths = download_files(files, [mirrors.mirror("a"), mirrors.mirror("b")], dest)
    assert [path.read_bytes() for path in paths] == list(bodies.values())
    assert names_in(dest) == sorted(bodies)
    assert sum(path.startswith("/a/") for path in mirrors.requests) == len(files)


@pytest.mark.parametrize("mode", ["wrong", "403", "stall"])
def test_bad_mirror_then_next(mirrors: Mirrors, remote: Remote, tmp_path: Path, mode: str) -> None:
    files, bodies = remote
    mirrors.serve("a", bodies, mode)
    mirrors.serve("b", bodies)
    dest = tmp_path / "dest"
    download_files(files[:1], [mirrors.mirror("a"), mirrors.mirror("b")], dest, timeout=0.3)
    assert names_in(dest) == [files[0].name]
    assert (dest / files[0].name).read_bytes() == bodies[files[0].name]


def test_every_mirror_down(mirrors: Mirrors, remote: Remote, tmp_path: Path) -> None:
    files, bodies = remote
    mirrors.serve("a", bodies, "drop")
    mirrors.serve("b", bodies, "403")
    mirrors.serve("c", bodies, "wrong")
    urls = [mirrors.mirror(name) for name in "abc"]
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as caught:
        download_files(files, urls, dest)
    message, hint = caught.value.message, caught.value.hint
    assert files[0].name in message and "every mirror failed" in message
    assert all(url in message for url in urls)
    assert "HTTP 403" in message and "sha256" in message and "dropped" in message
    assert "mnist-sample" in hint and "idx:PATH" in hint
    assert names_in(dest) == []


def test_cached_file_is_reverified(mirrors: Mirrors, remote: Remote, tmp_path: Path) -> None:
    files, bodies = remote
    mirrors.serve("a", bodies)
    dest = tmp_path / "dest"
    download_files(files, [mirrors.mirror("a")], dest)
    assert len(mirrors.requests) == len(files)
    download_files(files, [mirrors.mirror("a")], dest)
    assert len(mirrors.requests) == len(files)
    target = dest / files[1].name
    target.write_bytes(b"corrupt")
    download_files(files, [mirrors.mirror("a")], dest)
    assert mirrors.requests[len(files) :] == [f"/a/{files[1].name}"]
    assert target.read_bytes() == bodies[files[1].name]


def test_progress_grows_to_total(mirrors: Mirrors, remote: Remote, tmp_path: Path) -> None:
    files, bodies = remote
    mirrors.serve("a", bodies, "drop")
    mirrors.serve("b", bodies)
    calls: list[tuple[int, int]] = []
    download_files(
        files, [mirrors.mirror("a"), mirrors.mirror("b")], tmp_path, progress=lambda *c: calls.append(c)
    )
    total = sum(f.size for f in files)
    assert len(calls) > len(files) + 1
    assert {t for _, t in calls} == {total}
    done = [d for d, _ in calls]
    assert done == sorted(set(done)) and done[0] == 0 and done[-1] == total


def test_cancel_mid_download(mirrors: Mirrors, remote: Remote, tmp_path: Path) -> None:
    files, bodies = remote
    mirrors.serve("a", bodies)
    cancel = threading.Event()

    def on_progress(done: int, total: int) -> None:
        if done > 0:
            cancel.set()

    big = max(files, key=lambda f: f.size)
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError, match="download cancelled"):
        download_files([big], [mirrors.mirror("a")], dest, progress=on_progress, cancel=cancel)
    assert names_in(dest) == []


def test_cancel_before_start(mirrors: Mirrors, remote: Remote, tmp_path: Path) -> None:
    files, bodies = remote
    mirrors.serve("a", bodies)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DownloadError, match="download cancelled"):
        download_files(files, [mirrors.mirror("a")], tmp_path, cancel=cancel)
    assert mirrors.requests == []


@pytest.mark.parametrize(
    "mirror", ["http://example.org/mnist/", "ftp://127.0.0.1/x/", "file:///tmp/", "http://10.0.0.1/"]
)
def test_plain_http_refused_without_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mirror: str
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a network request was made")

    monkeypatch.setattr(pooch, "retrieve", no_network)
    monkeypatch.setattr(requests, "get", no_network)
    with pytest.raises(DownloadError, match="only HTTPS"):
        download_files(
            [RemoteFile("f.gz", "0" * 64, 1)],
            ["https://example.org/ok/", mirror],
            tmp_path / "dest",
        )
    assert not (tmp_path / "dest").exists()


def test_pinned_tables() -> None:
    for table in (download.MNIST_FILES, download.FASHION_FILES):
        assert [f.name for f in table] == [
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
        ]
        assert all(len(f.sha256) == 64 and int(f.sha256, 16) >= 0 and f.size > 0 for f in table)
    for mirrors in (download.MNIST_MIRRORS, download.FASHION_MIRRORS):
        assert len(mirrors) >= 2 and all(m.startswith("https://") for m in mirrors)


def test_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", str(tmp_path))
    assert cache_dir() == tmp_path / "datasets"
    monkeypatch.delenv("NN_PLAYGROUND_CACHE")
    assert cache_dir().name == "datasets" and "nn-playground" in str(cache_dir())


def test_downloaded_files_parse(mirrors: Mirrors, remote: Remote, tmp_path: Path) -> None:
    files, bodies = remote
    mirrors.serve("a", bodies)
    paths = download_files(files, [mirrors.mirror("a")], tmp_path)
    assert read_idx(paths[0]).dtype == np.uint8
