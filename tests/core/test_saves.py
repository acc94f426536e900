"""Saving where a person's files are: stale temporaries cleaned, symlinks written through, read-only kept."""

from __future__ import annotations

import os
import stat
import time

import pytest

from playground.atomic import ReadOnlyError, atomic_write, is_read_only
from playground.cli import main
from playground.core.export import export_project
from playground.core.project import load_project, save_project
from playground.errors import PlaygroundError
from tests.hostile import mlp_project, mnist_facts, saved_project

HOUR = 3600


def _age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_stale_temporaries_of_an_interrupted_save_are_removed_by_the_next(tmp_path):
    target = saved_project(tmp_path / "p.nnproj")
    stale, fresh = tmp_path / ".p.nnproj.k2j4h1x0.part", tmp_path / ".p.nnproj.a8b7c6d5.part"
    others = [tmp_path / ".q.nnproj.k2j4h1x0.part", tmp_path / "p.nnproj.part", tmp_path / ".p.nnproj.x.part"]
    for path in (stale, fresh, *others):
        path.write_bytes(b"half a save")
    for path in (stale, *others):
        _age(path, 2 * HOUR)
    save_project(target, mlp_project())
    assert not stale.exists()
    assert fresh.exists()  # it may be another process's save in progress
    assert all(path.exists() for path in others)  # not the app's temporaries of this file


def test_saving_to_a_symlink_writes_through_to_its_target(tmp_path):
    real = tmp_path / "projects" / "real.nnproj"
    real.parent.mkdir()
    saved_project(real, class_names=tuple("abcdefghij"))
    link = tmp_path / "link.nnproj"
    link.symlink_to(real)
    save_project(link, mlp_project())
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_project(real).facts.class_names == tuple("0123456789")
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.nnproj"]


def test_a_read_only_file_is_not_replaced_unless_asked(tmp_path):
    target = saved_project(tmp_path / "p.nnproj")
    os.chmod(target, 0o444)
    before = target.read_bytes()
    assert is_read_only(target)
    with pytest.raises(PlaygroundError, match="read-only"):
        save_project(target, mlp_project(class_names=tuple("abcdefghij")))
    assert target.read_bytes() == before
    save_project(target, mlp_project(class_names=tuple("abcdefghij")), replace_read_only=True)
    assert load_project(target).facts.class_names == tuple("abcdefghij")
    assert stat.S_IMODE(target.stat().st_mode) == 0o444  # still read-only, as the person left it


def test_atomic_write_refuses_a_read_only_target_with_a_permission_error(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o400)
    with pytest.raises(ReadOnlyError) as info:
        atomic_write(target, b"new")
    assert isinstance(info.value, PermissionError) and "read-only" in info.value.strerror
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_the_cli_refuses_to_replace_read_only_files(tmp_path, capsys):
    project = saved_project(tmp_path / "p.nnproj")
    out = tmp_path / "train.py"
    out.write_text("# mine\n")
    os.chmod(out, 0o444)
    assert main(["export", str(project), "--format", "script", "-o", str(out)]) == 1
    assert "read-only" in capsys.readouterr().err and out.read_text() == "# mine\n"


@pytest.mark.parametrize("fmt", ["torchscript", "onnx"])
def test_exporting_a_model_without_trained_weights_is_refused(tmp_path, fmt, capsys):
    untrained = mlp_project(weights=None)
    with pytest.raises(PlaygroundError, match="no trained weights") as info:
        export_project(untrained, fmt, tmp_path / "out")
    assert "train" in info.value.hint and not (tmp_path / "out").exists()
    save_project(tmp_path / "new.nnproj", untrained)
    assert main(["export", str(tmp_path / "new.nnproj"), "--format", fmt, "-o", str(tmp_path / "m")]) == 1
    assert "no trained weights" in capsys.readouterr().err


def test_a_training_script_needs_no_weights(tmp_path):
    assert "training script" in export_project(mlp_project(weights=None), "script", tmp_path / "t.py")


def test_nothing_is_saved_that_could_not_be_read_back(tmp_path):
    from playground.core.project import save_model

    with pytest.raises(PlaygroundError, match="cannot save"):
        save_project(tmp_path / "p.nnproj", mlp_project(history=({"loss": float("nan")},)))
    model = mlp_project().build()
    with pytest.raises(PlaygroundError, match="cannot save"):
        save_model(tmp_path / "m.safetensors", mlp_project().spec, model, mnist_facts(mean=float("inf")))
    assert list(tmp_path.iterdir()) == []
