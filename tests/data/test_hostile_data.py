"""Dataset folders that cannot be read and images without information are errors, never a crash or a NaN."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from playground.data.drawings import DATA_ENV, add_drawing, drawing_counts, drawings_dir
from playground.data.registry import list_datasets, load_dataset
from playground.errors import DatasetError
from tests.data.conftest import tiny_arrays, write_dataset
from tests.hostile import unreadable


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


def test_an_unreadable_drawings_folder_is_listed_as_such(monkeypatch):
    add_drawing(np.zeros((28, 28), np.uint8), 3)
    unreadable(monkeypatch, drawings_dir())
    info = next(i for i in list_datasets() if i.ref.id == "my-drawings")
    assert not info.available and info.unavailable == "unreadable files"
    with pytest.raises(DatasetError, match="Permission denied"):
        drawing_counts()
    with pytest.raises(DatasetError, match="Permission denied"):
        load_dataset("my-drawings")
    with pytest.raises(DatasetError, match="Permission denied"):
        add_drawing(np.zeros((28, 28), np.uint8), 3)


def test_an_unreadable_idx_folder_is_a_dataset_error(tmp_path, monkeypatch):
    folder = tmp_path / "digits"
    write_dataset(folder, tiny_arrays())
    unreadable(monkeypatch, folder)
    with pytest.raises(DatasetError, match="Permission denied|cannot read"):
        load_dataset(f"idx:{folder}")


@pytest.mark.parametrize("value", [0, 128, 255])
def test_constant_images_are_refused_before_training(tmp_path, value):
    arrays = tiny_arrays()
    arrays["train_images"][:] = value
    write_dataset(tmp_path / "flat", arrays)
    with pytest.raises(DatasetError, match=f"every pixel .* is {value}") as info:
        load_dataset(f"idx:{tmp_path / 'flat'}")
    assert info.value.hint


@pytest.mark.parametrize("shape", [(40, 0, 28), (40, 28, 0), (40, 0, 0)])
def test_images_without_pixels_are_refused(tmp_path, shape):
    arrays = tiny_arrays()
    arrays["train_images"] = np.zeros(shape, np.uint8)
    arrays["test_images"] = np.zeros((20, *shape[1:]), np.uint8)
    write_dataset(tmp_path / "empty", arrays)
    with pytest.raises(DatasetError, match="no pixels"):
        load_dataset(f"idx:{tmp_path / 'empty'}")


def test_a_nearly_constant_dataset_keeps_a_positive_std(tmp_path):
    arrays = tiny_arrays(train=2000)
    arrays["train_images"][:] = 0
    arrays["train_images"][0, 0, 0] = 1  # one pixel in 1.5 million differs: the std rounds to 0.0000
    write_dataset(tmp_path / "almost", arrays)
    dataset = load_dataset(f"idx:{tmp_path / 'almost'}")
    assert dataset.std[0] > 0 and np.isfinite(dataset.mean[0])


@pytest.mark.parametrize("value", [0, 200])
def test_train_on_constant_images_is_one_line_and_exit_1(tmp_path, capsys, value):
    from playground.cli import main

    arrays = tiny_arrays()
    arrays["train_images"][:] = value
    write_dataset(tmp_path / "flat", arrays)
    assert main(["train", "--dataset", f"idx:{tmp_path / 'flat'}", "--epochs", "1"]) == 1
    out, err = capsys.readouterr()
    assert "test acc" not in out and err.startswith("nn-playground: ") and "Traceback" not in err
