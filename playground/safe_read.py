"""Reading outside files: regular files only, within a size cap, JSON parsed with every failure named."""

from __future__ import annotations

import json
import os
import re
import reprlib
import stat
from pathlib import Path
from typing import Any, BinaryIO

from playground.errors import PlaygroundError

MAX_JSON_DEPTH = 64
"""Deeper nesting than any file of the app has; more is refused before anything recurses into it."""

MAX_INT_DIGITS = 20
"""Longest integer accepted in JSON: 2**64 has 20 digits."""

MAX_ECHO = 60
"""Longest piece of a file's content repeated in a message."""

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
"""Opening never waits for a FIFO's writer and never makes a terminal ours."""
_echo = reprlib.Repr()
_echo.maxlevel, _echo.maxstring, _echo.maxother, _echo.maxlist, _echo.maxdict = 2, MAX_ECHO, MAX_ECHO, 4, 4
_echo.maxlong = MAX_ECHO


def short(value: Any) -> str:
    """``repr(value)`` cut to about MAX_ECHO characters, safe for any depth and any text."""
    if isinstance(value, str) and len(value) <= MAX_ECHO:
        return repr(value)
    text = _echo.repr(value)
    return text if len(text) <= MAX_ECHO + 10 else text[: MAX_ECHO] + "..."


def clip(text: str) -> str:
    """A name from a file, as it is when short and printable, else as ``short`` gives it."""
    return text if len(text) <= MAX_ECHO and text.isprintable() else short(text)


def reason(exc: BaseException) -> str:
    """An exception's first line, cut to about two MAX_ECHO (a library may quote a file's bytes in it)."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text if len(text) <= 2 * MAX_ECHO else text[: 2 * MAX_ECHO] + "..."


def _size(count: int) -> str:
    """A byte count for people: "900 bytes", "12.5 MiB"."""
    return f"{count:,} bytes" if count < 2**20 else f"{count / 2**20:,.1f} MiB"


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | Path, cap: int, error: type[PlaygroundError] = PlaygroundError,
                 what: str = "a file") -> BinaryIO:
    """Open ``path`` for reading if it is a regular file of at most ``cap`` bytes.

    The file is opened without blocking (a FIFO would wait for a writer) and checked with fstat on the
    open descriptor, so a symlink to ``/dev/zero``, a FIFO, a folder or a device is refused before a
    byte is read.

    Args:
        path: the file.
        cap: the largest size accepted, in bytes.
        error: the PlaygroundError subclass to raise.
        what: what the file should be, for messages ("a project file", "a picture", ...).

    Raises:
        PlaygroundError: (``error``) the file is missing, unreadable, not a regular file or too large.
    """
    path = Path(path)
    flags = os.O_RDONLY | _FLAGS
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"cannot read {path}: no such file", "check the path") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise error(f"cannot read {path}: {reason}",
                    "check that the file exists and that you may read it") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"cannot read {path}: it is {_kind(info.st_mode)}, not {what}", f"choose {what}")
        if info.st_size > cap:
            raise error(f"{path} is larger than {what} may be ({_size(info.st_size)}; at most {_size(cap)})",
                        "this is not a file of the kind expected here")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: str | Path, cap: int, error: type[PlaygroundError] = PlaygroundError,
                what: str = "a file") -> bytes:
    """The bytes of a regular file of at most ``cap`` bytes (see ``open_regular``); a file that grows
    past the cap while it is read is refused too."""
    with open_regular(path, cap, error, what) as stream:
        try:
            data = stream.read(cap + 1)
        except OSError as exc:
            raise error(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise error(f"{path} is larger than {what} may be (over {_size(cap)})")
    return data


def _bounded_int(text: str) -> int:
    """An integer literal of at most MAX_INT_DIGITS digits; longer ones fit nothing the app reads and make
    float conversions overflow, so they are refused as they are parsed."""
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {digits:,} digits: more than any value here needs")
    return int(text)


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Python writes them, RFC 8259 has none); no file of the app holds one."""
    raise ValueError(f"{name} is not a number JSON allows")


def _too_deep(value: Any) -> bool:
    """True when containers nest more than MAX_JSON_DEPTH levels; level by level, never recursing."""
    level, depth = [value], 1
    while level:
        if depth > MAX_JSON_DEPTH:
            return True
        below: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item if type(item) is list else ()
            below.extend([c for c in children if type(c) is dict or type(c) is list])
        level, depth = below, depth + 1
    return False


def _may_hold_surrogates(text: str) -> bool:
    """False when JSON text surely holds no lone surrogate (no \\uD8xx-\\uDFxx escape, valid text)."""
    if _SURROGATE_ESCAPE.search(text):
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_text(value: Any) -> str | None:
    """The first string (key or value) that is not valid Unicode, or None."""
    level = [value]
    while level:
        below: list[Any] = []
        for item in level:
            if type(item) is str:
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return item
            elif type(item) is dict:
                below.extend(item.keys())
                below.extend(item.values())
            elif type(item) is list:
                below.extend(item)
        level = below
    return None


def parse_json(data: bytes | str, where: str, error: type[PlaygroundError] = PlaygroundError,
               hint: str | None = None) -> Any:
    """Parse JSON text or UTF-8 bytes from outside; any failure is ``error`` naming ``where`` (if given).

    Refused besides bad syntax: text that is not UTF-8, NaN and Infinity, nesting deeper than MAX_JSON_DEPTH,
    integers of more than MAX_INT_DIGITS digits, and strings holding lone surrogates (valid JSON syntax, not
    text).
    """
    at = f"{where}: " if where else ""
    try:
        if isinstance(data, bytes | bytearray):
            data = bytes(data).decode("utf-8")
        value = json.loads(data, parse_int=_bounded_int, parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise error(f"{at}not a text file (invalid UTF-8 at byte {exc.start})", hint) from None
    except json.JSONDecodeError as exc:
        raise error(f"{at}not valid JSON: {exc.msg} at line {exc.lineno}", hint) from None
    except RecursionError:
        raise error(f"{at}not usable JSON: nested too deeply", hint) from None
    except (ValueError, TypeError) as exc:
        raise error(f"{at}not usable JSON: {str(exc).split(':')[0][:120]}", hint) from None
    if _too_deep(value):
        raise error(f"{at}not usable JSON: nested more than {MAX_JSON_DEPTH} levels deep", hint)
    bad = _bad_text(value) if _may_hold_surrogates(data) else None
    if bad is not None:
        raise error(f"{at}not usable JSON: the text {short(bad)} is not valid Unicode (a lone surrogate)",
                    hint)
    return value


def read_json(path: str | Path, cap: int, error: type[PlaygroundError] = PlaygroundError,
              what: str = "a JSON file", hint: str | None = None) -> Any:
    """Read and parse a JSON file of at most ``cap`` bytes (``read_capped`` then ``parse_json``)."""
    return parse_json(read_capped(path, cap, error, what), str(path), error, hint)

