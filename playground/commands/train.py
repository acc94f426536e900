"""``nn-playground train``: train a preset or a spec file, report each epoch, save a project or a model."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from playground.commands.common import TRAIN_DEFAULTS, progress_bar
from playground.errors import PlaygroundError, SpecError, TrainingError

if TYPE_CHECKING:
    from playground.core.lr_find import Sweep

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SAVE_HINT = "choose another folder, or a file name ending in .nnproj or .safetensors"


def check_destination(path: Path) -> None:
    """Make sure a file can be written at ``path`` before training starts.

    Raises:
        PlaygroundError: ``path`` is a folder, its folder is missing, or nothing can be written there.
    """
    folder = path.parent
    if path.is_dir():
        raise PlaygroundError(f"cannot save to {path}: it is a folder", SAVE_HINT)
    if not folder.is_dir():
        raise PlaygroundError(f"cannot save to {path}: the folder {folder} does not exist", SAVE_HINT)
    if path.exists() and not os.access(path, os.W_OK):
        raise PlaygroundError(f"cannot save to {path}: the file is read-only", SAVE_HINT)
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise PlaygroundError(f"cannot save to {path}: {exc.strerror or exc}", SAVE_HINT) from None


def _load_spec(args: argparse.Namespace):
    from playground.core.presets import preset
    from playground.core.specfile import read_spec_file

    if args.spec is None:
        return preset(args.preset), args.preset
    return read_spec_file(args.spec), str(args.spec)


def recipe(args: argparse.Namespace) -> dict:
    """Optimizer, learning rate, batch size, epochs and clipping: each from its flag when given, else from
    the preset's recipe, else the command's default."""
    from playground.core.presets import PRESETS

    chosen = PRESETS[args.preset].recipe if args.spec is None else {}
    flags = {"epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.lr,
             "optimizer": args.optimizer, "clip_norm": args.clip}
    return {name: flags[name] if flags[name] is not None else chosen.get(name, default)
            for name, default in TRAIN_DEFAULTS.items()}


def _save(path: Path, spec, dataset, config, trainer, run: dict) -> None:
    """Write the result: a project (.nnproj, with the run and optimizer state) or a model file."""
    from playground.core.project import PROJECT_SUFFIX, Project, save_model, save_project

    if path.suffix.lower() == PROJECT_SUFFIX:
        weights = {k: v.detach().cpu() for k, v in trainer.model.state_dict().items()}
        save_project(path, Project(spec, config, dataset.facts, history=(run,), weights=weights,
                                   resume=trainer.resume_state()))
        return
    save_model(path, spec, trainer.model, dataset.facts, {"config": config.to_dict()})


def train(args: argparse.Namespace) -> int:
    """Train as ``args`` say; print the article's line per epoch (or one JSON object); save if asked."""
    if args.save is not None:
        check_destination(args.save)
    from playground.core.analysis import analyse
    from playground.core.choices import default_loss
    from playground.core.metrics import BatchRecord, EpochRecord, RunState, StateRecord
    from playground.core.overfitting import best_epoch, find_turn
    from playground.core.runs import RunRecorder
    from playground.core.training import TrainConfig, Trainer
    from playground.data.registry import dataset_info, load_dataset

    try:
        config = TrainConfig(**recipe(args), seed=args.seed, augment=args.augment, device=args.device,
                             loss=default_loss(dataset_info(args.ref).task),
                             validation_fraction=args.validation, early_stop=args.early_stop,
                             restore_best=not args.keep_last)
    except TrainingError as exc:
        print(f"nn-playground: error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    spec, spec_name = _load_spec(args)
    dataset = load_dataset(args.ref)
    result = analyse(spec, dataset.input_shape, dataset.outputs, config.loss, dataset.task)
    if not result.ok:
        raise SpecError(f"the network cannot train: {result.errors[0].text}")
    trainer = Trainer(spec, dataset, config)
    recorder = RunRecorder()
    final: StateRecord | None = None
    bar = None if args.json else progress_bar("epoch 1")
    started = time.perf_counter()
    for record in trainer.run():
        recorder.add(record)
        if isinstance(record, BatchRecord) and bar is not None:
            bar.total = record.batches_per_epoch
            bar.set_description(f"epoch {record.epoch}", refresh=False)
            bar.n = record.batch
            bar.set_postfix(loss=f"{record.loss:.4f}", refresh=False)
            bar.refresh()
        elif isinstance(record, EpochRecord):
            if bar is not None:
                bar.clear()
            if not args.json:
                print(f"{record.line()}, {record.samples_per_second:,.0f} samples/s", flush=True)
        elif isinstance(record, StateRecord):
            final = record
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - started
    if trainer.stopped_early:
        recorder.stopped_early(trainer.best_epoch, config.restore_best)
    if final is not None and final.state == RunState.DIVERGED:
        print(f"nn-playground: diverged: {final.message}", file=sys.stderr)
        print(f"  hint: {final.hint}", file=sys.stderr)
        return EXIT_FAILED
    if args.save is not None:
        _save(args.save, spec, dataset, config, trainer,
              recorder.to_dict(1, config.to_dict(), spec, dataset.ref.key, seconds))
    epochs = recorder.epochs
    scores = ("test_accuracy",) if dataset.task == "classification" else ("test_rmse", "test_r2")
    turn = find_turn(epochs)
    chosen = epochs[-1] if epochs else None  # the epoch whose weights the run ends with
    if trainer.stopped_early and config.restore_best:
        chosen = next((e for e in epochs if e.epoch == trainer.best_epoch), chosen)
    validation = ("val_loss",) if config.validation_fraction > 0 else ()
    summary = {
        "dataset": dataset.ref.key,
        ("preset" if args.spec is None else "spec"): spec_name,
        "epochs": [{"epoch": e.epoch, "train_loss": e.train_loss, "train_accuracy": e.train_accuracy,
                    "test_loss": e.test_loss, "seconds": e.seconds,
                    **{k: getattr(e, k) for k in scores + validation}}
                   for e in epochs],
        **{key: getattr(chosen, key) if chosen else None for key in scores},
        "best_epoch": best_epoch(epochs),
        "stopped_early": trainer.stopped_early,
        "overfitting_from": turn.epoch if turn else None,
        "samples_per_second": recorder.samples_per_second,
        "parameters": result.total_params,
    }
    if args.json:
        print(json.dumps(summary, allow_nan=False))
    else:
        if trainer.stopped_early and final is not None:
            print(final.message)
        if turn is not None:
            print(turn.text())
            if not trainer.stopped_early:
                print(f"  hint: --early-stop 3 stops there and keeps epoch {turn.epoch}'s weights")
        words = {"test_accuracy": "test accuracy", "test_rmse": "test RMSE", "test_r2": "R²"}
        figures = ", ".join(f"{words[key]} {summary[key]:.4f}" for key in scores if summary[key] is not None)
        print(f"done in {seconds:.1f} s: {figures or 'no epoch finished'}, "
              f"{summary['samples_per_second']:,.0f} samples/s, {result.total_params:,} parameters"
              + (f", saved to {args.save}" if args.save else ""))
    return EXIT_OK


def lr_find(args: argparse.Namespace) -> int:
    """Sweep the learning rate as ``args`` say; print the curve and the suggestion (or one JSON object)."""
    from playground.core.analysis import analyse
    from playground.core.choices import default_loss
    from playground.core.lr_find import find_lr
    from playground.core.training import TrainConfig
    from playground.data.registry import dataset_info, load_dataset

    config = TrainConfig(optimizer=args.optimizer, batch_size=args.batch_size, seed=args.seed,
                         device=args.device, loss=default_loss(dataset_info(args.ref).task))
    spec, spec_name = _load_spec(args)
    dataset = load_dataset(args.ref)
    result = analyse(spec, dataset.input_shape, dataset.outputs, config.loss, dataset.task)
    if not result.ok:
        raise SpecError(f"the network cannot train: {result.errors[0].text}")
    bar = None if args.json else progress_bar("lr-find")
    if bar is not None:
        bar.total = args.steps

    def progress(batch: int, rate: float, loss: float) -> None:
        if bar is not None:
            bar.n = batch
            bar.set_postfix(lr=f"{rate:.2g}", loss=f"{loss:.3f}", refresh=False)
            bar.refresh()

    sweep = find_lr(spec, dataset, config, steps=args.steps, progress=progress)
    if bar is not None:
        bar.close()
    if args.json:
        print(json.dumps({"dataset": dataset.ref.key, ("preset" if args.spec is None else "spec"): spec_name,
                          "optimizer": config.optimizer, "batch_size": config.batch_size, **sweep.to_dict()},
                         allow_nan=False))
        return EXIT_OK
    print(f"{spec_name} on {dataset.name}, {config.optimizer}, batch {config.batch_size}:")
    for line in chart(sweep):
        print(line)
    print(sweep.text())
    if sweep.suggestion is not None:
        where = [f"--preset {args.preset}" if args.spec is None else f"--spec {shlex.quote(str(args.spec))}"]
        if args.dataset != "mnist-sample":
            where.append(f"--dataset {shlex.quote(args.dataset)}")
        if config.optimizer != "adam":
            where.append(f"--optimizer {config.optimizer}")
        if config.batch_size != 64:
            where.append(f"--batch-size {config.batch_size}")
        print(f"  try: nn-playground train {' '.join(where)} --lr {sweep.suggestion:.2g}")
    return EXIT_OK


def chart(sweep: Sweep, rows: int = 12, width: int = 40) -> list[str]:
    """The sweep as a text chart: about ``rows`` rates from first to last (and the suggested one), each
    with its smoothed loss as a bar."""
    if not sweep.rates:
        return []
    n = len(sweep.rates)
    picks = {round(i * (n - 1) / max(rows - 1, 1)) for i in range(rows)}
    suggested = sweep.rates.index(sweep.suggestion) if sweep.suggestion in sweep.rates else None
    if suggested is not None:
        picks.add(suggested)
    low = min(sweep.smoothed[i] for i in picks)
    high = min(max(sweep.smoothed[i] for i in picks), 1.5 * sweep.smoothed[0])  # a blow-up is cut off
    lines = ["  learning rate   loss (smoothed)"]
    for i in sorted(picks):
        share = (sweep.smoothed[i] - low) / (high - low) if high > low else 1.0
        bar = "#" * (1 + round((width - 1) * min(share, 1.0))) + (">" if share > 1 else "")
        mark = "  <- suggested" if i == suggested else ""
        lines.append(f"  {sweep.rates[i]:>13.2g}   {sweep.smoothed[i]:7.4f} {bar}{mark}")
    return lines
