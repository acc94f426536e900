"""The user's own drawings: a growing MNIST-style IDX dataset in the user data folder."""

import os
import threading
from pathlib import Path

import numpy as np
import platformdirs

from playground.data.idx import find_idx_files, read_idx_pair, write_idx
from playground.errors import DatasetError

DATA_ENV = "NN_PLAYGROUND_DATA"
"""Environment variable that overrides the user data folder (tests point it at a temporary one)."""

FOLDER = "my-drawings"
SIZE = 28
TEST_EVERY = 5
"""Every fifth drawing of each label goes to the test files, the rest to the training files."""

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
_lock = threading.Lock()


def data_root() -> Path:
    """The app's user data folder: $NN_PLAYGROUND_DATA, else the platform's user data path."""
    root = os.environ.get(DATA_ENV)
    return Path(root).expanduser() if root else platformdirs.user_data_path("nn-playground")


def drawings_dir() -> Path:
    """The folder holding the user's drawings as the four standard IDX files (may not exist yet)."""
    return data_root() / FOLDER


def _empty() -> dict[str, np.ndarray]:
    """The four arrays of a dataset without drawings."""
    images = np.zeros((0, SIZE, SIZE), dtype=np.uint8)
    labels = np.zeros((0,), dtype=np.uint8)
    return {"train_images": images, "train_labels": labels, "test_images": images, "test_labels": labels}


def _read(folder: Path) -> tuple[dict[str, np.ndarray], dict[str, Path]]:
    """The drawings saved so far (empty arrays when there are none yet) and the files they are in.

    Raises:
        DatasetError: the folder cannot be read, or its files are malformed or do not hold 28x28 images.
    """
    try:
        if not folder.is_dir() or not any(p.name.endswith(("-ubyte", "-ubyte.gz")) for p in folder.iterdir()):
            return _empty(), {}
    except OSError as exc:
        raise DatasetError(f"{folder}: cannot read the folder ({exc.strerror or exc})",
                           hint="check that you may read the folder, or move it away to start anew") from None
    files = find_idx_files(folder)
    train = read_idx_pair(files["train_images"], files["train_labels"])
    test = read_idx_pair(files["test_images"], files["test_labels"])
    for images in (train[0], test[0]):
        if images.shape[1:] != (SIZE, SIZE):
            raise DatasetError(
                f"{folder}: holds images of {images.shape[1:]}, not {SIZE}x{SIZE}",
                hint="move the folder away to start a new collection of drawings",
            )
    arrays = {"train_images": train[0], "train_labels": train[1],
              "test_images": test[0], "test_labels": test[1]}
    return arrays, files


def add_drawing(image28: np.ndarray, label: int) -> None:
    """Append one drawing with its label, rewriting the IDX files atomically one by one.

    Args:
        image28: the 28x28 uint8 input the model sees (white ink on black).
        label: the class index, 0 to 255.

    Raises:
        DatasetError: a bad image or label, unreadable existing files, or a failed write.
    """
    image = np.asarray(image28)
    if image.shape != (SIZE, SIZE) or image.dtype != np.uint8:
        raise DatasetError(f"a drawing must be a {SIZE}x{SIZE} uint8 image, not {image.dtype} {image.shape}")
    if not isinstance(label, int | np.integer) or not 0 <= int(label) <= 255:
        raise DatasetError(f"a drawing's label must be an integer from 0 to 255, not {label!r}")
    folder = drawings_dir()
    with _lock:
        arrays, files = _read(folder)
        count = int(np.count_nonzero(arrays["train_labels"] == label)
                    + np.count_nonzero(arrays["test_labels"] == label))
        split = "test" if (count + 1) % TEST_EVERY == 0 else "train"
        arrays[f"{split}_images"] = np.concatenate([arrays[f"{split}_images"], image[None]])
        arrays[f"{split}_labels"] = np.append(arrays[f"{split}_labels"], np.uint8(label))
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatasetError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from exc
        # Images before labels: an interrupted save leaves a count mismatch the reader reports.
        for key in ("train_images", "test_images", "train_labels", "test_labels"):
            if key.startswith(split) or key not in files:
                write_idx(files.get(key, folder / FILES[key]), arrays[key])


def drawing_counts() -> dict[int, int]:
    """How many drawings of each label are saved (training and test together), by label.

    Raises:
        DatasetError: the files exist but are malformed.
    """
    with _lock:
        arrays, _ = _read(drawings_dir())
    labels = np.concatenate([arrays["train_labels"], arrays["test_labels"]])
    values, counts = np.unique(labels, return_counts=True)
    return {int(value): int(count) for value, count in zip(values, counts, strict=True)}
