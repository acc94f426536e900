"""Fixtures of the headless tests: a small IDX folder cut from the bundled sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from playground.data.idx import write_idx


@pytest.fixture
def idx_folder(tmp_path: Path, sample_dataset) -> Path:
    """192 training and 64 test digits of the bundled sample as IDX files (the training pair gzipped)."""
    folder = tmp_path / "digits"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", np.ascontiguousarray(sample_dataset.train_x[:192, 0]))
    write_idx(folder / "train-labels-idx1-ubyte.gz", sample_dataset.train_y[:192].astype(np.uint8))
    write_idx(folder / "t10k-images-idx3-ubyte", np.ascontiguousarray(sample_dataset.test_x[:64, 0]))
    write_idx(folder / "t10k-labels-idx1-ubyte", sample_dataset.test_y[:64].astype(np.uint8))
    return folder
