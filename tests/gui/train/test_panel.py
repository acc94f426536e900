"""The training panel driven like a user: start, pause, step, stop, learning-rate changes, failures."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton

from playground.core.analysis import analyse
from playground.core.presets import preset
from playground.core.spec import NetworkSpec
from playground.core.training import DIVERGED_HINT, OOM_HINT, Trainer
from tests.conftest import MNIST
from tests.gui.train.conftest import TIMEOUT_MS, finish, make_panel, steps


def button(panel, name: str) -> QAbstractButton:
    """The button a screen reader calls ``name``."""
    found = [b for b in panel.findChildren(QAbstractButton) if b.accessibleName() == name]
    assert len(found) == 1, name
    return found[0]


def test_controls_have_the_accessible_names(panel):
    for name in ("Start training", "Pause training", "Step one batch", "Step one epoch", "Stop training"):
        button(panel, name)
    assert button(panel, "Start training").isEnabled()
    assert not button(panel, "Pause training").isEnabled()
    assert not button(panel, "Stop training").isEnabled()


def test_start_trains_reports_epochs_and_returns_to_idle(qtbot, panel):
    stopped: list[str] = []
    panel.session.run_finished.connect(lambda run: stopped.append(run.final_state))
    with qtbot.waitSignal(panel.session.run_started, timeout=TIMEOUT_MS) as started:
        qtbot.mouseClick(button(panel, "Start training"), Qt.MouseButton.LeftButton)
    (run,) = started.args
    assert run.dataset is panel.session.dataset and run.trainer is panel.session.trainer
    assert panel.session.is_training and not button(panel, "Start training").isEnabled()
    qtbot.waitUntil(lambda: "Epoch 1, train loss:" in panel.log.toPlainText(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: stopped == ["finished"], timeout=TIMEOUT_MS)
    assert not panel.session.is_training and button(panel, "Start training").isEnabled()
    assert panel.controls.state.text() == "Finished"
    assert "Test accuracy" in panel.progress.text() and "samples/s" in panel.progress.text()
    assert steps(panel) == 2 * 8  # 256 images in batches of 32, two epochs


def test_status_bar_text_has_speed_and_time_left(qtbot, long_panel):
    texts: list[str] = []
    long_panel.session.said.connect(texts.append)
    long_panel.start()
    qtbot.waitUntil(lambda: any("left" in t for t in texts), timeout=TIMEOUT_MS)
    assert any("samples/s" in t for t in texts)
    long_panel.session.trainer.stop()
    finish(qtbot, long_panel)


def test_pause_stops_progress_and_resume_continues(qtbot, long_panel):
    long_panel.start()
    qtbot.waitUntil(lambda: steps(long_panel) > 0, timeout=TIMEOUT_MS)
    qtbot.mouseClick(button(long_panel, "Pause training"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: long_panel.controls.state.text() == "Paused", timeout=TIMEOUT_MS)
    assert long_panel.session.trainer.state == "paused"
    assert button(long_panel, "Resume training").isEnabled()
    paused_at = steps(long_panel)
    qtbot.wait(500)
    assert steps(long_panel) == paused_at
    qtbot.mouseClick(button(long_panel, "Resume training"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: steps(long_panel) > paused_at, timeout=TIMEOUT_MS)
    assert button(long_panel, "Pause training").isEnabled()
    qtbot.mouseClick(button(long_panel, "Stop training"), Qt.MouseButton.LeftButton)
    finish(qtbot, long_panel)
    assert long_panel.session.last_state == "stopped"


def test_space_pauses_and_resumes(qtbot, long_panel):
    long_panel.start()
    qtbot.waitUntil(lambda: steps(long_panel) > 0, timeout=TIMEOUT_MS)
    long_panel.activateWindow()
    long_panel.plots.setFocus()
    qtbot.keyClick(long_panel.plots, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: long_panel.session.trainer.state == "paused", timeout=TIMEOUT_MS)
    qtbot.keyClick(long_panel.plots, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: long_panel.session.trainer.state == "running", timeout=TIMEOUT_MS)
    long_panel.shutdown()
    finish(qtbot, long_panel)


def test_step_one_batch_from_idle_and_while_paused(qtbot, long_panel):
    qtbot.mouseClick(button(long_panel, "Step one batch"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: long_panel.controls.state.text() == "Paused", timeout=TIMEOUT_MS)
    assert steps(long_panel) == 1
    for expected in (2, 3):
        qtbot.mouseClick(button(long_panel, "Step one batch"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda n=expected: steps(long_panel) == n
                        and long_panel.session.trainer.state == "paused", timeout=TIMEOUT_MS)
    qtbot.wait(200)
    assert steps(long_panel) == 3
    qtbot.mouseClick(button(long_panel, "Step one epoch"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Epoch 1," in long_panel.log.toPlainText()
                    and long_panel.session.trainer.state == "paused", timeout=TIMEOUT_MS)
    assert steps(long_panel) == 32  # 256 images in batches of 8
    qtbot.mouseClick(button(long_panel, "Stop training"), Qt.MouseButton.LeftButton)
    finish(qtbot, long_panel)
    assert button(long_panel, "Start training").isEnabled()


def test_stop_returns_to_idle_and_a_new_run_starts(qtbot, long_panel):
    long_panel.start()
    qtbot.waitUntil(lambda: steps(long_panel) > 3, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(long_panel.session.run_finished, timeout=TIMEOUT_MS) as stopped:
        qtbot.mouseClick(button(long_panel, "Stop training"), Qt.MouseButton.LeftButton)
    assert stopped.args[0].final_state == "stopped" and stopped.args[0].record.state == "stopped"
    assert long_panel.controls.state.text() == "Stopped"
    assert not long_panel.session.is_training and button(long_panel, "Start training").isEnabled()
    assert long_panel.start()
    long_panel.shutdown()
    finish(qtbot, long_panel)
    assert len(long_panel.session.history.runs) == 2


def test_diverging_run_shows_diverged_with_its_hint(qtbot, tiny_dataset):
    panel = make_panel(qtbot, tiny_dataset, preset("deep-sigmoid"), optimizer="sgd", learning_rate=10.0,
                       epochs=20)
    panel.start()
    finish(qtbot, panel)
    assert panel.session.last_state == "diverged"
    assert panel.controls.state.text() == "Diverged"
    assert panel.banner.isVisible()
    assert "diverged" in panel.banner.text.text() and DIVERGED_HINT in panel.banner.text.text()
    assert DIVERGED_HINT in panel.log.toPlainText()
    assert button(panel, "Start training").isEnabled()


def test_learning_rate_change_mid_run_is_applied_and_marked(qtbot, long_panel):
    long_panel.start()
    qtbot.waitUntil(lambda: steps(long_panel) > 2, timeout=TIMEOUT_MS)
    assert long_panel.form.learning_rate.isEnabled() and not long_panel.form.optimizer.isEnabled()
    long_panel.form.learning_rate.setValue(0.01)
    qtbot.waitUntil(lambda: long_panel.plots.marker_count() == 1, timeout=TIMEOUT_MS)
    assert "Learning rate set to 0.01" in long_panel.log.toPlainText()
    lr = long_panel.plots.store.column("learning_rate")
    assert lr[0] == 0.001 and lr[-1] == 0.01
    long_panel.shutdown()
    finish(qtbot, long_panel)


def test_worker_exception_is_shown_and_the_next_run_works(qtbot, panel, monkeypatch):
    def broken(self):
        yield from ()
        raise RuntimeError("boom")

    monkeypatch.setattr(Trainer, "run", broken)
    with qtbot.waitSignal(panel.session.run_finished, timeout=TIMEOUT_MS) as stopped:
        panel.start()
    assert stopped.args[0].final_state == "failed"
    assert panel.banner.isVisible() and "RuntimeError: boom" in panel.banner.text.text()
    assert panel.controls.state.text() == "Error"
    monkeypatch.undo()
    assert panel.start()
    finish(qtbot, panel)
    assert panel.session.last_state == "finished" and not panel.banner.isVisible()


def test_out_of_memory_is_reported_with_a_suggestion(qtbot, panel, monkeypatch):
    def out_of_memory(self):
        yield from ()
        raise MemoryError

    monkeypatch.setattr(Trainer, "_run", out_of_memory)
    panel.start()
    finish(qtbot, panel)
    assert "out of memory" in panel.banner.text.text() and OOM_HINT in panel.banner.text.text()


def test_invalid_network_disables_start_with_the_reason(qtbot, panel):
    empty = NetworkSpec(())
    analysis = analyse(empty, MNIST, 10)
    panel.session.set_network(empty, analysis)
    start = button(panel, "Start training")
    assert not start.isEnabled() and start.toolTip() == analysis.errors[0].text
    assert not button(panel, "Step one batch").isEnabled()
    assert not panel.start()
    spec = preset("article-mlp")
    panel.session.set_network(spec, analyse(spec, MNIST, 10))
    assert start.isEnabled()


def test_signals_are_coalesced_however_small_the_batches(qtbot, tiny_dataset, tiny_spec):
    panel = make_panel(qtbot, tiny_dataset, tiny_spec, batch_size=1, epochs=3)
    chunks = []
    panel.session.runner.chunk_received.connect(chunks.append)
    panel.start()
    started = panel.session.runner.active.started
    finish(qtbot, panel)
    seconds = panel.session.history.runs[-1].seconds
    assert seconds > 0 and panel.session.runner.active is None
    assert sum(len(c.batches) for c in chunks if c.batches is not None) == 3 * 256
    states = sum(len(c.states) for c in chunks)
    assert len(chunks) <= 35 * seconds + states + 1, (len(chunks), seconds, states)
    assert started > 0


def test_a_number_typed_but_not_committed_is_used_when_start_is_clicked(qtbot, panel):
    epochs = panel.form.epochs
    epochs.setFocus()
    epochs.lineEdit().selectAll()
    qtbot.keyClicks(epochs, "1")  # no Enter, and the field keeps the focus: the value is not committed
    assert epochs.value() == 2 and panel.session.config.epochs == 2
    with qtbot.waitSignal(panel.session.run_started, timeout=TIMEOUT_MS) as started:
        qtbot.mouseClick(button(panel, "Start training"), Qt.MouseButton.LeftButton)
    assert started.args[0].config.epochs == 1 and panel.session.config.epochs == 1
    finish(qtbot, panel)
    assert len([line for line in panel.log.toPlainText().splitlines() if line.startswith("Epoch ")]) == 1


def test_before_the_first_run_the_progress_line_says_whether_the_network_can_train(qtbot, panel):
    from playground.core.analysis import analyse
    from playground.core.spec import NetworkSpec, layer

    assert panel.progress.text() == "Ready: press Start to train."
    broken = NetworkSpec((layer("Linear", units=10),))  # no Flatten before it: the shapes do not fit
    dataset = panel.session.dataset
    panel.session.set_network(broken, analyse(broken, dataset.input_shape, dataset.outputs))
    assert panel.progress.text() == panel.session.start_problem() != ""
