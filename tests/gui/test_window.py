"""The main window: presets, files, title marker, the unsaved-changes prompt, and remembered state."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

import playground
from playground.core.presets import PRESETS, preset
from playground.core.project import load_project
from playground.core.spec import NetworkSpec, layer
from playground.gui import create_window, document
from tests.gui.helpers import palette_button


def _choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make both file dialogs answer ``path`` at once."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kw: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(path), ""))


def test_presets_menu_loads_each_preset_and_undo_restores(window) -> None:
    actions = [a for a in window.menu_actions.presets_menu.actions() if a.objectName().startswith("preset_")]
    assert len(actions) == len(PRESETS)
    start = window.model.spec
    lenet = next(a for a in actions if a.objectName() == "preset_lenet5")
    lenet.trigger()
    assert window.model.spec == preset("lenet5")
    assert window.menu_actions.undo.text() == "Undo Load LeNet-5"
    window.menu_actions.undo.trigger()
    assert window.model.spec == start


def test_menus_and_shortcuts(window) -> None:
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Presets", "Help"]
    assert window.files.save_action.shortcut().toString() == "Ctrl+S"
    assert window.menu_actions.undo.shortcut().toString() == "Ctrl+Z"
    assert window.editor.duplicate_action.shortcut().toString() == "Ctrl+D"
    assert window.editor.delete_action.shortcut().toString() == "Del"


def test_status_bar_and_about(window, answers) -> None:
    assert window.device_label.text() == "Device: CPU" or "CUDA" in window.device_label.text()
    assert "MNIST sample" in window.dataset_label.text() and "10 classes" in window.dataset_label.text()
    assert window.params_label.text() == "Parameters: 101,770"
    window.model.set_param(1, "units", 64)
    assert window.params_label.text() == f"Parameters: {784 * 64 + 64 + 64 * 10 + 10:,}"
    window.show_about()
    (_title, html), = answers["about"]
    assert playground.__version__ in html and "PySide6" in html and "PyTorch" in html and "Device" in html


def test_title_marker_appears_after_an_edit_and_clears_after_save(window, qtbot, tmp_path, monkeypatch
                                                                  ) -> None:
    assert "Untitled" in window.windowTitle() and not window.isWindowModified()
    qtbot.mouseClick(palette_button(window, "Dropout"), Qt.MouseButton.LeftButton)
    assert window.isWindowModified()
    _choose_file(monkeypatch, tmp_path / "mine")
    assert window.files.save()
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("mine.nnproj[*]")
    window.model.undo_stack.undo()
    assert window.isWindowModified()


def test_save_and_open_round_trip(window, tmp_path, monkeypatch) -> None:
    window.model.load_preset("lenet5")
    window.model.set_activation(0, "relu")
    saved = window.model.spec
    target = tmp_path / "lenet.nnproj"
    _choose_file(monkeypatch, target)
    window.files.save_as_action.trigger()
    assert load_project(target).spec == saved
    window.files.new()
    assert window.model.spec == NetworkSpec() and window.files.path is None
    window.files.open_action.trigger()
    assert window.model.spec == saved
    assert window.files.path == target and not window.isWindowModified()
    assert not window.model.undo_stack.canUndo()
    assert window.files.recent_paths() == [str(target)]


def test_network_spec_json_is_saved_and_opened_as_a_new_project(window, tmp_path, monkeypatch) -> None:
    window.model.load_preset("lenet5")
    saved = window.model.spec
    target = tmp_path / "lenet.json"
    _choose_file(monkeypatch, target)
    assert window.files.save_spec_as()
    assert NetworkSpec.from_json(target.read_text()) == saved
    window.files.new()
    window.files.open_action.trigger()
    assert window.model.spec == saved
    assert window.files.path is None and "Untitled" in window.windowTitle()
    assert window.files.recent_paths() == [str(target)]


def test_write_error_shows_a_message_and_keeps_the_old_file(window, answers, tmp_path, monkeypatch) -> None:
    target = tmp_path / "net.json"
    _choose_file(monkeypatch, target)
    assert window.files.save_spec_as()
    before = target.read_bytes()
    window.model.load_preset("small-cnn")

    class FullDisk(document.QSaveFile):
        def write(self, data: bytes) -> int:
            return -1

    monkeypatch.setattr(document, "QSaveFile", FullDisk)
    assert window.files.save_spec_as() is False
    (title, text), = answers["critical"]
    assert "Cannot save" in title and str(target) in text and "disk space" in text
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["net.json"]


def test_save_into_a_missing_folder_is_a_message(window, answers, tmp_path, monkeypatch) -> None:
    _choose_file(monkeypatch, tmp_path / "no" / "such" / "net.nnproj")
    assert window.files.save_as() is False
    assert len(answers["critical"]) == 1
    assert window.files.path is None


@pytest.mark.parametrize("content, words", [
    (b"{not json", "not valid JSON"),
    (b'{"layers": [{"type": "Banana"}]}', "unknown layer type"),
    (b'{"schema_version": 99, "layers": []}', "update the Neural Network Playground"),
    (b"\xff\xfe\x00binary", "not a text file"),
])
def test_bad_files_are_refused_with_message_and_hint(window, answers, tmp_path, monkeypatch, content: bytes,
                                                     words: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    before = window.model.spec
    _choose_file(monkeypatch, bad)
    assert window.files.open() is False
    (_title, text), = answers["critical"]
    assert words in text and "Traceback" not in text
    assert window.model.spec == before


def test_close_with_unsaved_changes_asks_and_cancel_keeps_the_window(window, answers, qtbot) -> None:
    window.model.add_layer("Dropout")
    answers["reply"]["question"] = QMessageBox.StandardButton.Cancel
    assert window.close() is False
    assert window.isVisible() and len(answers["question"]) == 1
    answers["reply"]["question"] = QMessageBox.StandardButton.Discard
    assert window.close() is True


def test_first_launch_then_the_last_network_reopens(qtbot, answers, tmp_path, monkeypatch) -> None:
    first = create_window()
    qtbot.addWidget(first)
    assert first.model.spec == preset("article-mlp")
    first.model.load_preset("small-cnn")
    _choose_file(monkeypatch, tmp_path / "cnn.nnproj")
    first.files.save()
    first.model.add_layer("Dropout")
    first.close()  # Discard: the saved network is the one to reopen
    second = create_window()
    qtbot.addWidget(second)
    assert second.model.spec == preset("small-cnn")
    assert second.files.path == tmp_path / "cnn.nnproj" and not second.isWindowModified()


def _reopen(qtbot, first) -> object:
    first.close()
    second = create_window()
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    return second


def test_window_size_and_splitter_persist(qtbot, answers) -> None:
    first = create_window()
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.resize(first.width() - 10, first.height() - 10)  # three docks: it can only get so small
    first.editor.splitter.setSizes([180, 250, 330])
    sizes, size = first.editor.splitter.sizes(), first.size()
    second = _reopen(qtbot, first)
    assert second.size() == size
    assert second.editor.splitter.sizes() == sizes


def test_dock_state_persists_and_reset_layout_restores_the_default(qtbot, answers) -> None:
    first = create_window()
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.editor_dock.hide()
    second = _reopen(qtbot, first)
    assert second.editor_dock.isHidden()
    reset = next(a for a in second.menuBar().actions()[2].menu().actions() if "Reset" in a.text())
    reset.trigger()
    assert second.editor_dock.isVisible() and not second.editor_dock.isFloating()


def test_settings_stay_in_the_test_folder(window, settings_dir) -> None:
    window.close()
    assert QSettings().fileName().startswith(str(settings_dir))
    assert any(settings_dir.rglob("*.ini"))


def test_unknown_spec_in_settings_falls_back_to_the_article_mlp(qtbot, answers) -> None:
    QSettings().setValue("network/spec", '{"layers": [{"type": "Nope"}]}')
    win = create_window()
    qtbot.addWidget(win)
    assert win.model.spec == preset("article-mlp")


def test_recent_menu_lists_saved_files(window, tmp_path, monkeypatch) -> None:
    target = tmp_path / "a.json"
    _choose_file(monkeypatch, target)
    window.files.save_spec_as()
    window.files.recent_menu.aboutToShow.emit()
    entries = [a for a in window.files.recent_menu.actions() if a.data()]
    assert [a.data() for a in entries] == [str(target)]
    target.write_text(NetworkSpec((layer("Flatten"), layer("Linear", units=10))).to_json())
    entries[0].trigger()
    assert len(window.model.spec) == 2


def test_main_shows_the_window_and_returns_the_exit_code(qtbot, monkeypatch, answers) -> None:
    from PySide6.QtWidgets import QApplication

    from playground.gui import app as app_module
    from playground.gui.main_window import MainWindow

    shown: list[MainWindow] = []

    def exec_() -> int:  # the first window is up; the full one comes once PyTorch is loaded
        def visible() -> list[MainWindow]:
            return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]

        qtbot.waitUntil(lambda: bool(visible()), timeout=60_000)
        shown.extend(visible())
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(exec_))
    assert app_module.main() == 0
    assert len(shown) == 1
    assert QApplication.organizationName() == "nn-playground"
    assert QApplication.applicationName() == "Neural Network Playground"
    shown[0].close()
    shown[0].deleteLater()


def test_reset_layout_keeps_the_window_on_the_screen_with_the_default_widths(window, qtbot) -> None:
    docks = (window.editor_dock, window.train_dock, window.draw_dock)
    qtbot.wait(50)
    size, widths = window.size(), [d.width() for d in docks]
    assert size.height() == 768
    window.draw_dock.hide()
    window.resizeDocks([window.editor_dock, window.train_dock], [380, 900], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    window.reset_layout()
    # the window grew to 1366x1889 (the docks stacked in their areas) and kept that height
    qtbot.waitUntil(lambda: window.size() == size, timeout=3000)
    qtbot.wait(50)
    assert window.draw_dock.isVisible()
    assert all(abs(d.width() - w) <= 2 for d, w in zip(docks, widths, strict=True)), \
        ([d.width() for d in docks], widths)
    tabs = window.tabifiedDockWidgets(window.train_dock)
    assert {window.eval_dock, window.inside_dock, window.explorer_dock} <= set(tabs)
