"""Which reader a file needs: by extension first, then by content.

A compressed file (``.gz``, ``.bz2``, ``.xz``) is known by the extension
before that one (``papers.jsonl.gz`` is JSON Lines), else by its decompressed
content; every reader reads it decompressed (:mod:`.textfile`).

>>> detect_format(Path("papers.ndjson"), b"")
'jsonl'
>>> detect_format(Path("papers.csv.xz"), b"")
'csv'
>>> detect_format(Path("listing"), b"Id,Title,Abstract\\n1,A,B\\n")
'csv'
>>> detect_format(Path("listing"), b"A title\\nAn abstract\\n")
'scraped'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType

from kgraph.config import INPUT_FORMATS
from kgraph.errors import ConfigError
from kgraph.model import Paper, Problem

from .jsonl import iter_jsonl, parse_jsonl
from .scraped import iter_scraped, parse_scraped
from .tabular import DELIMITERS, iter_csv, parse_csv
from .textfile import COMPRESSIONS, decompress_head, inner_suffix, lines_from_string, sniff_encoding

__all__ = ["COMPRESSIONS", "EXTENSIONS", "check_format", "detect_format", "format_from_extension", "iter_file",
           "iter_string"]

EXTENSIONS = MappingProxyType(
    {
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "jsonl",
        ".csv": "csv",
        ".tsv": "csv",
        ".txt": "scraped",
    }
)

_FILE_READERS: MappingProxyType[str, Callable[[Path], Iterator[Paper | Problem]]] = MappingProxyType(
    {"scraped": iter_scraped, "jsonl": iter_jsonl, "csv": iter_csv}
)


def format_from_extension(path: Path) -> str | None:
    """The format its extension names (the one before ``.gz``, ``.bz2``, ``.xz``), or None.

    >>> format_from_extension(Path("a/B.TSV"))
    'csv'
    >>> format_from_extension(Path("papers.jsonl.gz")), format_from_extension(Path("papers.gz"))
    ('jsonl', None)
    """
    return EXTENSIONS.get(inner_suffix(path))


def detect_format(path: Path, head: bytes) -> str:
    """``"scraped"``, ``"jsonl"`` or ``"csv"`` for a file whose first bytes are ``head``.

    The extension decides when it is known. Otherwise: text starting with ``{``
    or ``[`` is JSON; a first line split by ``,`` tab ``;`` or ``|`` into cells
    one of which is ``title`` is a CSV header; anything else is a scraped listing.
    A compressed ``head`` is decompressed first.
    """
    known = format_from_extension(Path(path))
    if known is not None:
        return known
    head = decompress_head(path, head)
    encoding, bom_length = sniff_encoding(head)
    text = head[bom_length:].decode(encoding, "replace").lstrip()
    if text.startswith(("{", "[")):
        return "jsonl"
    first_line = text.split("\n", 1)[0]
    for delimiter in DELIMITERS:
        cells = [cell.strip().strip("\"'").strip().lower() for cell in first_line.split(delimiter)]
        if len(cells) > 1 and "title" in cells:
            return "csv"
    return "scraped"


def check_format(input_format: str | None) -> None:
    """Raise :class:`ConfigError` for a format name kgraph does not read."""
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise ConfigError(f"unknown input format {input_format!r}; expected one of {', '.join(INPUT_FORMATS)}")


def iter_file(path: Path | str, input_format: str) -> Iterator[Paper | Problem]:
    """Papers and problems from one file in a given format, lazily.

    >>> paper = next(iter_file("data/000_6f416096fe93fe6b.txt", "scraped"))  # doctest: +SKIP
    """
    check_format(input_format)
    return _FILE_READERS[input_format](Path(path))


def iter_string(text: str, input_format: str, *, name: str = "<string>") -> Iterator[Paper | Problem]:
    """Papers and problems from text in a given format (the string-level twin of :func:`iter_file`).

    >>> [p.title for p in iter_string('{"title": "A", "abstract": "B"}', "jsonl")]
    ['A']
    """
    check_format(input_format)
    lines = lines_from_string(text, name=name)
    if input_format == "jsonl":
        return parse_jsonl(lines, name=name)
    if input_format == "csv":
        return parse_csv(lines, name=name)
    return parse_scraped(lines, name=name)
