"""The user's own drawings: appended as IDX files, every fifth of a label to the test split."""

from pathlib import Path

import numpy as np
import pytest

from playground.data import drawings
from playground.data.drawings import DATA_ENV, add_drawing, drawing_counts, drawings_dir
from playground.data.idx import find_idx_files, read_idx_pair, write_idx
from playground.data.registry import load_dataset
from playground.errors import DatasetError


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Drawings go under tmp_path."""
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


def digit(value: int) -> np.ndarray:
    """A 28x28 uint8 image that tells drawings apart by its pixels."""
    image = np.zeros((28, 28), dtype=np.uint8)
    image[4:24, 10 + value % 8] = 255
    image[0, 0] = value
    return image


def test_folder_follows_the_environment_and_platform(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert drawings_dir() == data_dir / "my-drawings"
    monkeypatch.delenv(DATA_ENV)
    assert drawings_dir().name == "my-drawings" and "nn-playground" in str(drawings_dir())


def test_nothing_saved_yet() -> None:
    assert drawing_counts() == {}
    assert not drawings_dir().exists()
    with pytest.raises(DatasetError, match="none saved yet"):
        load_dataset("my-drawings")


def test_first_drawing_writes_all_four_standard_files() -> None:
    add_drawing(digit(1), 7)
    files = find_idx_files(drawings_dir())
    train = read_idx_pair(files["train_images"], files["train_labels"])
    test = read_idx_pair(files["test_images"], files["test_labels"])
    assert train[0].shape == (1, 28, 28) and train[1].tolist() == [7]
    assert test[0].shape == (0, 28, 28) and test[1].shape == (0,)
    assert np.array_equal(train[0][0], digit(1))
    assert drawing_counts() == {7: 1}


def test_every_fifth_drawing_of_a_label_goes_to_the_test_files() -> None:
    labels = [3] * 6 + [5] * 5 + [3] * 4
    for index, label in enumerate(labels):
        add_drawing(digit(index), label)
    assert drawing_counts() == {3: 10, 5: 5}
    folder = drawings_dir()
    train = read_idx_pair(folder / "train-images-idx3-ubyte", folder / "train-labels-idx1-ubyte")
    test = read_idx_pair(folder / "t10k-images-idx3-ubyte", folder / "t10k-labels-idx1-ubyte")
    assert test[1].tolist() == [3, 5, 3]
    assert [int(v) for v in test[0][:, 0, 0]] == [4, 10, 14]  # the 5th 3, the 5th 5, the 10th 3
    assert len(train[1]) == 12
    assert [int(v) for v in train[0][:, 0, 0]] == [i for i in range(15) if i not in (4, 10, 14)]
    data = load_dataset(f"idx:{folder}")
    assert data.train_x.shape == (12, 1, 28, 28) and data.test_x.shape == (3, 1, 28, 28)
    mine = load_dataset("my-drawings")
    assert mine.name == "My drawings" and mine.class_names == tuple("0123456789")
    assert mine.input_shape == (1, 28, 28)


@pytest.mark.parametrize(("image", "label"), [
    (np.zeros((28, 28), dtype=np.float32), 1),
    (np.zeros((32, 32), dtype=np.uint8), 1),
    (np.zeros((28, 28), dtype=np.uint8), -1),
    (np.zeros((28, 28), dtype=np.uint8), 256),
    (np.zeros((28, 28), dtype=np.uint8), 1.5),
])
def test_bad_drawings_are_refused(image: np.ndarray, label: object) -> None:
    with pytest.raises(DatasetError):
        add_drawing(image, label)  # type: ignore[arg-type]
    assert not drawings_dir().exists()


def test_malformed_files_are_reported_and_left_alone() -> None:
    add_drawing(digit(1), 1)
    labels = drawings_dir() / "train-labels-idx1-ubyte"
    labels.write_bytes(b"<html>not idx</html>")
    with pytest.raises(DatasetError, match="HTML"):
        drawing_counts()
    with pytest.raises(DatasetError):
        add_drawing(digit(2), 2)
    assert labels.read_bytes() == b"<html>not idx</html>"


def test_images_of_another_size_are_refused() -> None:
    folder = drawings_dir()
    folder.mkdir(parents=True)
    for name, array in (("train-images-idx3-ubyte", np.zeros((1, 32, 32), np.uint8)),
                        ("train-labels-idx1-ubyte", np.zeros(1, np.uint8)),
                        ("t10k-images-idx3-ubyte", np.zeros((0, 32, 32), np.uint8)),
                        ("t10k-labels-idx1-ubyte", np.zeros(0, np.uint8))):
        write_idx(folder / name, array)
    with pytest.raises(DatasetError, match="not 28x28"):
        add_drawing(digit(1), 1)


def test_a_failed_write_keeps_the_saved_drawings(monkeypatch: pytest.MonkeyPatch) -> None:
    add_drawing(digit(1), 1)
    before = {p.name: p.read_bytes() for p in drawings_dir().iterdir()}

    def broken(path: Path, array: np.ndarray) -> None:
        raise DatasetError(f"{path}: cannot write (disk full)")

    monkeypatch.setattr(drawings, "write_idx", broken)
    with pytest.raises(DatasetError, match="disk full"):
        add_drawing(digit(2), 2)
    assert {p.name: p.read_bytes() for p in drawings_dir().iterdir()} == before
    assert drawing_counts() == {1: 1}


def test_gz_files_already_there_are_the_ones_appended_to() -> None:
    folder = drawings_dir()
    folder.mkdir(parents=True)
    for name, array in (("train-images-idx3-ubyte.gz", digit(9)[None]),
                        ("train-labels-idx1-ubyte.gz", np.array([4], np.uint8)),
                        ("t10k-images-idx3-ubyte.gz", np.zeros((0, 28, 28), np.uint8)),
                        ("t10k-labels-idx1-ubyte.gz", np.zeros(0, np.uint8))):
        write_idx(folder / name, array)
    add_drawing(digit(1), 4)
    assert drawing_counts() == {4: 2}
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz"])
