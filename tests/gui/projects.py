"""Helpers for the project tests: file dialogs that answer at once, a short run, a small IDX folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from playground.data.idx import write_idx
from playground.data.registry import load_dataset

RUN_MS = 60_000  # generous: the machine may be busy



def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make the open and save dialogs answer ``path`` at once."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kw: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(path), ""))


def train(qtbot, window, epochs: int = 1, batch_size: int = 128) -> None:
    """Run (or continue) training in ``window`` for ``epochs`` epochs and wait until it ended."""
    form = window.training.form
    form.epochs.setValue(epochs)
    form.batch_size.setValue(batch_size)
    with qtbot.waitSignal(window.session.run_finished, timeout=RUN_MS):
        assert window.training.start()
    assert not window.session.is_training


def few_classes(folder: Path, classes: int, train_count: int, test_count: int) -> str:
    """An IDX folder of the digits 0..classes-1 cut from the bundled sample; its dataset id."""
    sample = load_dataset("mnist-sample")
    folder.mkdir()
    for part, images, labels, count in (("train", sample.train_x[:, 0], sample.train_y, train_count),
                                        ("t10k", sample.test_x[:, 0], sample.test_y, test_count)):
        keep = np.flatnonzero(labels < classes)[:count]
        write_idx(folder / f"{part}-images-idx3-ubyte", np.ascontiguousarray(images[keep]))
        write_idx(folder / f"{part}-labels-idx1-ubyte", labels[keep].astype(np.uint8))
    return f"idx:{folder}"
