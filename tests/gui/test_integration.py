"""The three panels in one window: training locks the editor and the drawing pad reads the live network."""

from playground.gui import create_window


def test_panels_are_docked_and_training_locks_the_editor(qtbot, answers, monkeypatch) -> None:
    window = create_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for dock in (window.editor_dock, window.train_dock, window.draw_dock):
        assert dock.isVisible() and not dock.isFloating()
    live = []
    monkeypatch.setattr(window.drawing, "set_live_model", lambda *args: live.append(args))
    with qtbot.waitSignal(window.session.run_started, timeout=10_000):
        assert window.training.start()
    assert window.model.structure_locked
    assert live and live[0][0] == window.model.spec and callable(live[0][-1])
    assert window.training.shutdown()
    qtbot.waitUntil(lambda: not window.model.structure_locked, timeout=10_000)
