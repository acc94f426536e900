"""Closing the window mid-epoch stops the worker cooperatively: exit code 0, no "QThread: Destroyed"."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from playground.gui.train.worker import TrainingWorker

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow
    from playground.core.analysis import analyse
    from playground.core.presets import preset
    from playground.core.training import TrainConfig
    from playground.gui.session import TrainingSession
    from playground.gui.train.panel import TrainingPanel
    from playground.data.registry import load_dataset

    class Window(QMainWindow):
        def __init__(self):
            super().__init__()
            session = TrainingSession(load_dataset("mnist-sample"), TrainConfig(epochs=200, batch_size=16))
            self.panel = TrainingPanel(session)
            dock = QDockWidget("Training", self)
            dock.setWidget(self.panel)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            spec = preset("article-mlp")
            session.set_network(spec, analyse(spec, (1, 28, 28), 10))

        def closeEvent(self, event):
            session = self.panel.session
            print(f"closing: training={session.is_training} step={session.trainer.step}", flush=True)
            print(f"stopped={self.panel.shutdown(5000)}", flush=True)
            super().closeEvent(event)

    app = QApplication(sys.argv[:1])
    window = Window()
    window.resize(900, 700)
    window.show()
    assert window.panel.start()
    QTimer.singleShot(1000, window.close)
    sys.exit(app.exec())
""")


@pytest.mark.slow
def test_closing_mid_epoch_exits_cleanly(tmp_path):
    script = tmp_path / "close_mid_epoch.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "closing: training=True" in done.stdout and "stopped=True" in done.stdout
    assert "QThread: Destroyed" not in done.stderr
    assert "Traceback" not in done.stderr


def test_shutdown_of_a_paused_worker_is_prompt(qtbot, tiny_dataset, tiny_spec):
    from playground.core.training import TrainConfig, Trainer

    trainer = Trainer(tiny_spec, tiny_dataset, TrainConfig(epochs=1000))
    trainer.pause()
    worker = TrainingWorker(trainer)
    states = []
    worker.records_ready.connect(lambda chunk: states.extend(s.state for s in chunk.states))
    worker.start()
    qtbot.waitUntil(lambda: "paused" in states, timeout=20_000)
    assert worker.shutdown(5000) and not worker.isRunning()
    qtbot.waitUntil(lambda: "stopped" in states, timeout=20_000)
