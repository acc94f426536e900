"""``nn-playground datasets`` and ``download``: what can be loaded, and fetching what is missing."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from playground.commands.common import progress_bar
from playground.data.download import cache_dir
from playground.data.registry import kind_of, list_datasets, patterns
from playground.errors import DatasetError

EXIT_OK, EXIT_FAILED = 0, 1


def datasets(dataset_id: str | None = None) -> int:
    """List every dataset (available or not, where, what it is), or print the folder of ``dataset_id``.

    Raises:
        DatasetError: ``dataset_id`` is unknown or not available.
    """
    if dataset_id is not None:
        print(_folder(dataset_id))
        return EXIT_OK
    for info in list_datasets():
        where = info.location or "-"
        state = ("available" if info.available else "not downloaded" if info.needs_download
                 else "not ready" if info.unavailable else "missing")
        print(f"{info.ref.id:14} {state:15} {where}")
        print(f"{'':14} {info.description}" + (f"; {info.unavailable}" if info.unavailable else ""))
        for option in kind_of(info.ref.id).options:
            print(f"{'':14} --option {option.name}=VALUE  {option.help} (default {option.default})")
    for syntax, text in patterns():
        print(f"{syntax:14} {text}")
    return EXIT_OK


def _folder(dataset_id: str) -> str:
    """Where the files of ``dataset_id`` are."""
    info = next((i for i in list_datasets() if i.ref.id == dataset_id), None)
    if info is None:
        raise DatasetError(f"unknown dataset '{dataset_id}'",
                           f"one of {', '.join(i.ref.id for i in list_datasets())}")
    if not info.available or info.location is None:
        hint = (f"run `nn-playground download {dataset_id}`" if info.needs_download
                else info.unavailable or "see `nn-playground datasets`")
        raise DatasetError(f"{info.name} is not available", hint)
    return info.location


def _installed_copy(name: str) -> str | None:
    """Where a copy of ``name`` outside the download cache (a system package) is found, or None."""
    info = next((i for i in list_datasets() if i.ref.id == name), None)
    if info is None or not info.available or info.location is None:
        return None
    return None if Path(info.location).resolve().is_relative_to(cache_dir().resolve()) else info.location


def download(name: str) -> int:
    """Download ``name`` into the cache (files there are re-verified), unless the system has a copy."""
    from playground.data.sources import download_dataset

    installed = _installed_copy(name)
    if installed is not None:
        print(f"{name} is installed at {installed}; nothing to download (train --dataset {name} uses it)")
        return EXIT_OK
    bar = progress_bar(f"downloading {name}", unit="B")
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
