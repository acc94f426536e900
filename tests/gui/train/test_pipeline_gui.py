"""The pipeline strip: the eight steps light as a run moves through them, and a click shows what each
step did on the latest traced batch."""

from __future__ import annotations

from playground.core.metrics import RunState
from playground.core.pipeline import STEP_KEYS
from playground.core.presets import preset
from tests.gui.train.conftest import TIMEOUT_MS, finish, make_panel


def test_a_stepped_batch_lights_its_steps_in_turn_and_is_shown_step_by_step(qtbot, tiny_dataset):
    panel = make_panel(qtbot, tiny_dataset, preset("article-mlp"))
    strip = panel.pipeline
    full = ["1 Preprocess", "2 Initialise", "3 Forward", "4 Loss", "5 Backward", "6 Update", "7 Evaluate",
            "8 Save"]
    short = ["1 Prep", "2 Init", "3 Fwd", "4 Loss", "5 Back", "6 Upd", "7 Eval", "8 Save"]
    assert strip.labels(2000) == (full, 8) and strip.labels(600) == (short, 8)
    assert strip.labels(420) == (full, 4) and strip.labels(300) == (short, 4)
    assert strip.labels(100) == ([str(n) for n in range(1, 9)], 8)
    texts, columns = strip.labels(strip.width())
    assert [b.text() for b in strip.buttons.values()] == texts and strip.columns == columns  # what fits
    qtbot.waitUntil(lambda: all(b.width() >= b.fontMetrics().horizontalAdvance(b.text())
                                for b in strip.buttons.values()), timeout=2000)  # no label clipped
    assert list(strip.buttons) == list(STEP_KEYS) and not strip.lit
    seen: list[str] = []
    paint = strip._paint

    def spy() -> None:  # note each step lit on its own, in the order they light
        if len(strip.lit) == 1:
            seen.append(next(iter(strip.lit)))
        paint()

    strip._paint = spy
    assert panel.start("batch")  # one batch, then paused
    qtbot.waitUntil(lambda: panel.session.active is not None
                    and panel.session.active.state == RunState.PAUSED, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: panel._trace_seen >= 1, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not strip._queue, timeout=TIMEOUT_MS)
    seen.clear()
    panel.session.active.trainer.step_batch()
    qtbot.waitUntil(lambda: panel._trace_seen >= 2 and len(seen) >= 5, timeout=TIMEOUT_MS)
    assert seen[:5] == ["preprocess", "forward", "loss", "backward", "update"]
    details = panel.show_step("update")
    assert details.isVisible() and details.tabs.currentWidget() is details.pages["update"]
    trace = panel.session.active.trainer.trace()[1]
    assert trace.batch == 2
    assert "Batch 2 of epoch 1, its first 6 samples." in details.text_of("preprocess")
    assert "as the network reads it" in details.text_of("preprocess")
    assert "softmax" in details.text_of("forward")
    loss = f"Cross-entropy: L = -log p_target, averaged over the batch: {trace.loss:.4f}"
    assert loss in details.text_of("loss") and trace.stepped
    assert "2: Linear: " in details.text_of("update") and "healthy" in details.text_of("update")
    assert "Fresh weights, drawn by the rule \"PyTorch default\"" in details.text_of("initialise")
    assert details.text_of("evaluate") == "No epoch has finished yet."
    panel.session.active.trainer.resume()
    finish(qtbot, panel)
    assert not strip.lit  # idle again
    assert "After epoch 2 the network read the whole test set" in details.text_of("evaluate")
    assert "Kept now: weights trained for 2 epoch(s)." in details.text_of("save")


def test_at_full_speed_the_strip_shows_the_share_of_each_step(qtbot, long_panel):
    strip = long_panel.pipeline
    assert long_panel.start()
    qtbot.waitUntil(lambda: sum(strip.shares.values()) > 0.99, timeout=TIMEOUT_MS)
    assert {"forward", "backward", "update"} <= strip.lit and "evaluate" not in strip.lit
    long_panel.session.active.trainer.stop()
    finish(qtbot, long_panel)
