"""Checks on the data facts a file carries (input shape, classes, normalisation) before anything uses them."""

from __future__ import annotations

from typing import Any

from playground.errors import PlaygroundError
from playground.safe_read import short

MAX_SIDE = 4096
MAX_CLASSES = 100_000
MAX_NAME = 200
"""Longest class name accepted; longer ones are not names."""
MAX_NORM = 1e6
"""Largest mean or standard deviation accepted: pixels are in [0, 1], so anything near this is nonsense."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_norm(mean: Any, std: Any, where: str, hint: str | None = None) -> tuple[float, float]:
    """A finite mean and a finite, positive standard deviation, as floats.

    Raises:
        PlaygroundError: NaN, infinity, a non-number, a std of 0 or less, or absurd sizes.
    """
    for name, value in (("mean", mean), ("std", std)):
        if not _number(value) or not abs(value) <= MAX_NORM:  # NaN and inf fail it, and no int overflows
            raise PlaygroundError(f"{where}: the normalisation {name} {short(value)} is not a usable number",
                                  hint)
    if not std > 0:
        raise PlaygroundError(f"{where}: the normalisation's standard deviation must be positive, not {std}",
                              hint)
    return float(mean), float(std)


def check_input_shape(shape: Any, where: str, hint: str | None = None) -> tuple[int, ...]:
    """One sample's shape: 1 to 3 whole numbers from 1 to MAX_SIDE."""
    if not (isinstance(shape, list | tuple) and 1 <= len(shape) <= 3 and all(
            isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= MAX_SIDE for d in shape)):
        raise PlaygroundError(f"{where}: bad input shape {short(shape)}", hint)
    return tuple(shape)


def check_class_names(names: Any, count: int, where: str, hint: str | None = None) -> tuple[str, ...]:
    """``count`` class names, each short, printable-safe text (no lone surrogates)."""
    if not (isinstance(names, list | tuple) and len(names) == count
            and all(isinstance(n, str) for n in names)):
        raise PlaygroundError(f"{where}: the class names do not match the number of classes ({count})", hint)
    for i, name in enumerate(names):
        if len(name) > MAX_NAME:
            raise PlaygroundError(f"{where}: class name {i + 1} is {len(name):,} characters long", hint)
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise PlaygroundError(f"{where}: class name {i + 1} is not valid text ({short(name)})",
                                  hint) from None
    return tuple(names)
