"""Start-up, side by side with `python -c "import torch"`: `nn-playground --help`, a bad argument, and the
command to the window on screen (and to the full window with the sample model answering).

Goals: --help and a bad argument under 0.3x torch's import; the window on screen no later than torch's
import alone (1.0x). Each run is a fresh process; the runs alternate so that load hits all alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_HELP = 0.3
GOAL_WINDOW = 1.0


def _app() -> list[str]:
    """The installed command next to this Python, else ``python -m playground``."""
    script = Path(sys.executable).with_name("nn-playground")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "playground"]


def _timed(command: list[str], env: dict[str, str], expect: int) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != expect:
        raise SystemExit(f"{command} exited {result.returncode}: {result.stderr[-2000:]}")
    return seconds


def _window(env: dict[str, str]) -> tuple[float, float]:
    """Seconds from the command to the first window painted, and to the full window ready."""
    launched = time.time()
    result = subprocess.run(_app(), env=env, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise SystemExit(f"the app exited {result.returncode}: {result.stderr[-2000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["shown_at"] - launched, report["ready_at"] - launched


def main() -> None:
    """Run the measurements and print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement")
    parser.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM for the window runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": f"{home}/config",
               "XDG_CACHE_HOME": f"{home}/cache", "NN_PLAYGROUND_DATA": f"{home}/data",
               "NN_PLAYGROUND_CACHE": f"{home}/cache"}
        window_env = {**env, "QT_QPA_PLATFORM": args.platform, "NN_PLAYGROUND_EXIT_WHEN_READY": "1"}
        _window(window_env)  # a first run warms the disk cache for every later one alike
        torch, help_, bad, shown, ready = [], [], [], [], []
        for _ in range(args.runs):
            torch.append(_timed([sys.executable, "-c", "import torch"], env, 0))
            help_.append(_timed([*_app(), "--help"], env, 0))
            bad.append(_timed([*_app(), "train", "--epochs", "0"], env, 2))
            first, full = _window(window_env)
            shown.append(first)
            ready.append(full)
    base = statistics.median(torch)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); "
          f"{args.runs} runs each; QT_QPA_PLATFORM={args.platform}")
    print(f"python -c 'import torch':        median {base:.3f} s (range {min(torch):.3f}-{max(torch):.3f})")
    rows = (("nn-playground --help", help_, GOAL_HELP), ("a bad argument (exit 2)", bad, GOAL_HELP),
            ("command -> window on screen", shown, GOAL_WINDOW),
            ("command -> full window ready", ready, None))
    for name, values, goal in rows:
        ratio = statistics.median(values) / base
        verdict = "" if goal is None else f"  goal < {goal}x: {'met' if ratio < goal else 'NOT met'}"
        print(f"{name + ':':32} median {statistics.median(values):.3f} s (range {min(values):.3f}-"
              f"{max(values):.3f}) = {ratio:.2f}x torch's import{verdict}")


if __name__ == "__main__":
    main()
