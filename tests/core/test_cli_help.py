"""The command line's parsing: --help, --version and bad arguments answer without importing torch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from playground import __version__
from playground.cli import (
    COMMANDS,
    DEVICE_NAMES,
    EXPORT_FORMATS,
    OPTIMIZER_NAMES,
    PRESET_DATASETS,
    PRESET_NAMES,
    RANGES,
    build_parser,
    main,
)

CASES = [
    (["--help"], 0), (["--version"], 0), *[([command, "--help"], 0) for command in COMMANDS],
    (["train", "--epochs", "0"], 2), (["train", "--lr", "fast"], 2), (["train", "--preset", "vgg"], 2),
    (["train", "--dataset", "cifar"], 2), (["train", "--save", "model.pt"], 2), (["frobnicate"], 2),
    (["missing.nnproj"], 2), (["notes.txt"], 2), (["export", "w.pt", "--format", "onnx"], 2),
    (["predict", "w.pth", "digit.png"], 2), (["spec", "lenet"], 2), (["download", "cifar"], 2),
    (["export", "m.nnproj"], 2),
]
PROBE = """
import contextlib, io, json, sys
from playground.cli import main
cases, seen = json.loads(sys.argv[1]), []
for argv, _ in cases:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    seen.append([argv, code, "torch" in sys.modules])
print(json.dumps(seen))
"""


def test_help_version_and_bad_arguments_never_import_torch() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(CASES)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    for (argv, expected), (_, code, torch_loaded) in zip(CASES, json.loads(result.stdout), strict=True):
        assert code == expected, argv
        assert not torch_loaded, f"{argv} imported torch"


def test_the_cli_tables_are_the_engines() -> None:
    from playground.core.export import FORMATS
    from playground.core.presets import PRESETS
    from playground.core.training import DEVICES, OPTIMIZERS
    from playground.core.training import RANGES as TRAIN_RANGES

    assert tuple(PRESETS) == PRESET_NAMES
    assert {name: row.dataset for name, row in PRESETS.items() if row.dataset} == PRESET_DATASETS
    assert tuple(OPTIMIZERS) == OPTIMIZER_NAMES
    assert tuple(DEVICES) == DEVICE_NAMES
    assert EXPORT_FORMATS == FORMATS
    from playground.core.lr_find import STEPS_RANGE

    assert all(RANGES[name] == TRAIN_RANGES[name] for name in RANGES if name != "lr_find_steps")
    assert RANGES["lr_find_steps"] == STEPS_RANGE


def test_the_help_says_what_no_command_does_and_shows_defaults(capsys) -> None:
    parser = build_parser()
    top = parser.format_help()
    assert "Without a command, nn-playground opens the app" in top and "With FILE" in top
    assert all(command in top for command in COMMANDS)
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    train_help = " ".join(capsys.readouterr().out.split())
    for default in ("(default: article-mlp)", "(default mnist-sample, or the preset's)",
                    "(default 10, or the preset's", "(default 64, or the preset's)",
                    "(default 0.001, or the preset's)", "(default adam, or the preset's)", "(default: 0)",
                    "(default: auto)", "lstm-recall trains on seq:recall"):
        assert default in train_help
    assert "(default: None)" not in train_help and "(default: False)" not in train_help


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"nn-playground {__version__}"


def test_a_file_argument_opens_it_in_the_window(tmp_path, monkeypatch) -> None:
    opened = []
    monkeypatch.setattr("playground.gui.app.main", lambda path=None: opened.append(path) or 0)
    spec = tmp_path / "net.json"
    spec.write_text("{}")
    assert main([str(spec)]) == 0 and opened == [spec]
    assert main([]) == 0 and opened == [spec, None]


def test_a_bad_file_argument_says_what_is_accepted(tmp_path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("hi")
    for argv in ([str(tmp_path / "notes.txt")], [str(tmp_path / "gone.nnproj")],
                 [str(tmp_path / "a.json"), str(tmp_path / "b.json")]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert "neither a command (train, lr-find, memory-length, spec" in err[0]
    assert ".nnproj project or a .json network spec" in err[0]
    assert "no such file" in err[1] and "give one file to open" in err[2]
