"""The ``nn-playground`` command: no arguments opens the app; subcommands train, datasets, download,
export and predict."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from playground.errors import PlaygroundError, SpecError, TrainingError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    from playground.core.export import FORMATS
    from playground.core.presets import PRESETS
    from playground.core.training import OPTIMIZERS

    parser = _Parser(prog="nn-playground", description="Neural Network Playground.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    train = sub.add_parser("train", help="train a network without the GUI")
    source = train.add_mutually_exclusive_group()
    source.add_argument("--preset", choices=sorted(PRESETS), help="a ready network")
    source.add_argument("--spec", type=Path, metavar="FILE.json", help="a network spec file")
    train.add_argument("--dataset", default="mnist-sample",
                       help="mnist-sample (default, offline), mnist, fashion-mnist or idx:DIR")
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--lr", type=float, default=1e-3, help="learning rate")
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--augment", action="store_true", help="random shifts, rotations, zoom")
    train.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"))
    train.add_argument("--save", type=Path, metavar="FILE", help="save the trained model (.safetensors)")
    train.add_argument("--json", action="store_true", help="print one JSON object when done")
    sub.add_parser("datasets", help="list datasets: available, where, cached or not")
    download = sub.add_parser("download", help="download a dataset into the cache folder")
    download.add_argument("name", choices=("mnist", "fashion-mnist"))
    export = sub.add_parser("export", help="export a project as TorchScript, ONNX or a training script")
    export.add_argument("project", type=Path, metavar="PROJECT", help="a project file (.nnproj)")
    export.add_argument("--format", required=True, choices=tuple(FORMATS),
                        help="torchscript (.pt), onnx (.onnx, outputs probabilities) or script "
                        "(a standalone PyTorch training script, .py)")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="OUT", help="the file to write")
    predict = sub.add_parser(
        "predict", help="classify pictures of digits with a trained model",
        description="Classify pictures (PNG, JPEG) of single digits. Dark ink on light paper is "
        "inverted to MNIST's light ink on black. A picture without ink is reported, not classified. "
        "A .pt/.pth state dict needs --spec; the spec file may also hold \"mean\", \"std\" and "
        "\"class_names\" (default: MNIST's 0.1307 and 0.3081, classes 0 to N-1).")
    predict.add_argument("model", type=Path, metavar="MODEL",
                         help="a project (.nnproj), a model saved by train --save (.safetensors), or a "
                         ".pt/.pth state dict with --spec")
    predict.add_argument("images", type=Path, nargs="+", metavar="IMAGE", help="pictures of digits")
    predict.add_argument("--spec", type=Path, metavar="FILE.json", help="the network of a state dict")
    predict.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _fail(exc: PlaygroundError) -> int:
    print(f"nn-playground: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"  hint: {exc.hint}", file=sys.stderr)
    return EXIT_FAILED


def _cmd_datasets() -> int:
    from playground.data.sources import list_datasets

    for info in list_datasets():
        where = info.location or "-"
        state = "available" if info.available else "not downloaded" if info.needs_download else "missing"
        print(f"{info.id:14} {state:15} {where}")
        print(f"{'':14} {info.description}")
    print("idx:DIR        any folder of MNIST-format IDX files")
    return EXIT_OK


def _cmd_download(name: str) -> int:
    from playground.data.sources import download_dataset

    bar = _progress_bar(f"downloading {name}", unit="B")
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    try:
        path = download_dataset(name, progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        print("nn-playground: download cancelled", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if bar is not None:
            bar.close()
    print(f"{name} is ready in {path}")
    return EXIT_OK


def _progress_bar(desc: str, unit: str = "batch"):
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(desc=desc, unit=unit, unit_scale=unit == "B", leave=False, file=sys.stderr)


def _load_spec(args: argparse.Namespace):
    from playground.core.presets import preset
    from playground.core.specfile import read_spec_file

    if args.spec is None:
        return preset(args.preset or "article-mlp"), args.preset or "article-mlp"
    return read_spec_file(args.spec), str(args.spec)


def _cmd_train(args: argparse.Namespace) -> int:
    from playground.core.analysis import analyse
    from playground.core.metrics import BatchRecord, EpochRecord, StateRecord
    from playground.core.project import save_model
    from playground.core.training import TrainConfig, Trainer
    from playground.data.sources import load_dataset

    try:
        config = TrainConfig(optimizer=args.optimizer, learning_rate=args.lr, batch_size=args.batch_size,
                             epochs=args.epochs, seed=args.seed, augment=args.augment, device=args.device)
    except TrainingError as exc:
        print(f"nn-playground: error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    spec, spec_name = _load_spec(args)
    dataset = load_dataset(args.dataset)
    result = analyse(spec, dataset.input_shape, dataset.num_classes, config.loss)
    if not result.ok:
        first = result.errors[0]
        raise SpecError(f"the network cannot train: {first.text}")
    trainer = Trainer(spec, dataset, config)
    epochs: list[EpochRecord] = []
    final: StateRecord | None = None
    bar = None if args.json else _progress_bar("epoch 1")
    started = time.perf_counter()
    for record in trainer.run():
        if isinstance(record, BatchRecord) and bar is not None:
            bar.total = record.batches_per_epoch
            bar.set_description(f"epoch {record.epoch}", refresh=False)
            bar.n = record.batch
            bar.set_postfix(loss=f"{record.loss:.4f}", refresh=False)
            bar.refresh()
        elif isinstance(record, EpochRecord):
            epochs.append(record)
            if bar is not None:
                bar.clear()
            if not args.json:
                print(f"{record.line()}, {record.samples_per_second:,.0f} samples/s", flush=True)
        elif isinstance(record, StateRecord):
            final = record
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - started
    if final is not None and final.state == "diverged":
        print(f"nn-playground: diverged: {final.message}", file=sys.stderr)
        print(f"  hint: {final.hint}", file=sys.stderr)
        return EXIT_FAILED
    if args.save:
        save_model(args.save, spec, trainer.model, {
            "dataset": dataset.id, "input_shape": list(dataset.input_shape),
            "num_classes": dataset.num_classes, "class_names": list(dataset.class_names),
            "mean": dataset.mean, "std": dataset.std, "config": config.to_dict(),
        })
    samples = sum(e.samples_per_second * e.seconds for e in epochs)
    train_seconds = sum(e.seconds for e in epochs)
    summary = {
        "dataset": dataset.id,
        ("preset" if args.spec is None else "spec"): spec_name,
        "epochs": [{"epoch": e.epoch, "train_loss": e.train_loss, "train_accuracy": e.train_accuracy,
                    "test_loss": e.test_loss, "test_accuracy": e.test_accuracy, "seconds": e.seconds}
                   for e in epochs],
        "test_accuracy": epochs[-1].test_accuracy if epochs else None,
        "samples_per_second": samples / train_seconds if train_seconds else 0.0,
        "parameters": result.total_params,
    }
    if args.json:
        print(json.dumps(summary, allow_nan=False))
    else:
        print(f"done in {seconds:.1f} s: test accuracy {summary['test_accuracy']:.4f}, "
              f"{summary['samples_per_second']:,.0f} samples/s, {result.total_params:,} parameters"
              + (f", saved to {args.save}" if args.save else ""))
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from playground.core.export import export_project
    from playground.core.project import load_project

    project = load_project(args.project)
    print(export_project(project, args.format, args.output))
    return EXIT_OK


def _cmd_predict(args: argparse.Namespace) -> int:
    from playground.core.predict_files import load_for_prediction, read_digit

    loaded = load_for_prediction(args.model, args.spec)
    results, failed = [], False
    for path in args.images:
        try:
            image = read_digit(path)
            probs = None if image is None else loaded.classify(image[None])[0]
        except PlaygroundError as exc:
            failed = True
            results.append({"path": str(path), "error": exc.message})
            if not args.json:
                _fail(exc)
            continue
        if image is None:
            results.append({"path": str(path), "error": "no ink: the picture is blank"})
            if not args.json:
                print(f"{path}: no ink found, nothing to classify")
            continue
        best = int(probs.argmax())
        results.append({"path": str(path), "prediction": loaded.class_names[best], "index": best,
                        "confidence": float(probs[best]), "probabilities": [float(p) for p in probs]})
        if not args.json:
            print(f"{path}: {loaded.class_names[best]} ({probs[best]:.1%})")
            print("  " + "  ".join(f"{name}: {p:.3f}" for name, p in zip(loaded.class_names, probs,
                                                                          strict=True)))
    if args.json:
        print(json.dumps({"model": str(args.model), "classes": list(loaded.class_names),
                          "images": results}, allow_nan=False))
    return EXIT_FAILED if failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``nn-playground`` and ``python -m playground``."""
    if hasattr(sys.stdout, "reconfigure"):  # a file name of undecodable bytes prints escaped, not as a crash
        sys.stdout.reconfigure(errors="backslashreplace")
    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "dataset", None) and not (
        args.dataset in ("mnist-sample", "mnist", "fashion-mnist") or args.dataset.startswith("idx:")
    ):
        parser.error(f"unknown dataset '{args.dataset}': use mnist-sample, mnist, fashion-mnist or idx:DIR")
    if args.command == "predict" and args.spec is None and args.model.suffix.lower() in (".pt", ".pth"):
        parser.error(f"{args.model} is a state dict: give its network with --spec FILE.json")
    if args.command is None:
        from playground.gui.app import main as gui_main

        return gui_main()
    try:
        if args.command == "datasets":
            return _cmd_datasets()
        if args.command == "download":
            return _cmd_download(args.name)
        if args.command == "export":
            return _cmd_export(args)
        if args.command == "predict":
            return _cmd_predict(args)
        return _cmd_train(args)
    except PlaygroundError as exc:
        return _fail(exc)
    except KeyboardInterrupt:
        print("nn-playground: interrupted", file=sys.stderr)
        return EXIT_FAILED
