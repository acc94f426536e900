"""Network spec files: read within a cap, every problem a SpecError naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playground.core.spec import MAX_SPEC_BYTES, NetworkSpec
from playground.errors import SpecError
from playground.safe_read import parse_json, read_capped

SPEC_HINT = "give a network spec saved by this app (a small .json file)"


def read_spec_data(path: str | Path) -> tuple[NetworkSpec, dict[str, Any]]:
    """The spec in a JSON file and the file's whole object (which may carry more, e.g. class names).

    Raises:
        SpecError: the file cannot be read, is not a regular file, is too large, or holds no valid spec.
    """
    path = Path(path)
    data = parse_json(read_capped(path, MAX_SPEC_BYTES, SpecError, "a network spec file"), str(path),
                      SpecError, SPEC_HINT)
    try:
        return NetworkSpec.from_dict(data), data
    except SpecError as exc:
        raise SpecError(f"{path}: {exc.message}", exc.hint) from None


def read_spec_file(path: str | Path) -> NetworkSpec:
    """The network spec in a JSON file (see ``read_spec_data``)."""
    return read_spec_data(path)[0]
