"""Dataset downloads over HTTPS: mirrors tried in turn, sha256 pinned per file, progress, cancel."""

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs
import pooch
import requests

from playground.errors import DownloadError

CACHE_ENV = "NN_PLAYGROUND_CACHE"
OFFLINE_HINT = (
    "check the network and try again; the bundled mnist-sample works offline; "
    "an IDX folder can be used with idx:PATH"
)
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RemoteFile:
    """One file to download: its name on every mirror, its sha256 and its size in bytes."""

    name: str
    sha256: str
    size: int


MNIST_FILES = (
    RemoteFile(
        "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        9912422,
    ),
    RemoteFile(
        "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        28881,
    ),
    RemoteFile(
        "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        1648877,
    ),
    RemoteFile(
        "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        4542,
    ),
)
FASHION_FILES = (
    RemoteFile(
        "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        26421880,
    ),
    RemoteFile(
        "train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        29515,
    ),
    RemoteFile(
        "t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        4422102,
    ),
    RemoteFile(
        "t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        5148,
    ),
)
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
FASHION_MIRRORS = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
)


def cache_dir() -> Path:
    """The folder downloaded datasets live in: the user cache, or $NN_PLAYGROUND_CACHE."""
    root = os.environ.get(CACHE_ENV)
    base = Path(root).expanduser() if root else platformdirs.user_cache_path("nn-playground")
    return base / "datasets"


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_verified(path: Path, remote: RemoteFile) -> bool:
    """Whether a file is already on disk with the pinned hash."""
    try:
        return path.is_file() and sha256_of(path) == remote.sha256
    except OSError:
        return False


def _check_mirror(mirror: str) -> str:
    """Refuse anything but HTTPS (plain HTTP only to this machine); return the URL with a slash."""
    parts = urlsplit(mirror)
    local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    if parts.scheme != "https" and not local:
        raise DownloadError(f"refusing mirror {mirror}: only HTTPS downloads are allowed")
    return mirror if mirror.endswith("/") else mirror + "/"


class _Cancelled(Exception):
    """Raised inside pooch's download loop when the cancel event is set."""


class _Tracker:
    """Adds up bytes over all files and reports a never-decreasing total to the callback."""

    def __init__(
        self, total: int, callback: Progress | None, cancel: threading.Event | None
    ) -> None:
        self.total = total
        self.finished = 0
        self.reported = -1
        self.callback = callback
        self.cancel = cancel

    def check_cancel(self) -> None:
        """Stop the download if asked to."""
        if self.cancel is not None and self.cancel.is_set():
            raise _Cancelled

    def report(self, current_file_bytes: int) -> None:
        """Forward progress when it has grown."""
        done = min(self.finished + current_file_bytes, self.total)
        if done > self.reported:
            self.reported = done
            if self.callback is not None:
                self.callback(done, self.total)


class _FileProgress:
    """The progress bar pooch.HTTPDownloader drives for one file: total, update, reset, close."""

    def __init__(self, tracker: _Tracker, size: int) -> None:
        self.tracker = tracker
        self.size = size
        self.total = size
        self.done = 0

    def update(self, count: int) -> None:
        """Count bytes written (pooch passes its chunk size, so clamp to the file size)."""
        self.tracker.check_cancel()
        self.done = min(self.done + count, self.size)
        self.tracker.report(self.done)

    def reset(self) -> None:
        """Start this file's count again."""
        self.tracker.check_cancel()
        self.done = 0

    def close(self) -> None:
        """Nothing to release."""


def _remove_leftovers(dest: Path, before: set[str], final: Path) -> None:
    """Remove the final file and any temporary files a failed attempt left in dest."""
    final.unlink(missing_ok=True)
    for entry in dest.iterdir():
        if entry.name not in before and entry.name.startswith("tmp") and entry.is_file():
            entry.unlink(missing_ok=True)


def _short_reason(exc: Exception) -> str:
    """A one-line reason for a failed mirror."""
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return "connection failed or dropped"
    if isinstance(exc, ValueError) and "hash" in str(exc).lower():
        return "wrong sha256 (corrupt or changed file)"
    return f"{type(exc).__name__}: {exc}"


def _fetch(
    remote: RemoteFile, mirrors: Sequence[str], dest: Path, tracker: _Tracker, timeout: float
) -> Path:
    """Get one file from the first mirror that serves it with the right hash."""
    final = dest / remote.name
    reasons: list[str] = []
    for mirror in mirrors:
        tracker.check_cancel()
        before = {entry.name for entry in dest.iterdir()}
        downloader = pooch.HTTPDownloader(
            timeout=timeout, progressbar=_FileProgress(tracker, remote.size)
        )
        try:
            pooch.retrieve(
                mirror + remote.name,
                known_hash=f"sha256:{remote.sha256}",
                fname=remote.name,
                path=dest,
                downloader=downloader,
            )
        except _Cancelled:
            _remove_leftovers(dest, before, final)
            raise
        except (requests.RequestException, ValueError, OSError) as exc:
            _remove_leftovers(dest, before, final)
            reasons.append(f"{mirror} ({_short_reason(exc)})")
            continue
        return final
    raise DownloadError(
        f"could not download {remote.name}: every mirror failed: {'; '.join(reasons)}",
        hint=OFFLINE_HINT,
    )


def download_files(
    files: Sequence[RemoteFile],
    mirrors: Sequence[str],
    dest: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    timeout: float = 30.0,
) -> list[Path]:
    """Download files into dest, reusing any already there with the right sha256.

    Each file is written to a temporary file in dest by pooch and moved to its final name only
    after its hash matches, so a failed or cancelled download leaves nothing at the final path.

    Args:
        files: the files, with pinned hashes and sizes.
        mirrors: base URLs tried in turn; HTTPS only (plain HTTP only to 127.0.0.1/localhost).
        dest: the folder the files end up in (created if missing).
        progress: called with (bytes done, bytes in all files), never decreasing.
        cancel: when set, the download stops and DownloadError("download cancelled") is raised.
        timeout: seconds to wait for a mirror to connect or send data.

    Raises:
        DownloadError: a mirror is not HTTPS, every mirror failed for a file, or cancelled.
    """
    checked = [_check_mirror(mirror) for mirror in mirrors]
    if not checked:
        raise DownloadError("no mirrors to download from", hint=OFFLINE_HINT)
    tracker = _Tracker(sum(remote.size for remote in files), progress, cancel)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"{dest}: cannot create the folder ({exc.strerror or exc})") from exc
    tracker.report(0)
    paths: list[Path] = []
    try:
        for remote in files:
            tracker.check_cancel()
            path = dest / remote.name
            if not _is_verified(path, remote):
                path.unlink(missing_ok=True)
                path = _fetch(remote, checked, dest, tracker, timeout)
            tracker.finished += remote.size
            tracker.report(0)
            paths.append(path)
    except _Cancelled:
        raise DownloadError("download cancelled", hint="start the download again") from None
    except OSError as exc:
        raise DownloadError(f"{dest}: cannot write ({exc.strerror or exc})") from exc
    return paths
