"""What every command shares: one-line failure reports and a progress bar on a terminal."""

from __future__ import annotations

import sys

from playground.errors import PlaygroundError


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
