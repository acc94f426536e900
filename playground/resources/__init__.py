"""Files shipped inside the package (the bundled MNIST sample, the sample model, icons, desktop files)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

MNIST_SAMPLE = ("datasets", "mnist-sample")
SAMPLE_MODEL = ("models", "sample-cnn.safetensors")
APP_ID = "io.github.nn_playground.NNPlayground"
"""The reverse-DNS id of the desktop file, the AppStream component and the icon."""
ICON_SVG = ("icons", f"{APP_ID}.svg")
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
_extracted: dict[tuple[str, ...], Path] = {}
_lock = threading.Lock()


def _copy_tree(source: Traversable, dest: Path) -> None:
    """Copy a resource (a file or a folder) out of a zip or other non-file-system package."""
    if source.is_file():
        dest.write_bytes(source.read_bytes())
        return
    dest.mkdir()
    for child in source.iterdir():
        _copy_tree(child, dest / child.name)


def resource_path(*parts: str) -> Path:
    """A real path to a shipped file or folder, e.g. ``resource_path("models", "sample-cnn.safetensors")``.

    In a normal install (wheel, sdist, editable, a frozen bundle) that is the file inside the package;
    when the package is imported from a zip, the resource is copied once to a temporary folder that is
    removed when the process exits.
    """
    item = files(__name__).joinpath(*parts)
    if isinstance(item, Path):
        return item
    with _lock:
        if parts not in _extracted:
            folder = Path(tempfile.mkdtemp(prefix="nn-playground-resources-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _copy_tree(item, folder / parts[-1])
            _extracted[parts] = folder / parts[-1]
        return _extracted[parts]


def mnist_sample_dir() -> Path:
    """The folder of the bundled 5,000-image MNIST sample (IDX files and their provenance)."""
    return resource_path(*MNIST_SAMPLE)


def sample_model_path() -> Path:
    """The sample CNN (safetensors) that answers on the drawing pad before anything is trained."""
    return resource_path(*SAMPLE_MODEL)


def icon_png(size: int) -> Path:
    """The app icon rendered at ``size`` x ``size`` pixels (one of ICON_SIZES)."""
    return resource_path("icons", f"{size}x{size}", f"{APP_ID}.png")
