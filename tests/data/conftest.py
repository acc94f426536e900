"""Fixtures for the data tests: tiny IDX datasets and a local HTTP server playing mirrors."""

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from playground.data.download import RemoteFile
from playground.data.idx import write_idx

STANDARD_NAMES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def tiny_arrays(train: int = 40, test: int = 20, classes: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
    """Random uint8 28x28 images and labels covering every class, keyed like find_idx_files."""
    rng = np.random.default_rng(seed)
    return {
        "train_images": rng.integers(0, 256, (train, 28, 28), dtype=np.uint8),
        "train_labels": (np.arange(train) % classes).astype(np.uint8),
        "test_images": rng.integers(0, 256, (test, 28, 28), dtype=np.uint8),
        "test_labels": (np.arange(test) % classes).astype(np.uint8),
    }


def write_dataset(folder: Path, arrays: dict[str, np.ndarray]) -> dict[str, Path]:
    """Write the four standard gz files into a folder and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {key: folder / name for key, name in STANDARD_NAMES.items()}
    for key, path in paths.items():
        write_idx(path, arrays[key])
    return paths


def remote_files(folder: Path) -> tuple[tuple[RemoteFile, ...], dict[str, bytes]]:
    """RemoteFile entries (true sha256 and size) and the bytes to serve for each file there."""
    bodies = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
    files = tuple(
        RemoteFile(name, hashlib.sha256(body).hexdigest(), len(body)) for name, body in bodies.items()
    )
    return files, bodies


class Mirrors:
    """A local HTTP server; each path answers as told: ok, wrong, 403, drop or stall."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.requests: list[str] = []
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def mirror(self, name: str) -> str:
        """The base URL of one mirror on this server."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}/"

    def serve(self, mirror: str, bodies: dict[str, bytes], mode: str = "ok") -> None:
        """Make a mirror answer every file in bodies in one mode."""
        for file_name, body in bodies.items():
            self.routes[f"/{mirror}/{file_name}"] = (mode, body)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """A request handler class bound to this server's routes."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                """Answer as the route says."""
                owner.requests.append(self.path)
                mode, body = owner.routes.get(self.path, ("404", b""))
                if mode in ("403", "404"):
                    self.send_error(int(mode))
                    return
                if mode == "wrong":
                    body = bytes(reversed(body))
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "stall":
                    owner.released.wait(10)
                    return
                if mode == "drop":
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                """Keep test output quiet."""

        return Handler


@pytest.fixture
def mirrors(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mirrors]:
    """A running local mirror server, stopped after the test."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    server = Mirrors()
    server.thread.start()
    yield server
    server.released.set()
    server.server.shutdown()
    server.server.server_close()
    server.thread.join(5)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the dataset cache at an empty temporary folder; return the datasets folder."""
    monkeypatch.setenv("NN_PLAYGROUND_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "datasets"
