"""A corpus: the input files named on the command line, read in order, duplicates merged.

>>> files, ignored = list_input_files([Path("data")])  # doctest: +SKIP
>>> files  # doctest: +SKIP
[(PosixPath('data/000_6f416096fe93fe6b.txt'), 'scraped')]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from kgraph.errors import CorpusFormatError
from kgraph.model import Paper, Problem, SourceRef

from .formats import check_format, detect_format, format_from_extension, iter_file
from .ids import normalize_title
from .textfile import HEAD_SIZE, special_file_kind

__all__ = ["list_input_files", "iter_records", "dedupe"]

_HIDDEN_PREFIXES = (".", "~$")  # dot files; Office lock files such as "~$papers.csv"


def list_input_files(
    paths: Sequence[Path | str], *, input_format: str | None = None
) -> tuple[list[tuple[Path, str]], list[Path]]:
    """The files to read, each with its format, and the files ignored in directories.

    Directories are walked recursively in sorted order, skipping hidden files
    and directories; a file in them is read if its extension is known (its
    format is then ``input_format`` if given, else the extension's), and
    ignored otherwise (``README.md``). A file named explicitly is always read:
    in ``input_format`` if given, else by extension, else by content. A file
    met twice is listed once.

    Raises :class:`CorpusFormatError` for a path that does not exist, and
    :class:`~kgraph.errors.ConfigError` for an unknown ``input_format``.
    """
    check_format(input_format)
    files: list[tuple[Path, str]] = []
    ignored: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path, file_format: str) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append((path, file_format))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in _walk(path):
                known = format_from_extension(child)
                if known is None:
                    ignored.append(child)
                else:
                    add(child, input_format or known)
        elif path.exists():
            add(path, input_format or format_from_extension(path) or detect_format(path, _head(path)))
        else:
            raise CorpusFormatError(str(path), None, "no such file or directory")
    return files, ignored


def iter_records(paths: Sequence[Path | str], *, input_format: str | None = None) -> Iterator[Paper | Problem]:
    """Every paper and problem in the inputs, file after file, lazily.

    Bad records become :class:`~kgraph.model.Problem` objects (``error``: the
    record was skipped; ``warning``: it was kept with a caveat); nothing is
    raised for bad data. The inputs are listed (and missing paths raised) when
    this is called, the files read as the result is consumed. A file that
    yields nothing at all gets a ``no records found`` warning.
    """
    files, _ = list_input_files(paths, input_format=input_format)
    return _read_all(files)


def _read_all(files: Iterable[tuple[Path, str]]) -> Iterator[Paper | Problem]:
    for path, file_format in files:
        empty = True
        for record in iter_file(path, file_format):
            empty = False
            yield record
        if empty:
            yield Problem(SourceRef(str(path), 1), "no records found", severity="warning")


def dedupe(records: Iterable[Paper | Problem]) -> Iterator[Paper | Problem]:
    """Pass records through, dropping papers already seen by id or by normalized title.

    The first occurrence is kept; each later one becomes a warning that starts
    with ``duplicate``. Problems pass through unchanged.

    >>> from kgraph.model import SourceRef
    >>> a = Paper("a", "Deep Nets", "x", source=SourceRef("f.jsonl", 1))
    >>> b = Paper("b", "deep  nets", "y", source=SourceRef("f.jsonl", 2))
    >>> [str(r) if isinstance(r, Problem) else r.id for r in dedupe([a, b])]
    ['a', 'f.jsonl:2: duplicate of a first read at f.jsonl:1; merged']
    """
    # Only ids and sources are kept, not the papers: a corpus may have millions.
    by_id: dict[str, SourceRef | None] = {}
    by_title: dict[str, tuple[str, SourceRef | None]] = {}
    for record in records:
        if not isinstance(record, Paper):
            yield record
            continue
        title_key = normalize_title(record.title)
        first = by_title.get(title_key)
        source = record.source or SourceRef("<unknown>", 1)
        if first is not None:
            first_id, first_source = first
            yield Problem(
                source,
                f"duplicate of {first_id} first read at {_where(first_source)}; merged",
                severity="warning",
                paper_id=record.id,
            )
            continue
        if record.id in by_id:
            yield Problem(
                source,
                f"duplicate id {record.id!r} first read at {_where(by_id[record.id])} "
                "with a different title; dropped",
                severity="warning",
                paper_id=record.id,
            )
            continue
        by_id[record.id] = record.source
        by_title[title_key] = (record.id, record.source)
        yield record


def _where(source: SourceRef | None) -> str:
    return str(source) if source is not None else "<unknown>"


def _walk(directory: Path) -> Iterator[Path]:
    """Files under ``directory``, recursively, sorted, hidden ones skipped."""
    for root, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(_HIDDEN_PREFIXES))
        for filename in sorted(filenames):
            if not filename.startswith(_HIDDEN_PREFIXES):
                yield Path(root) / filename


def _head(path: Path) -> bytes:
    """The first bytes of a file for content sniffing; empty if it cannot be read.

    A FIFO or device is not opened (that could block); its reader reports it.
    """
    try:
        if special_file_kind(path) is not None:
            return b""
        with open(path, "rb") as handle:
            return handle.read(HEAD_SIZE)
    except OSError:
        return b""
