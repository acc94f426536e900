"""The one registry of dataset sources: every consumer (CLI, picker, projects, the script) asks it.

A source is one registration: a ``SourceKind`` row keyed by an exact id ("mnist") or an id prefix ending
in ":" ("idx:"), which makes the ``Source`` for a ``DataRef`` and declares the options the source takes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from playground.data import seq_source, sources, toy_source
from playground.data.dataset import DataRef, Dataset, DatasetInfo, OptionDef
from playground.data.download import Progress
from playground.errors import DatasetError


class Source(Protocol):
    """A dataset: facts without loading (``info``) and its arrays (``load``, which may download)."""

    def info(self) -> DatasetInfo:
        """What is known without loading: name, shape, classes or targets, whether it can load now."""
        ...

    def load(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> Dataset:
        """The dataset; ``progress`` hears of a download, ``cancel`` stops one."""
        ...


@dataclass(frozen=True)
class SourceKind:
    """One registration: the id (or prefix ending in ":") it answers to, how it makes its Source, and
    its options. A prefix kind is listed by ``syntax`` ("idx:DIR") and ``help``, not as one dataset."""

    key: str
    make: Callable[[DataRef], Source]
    options: tuple[OptionDef, ...] = ()
    syntax: str = ""
    help: str = ""

    @property
    def is_prefix(self) -> bool:
        """True for a family of ids (``key`` ends in ":")."""
        return self.key.endswith(":")


_KINDS: dict[str, SourceKind] = {
    kind.key: kind
    for kind in (
        *(SourceKind(name, sources.NamedIdx) for name in sources.NAMED),
        SourceKind(sources.IDX_PREFIX, sources.IdxFolder, syntax="idx:DIR",
                   help="any folder of MNIST-format IDX files"),
        SourceKind(sources.MY_DRAWINGS, sources.MyDrawings),
        SourceKind(toy_source.PREFIX, toy_source.ToySource, toy_source.OPTIONS, syntax="toy:NAME",
                   help="a 2-D dataset of TensorFlow Playground's: " + ", ".join(toy_source.ids())),
        *(SourceKind(seq_source.PREFIX + name, seq_source.SequenceSource, options)
          for name, options in seq_source.OPTIONS.items()),
        *(SourceKind(dataset_id, toy_source.ToySource, toy_source.OPTIONS)
          for dataset_id in toy_source.ids()),
    )
}


def register(kind: SourceKind) -> None:
    """Add a source (or replace the one with the same key)."""
    _KINDS[kind.key] = kind


def kinds() -> tuple[SourceKind, ...]:
    """Every registered source, in order of registration."""
    return tuple(_KINDS.values())


def valid_ids() -> str:
    """The ids the registry accepts, for messages: "mnist-sample, mnist, ..., idx:DIR"."""
    return ", ".join(kind.syntax or kind.key for kind in _KINDS.values())


def kind_of(dataset_id: str) -> SourceKind:
    """The registration answering to ``dataset_id``; an unknown id is a DatasetError naming the valid ones."""
    kind = _KINDS.get(dataset_id)
    if kind is not None and kind.is_prefix:
        kind = None
    if kind is None and ":" in dataset_id:
        prefix = _KINDS.get(dataset_id[: dataset_id.index(":") + 1])
        kind = prefix if prefix is not None and len(dataset_id) > len(prefix.key) else None
    if kind is None:
        raise DatasetError(f"unknown dataset {dataset_id!r}", hint=f"valid ids: {valid_ids()}")
    return kind


def check(ref: DataRef | str) -> DataRef:
    """``ref`` with its options checked against the source's and the missing ones at their defaults.

    Raises:
        DatasetError: an unknown id, an unknown option, or a value of the wrong type or out of range.
    """
    ref = DataRef(ref) if isinstance(ref, str) else ref
    kind = kind_of(ref.id)
    declared = {option.name: option for option in kind.options}
    given = ref.values()
    unknown = sorted(set(given) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise DatasetError(f"{ref.id}: unknown option '{unknown[0]}'", hint=f"its options: {names}")
    values = {name: option.check(given[name]) if name in given else option.default
              for name, option in declared.items()}
    return DataRef.of(ref.id, values)


def parse(dataset_id: str, settings: Sequence[str] = ()) -> DataRef:
    """A checked ref from an id and "NAME=VALUE" texts, as the command line gives them."""
    declared = {option.name: option for option in kind_of(dataset_id).options}
    values = {}
    for text in settings:
        name, sep, value = text.partition("=")
        names = ", ".join(declared) or "none"
        if not sep:
            raise DatasetError(f"{dataset_id}: {text!r} is not NAME=VALUE for one of its options",
                               hint=f"its options: {names}")
        if name not in declared:
            raise DatasetError(f"{dataset_id} has no option '{name}'", hint=f"its options: {names}")
        values[name] = declared[name].parse(value)
    return check(DataRef.of(dataset_id, values))


def source(ref: DataRef | str) -> Source:
    """The Source for ``ref`` (checked)."""
    ref = check(ref)
    return kind_of(ref.id).make(ref)


def dataset_info(ref: DataRef | str) -> DatasetInfo:
    """What the source of ``ref`` knows without loading."""
    return source(ref).info()


def list_datasets() -> list[DatasetInfo]:
    """The dataset of each source with an exact id (its options at their defaults), each saying whether
    it can be loaded now."""
    return [dataset_info(DataRef(kind.key)) for kind in _KINDS.values() if not kind.is_prefix]


def patterns() -> list[tuple[str, str]]:
    """(syntax, help) of each family of sources: ("idx:DIR", "any folder of MNIST-format IDX files"), ..."""
    return [(kind.syntax, kind.help) for kind in _KINDS.values() if kind.is_prefix]


def load_dataset(
    ref: DataRef | str,
    *,
    download: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Dataset:
    """Load a dataset: "mnist-sample", "mnist", "fashion-mnist", "my-drawings", "idx:PATH", or any ref.

    Sources keep what they loaded in memory, so a second call returns the same read-only arrays.

    Args:
        ref: which dataset (a plain id is a ref without options).
        download: fetch a downloadable dataset that is not here yet (else that is an error).
        progress: download progress, called with (bytes done, bytes in all).
        cancel: set it to stop a download.

    Raises:
        DatasetError: unknown id or options, not downloaded, or files that are missing or malformed.
        DownloadError: the download failed on every mirror or was cancelled.
    """
    found = source(ref)
    if not download:
        info = found.info()
        if info.needs_download:
            raise DatasetError(
                f"{info.name} is not downloaded",
                hint=f"run `nn-playground download {info.ref.id}`, or use mnist-sample, which works offline")
    return found.load(progress=progress, cancel=cancel)
