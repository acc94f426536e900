"""The command line's commands; each imports torch (and the rest of the engine) only when it runs."""

from __future__ import annotations

import argparse

from playground.commands.common import progress_bar, report

__all__ = ["progress_bar", "report", "run"]


def run(args: argparse.Namespace) -> int:
    """Run the command ``args.command`` parsed by ``playground.cli``; returns the exit code.

    Raises:
        PlaygroundError: the command failed in a way a person can act on.
    """
    if args.command == "train":
        from playground.commands.train import train

        return train(args)
    if args.command == "lr-find":
        from playground.commands.train import lr_find

        return lr_find(args)
    if args.command == "memory-length":
        from playground.commands.memory import memory_length

        return memory_length(args)
    if args.command in ("datasets", "download"):
        from playground.commands import data

        return data.datasets(args.id) if args.command == "datasets" else data.download(args.name)
    from playground.commands import models

    return {"spec": models.spec, "export": models.export, "predict": models.predict}[args.command](args)
