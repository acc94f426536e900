"""Atomic writes keep the old file on failure and give new files the usual permissions."""

import os
import stat

import pytest

from playground.atomic import atomic_write


def test_new_file_gets_umask_permissions_and_existing_ones_are_kept(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.bin", b"one")
        assert stat.S_IMODE((tmp_path / "a.bin").stat().st_mode) == 0o644
        os.chmod(tmp_path / "a.bin", 0o600)
        atomic_write(tmp_path / "a.bin", b"two")
        assert stat.S_IMODE((tmp_path / "a.bin").stat().st_mode) == 0o600
        assert (tmp_path / "a.bin").read_bytes() == b"two"
    finally:
        os.umask(old)


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]
