"""Render the 2-D playground offscreen to docs/screenshots: boundary-window.png (the window at 1366x768
after the 2-D preset trained on the circle, the Boundary dock in front), neurons.png (the same network
neuron by neuron), boundary-window-1920.png (the same at 1920x1080) and boundary-spiral.png (two layers
of 8 tanh units on TensorFlow Playground's spiral, trained in the window).

Real runs; the app's data folder, cache and settings go to a temporary folder (run it as
``python packaging/make_2d_screenshots.py``).
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

from playground.core.spec import NetworkSpec, layer  # noqa: E402
from playground.data.dataset import DataRef  # noqa: E402
from playground.gui import create_window  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def boundary_shots(app: QApplication, out: Path) -> None:
    """The 2-D preset on the circle (its recipe), then 8-8 tanh on the spiral for 300 epochs."""
    window = create_window()
    window.resize(1366, 768)
    window.show()
    window.model.load_preset("tanh-2d")
    window.training.start()
    wait_until(app, lambda: not window.session.is_training, timeout=300)
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    plane = window.boundary_dock.widget()
    plane.boundary.refresh()
    plane.neurons.refresh()
    save(app, window, out / "boundary-window.png")
    save(app, plane.neurons, out / "neurons.png")
    window.resize(1920, 1080)  # the same run on a larger screen: the two views side by side
    plane.boundary.refresh()
    plane.neurons.refresh()
    save(app, window, out / "boundary-window-1920.png")
    window.resize(1366, 768)
    window.training.picker.select(DataRef("toy:spiral"))
    window.model.edit(NetworkSpec((layer("Linear", "tanh", units=8), layer("Linear", "tanh", units=8),
                                   layer("Linear", units=2))), "two layers of 8 tanh")
    form = window.training.form
    form.epochs.setValue(300)
    form.learning_rate.setValue(0.01)
    form.batch_size.setValue(16)
    window.training.start()
    wait_until(app, lambda: not window.session.is_training, timeout=600)
    plane.boundary.refresh()
    plane.neurons.refresh()
    save(app, window.boundary_dock, out / "boundary-spiral.png")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    QMessageBox.question = lambda *_args, **_kw: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
    with isolated():
        boundary_shots(app, args.out)


if __name__ == "__main__":
    main()
