"""Render the sequence tasks in the window offscreen to docs/screenshots: memory-window.png (the whole
window at 1366x768 after the LSTM recall preset trained a few epochs, the memory dock in front),
memory.png (the memory dock alone) and memory-length.png (RNN, LSTM and GRU against the length T).

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
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.gui import create_window  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    with isolated():
        for size in ((1366, 768), (1920, 1080)):
            memory_shots(app, args.out, size)


if __name__ == "__main__":
    main()
