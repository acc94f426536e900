"""The export dialog: asks for a file, remembers the folder, shows the check's result or the error."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from playground.core.builder import build_model
from playground.core.project import Project
from playground.core.spec import NetworkSpec, layer
from playground.core.training import TrainConfig
from playground.gui.export_dialog import DIR_KEY, export_with_dialog
from tests.conftest import MNIST, facts_of

SPEC = NetworkSpec((layer("Flatten"), layer("Linear", "relu", units=16), layer("Linear", units=10)))


@pytest.fixture
def project() -> Project:
    """A project with (untrained) weights: TorchScript and ONNX export need weights."""
    return Project(SPEC, TrainConfig(epochs=2), facts_of(), weights=build_model(SPEC, MNIST, 10).state_dict())


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """The file dialog answers with ``saves["answer"]``; its calls and information boxes are recorded."""
    record: dict[str, list] = {"asked": [], "answer": [""], "information": []}

    def get_save_file_name(parent: QWidget, title: str, start: str, filters: str) -> tuple[str, str]:
        record["asked"].append((title, start, filters))
        return record["answer"][0], filters

    def information(parent: QWidget, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        record["information"].append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    monkeypatch.setattr(QMessageBox, "information", information)
    return record


def test_export_writes_the_file_and_shows_the_check(parent, project, saves, answers, tmp_path: Path) -> None:
    settings = QSettings()
    saves["answer"][0] = str(tmp_path / "net")  # no suffix: the format's is added
    assert export_with_dialog(parent, project, "torchscript", settings)
    assert (tmp_path / "net.pt").is_file()
    title, text = saves["information"][0]
    assert title == "Export as TorchScript" and "agrees within" in text
    assert settings.value(DIR_KEY) == str(tmp_path)
    assert answers["critical"] == [] and QApplication.overrideCursor() is None


def test_the_dialog_starts_in_the_last_folder(parent, project, saves, answers, tmp_path: Path) -> None:
    settings = QSettings()
    settings.setValue(DIR_KEY, str(tmp_path))
    saves["answer"][0] = str(tmp_path / "train.py")
    assert export_with_dialog(parent, project, "script", settings)
    title, start, filters = saves["asked"][0]
    assert Path(start).parent == tmp_path and start.endswith(".py") and "*.py" in filters
    assert "class Network" in (tmp_path / "train.py").read_text()


def test_cancelling_exports_nothing(parent, project, saves, answers, tmp_path: Path) -> None:
    assert not export_with_dialog(parent, project, "onnx", QSettings())
    assert saves["information"] == [] and answers["critical"] == []
    assert list(tmp_path.glob("*.onnx")) == []


def test_an_error_is_a_message_with_its_hint(parent, project, saves, answers, tmp_path: Path) -> None:
    saves["answer"][0] = str(tmp_path / "no-such-folder" / "model.pt")
    assert not export_with_dialog(parent, project, "torchscript", QSettings())
    title, text = answers["critical"][0]
    assert title == "Export failed"
    assert "cannot write" in text and "choose a folder you can write to" in text
    assert "Traceback" not in text and QApplication.overrideCursor() is None
