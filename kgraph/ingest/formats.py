"""Which reader a file needs: by extension first, then by content.

A compressed file (``.gz``, ``.bz2``, ``.xz``) is known by the extension
before that one (``papers.jsonl.gz`` is JSON Lines), else by its decompressed
content; every reader reads it decompressed (:mod:`.textfile`).

The extension picks the reader, and the reader checks the content: a file
that is not what its extension says is an error of that file (a BibTeX file
named ``.txt`` is refused by the scraped reader, never read as titles). A
JSON file's records are known by their keys (OpenAlex, Semantic Scholar,
kgraph's own fields). A file whose extension is unknown is known by its
content (:func:`~kgraph.ingest.sniff.sniff_format`) where the content shows
what only one format has (a BibTeX entry, a RIS tag, an Atom feed, JSON, a
CSV header with a ``title`` column); lines of plain text are read as a
scraped listing only from a file with no extension (``.txt`` is the
listing's), never from ``notes.md`` or ``conf.yaml``. A file that shows no
format, or only a guess, and a binary file are :data:`UNKNOWN`, and reading
one is one error naming the file, the formats kgraph reads and ``--format``:
kgraph never guesses.

>>> detect_format(Path("papers.ndjson"), b"")
'jsonl'
>>> detect_format(Path("papers.csv.xz"), b"")
'csv'
>>> detect_format(Path("refs.bib"), b"")
'bibtex'
>>> detect_format(Path("listing"), b"Id,Title,Abstract\\n1,A,B\\n")
'csv'
>>> detect_format(Path("listing"), b"A title\\nAn abstract\\n")
'scraped'
>>> detect_format(Path("works.json"), b'{"id": "https://openalex.org/W1", "title": "A"}')
'openalex'
>>> detect_format(Path("notes"), b"<html><body>")
'unknown'
>>> detect_format(Path("conf.yaml"), b"key: value\\nother: thing\\n")
'unknown'
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import MappingProxyType

from kgraph.config import INPUT_FORMATS
from kgraph.errors import ConfigError
from kgraph.model import Paper, Problem, SourceRef

from .atom import iter_atom, parse_atom
from .bibtex import iter_bibtex, parse_bibtex
from .jsonl import iter_jsonl, parse_jsonl
from .ris import iter_ris, parse_ris
from .scraped import iter_scraped, parse_scraped
from .sniff import FORMAT_NAMES, GUESSES, sniff_format
from .tabular import iter_csv, parse_csv
from .textfile import (BINARY_FILE, COMPRESSIONS, Line, decompress_head, inner_suffix, lines_from_string, read_lines,
                       sniff_encoding)

__all__ = ["COMPRESSIONS", "EXTENSIONS", "UNKNOWN", "check_format", "detect_format", "format_from_extension",
           "formats_help", "iter_file", "iter_string"]

EXTENSIONS = MappingProxyType(
    {
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "jsonl",
        ".csv": "csv",
        ".tsv": "csv",
        ".txt": "scraped",
        ".bib": "bibtex",
        ".ris": "ris",
        ".atom": "atom",
        ".xml": "atom",
    }
)
# The format of a file that shows none: reading it is one error (see _iter_unknown). Not a name --format takes.
UNKNOWN = "unknown"
# JSON files: the extension says JSON; the content says whose records (kgraph's own, OpenAlex, Semantic Scholar).
_JSON_FAMILY = ("jsonl", "openalex", "s2")

# One line per format: how a file is read, and how a string is.
_FILE_READERS: MappingProxyType[str, Callable[[Path], Iterator[Paper | Problem]]] = MappingProxyType(
    {
        "scraped": iter_scraped,
        "jsonl": iter_jsonl,
        "csv": iter_csv,
        "bibtex": iter_bibtex,
        "ris": iter_ris,
        "openalex": functools.partial(iter_jsonl, flavor="openalex"),
        "s2": functools.partial(iter_jsonl, flavor="s2"),
        "atom": iter_atom,
    }
)
_STRING_READERS: MappingProxyType[str, Callable[..., Iterator[Paper | Problem]]] = MappingProxyType(
    {
        "scraped": parse_scraped,
        "jsonl": parse_jsonl,
        "csv": parse_csv,
        "bibtex": parse_bibtex,
        "ris": parse_ris,
        "openalex": functools.partial(parse_jsonl, flavor="openalex"),
        "s2": functools.partial(parse_jsonl, flavor="s2"),
        "atom": parse_atom,
    }
)
# Lines of an unknown file read to say what it looks like.
_HEAD_LINES = 20


def format_from_extension(path: Path) -> str | None:
    """The format its extension names (the one before ``.gz``, ``.bz2``, ``.xz``), or None.

    >>> format_from_extension(Path("a/B.TSV"))
    'csv'
    >>> format_from_extension(Path("papers.jsonl.gz")), format_from_extension(Path("papers.gz"))
    ('jsonl', None)
    """
    return EXTENSIONS.get(inner_suffix(path))


def detect_format(path: Path, head: bytes) -> str:
    """The format of a file whose first bytes are ``head`` (one of ``INPUT_FORMATS``), or :data:`UNKNOWN`.

    The extension decides when it is known; for JSON, the first record tells
    whose (``openalex``, ``s2``, else ``jsonl``). Otherwise the content does
    (:func:`~kgraph.ingest.sniff.sniff_format`): a BibTeX entry, a RIS tag,
    an Atom feed, JSON, a CSV header with a ``title`` column, or, for a file
    with no extension at all, lines of text (a scraped listing); an empty
    file is given to the scraped reader, which reports it. Anything else,
    a binary file and lines of text under an extension kgraph does not read
    included, is :data:`UNKNOWN`. A compressed ``head`` is decompressed first.
    """
    known = format_from_extension(Path(path))
    if known is not None and known not in _JSON_FAMILY:
        return known
    text = _decode(decompress_head(path, head))
    sniffed = sniff_format(text)
    if known is not None:
        return sniffed if sniffed in _JSON_FAMILY else known
    if not text.strip():
        return "scraped"  # its reader reports an empty file
    if "\x00" in text or _unbacked_guess(path, sniffed):
        return UNKNOWN  # binary, or a guess that its extension does not back
    return sniffed if sniffed in INPUT_FORMATS else UNKNOWN


def formats_help() -> str:
    """The formats kgraph reads, each with its extensions, for messages.

    >>> formats_help().split("; ")[:2]
    ['scraped (.txt)', 'jsonl (.jsonl .ndjson .json)']
    """
    def extensions(name: str) -> str:
        found = [suffix for suffix, known in EXTENSIONS.items() if known == name]
        if name in _JSON_FAMILY and not found:
            found = [suffix for suffix, known in EXTENSIONS.items() if known == "jsonl"]
        return " ".join(found)

    return "; ".join(f"{name} ({extensions(name)})" for name in INPUT_FORMATS)


def check_format(input_format: str | None) -> None:
    """Raise :class:`ConfigError` for a format name kgraph does not read."""
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise ConfigError(f"unknown input format {input_format!r}; expected one of {', '.join(INPUT_FORMATS)}")


def iter_file(path: Path | str, input_format: str) -> Iterator[Paper | Problem]:
    """Papers and problems from one file in a given format, lazily.

    ``input_format`` may be :data:`UNKNOWN` (what :func:`detect_format` says of
    a file that shows no format): reading gives one error naming the file, the
    formats kgraph reads and ``--format``.

    >>> paper = next(iter_file("data/000_6f416096fe93fe6b.txt", "scraped"))  # doctest: +SKIP
    """
    if input_format == UNKNOWN:
        return _iter_unknown(Path(path))
    check_format(input_format)
    return _FILE_READERS[input_format](Path(path))


def iter_string(text: str, input_format: str, *, name: str = "<string>") -> Iterator[Paper | Problem]:
    """Papers and problems from text in a given format (the string-level twin of :func:`iter_file`).

    >>> [p.title for p in iter_string('{"title": "A", "abstract": "B"}', "jsonl")]
    ['A']
    """
    check_format(input_format)
    return _STRING_READERS[input_format](lines_from_string(text, name=name), name=name)


def _iter_unknown(path: Path) -> Iterator[Paper | Problem]:
    """The one error of a file in no format kgraph knows (or the reason it cannot be read at all).

    A binary file's error names the formats kgraph reads too; a file that
    cannot be read at all (no access, a FIFO) says only that.
    """
    lines = read_lines(path)
    head: list[str] = []
    try:
        for item in itertools.islice(lines, _HEAD_LINES):
            if isinstance(item, Problem) and item.severity == "error":
                if item.reason.startswith(BINARY_FILE):
                    yield Problem(item.source, f"{item.reason}: {_formats_tail()}")
                else:
                    yield item  # unreadable, a FIFO: that says more
                return
            if isinstance(item, Line):
                head.append(item.text)
    finally:
        lines.close()
    yield Problem(SourceRef(str(path), 1), f"cannot tell the format of this file{_looks_like(path, head)}: "
                                           f"{_formats_tail()}")


def _formats_tail() -> str:
    return f"kgraph reads {formats_help()}; use --format to read it as one of them"


def _looks_like(path: Path, lines: Iterable[str]) -> str:
    text = "\n".join(lines)
    sniffed = sniff_format(text)
    if sniffed == "xml":
        return " (it is XML, but not an Atom feed)"
    if _unbacked_guess(path, sniffed):
        return (f" ({inner_suffix(path)} is not an extension kgraph reads; its lines of text could be "
                f"{FORMAT_NAMES[sniffed]})")
    if len([line for line in text.splitlines() if line.strip()]) == 1:
        return " (one line of text)"
    return ""


def _unbacked_guess(path: Path, sniffed: str) -> bool:
    """Whether ``sniffed`` is only a guess (:data:`~kgraph.ingest.sniff.GUESSES`) about a file whose
    extension kgraph does not read: a guess is taken only for a file with no extension at all."""
    return sniffed in GUESSES and bool(inner_suffix(path))


def _decode(head: bytes) -> str:
    encoding, bom_length = sniff_encoding(head)
    return head[bom_length:].decode(encoding, "replace")
