"""``nn-playground memory-length``: RNN, LSTM and GRU on seq:recall for a few lengths, accuracy against T."""

from __future__ import annotations

import argparse
import json
import math

from playground.commands.common import progress_bar
from playground.errors import PlaygroundError

EXIT_OK = 0


def memory_length(args: argparse.Namespace) -> int:
    """Run the experiment as ``args`` say; print a Markdown table (or one JSON object)."""
    from playground.core.memory_length import run_experiment, table

    if not 50 <= args.samples <= 100_000:
        raise PlaygroundError(f"--samples must be from 50 to 100,000, not {args.samples}")
    runs = len(args.lengths) * len(args.cells)
    bar = None if args.json else progress_bar("memory length")

    def progress(cell: str, length: int, epoch: int, epochs: int, index: int) -> None:
        if bar is not None:
            bar.total = runs * epochs
            bar.n = index * epochs + epoch
            bar.set_description(f"{cell} at T={length}", refresh=False)
            bar.refresh()

    results = run_experiment(args.lengths, args.cells, seed=args.seed, epochs=args.epochs,
                             samples=args.samples, progress=progress)
    if bar is not None:
        bar.close()
    if args.json:
        print(json.dumps({"seed": args.seed, "samples": args.samples, "runs": [
            {"cell": r.cell, "length": r.length,
             "test_accuracy": r.accuracy if math.isfinite(r.accuracy) else None, "epochs": r.epochs,
             "seconds": round(r.seconds, 2)} for r in results]}, allow_nan=False))
        return EXIT_OK
    print(f"test accuracy on seq:recall (16 kinds of token, chance 0.062), seed {args.seed}:")
    for line in table(results):
        print(line)
    return EXIT_OK
