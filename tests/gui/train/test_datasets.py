"""The dataset picker: offline labels, downloads that fail or are cancelled, success, IDX folders."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from playground.data import sources
from playground.data.dataset import DataRef
from playground.data.idx import write_idx
from playground.errors import DatasetError, DownloadError
from tests.conftest import cut
from tests.gui.train.conftest import TIMEOUT_MS


@pytest.fixture
def offline(monkeypatch):
    """The sources as on a machine without MNIST: it needs a download."""
    real = sources._locate
    monkeypatch.setattr(sources, "_locate",
                        lambda dataset_id: None if dataset_id == "mnist" else real(dataset_id))


@pytest.fixture
def yes(answers):
    """Message-box questions answer Yes."""
    answers["reply"]["question"] = QMessageBox.StandardButton.Yes
    return answers


def choose(panel, dataset_id: str) -> None:
    """Pick ``dataset_id`` in the combo box as a user would."""
    combo = panel.picker.combo
    row = combo.findData(dataset_id)
    combo.setCurrentIndex(row)
    combo.activated.emit(row)


def test_offline_picker_says_which_choices_need_a_download(offline, panel):
    combo = panel.picker.combo
    assert combo.itemText(combo.findData("mnist")) == "MNIST (download needed)"
    assert combo.itemText(combo.findData("mnist-sample")) == "MNIST sample"
    assert combo.itemText(combo.count() - 1) == "IDX folder..."
    assert panel.session.dataset.ref.id == "mnist-sample"


def test_failed_download_keeps_the_previous_dataset(qtbot, offline, yes, panel, monkeypatch):
    def fail(dataset_id, progress=None, cancel=None):
        progress(1000, 11_000_000)
        raise DatasetError("MNIST: every mirror failed", "check the network connection")

    monkeypatch.setattr(sources, "download_dataset", fail)
    previous = panel.session.dataset
    changed = []
    panel.session.dataset_changed.connect(lambda *args: changed.append(args))
    choose(panel, "mnist")
    assert yes["question"] and "Download MNIST" in yes["question"][0][0]
    qtbot.waitUntil(lambda: not panel.picker.downloading, timeout=TIMEOUT_MS)
    assert panel.session.dataset is previous and panel.picker.combo.currentData() == "mnist-sample"
    assert panel.banner.isVisible()
    message = panel.banner.text.text()
    assert "every mirror failed" in message and "network connection" in message
    assert changed == [] and panel.controls.start.isEnabled()


def test_cancelled_download_keeps_the_previous_dataset(qtbot, offline, yes, panel, monkeypatch):
    started = threading.Event()

    def slow(dataset_id, progress=None, cancel=None):
        started.set()
        if cancel.wait(10):
            raise DownloadError("MNIST: download cancelled")
        raise AssertionError("the dialog's Cancel did not reach the download")

    monkeypatch.setattr(sources, "download_dataset", slow)
    choose(panel, "mnist")
    assert panel.picker.downloading and not panel.controls.start.isEnabled()
    assert panel.controls.start.toolTip() == "A dataset is downloading"
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT_MS)
    dialog = panel.picker._progress
    assert dialog.isVisible() and dialog.windowTitle() == "Download"
    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.picker.downloading, timeout=TIMEOUT_MS)
    assert panel.picker.combo.currentData() == "mnist-sample"
    assert panel.session.dataset.ref.id == "mnist-sample"
    assert "cancelled" in panel.banner.text.text()


def test_declined_download_keeps_the_previous_dataset(qtbot, offline, answers, panel):
    answers["reply"]["question"] = QMessageBox.StandardButton.No
    choose(panel, "mnist")
    assert not panel.picker.downloading and panel.picker.combo.currentData() == "mnist-sample"


def test_successful_download_selects_the_dataset(qtbot, offline, yes, panel, monkeypatch, sample_dataset):
    mnist = replace(cut(sample_dataset, 64, 32), ref=DataRef("mnist"), name="MNIST")
    downloads = []
    monkeypatch.setattr(sources, "download_dataset", lambda dataset_id, progress=None, cancel=None:
                        downloads.append(dataset_id) or sources.RESOURCES / "mnist-sample")
    monkeypatch.setattr(sources, "_read", lambda ref, name, files, class_names: mnist)
    with qtbot.waitSignal(panel.session.dataset_changed, timeout=TIMEOUT_MS) as changed:
        choose(panel, "mnist")
    assert changed.args == [mnist] and downloads == ["mnist"]
    qtbot.waitUntil(lambda: not panel.picker.downloading, timeout=TIMEOUT_MS)
    assert panel.session.dataset is mnist and panel.picker.combo.currentData() == "mnist"


def test_idx_folder_is_loaded_and_announced(qtbot, panel, monkeypatch, tmp_path, tiny_dataset):
    for name, array in (("train-images-idx3-ubyte", tiny_dataset.train_x[:, 0]),
                        ("train-labels-idx1-ubyte", tiny_dataset.train_y.astype(np.uint8)),
                        ("t10k-images-idx3-ubyte", tiny_dataset.test_x[:, 0]),
                        ("t10k-labels-idx1-ubyte", tiny_dataset.test_y.astype(np.uint8))):
        write_idx(tmp_path / name, array)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kw: str(tmp_path))
    with qtbot.waitSignal(panel.session.dataset_changed, timeout=TIMEOUT_MS) as changed:
        choose(panel, "__idx_folder__")
    (dataset,) = changed.args
    assert dataset.ref == DataRef(f"idx:{tmp_path}")
    assert (dataset.input_shape, dataset.num_classes) == ((1, 28, 28), 10)
    assert panel.picker.combo.currentData() == f"idx:{tmp_path}"
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.session.is_training, timeout=TIMEOUT_MS)
    assert panel.session.history.runs[-1].dataset_id == f"idx:{tmp_path}"


def test_bad_idx_folder_keeps_the_previous_dataset(qtbot, panel, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kw: str(tmp_path))
    choose(panel, "__idx_folder__")
    assert panel.session.dataset.ref.id == "mnist-sample"
    assert panel.picker.combo.currentData() == "mnist-sample"
    assert "missing" in panel.banner.text.text()


def test_my_drawings_become_a_dataset_to_train_on_once_five_of_a_digit_are_saved(window, qtbot) -> None:
    picker, drawing = window.training.picker, window.drawing
    row = picker.combo.findData(sources.MY_DRAWINGS)
    assert row >= 0 and not picker.combo.model().item(row).isEnabled()
    assert "draw 5 of a digit first" in picker.combo.itemText(row)
    image = np.zeros((28, 28), dtype=np.float32)
    image[6:22, 12:16] = 1.0
    for _ in range(5):
        drawing.show_example(image)
        drawing.my_drawings.add_button.click()
    row = picker.combo.findData(sources.MY_DRAWINGS)
    assert picker.combo.model().item(row).isEnabled() and picker.combo.itemText(row) == "My drawings"
    assert picker.current.ref.id == "mnist-sample"  # the selection stays
    choose(window.training, sources.MY_DRAWINGS)
    assert picker.current.ref.id == sources.MY_DRAWINGS
    assert (len(picker.current.train_y), len(picker.current.test_y)) == (4, 1)
