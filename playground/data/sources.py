"""The dataset catalogue: the bundled MNIST sample, MNIST, Fashion-MNIST, any IDX folder, own drawings."""

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.data.checks import pixel_stats
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

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "datasets"
SYSTEM_FASHION = Path("/usr/share/datasets/fashion-mnist")
IDX_PREFIX = "idx:"
MY_DRAWINGS = "my-drawings"
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
class DatasetInfo:
    """What the catalogue knows about a dataset without loading it."""

    id: str
    name: str
    description: str
    class_names: tuple[str, ...]
    available: bool
    location: str | None
    needs_download: bool
    unavailable: str = ""
    """Why it cannot be loaded yet, in a few words, when that is not a missing download."""


@dataclass(eq=False)
class Dataset:
    """A loaded dataset: read-only uint8 images (N, H, W), labels (N,), and pixel statistics."""

    id: str
    name: str
    class_names: tuple[str, ...]
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    mean: float
    std: float

    @property
    def num_classes(self) -> int:
        """How many classes the labels index."""
        return len(self.class_names)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """The shape of one input: (channels, height, width)."""
        _, height, width = self.train_images.shape
        return (1, height, width)


@dataclass(frozen=True)
class _Named:
    """One row of the catalogue of named datasets."""

    name: str
    description: str
    class_names: tuple[str, ...]
    downloadable: bool


_NAMED = {
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


def _valid_ids() -> str:
    """The ids load_dataset accepts, for messages."""
    return ", ".join([*_NAMED, f"{IDX_PREFIX}PATH"])


def list_datasets() -> list[DatasetInfo]:
    """The named datasets, each saying whether it can be loaded now without the network."""
    infos = []
    for dataset_id, row in _NAMED.items():
        found = _locate(dataset_id)
        infos.append(
            DatasetInfo(
                id=dataset_id,
                name=row.name,
                description=row.description,
                class_names=row.class_names,
                available=found is not None,
                location=str(found[0]) if found else None,
                needs_download=row.downloadable and found is None,
            )
        )
    infos.append(_my_drawings_info())
    return infos


def _my_drawings_info() -> DatasetInfo:
    """The user's drawings: loadable once some digit has TEST_EVERY drawings (one goes to the test set)."""
    try:
        counts = drawing_counts()
        ready = any(n >= TEST_EVERY for n in counts.values())
        reason = "" if ready else f"draw {TEST_EVERY} of a digit first"
    except DatasetError:
        reason = "unreadable files"
    folder = drawings_dir()
    return DatasetInfo(MY_DRAWINGS, "My drawings",
                       "Digits you added on the drawing pad (every fifth of a digit is a test image)",
                       DIGITS, not reason, str(folder) if folder.is_dir() else None, False, reason)


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


def _read(dataset_id: str, name: str, files: dict[str, Path], class_names: tuple[str, ...] | None) -> Dataset:
    """Read and check the four files; without class names, number the classes by label."""
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
    for array in (*train, *test):
        array.setflags(write=False)
    mean, std = pixel_stats(train[0], name)
    return Dataset(dataset_id, name, class_names, *train, *test, mean=mean, std=std)


def _resolve(
    dataset_id: str, download: bool, progress: Progress | None, cancel: threading.Event | None
) -> tuple[str, dict[str, Path], tuple[str, ...] | None]:
    """Find a dataset's files (downloading if asked): its name, files and class names."""
    if dataset_id.startswith(IDX_PREFIX):
        folder = Path(dataset_id.removeprefix(IDX_PREFIX)).expanduser()
        return f"IDX folder {folder}", find_idx_files(folder), None
    if dataset_id == MY_DRAWINGS:
        if not drawings_dir().is_dir():
            raise DatasetError("My drawings: none saved yet",
                               hint="draw digits on the drawing pad and add them to my drawings")
        return "My drawings", find_idx_files(drawings_dir()), DIGITS
    row = _NAMED.get(dataset_id)
    if row is None:
        raise DatasetError(f"unknown dataset {dataset_id!r}", hint=f"valid ids: {_valid_ids()}")
    found = _locate(dataset_id)
    if found is None and row.downloadable and download:
        folder = download_dataset(dataset_id, progress=progress, cancel=cancel)
        found = folder, find_idx_files(folder)
    if found is None and row.downloadable:
        raise DatasetError(
            f"{row.name} is not downloaded",
            hint=f"run `nn-playground download {dataset_id}`, or use mnist-sample, which works offline",
        )
    if found is None:
        raise DatasetError(
            f"{row.name}: its files are missing from {_folders(dataset_id)[0]}",
            hint="reinstall the app, or use mnist or an idx:PATH folder",
        )
    return row.name, found[1], row.class_names


def load_dataset(
    dataset_id: str,
    *,
    download: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Dataset:
    """Load a dataset by id: mnist-sample, mnist, fashion-mnist, my-drawings, or idx:PATH to a folder.

    Loaded datasets stay in memory (keyed by id and the files' paths, sizes and times), so a
    second call returns the same read-only arrays without parsing again.

    Args:
        dataset_id: which dataset.
        download: fetch mnist or fashion-mnist into the cache when it is not there yet.
        progress: download progress, called with (bytes done, bytes in all).
        cancel: set it to stop a download.

    Raises:
        DatasetError: unknown id, not downloaded, or files that are missing or malformed.
        DownloadError: the download failed on every mirror or was cancelled.
    """
    name, files, class_names = _resolve(dataset_id, download, progress, cancel)
    try:
        stamps = tuple(
            (key, str(path), path.stat().st_size, path.stat().st_mtime_ns)
            for key, path in sorted(files.items())
        )
    except OSError as exc:
        raise DatasetError(f"{name}: cannot read ({exc})") from exc
    key = (dataset_id, stamps)
    with _memory_lock:
        cached = _memory.get(key)
    if cached is not None:
        return cached
    dataset = _read(dataset_id, name, files, class_names)
    with _memory_lock:
        _memory[key] = dataset
        while len(_memory) > _MEMORY_SLOTS:
            del _memory[next(iter(_memory))]
    return dataset
