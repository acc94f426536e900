"""Build the frozen bundle (``make bundle``): PyInstaller makes dist/bundle/nn-playground/, a folder that runs
the app without Python; then the result is started with nothing of this venv on PATH and measured."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "nn-playground.spec"
DIST, WORK = ROOT / "dist" / "bundle", ROOT / "build" / "bundle"
BARE_PATH = "/usr/bin:/bin"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600,
                            check=False)
    if result.returncode != 0:
        what = " ".join(command[1:]) or "the window"
        raise SystemExit(f"bundle check: {what} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started, result.stdout


def check(app: Path) -> dict[str, float | str]:
    """Start the bundle as a person without this venv would: bare PATH, a fresh HOME, another folder."""
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": BARE_PATH, "HOME": home, "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
        cwd = Path(home)
        _, version = _run([str(app), "--version"], env, cwd)
        help_seconds, _ = _run([str(app), "--help"], env, cwd)
        _, datasets = _run([str(app), "datasets"], env, cwd)
        if "mnist-sample   available" not in datasets:
            raise SystemExit(f"bundle check: the bundled sample is missing:\n{datasets}")
        train = [str(app), "train", "--epochs", "1", "--save", "m.nnproj", "--json"]
        train_seconds, out = _run(train, env, cwd)
        accuracy = json.loads(out)["test_accuracy"]
        for fmt in ("torchscript", "onnx", "script"):
            _run([str(app), "export", "m.nnproj", "--format", fmt], env, cwd)
        launched = time.time()
        _, report = _run([str(app)], {**env, "NN_PLAYGROUND_EXIT_WHEN_READY": "1"}, cwd)
        window = json.loads(report.strip().splitlines()[-1])
    return {"version": version.strip(), "help_s": help_seconds, "train_s": train_seconds,
            "accuracy": accuracy, "shown_s": window["shown_at"] - launched,
            "ready_s": window["ready_at"] - launched,
            "sample_model": f"{window['sample_model_right']}/{window['sample_model_of']}"}


def main() -> None:
    """Build (unless --check-only), check, and print what was produced."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-only", action="store_true", help="check the bundle built before")
    args = parser.parse_args()
    app = DIST / "nn-playground" / "nn-playground"
    if not args.check_only:
        if shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is None:
            raise SystemExit("bundle: PyInstaller is missing: pip install 'nn-playground[bundle]'")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                        "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)], check=True, cwd=ROOT)
        print(f"built {app.parent} in {time.perf_counter() - started:.0f} s")
    facts = check(app)
    print(f"{facts['version']}: {_size(app.parent) / 2**20:,.0f} MiB in {app.parent}")
    print(f"started with PATH={BARE_PATH} and a fresh HOME: --help {facts['help_s']:.2f} s; window on "
          f"screen after {facts['shown_s']:.2f} s, full window with the sample model answering "
          f"({facts['sample_model']} test digits) after {facts['ready_s']:.2f} s; one epoch of the article "
          f"MLP in {facts['train_s']:.1f} s (test accuracy {facts['accuracy']:.4f}); TorchScript, ONNX and "
          f"script export work; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
