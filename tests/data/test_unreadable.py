"""Dataset folders that cannot be read and images that carry no information are errors, never a crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from playground.data.drawings import DATA_ENV, add_drawing, drawing_counts, drawings_dir
from playground.data.sources import list_datasets, load_dataset
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
    info = next(i for i in list_datasets() if i.id == "my-drawings")
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
