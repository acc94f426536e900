"""One case of a loader property: put the drawn input in place, then load it under a deadline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hypothesis import strategies as st

from playground.errors import PlaygroundError
from tests.hostile import SPECIAL_KINDS, deadline, special_file
from tests.property.budget import CASE_SECONDS

T = TypeVar("T")
MAX_MESSAGE = 600


class Blob(bytes):
    """A valid file's bytes that print as their length, so a failing case's report stays readable."""

    def __repr__(self) -> str:
        return f"<{len(self):,} bytes>"


def put(data: st.DataObject, folder: Path, name: str, contents: st.SearchStrategy[bytes],
        special_one_in: int = 10) -> Path:
    """``folder/name`` holding drawn ``contents`` or, one case in ``special_one_in``, a special file."""
    if data.draw(st.integers(1, special_one_in)) == 1:
        return special_file(folder, data.draw(st.sampled_from(SPECIAL_KINDS)), name)
    (folder / name).write_bytes(data.draw(contents.map(Blob)))
    return folder / name


def outcome(load: Callable[[], T], path: Path, errors: type[Exception] = PlaygroundError) -> T | None:
    """What ``load`` returns, or None when it raised one of ``errors`` naming the file in a short message;
    any other exception, or running past the deadline, fails the case."""
    with deadline(CASE_SECONDS):
        try:
            return load()
        except errors as exc:
            message = getattr(exc, "message", str(exc))
            assert (str(path) in message or path.name in message) and len(message) < MAX_MESSAGE
            return None
