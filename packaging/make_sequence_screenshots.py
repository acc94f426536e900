"""Render the sequence tasks in the window offscreen to docs/screenshots: memory-window.png (the whole
window at 1366x768 after the LSTM recall preset trained a few epochs, the memory dock in front),
memory.png (the memory dock alone), memory-length.png (RNN, LSTM and GRU against the length T) and
forecast.png (the LSTM sine forecast after its 60 epochs).

Every picture comes from real runs; the app's data folder, cache and settings go to a temporary folder
(run it as ``python packaging/make_sequence_screenshots.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_inspect_screenshots import isolated, save  # noqa: E402
from make_training_screenshots import wait_until  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from playground.gui import create_window  # noqa: E402
from playground.gui.inspect.memory_length_dialog import MemoryLengthDialog  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def memory_shots(app: QApplication, out: Path, size: tuple[int, int]) -> None:
    """The LSTM recall preset trained for 6 epochs; the memory dock on test sequence 3."""
    window = create_window()
    window.resize(*size)
    window.show()
    window.model.load_preset("lstm-recall")
    window.training.form.epochs.setValue(6)
    window.training.start()
    wait_until(app, lambda: not window.session.is_training, timeout=300)
    window.memory_dock.show()
    window.memory_dock.raise_()
    view = window.memory_dock.widget()
    view.index.setValue(3)
    view.refresh()
    suffix = "" if size == (1366, 768) else f"-{size[0]}"
    save(app, window, out / f"memory-window{suffix}.png")
    if not suffix:
        save(app, window.memory_dock, out / "memory.png")
    window.close()


def experiment_shot(app: QApplication, out: Path) -> None:
    """The memory-length experiment for T = 10, 25, 50 and 100 with the presets' recipe, seed 0."""
    dialog = MemoryLengthDialog()
    dialog.show()
    dialog.run()
    wait_until(app, lambda: dialog.worker is None, timeout=900)
    save(app, dialog, out / "memory-length.png")
    dialog.close()


def forecast_shot(app: QApplication, out: Path) -> None:
    """The LSTM sine preset trained with its recipe; the forecast free-running from test sample 100."""
    window = create_window()
    window.resize(1366, 768)
    window.show()
    window.model.load_preset("lstm-sine")
    window.training.start()
    wait_until(app, lambda: not window.session.is_training, timeout=300)
    dialog = window.memory_dock.widget().open_forecast()
    dialog.start.setValue(100)
    dialog.resize(760, 520)
    save(app, dialog, out / "forecast.png")
    dialog.close()
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", choices=("memory", "forecast", "memory-length"), help="make one picture")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    # closing a window that trained asks to save the project: these runs are thrown away
    QMessageBox.question = lambda *_args, **_kw: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
    with isolated():
        if args.only in (None, "memory"):
            for size in ((1366, 768), (1920, 1080)):
                memory_shots(app, args.out, size)
        if args.only in (None, "forecast"):
            forecast_shot(app, args.out)
        if args.only in (None, "memory-length"):
            experiment_shot(app, args.out)


if __name__ == "__main__":
    main()
