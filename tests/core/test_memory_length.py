"""The memory-length experiment: every cell at every length through the app's trainer, seeded, cancellable,
and the memory-length command's table and JSON."""

import json
import threading

import pytest

from playground.cli import main
from playground.core.memory_length import check_lengths, run_experiment, table
from playground.errors import PlaygroundError


def test_each_cell_trains_at_each_length_the_same_way_for_the_same_seed() -> None:
    heard: list[tuple] = []
    first = run_experiment((8, 5, 8), ("GRU", "RNN"), epochs=2, samples=120,
                           progress=lambda *a: heard.append(a))
    assert [(r.cell, r.length, r.epochs) for r in first] == [("GRU", 5, 2), ("RNN", 5, 2), ("GRU", 8, 2),
                                                               ("RNN", 8, 2)]
    assert heard[0] == ("GRU", 5, 1, 2, 0) and heard[-1] == ("RNN", 8, 2, 2, 3)
    again = run_experiment((5, 8), ("GRU", "RNN"), epochs=2, samples=120)
    assert [r.accuracy for r in again] == [r.accuracy for r in first]
    assert table(first) == ["| T | RNN | GRU |", "| --- | --- | --- |",
                            f"| 5 | {first[1].accuracy:.3f} | {first[0].accuracy:.3f} |",
                            f"| 8 | {first[3].accuracy:.3f} | {first[2].accuracy:.3f} |"]


def test_cancel_returns_the_runs_finished_so_far() -> None:
    cancel = threading.Event()
    results = run_experiment((5, 6), ("RNN",), epochs=2, samples=120, cancel=cancel,
                             done=lambda _result: cancel.set())
    assert len(results) == 1 and results[0].length == 5


@pytest.mark.parametrize(("lengths", "words"), [((), "at least one"), ((4,), "from 5 to 200"),
                                                 ((201,), "from 5 to 200"), ((True,), "whole number")])
def test_bad_lengths_are_refused(lengths, words) -> None:
    with pytest.raises(PlaygroundError, match=words):
        check_lengths(lengths)
    with pytest.raises(PlaygroundError, match="unknown cell"):
        run_experiment((5,), ("CNN",))


def test_the_command_prints_a_table_or_json(capsys) -> None:
    argv = ["memory-length", "--lengths", "5", "--cells", "rnn,lstm", "--epochs", "1", "--samples", "100"]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("test accuracy on seq:recall") and out[1] == "| T | RNN | LSTM |"
    assert main([*argv, "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [(r["cell"], r["length"], r["epochs"]) for r in runs] == [("RNN", 5, 1), ("LSTM", 5, 1)]
    with pytest.raises(SystemExit) as caught:
        main(["memory-length", "--cells", "cnn"])
    assert caught.value.code == 2 and "cells are RNN, LSTM and GRU" in capsys.readouterr().err
