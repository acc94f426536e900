"""The command line's commands; each imports torch (and the rest of the engine) only when it runs."""

from __future__ import annotations

import argparse
import sys

from playground.errors import PlaygroundError


def run(args: argparse.Namespace) -> int:
    """Run the command ``args.command`` parsed by ``playground.cli``; returns the exit code.

    Raises:
        PlaygroundError: the command failed in a way a person can act on.
    """
    if args.command == "train":
        from playground.commands.train import train

        return train(args)
    if args.command in ("datasets", "download"):
        from playground.commands import data

        return data.datasets(args.id) if args.command == "datasets" else data.download(args.name)
    from playground.commands import models

    return {"spec": models.spec, "export": models.export, "predict": models.predict}[args.command](args)


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
