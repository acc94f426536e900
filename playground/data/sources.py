"""The IDX-file sources: the bundled MNIST sample, MNIST, Fashion-MNIST, any IDX folder, own drawings."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from playground.data.dataset import DataRef, Dataset, DatasetInfo, make_dataset
from playground.data.download import (
    FASHION_FILES,
    FASHION_MIRRORS,
    MNIST_FILES,
    MNIST_MIRRORS,
    Progress,
    RemoteFile,
    cache_dir,
    download_files,
)
from playground.data.drawings import TEST_EVERY, drawing_counts, drawings_dir
from playground.data.idx import find_idx_files, read_idx_pair
from playground.errors import DatasetError
from playground.resources import resource_path

RESOURCES = resource_path("datasets")
SYSTEM_FASHION = Path("/usr/share/datasets/fashion-mnist")
IDX_PREFIX = "idx:"
MY_DRAWINGS = "my-drawings"
MNIST_SHAPE = (1, 28, 28)
DIGITS = tuple(str(digit) for digit in range(10))
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
FILES: dict[str, tuple[RemoteFile, ...]] = {"mnist": MNIST_FILES, "fashion-mnist": FASHION_FILES}
MIRRORS: dict[str, tuple[str, ...]] = {"mnist": MNIST_MIRRORS, "fashion-mnist": FASHION_MIRRORS}
_MEMORY_SLOTS = 4


@dataclass(frozen=True)
class _Named:
    """One row of the catalogue of named IDX datasets."""

    name: str
    description: str
    class_names: tuple[str, ...]
    downloadable: bool


NAMED = {
    "mnist-sample": _Named(
        "MNIST sample",
        "5,000 MNIST digits bundled with the app (4,000 train / 1,000 test); works offline.",
        DIGITS,
        False,
    ),
    "mnist": _Named(
        "MNIST",
        "70,000 handwritten digits (60,000 train / 10,000 test); an 11 MB download.",
        DIGITS,
        True,
    ),
    "fashion-mnist": _Named(
        "Fashion-MNIST",
        "70,000 clothing images in 10 classes (60,000 train / 10,000 test); a 30 MB download.",
        FASHION_CLASSES,
        True,
    ),
}
_memory: dict[tuple, Dataset] = {}
_memory_lock = threading.Lock()


def _folders(dataset_id: str) -> list[Path]:
    """The folders a named dataset may be found in, in order of preference."""
    if dataset_id == "mnist-sample":
        return [RESOURCES / "mnist-sample"]
    if dataset_id == "fashion-mnist":
        return [SYSTEM_FASHION, cache_dir() / dataset_id]
    return [cache_dir() / dataset_id]


def _locate(dataset_id: str) -> tuple[Path, dict[str, Path]] | None:
    """The first folder holding all four files of a named dataset, with the files, or None."""
    for folder in _folders(dataset_id):
        try:
            return folder, find_idx_files(folder)
        except DatasetError:
            continue
    return None


def download_dataset(
    dataset_id: str,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Download a named dataset into the cache (files already there are re-verified).

    Raises:
        DatasetError: the dataset cannot be downloaded.
        DownloadError: every mirror failed for a file, or the download was cancelled.
    """
    if dataset_id not in FILES:
        raise DatasetError(f"{dataset_id!r} cannot be downloaded", hint=f"downloadable: {', '.join(FILES)}")
    dest = cache_dir() / dataset_id
    download_files(FILES[dataset_id], MIRRORS[dataset_id], dest, progress=progress, cancel=cancel)
    return dest


def _read(ref: DataRef, name: str, files: dict[str, Path], class_names: tuple[str, ...] | None) -> Dataset:
    """Read, check and keep in memory (keyed by the files' paths, sizes and times) the four IDX files;
    without class names the classes are numbered by label."""
    try:
        stamps = tuple((key, str(path), path.stat().st_size, path.stat().st_mtime_ns)
                       for key, path in sorted(files.items()))
    except OSError as exc:
        raise DatasetError(f"{name}: cannot read ({exc})") from exc
    key = (ref, stamps)
    with _memory_lock:
        cached = _memory.get(key)
    if cached is not None:
        return cached
    limit = len(class_names) if class_names else None
    train = read_idx_pair(files["train_images"], files["train_labels"], num_classes=limit)
    test = read_idx_pair(files["test_images"], files["test_labels"], num_classes=limit)
    if len(train[0]) == 0 or len(test[0]) == 0:
        raise DatasetError(f"{name}: the training or test set holds no images")
    if train[0].shape[1:] != test[0].shape[1:]:
        raise DatasetError(
            f"{name}: training images are {train[0].shape[1:]} but test images {test[0].shape[1:]}",
            hint="both sets must hold images of one size",
        )
    if class_names is None:
        count = max(int(train[1].max()), int(test[1].max())) + 1
        class_names = tuple(str(index) for index in range(max(count, 2)))
    dataset = make_dataset(ref, name, (train[0][:, None], train[1]), (test[0][:, None], test[1]),
                           class_names=class_names)
    with _memory_lock:
        _memory[key] = dataset
        while len(_memory) > _MEMORY_SLOTS:
            del _memory[next(iter(_memory))]
    return dataset


class NamedIdx:
    """mnist-sample (bundled), mnist or fashion-mnist (downloaded into the cache, or Debian's copy)."""

    def __init__(self, ref: DataRef) -> None:
        self.ref, self.row = ref, NAMED[ref.id]

    def info(self) -> DatasetInfo:
        """Where the files are, or that they need a download."""
        found = _locate(self.ref.id)
        return DatasetInfo(self.ref, self.row.name, self.row.description, MNIST_SHAPE, self.row.class_names,
                           available=found is not None, location=str(found[0]) if found else None,
                           needs_download=self.row.downloadable and found is None)

    def load(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> Dataset:
        """Read the files, downloading them first when they are not here."""
        found = _locate(self.ref.id)
        if found is None and self.row.downloadable:
            folder = download_dataset(self.ref.id, progress=progress, cancel=cancel)
            found = folder, find_idx_files(folder)
        if found is None:
            raise DatasetError(f"{self.row.name}: its files are missing from {_folders(self.ref.id)[0]}",
                               hint="reinstall the app, or use mnist or an idx:PATH folder")
        return _read(self.ref, self.row.name, found[1], self.row.class_names)


class IdxFolder:
    """Any folder holding the four MNIST-style IDX files (idx:PATH); classes are numbered by label."""

    def __init__(self, ref: DataRef) -> None:
        self.ref = ref
        self.folder = Path(ref.id.removeprefix(IDX_PREFIX)).expanduser()

    def info(self) -> DatasetInfo:
        """The folder; its image size and classes are known once it is read."""
        return DatasetInfo(self.ref, f"IDX folder {self.folder}", f"MNIST-format IDX files in {self.folder}",
                           None, (), available=self.folder.is_dir(), location=str(self.folder),
                           unavailable="" if self.folder.is_dir() else "no such folder")

    def load(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> Dataset:
        """Read the folder's four files."""
        return _read(self.ref, f"IDX folder {self.folder}", find_idx_files(self.folder), None)


class MyDrawings:
    """The digits drawn on the drawing pad and added to "my drawings" (every fifth of a digit is a test
    image); loadable once some digit has TEST_EVERY drawings."""

    name = "My drawings"
    description = "Digits you added on the drawing pad (every fifth of a digit is a test image)"

    def __init__(self, ref: DataRef) -> None:
        self.ref = ref

    def info(self) -> DatasetInfo:
        """Ready or not, and why not."""
        try:
            counts = drawing_counts()
            ready = any(n >= TEST_EVERY for n in counts.values())
            reason = "" if ready else f"draw {TEST_EVERY} of a digit first"
        except DatasetError:
            reason = "unreadable files"
        folder = drawings_dir()
        return DatasetInfo(self.ref, self.name, self.description, MNIST_SHAPE, DIGITS, available=not reason,
                           location=str(folder) if folder.is_dir() else None, unavailable=reason)

    def load(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> Dataset:
        """Read the drawings saved so far."""
        if not drawings_dir().is_dir():
            raise DatasetError("My drawings: none saved yet",
                               hint="draw digits on the drawing pad and add them to my drawings")
        return _read(self.ref, self.name, find_idx_files(drawings_dir()), DIGITS)
