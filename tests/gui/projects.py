"""Helpers for the project tests: a private data folder, file dialogs that answer at once, a short run."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from playground.data.drawings import DATA_ENV

RUN_MS = 60_000  # generous: the machine may be busy


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's data folder (recovery files, drawings) lives under tmp_path."""
    folder = tmp_path / "data"
    monkeypatch.setenv(DATA_ENV, str(folder))
    return folder


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make the open and save dialogs answer ``path`` at once."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kw: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(path), ""))


def train(qtbot, window, epochs: int = 1, batch_size: int = 128) -> None:
    """Run (or continue) training in ``window`` for ``epochs`` epochs and wait until it ended."""
    form = window.training.form
    form.epochs.setValue(epochs)
    form.batch_size.setValue(batch_size)
    with qtbot.waitSignal(window.training.training_stopped, timeout=RUN_MS):
        assert window.training.start()
    assert not window.training.is_training
