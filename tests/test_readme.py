"""The README's commands run as written: every ```sh block, line by line, in one empty folder.

Each line runs in bash with this test's virtual environment first on PATH (the README's convention: the
venv is active), a temporary home, data folder and download cache, and the window offscreen: a line that
opens the app (``nn-playground``, ``nn-playground digits.nnproj``) waits until the window is up with the
sample model answering and then quits (NN_PLAYGROUND_EXIT_WHEN_READY). ``make`` lines run in the checkout
as a dry run (``make -n``): the targets exist and expand, without the test running ``make test`` inside
``make test`` or opening the app with ``make run``; CI runs ``make test`` and ``make wheel-check`` and a test
runs ``make install-desktop``. The only inputs a person brings, pictures of digits (``photo-of-a-7.png``),
the test makes from bundled test digits.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from playground.data.registry import load_dataset

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
FASHION = Path("/usr/share/datasets/fashion-mnist")


def readme_commands() -> list[str]:
    """Every command line of the README's ```sh blocks, in order (continued lines joined)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in BLOCK.findall(text):
        lines.extend(line for line in block.replace("\\\n", " ").splitlines() if line.strip())
    return lines


def _pictures(folder: Path) -> None:
    """The digit pictures the README's predict lines name: bundled test digits, dark ink on white."""
    test = load_dataset("mnist-sample")
    seven = int(np.flatnonzero(test.test_y == 7)[0])
    Image.fromarray(255 - test.test_x[seven, 0]).resize((140, 140)).save(folder / "photo-of-a-7.png")


def test_the_readme_has_a_walkthrough() -> None:
    commands = readme_commands()
    assert len(commands) >= 20
    assert any(c.startswith("nn-playground train") and "--save digits.nnproj" in c for c in commands)
    assert not any(".venv/bin/" in c for c in commands)  # one convention: the venv is active


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.skipif(not FASHION.is_dir(), reason="the README trains on the system Fashion-MNIST copy")
def test_every_readme_command_runs(tmp_path: Path) -> None:
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    _pictures(work)
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share"),
           "XDG_CACHE_HOME": str(home / ".cache"), "NN_PLAYGROUND_DATA": str(home / "data"),
           "NN_PLAYGROUND_CACHE": str(home / "cache"), "QT_QPA_PLATFORM": "offscreen",
           "NN_PLAYGROUND_EXIT_WHEN_READY": "1", "OMP_NUM_THREADS": "1"}
    for command in readme_commands():
        if command.startswith("make "):
            run = subprocess.run(["make", "-n", "-C", str(ROOT), *command.split("#")[0].split()[1:]],
                                 capture_output=True, text=True, timeout=60, check=False)
        else:
            run = subprocess.run(["bash", "-e", "-c", command], cwd=work, env=env, capture_output=True,
                                 text=True, timeout=600, check=False)
        assert run.returncode == 0, f"{command}\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
    assert (work / "digits.nnproj").is_file() and (work / "trained-weights.pt").is_file()
    assert not any(home.glob(".nn-playground*"))
