"""Property: the window opens whatever the settings, the last project and the recovery file hold; a bad
recovery file never stays in place to stop the next start."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from playground.core.project import load_project
from playground.errors import PlaygroundError
from playground.gui import create_window
from playground.gui.files import DIR_KEY, PATH_KEY, RECENT_KEY
from playground.gui.main_window import GEOMETRY_KEY, SPEC_KEY, STATE_KEY
from playground.gui.recovery import recovery_dir
from tests.hostile import deadline, rezip, saved_project, zip_entries
from tests.property.budget import scaled
from tests.property.cases import Blob
from tests.property.strategies import byte_mutations, dumps, json_values, type_swaps

KEYS = (SPEC_KEY, PATH_KEY, RECENT_KEY, DIR_KEY, GEOMETRY_KEY, STATE_KEY)
BUTTONS = QMessageBox.StandardButton


def settings_values() -> st.SearchStrategy[object]:
    """What a damaged or hand-edited settings file may hold (text QSettings can store: no surrogates)."""
    text = st.text(st.characters(codec="utf-8"), max_size=40)
    spec = json_values().map(lambda value: json.dumps(value))  # escaped: no lone surrogate reaches Qt
    return st.one_of(text, st.integers(-(2**31), 2**31 - 1), st.lists(text, max_size=3), spec,
                     st.sampled_from(["", "/dev/zero", "x" * 100_000, "[" * 5000, "a\x00b.nnproj"]))


@st.composite
def project_bytes(draw: st.DrawFn, valid: bytes) -> bytes:
    """A valid project file with its bytes mutated or one JSON entry's values swapped."""
    if draw(st.booleans()):
        entries = zip_entries(valid)
        name = draw(st.sampled_from(sorted(n for n in entries if n.endswith(".json"))))
        entries[name] = dumps(draw(type_swaps(json.loads(entries[name]))), draw(st.booleans()))
        return rezip(entries)
    return draw(byte_mutations(valid))


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> bytes:
    """One valid project (the same bytes for every case, so that hypothesis can replay a case)."""
    return Blob(saved_project(tmp_path_factory.mktemp("valid") / "valid.nnproj").read_bytes())


@scaled(0.1)
@given(st.data())
def test_the_window_opens_whatever_the_files_hold(qtbot, answers, tmp_path_factory, monkeypatch, valid,
                                                  data) -> None:
    root = tmp_path_factory.mktemp("start")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "settings"))
    monkeypatch.setenv("NN_PLAYGROUND_DATA", str(root / "data"))
    settings = QSettings()
    for key in KEYS:
        if data.draw(st.booleans()):
            settings.setValue(key, data.draw(settings_values()))
    if data.draw(st.booleans()):
        (root / "last.nnproj").write_bytes(data.draw(project_bytes(valid).map(Blob)))
        settings.setValue(PATH_KEY, str(root / "last.nnproj"))
    settings.sync()
    autosave = recovery_dir() / "autosave.nnproj"
    if data.draw(st.booleans()):
        autosave.parent.mkdir(parents=True)
        autosave.write_bytes(data.draw(st.one_of(st.just(valid), project_bytes(valid).map(Blob))))
        note = data.draw(st.one_of(json_values().map(lambda v: dumps(v, False)), st.binary(max_size=40)))
        (autosave.parent / "autosave.json").write_bytes(note)
    answers["reply"]["question"] = data.draw(st.sampled_from([BUTTONS.Yes, BUTTONS.Discard]))
    with deadline(120):
        window = create_window()
    try:
        assert window.model.spec is not None and window.windowTitle()
        if autosave.exists():  # left in place only when it was restored, so it must be readable
            try:
                load_project(autosave)
            except PlaygroundError as exc:
                raise AssertionError(f"a bad recovery file stayed in place: {exc}") from None
    finally:
        answers["reply"]["question"] = BUTTONS.Discard
        window.close()
        window.deleteLater()
        QApplication.processEvents()
