"""Getting Started: Help > Getting Started (F1) and the first launches show the guide, page by page,
until the user unticks "Show this at start"."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from playground.gui import create_window, startup
from playground.gui.guide import SHOWN_KEY, GettingStarted
from playground.gui.main_window import MainWindow


def test_the_help_menu_opens_the_guide_through_its_four_steps(window, qtbot) -> None:
    help_menu = window.menuBar().actions()[-1].menu()
    action = next(a for a in help_menu.actions() if a.text() == "&Getting Started")
    assert action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    action.trigger()
    guide = window.guide
    assert isinstance(guide, GettingStarted) and guide.isVisible()
    titles = []
    for _ in range(4):
        titles.append(guide.page_text().splitlines()[0])
        guide.next.click()
    assert titles == ["<h2>1 · Build a network</h2>", "<h2>2 · Train it</h2>", "<h2>3 · Draw a digit</h2>",
                      "<h2>4 · Look inside</h2>"]
    assert not guide.next.isEnabled() and guide.position.text() == "4 of 4"
    assert "Find…" in guide.stack.widget(1).findChildren(type(guide.position))[1].text()
    guide.back.click()
    assert guide.position.text() == "3 of 4"
    assert guide.at_start.isChecked() and not GettingStarted.dismissed(QSettings())
    guide.at_start.setChecked(False)
    assert GettingStarted.dismissed(QSettings())
    guide.done_button.click()
    assert not guide.isVisible()
    assert window.show_guide() is guide and guide.position.text() == "1 of 4"  # opens at the start again
    guide.close()


def _start(qtbot) -> MainWindow:
    run = startup.Startup(QApplication.instance(), None, lambda path: create_window(open_path=path))
    run.start()
    qtbot.waitUntil(lambda: run.window is not None and run.window.isVisible(), timeout=60_000)
    qtbot.wait(50)
    return run.window


def test_the_first_launches_show_the_guide_until_it_is_dismissed(qtbot, answers) -> None:
    first = _start(qtbot)
    assert first.guide is not None and first.guide.isVisible()
    first.guide.at_start.setChecked(False)
    first.close()
    assert QSettings().value(SHOWN_KEY) in (True, "true")
    second = _start(qtbot)
    assert second.guide is None  # dismissed: not shown at start, still in the Help menu
    second.close()
