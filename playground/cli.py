"""The ``nn-playground`` command: no command opens the app (FILE opens that project or spec in it); the
commands train, spec, datasets, download, export and predict work without a window.

Parsing imports no torch, so ``--help`` and every bad argument answer at once; each command imports
what it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from playground import __version__
from playground.commands.common import TRAIN_DEFAULTS
from playground.errors import PlaygroundError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
COMMANDS = ("train", "lr-find", "memory-length", "spec", "datasets", "download", "export", "predict")
OPENABLE = (".nnproj", ".json")
SAVE_SUFFIXES = (".nnproj", ".safetensors")
STATE_DICT_SUFFIXES = (".pt", ".pth")
# The command line's copies of core tables, so that parsing needs no torch; tests/core/test_cli_help.py checks
# that they equal core.presets.PRESETS, core.training.OPTIMIZERS, DEVICES and RANGES, core.export.FORMATS.
PRESET_NAMES = ("article-mlp", "lenet5", "small-cnn", "lstm-rows", "deep-sigmoid", "tanh-2d", "rnn-recall",
                "lstm-recall", "gru-recall", "lstm-sine")
PRESET_DATASETS = {"tanh-2d": "toy:circle", "rnn-recall": "seq:recall", "lstm-recall": "seq:recall",
                   "gru-recall": "seq:recall", "lstm-sine": "seq:sine"}
DEFAULT_DATASET = "mnist-sample"
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop")
DEVICE_NAMES = ("auto", "cpu", "cuda", "mps")
EXPORT_FORMATS = {"torchscript": ".pt", "onnx": ".onnx", "script": ".py"}
RANGES = {"learning_rate": (1e-6, 1e6), "batch_size": (1, 4096), "epochs": (1, 1000), "seed": (0, 2**31 - 1),
          "validation_fraction": (0.0, 0.5), "clip_norm": (0.0, 1000.0), "early_stop": (0, 100),
          "lr_find_steps": (20, 1000)}
OPTION_FLAGS = (
    ("length", "T", "steps of a sequence task (seq:recall, seq:adding; the window of seq:sine)"),
    ("points", "N", "points of a 2-D dataset (toy:...)"),
    ("noise", "P", "noise of a 2-D dataset (0 to 0.5) or of seq:sine"),
    ("features", "LIST", "input features of a 2-D dataset, comma-separated: "
     "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"),
)
DATASET_HELP = ("a dataset id (see the datasets command): mnist-sample (bundled, offline), mnist, "
                "fashion-mnist, my-drawings, idx:DIR, toy:NAME (a 2-D dataset: toy:circle, "
                "toy:spiral, ...) or a sequence task: seq:recall, seq:sine, seq:adding")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Help that shows each option's default, when it has one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False or action.default == argparse.SUPPRESS \
                or action.help is None:
            return action.help
        return super()._get_help_string(action)


class _TopHelp(argparse.RawDescriptionHelpFormatter, _Help):
    """The top-level help: the description keeps its line breaks."""


def _ranged(name: str, kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argument type: a number of ``kind`` within RANGES[name]."""
    low, high = RANGES[name]

    def parse(text: str) -> float:
        shown = text if len(text) <= 24 else f"{text[:20]}... ({len(text):,} characters)"
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"'{shown}' is not a{'n integer' if kind is int else ' number'}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}, not {shown}")
        return value

    return parse


def _save_path(text: str) -> Path:
    """An argument type: a file name ending in .nnproj or .safetensors."""
    path = Path(text)
    if path.suffix.lower() not in SAVE_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"'{text}' must end in .nnproj (a project: network, settings, run history, weights and "
            "optimizer state) or .safetensors (a model file: network and weights)")
    return path


def _add_train(sub: argparse._SubParsersAction) -> None:
    train = sub.add_parser("train", help="train a network without the window", formatter_class=_Help,
                           description="Train a network and print one line per epoch (or, with --json, one "
                           "JSON object). Without --preset or --spec it trains the article's MLP.")
    _add_network_source(train)
    train.add_argument("--epochs", type=_ranged("epochs", int), metavar="N",
                       help=f"passes over the training data (default {TRAIN_DEFAULTS['epochs']}, or the "
                       "preset's: see the preset's line in --preset)")
    train.add_argument("--batch-size", type=_ranged("batch_size", int), metavar="N",
                       help=f"samples per training step (default {TRAIN_DEFAULTS['batch_size']}, or the "
                       "preset's)")
    train.add_argument("--lr", type=_ranged("learning_rate", float),
                       help=f"learning rate (default {TRAIN_DEFAULTS['learning_rate']:g}, or the preset's)")
    train.add_argument("--optimizer", choices=OPTIMIZER_NAMES,
                       help=f"how the weights move (default {TRAIN_DEFAULTS['optimizer']}, or the preset's)")
    train.add_argument("--clip", type=_ranged("clip_norm", float), metavar="NORM",
                       help="clip the gradients to this total L2 norm before each step (0 off; default 0, or "
                       "the preset's)")
    train.add_argument("--seed", type=_ranged("seed", int), default=0, metavar="N",
                       help="random seed: the same seed gives the same run on the CPU")
    train.add_argument("--augment", action="store_true", help="random shifts, rotations and zoom")
    train.add_argument("--validation", type=_ranged("validation_fraction", float), default=0.0,
                       metavar="FRACTION", help="hold out this share of the training data as a validation "
                       "set (0 none); overfitting and early stopping then judge by it, not by the test set")
    train.add_argument("--early-stop", type=_ranged("early_stop", int), default=0, metavar="PATIENCE",
                       help="stop when the held-out loss has not improved for PATIENCE epochs and go back "
                       "to the best epoch's weights (0 off)")
    train.add_argument("--keep-last", action="store_true",
                       help="with --early-stop, keep the last epoch's weights instead of the best")
    train.add_argument("--device", choices=DEVICE_NAMES, default="auto",
                       help="where to train; auto takes a GPU when there is one")
    train.add_argument("--save", type=_save_path, metavar="FILE",
                       help="save the result: FILE.nnproj a project (open it in the app and continue "
                       "training there), FILE.safetensors a model file (network and weights)")
    train.add_argument("--json", action="store_true", help="print one JSON object when done")


def _add_network_source(parser: argparse.ArgumentParser) -> None:
    """--preset or --spec, --dataset and --option: what trains on what (train and lr-find)."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--preset", choices=PRESET_NAMES, default="article-mlp",
                        help="a ready network; " + "; ".join(
                            f"{name} trains on {data}" for name, data in PRESET_DATASETS.items())
                        + " unless --dataset says")
    source.add_argument("--spec", type=Path, metavar="FILE.json",
                        help="a network spec file (write one with `nn-playground spec PRESET -o FILE.json`)")
    parser.add_argument("--dataset", metavar="ID",
                        help=DATASET_HELP + f" (default {DEFAULT_DATASET}, or the preset's)")
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="an option of the dataset's source (repeat for more; see the datasets command)")
    shortcuts = parser.add_argument_group("dataset options", "shortcuts for --option NAME=VALUE")
    for flag, metavar, text in OPTION_FLAGS:
        shortcuts.add_argument(f"--{flag}", metavar=metavar, help=text)


def _add_lr_find(sub: argparse._SubParsersAction) -> None:
    find = sub.add_parser("lr-find", formatter_class=_Help,
                          help="sweep the learning rate over ~100 batches and suggest one",
                          description="The learning-rate range test (fastai's lr_find): train fresh weights "
                          "for STEPS batches while the learning rate grows exponentially from 1e-7 to 10, "
                          "stop when the smoothed loss passes 4x its best, print the loss at each rate and "
                          "suggest the rate where the loss falls fastest. Nothing is saved.")
    _add_network_source(find)
    find.add_argument("--batch-size", type=_ranged("batch_size", int), default=64, metavar="N",
                      help="samples per step")
    find.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default="adam", help="how the weights move")
    find.add_argument("--steps", type=_ranged("lr_find_steps", int), default=100, metavar="N",
                      help="batches in the sweep")
    find.add_argument("--seed", type=_ranged("seed", int), default=0, metavar="N", help="random seed")
    find.add_argument("--device", choices=DEVICE_NAMES, default="auto", help="where to train")
    find.add_argument("--json", action="store_true",
                      help="print one JSON object: every rate, loss and smoothed loss, and the suggestion")


def _lengths(text: str) -> tuple[int, ...]:
    """An argument type: comma-separated sequence lengths from 5 to 200."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of whole numbers") from None
    if not values or any(not 5 <= value <= 200 for value in values):
        raise argparse.ArgumentTypeError(f"each length must be from 5 to 200, not {text}")
    return values


def _cells(text: str) -> tuple[str, ...]:
    """An argument type: comma-separated cells among RNN, LSTM and GRU."""
    values = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    if not values or any(value not in ("RNN", "LSTM", "GRU") for value in values):
        raise argparse.ArgumentTypeError(f"cells are RNN, LSTM and GRU, not {text}")
    return values


def _add_memory_length(sub: argparse._SubParsersAction) -> None:
    memory = sub.add_parser(
        "memory-length", formatter_class=_Help,
        help="train RNN, LSTM and GRU on seq:recall for a few lengths and print accuracy against T",
        description="The memory-length experiment: rnn-recall, lstm-recall and gru-recall (32 units each, "
        "the same recipe) learn to name the first token of a sequence of length T after reading it to "
        "the end; a plain RNN manages short sequences only. Prints a table of test accuracy.")
    memory.add_argument("--lengths", type=_lengths, default=(10, 25, 50, 100), metavar="T,T,...",
                        help="the sequence lengths, 5 to 200 (default 10,25,50,100)")
    memory.add_argument("--cells", type=_cells, default=("RNN", "LSTM", "GRU"), metavar="CELL,...",
                        help="which recurrent cells (default RNN,LSTM,GRU)")
    memory.add_argument("--epochs", type=_ranged("epochs", int), metavar="N",
                        help="epochs a run (default 25, the presets' recipe)")
    memory.add_argument("--samples", type=int, default=2500, metavar="N",
                        help="sequences generated for each length, a fifth of them test")
    memory.add_argument("--seed", type=_ranged("seed", int), default=0, metavar="N",
                        help="seeds the data and the weights: the same seed, the same table")
    memory.add_argument("--json", action="store_true", help="print one JSON object")


def _add_model_commands(sub: argparse._SubParsersAction) -> None:
    spec = sub.add_parser("spec", formatter_class=_Help,
                          help="write a network spec (JSON) to edit and train with train --spec",
                          description="Write the network of a preset, or of a file the app wrote, as a "
                          "spec file. A spec from a model file also holds its data's mean, std and class "
                          "names, so predict --spec can read a state dict trained with it.")
    spec.add_argument("source", metavar="PRESET|MODEL",
                      help=f"a preset ({', '.join(PRESET_NAMES)}) or a .nnproj / .safetensors file")
    spec.add_argument("-o", "--output", type=Path, metavar="FILE.json",
                      help="where to write (without it, the spec is printed)")
    export = sub.add_parser("export", formatter_class=_Help,
                            help="export a model as TorchScript, ONNX or a training script",
                            description="Export the network and weights of any file the app writes. Each "
                            "exported model is loaded back and checked against PyTorch.")
    export.add_argument("model", type=Path, metavar="MODEL",
                        help="a project (.nnproj), a model from train --save (.safetensors), or a "
                        ".pt/.pth state dict with --spec")
    export.add_argument("--format", required=True, choices=tuple(EXPORT_FORMATS),
                        help="torchscript (.pt), onnx (.onnx, outputs probabilities) or script "
                        "(a standalone PyTorch training script, .py)")
    export.add_argument("-o", "--output", type=Path, metavar="OUT",
                        help="the file to write (without it: beside MODEL, named after it, "
                        "MODEL-torchscript.pt, MODEL.onnx or MODEL-train.py; an existing one is kept "
                        "unless --force)")
    export.add_argument("--spec", type=Path, metavar="FILE.json", help="the network of a state dict")
    export.add_argument("--force", action="store_true", help="overwrite the default output if it exists")
    predict = sub.add_parser(
        "predict", help="classify pictures of digits with a trained model", formatter_class=_Help,
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


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, built without importing torch."""
    parser = _Parser(
        prog="nn-playground", formatter_class=_TopHelp,
        usage="nn-playground [-h] [--version] [FILE | COMMAND [ARGS ...]]",
        description="Neural Network Playground: build networks by clicking, watch them train live,\n"
        "and draw digits for them to read.\n\n"
        "Without a command, nn-playground opens the app, with the project that was open\n"
        "when it last closed. With FILE, a project (.nnproj) or a network spec (.json),\n"
        "the app opens that file.",
        epilog="Run `nn-playground COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"nn-playground {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, title="commands", metavar="COMMAND",
                                prog="nn-playground")
    _add_train(sub)
    _add_lr_find(sub)
    _add_memory_length(sub)
    _add_model_commands(sub)
    datasets = sub.add_parser("datasets", help="list the datasets: available or not, and where",
                              formatter_class=_Help)
    datasets.add_argument("id", nargs="?", metavar="ID",
                          help="print only this dataset's folder, for scripts: python train.py --data "
                          "\"$(nn-playground datasets mnist-sample)\" (exit code 1 when it is not available)")
    download = sub.add_parser("download", help="download a dataset into the cache folder",
                              formatter_class=_Help,
                              description="Download MNIST or Fashion-MNIST (sha256-checked, two mirrors). "
                              "A Fashion-MNIST copy installed by the system is used as it is.")
    download.add_argument("name", choices=("mnist", "fashion-mnist"))
    return parser


def _open_in_window(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    """``nn-playground FILE``: open a project or spec in the app."""
    path = Path(argv[0])
    if len(argv) > 1:
        parser.error(f"give one file to open, not {len(argv)} arguments")
    if path.suffix.lower() not in OPENABLE:
        parser.error(f"'{argv[0]}' is neither a command ({', '.join(COMMANDS)}) nor a file to open "
                     "(a .nnproj project or a .json network spec)")
    if not path.is_file():
        parser.error(f"cannot open {argv[0]}: no such file")
    from playground.gui.app import main as gui_main

    return gui_main(path)


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Checks of arguments argparse cannot express; each failure is a usage error."""
    if hasattr(args, "dataset") and args.dataset is None:
        chosen = None if getattr(args, "spec", None) is not None else getattr(args, "preset", None)
        args.dataset = PRESET_DATASETS.get(chosen or "", DEFAULT_DATASET)
    if getattr(args, "dataset", None):
        from playground.data.registry import parse

        try:
            given = [f"{flag}={getattr(args, flag)}" for flag, _, _ in OPTION_FLAGS
                     if getattr(args, flag, None) is not None]
            args.ref = parse(args.dataset, [*args.option, *given])
        except PlaygroundError as exc:
            parser.error(f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
    if (args.command in ("predict", "export") and args.spec is None
            and args.model.suffix.lower() in STATE_DICT_SUFFIXES):
        parser.error(f"{args.model} is a state dict: give its network with --spec FILE.json")
    if (args.command == "spec" and args.source not in PRESET_NAMES
            and Path(args.source).suffix.lower() not in SAVE_SUFFIXES):
        parser.error(f"'{args.source}' is neither a preset ({', '.join(PRESET_NAMES)}) nor a .nnproj or "
                     ".safetensors file")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``nn-playground`` and ``python -m playground``."""
    if hasattr(sys.stdout, "reconfigure"):  # a file name of undecodable bytes prints escaped, not as a crash
        sys.stdout.reconfigure(errors="backslashreplace")
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        return _open_in_window(parser, argv)
    args = parser.parse_args(argv)
    _check(parser, args)
    if args.command is None:
        from playground.gui.app import main as gui_main

        return gui_main()
    from playground.commands import report, run

    try:
        return run(args)
    except PlaygroundError as exc:
        report(exc)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("nn-playground: interrupted", file=sys.stderr)
        return EXIT_FAILED
