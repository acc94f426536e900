"""What every command shares: one-line failure reports and a progress bar on a terminal."""

from __future__ import annotations

import sys

from playground.errors import PlaygroundError

TRAIN_DEFAULTS = {"epochs": 10, "batch_size": 64, "learning_rate": 1e-3, "optimizer": "adam",
                  "clip_norm": 0.0}
"""What train uses for a setting neither its flag nor the preset's recipe gives."""


def report(exc: PlaygroundError) -> None:
    """Print a failure as one line, with its hint on the next."""
    print(f"nn-playground: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"  hint: {exc.hint}", file=sys.stderr)


def progress_bar(desc: str, unit: str = "batch"):
    """A tqdm bar on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(desc=desc, unit=unit, unit_scale=unit == "B", leave=False, file=sys.stderr)
