"""The arXiv metadata snapshot, read as a stream and filtered by category and date.

The snapshot (``arxiv-metadata-oai-snapshot.json``, millions of records) is
JSON Lines despite its extension, one object per line::

    {"id": "0704.0001", "title": "...", "abstract": "...", "categories": "hep-ph cs.LG",
     "update_date": "2008-11-13", "authors": "C. Bal\\'azs, E. L. Berger and P. M. Nadolsky", ...}

:func:`iter_arxiv` reads such a file line by line (never whole), drops the
records a :class:`RecordFilter` rejects before any text cleaning, and makes
papers of the rest with the same field rules as every other reader
(:func:`~kgraph.ingest.jsonl.paper_from_json`: ``update_date`` gives the
year, an authors string is split; OpenAlex and Semantic Scholar records, and
API pages of them, are mapped as the JSON reader maps them). :func:`iter_filtered_records` is
:func:`~kgraph.ingest.corpus.iter_records` with that reader for JSON Lines
files, used when filters are set or a ``.json`` file holds JSON Lines.

A category filter keeps a record if one of its space-separated
``categories`` is listed, or belongs to a listed archive (``cs`` keeps
``cs.CL``; ``math`` does not keep ``math-ph``). Date filters compare the
record's ``update_date`` (``YYYY-MM-DD``, both ends inclusive); a record
without one is dropped by them. Dropped records are counted, not reported
one by one.

>>> f = RecordFilter(categories=("cs",), since=date(2020, 1, 1))
>>> f.accepts({"categories": "stat.ML cs.LG", "update_date": "2021-03-04"})
True
>>> f.accepts({"categories": "math.ST", "update_date": "2021-03-04"})
False
>>> f.accepts({"categories": "cs.CL", "update_date": "2019-12-31"})
False
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kgraph.errors import ConfigError
from kgraph.model import Paper, Problem, SourceRef

from .corpus import list_input_files
from .formats import iter_file
from .jsonl import DECODER, json_reason, page_items, paper_from_json
from .records import normalize_keys
from .textfile import HEAD_SIZE, Line, inner_suffix, read_lines

__all__ = ["FilterCounts", "RecordFilter", "iter_arxiv", "iter_filtered_records", "is_json_lines", "record_date"]

# The formats read by the JSON reader: a .json file of them holding JSON Lines is streamed.
_JSON_FORMATS = ("jsonl", "openalex", "s2")


@dataclass(frozen=True)
class RecordFilter:
    """Which input records to keep: by arXiv category or archive, and by update date."""

    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    def __bool__(self) -> bool:
        return bool(self.categories or self.since or self.until)

    def accepts(self, fields: Mapping[str, Any]) -> bool:
        """Whether a record (its fields, keys lower-cased) passes the filter."""
        if self.categories:
            raw = fields.get("categories")
            if isinstance(raw, str):
                found = raw.split()
            elif isinstance(raw, list):
                found = [c for c in raw if isinstance(c, str)]
            else:
                return False
            if not any(self._wanted(category) for category in found):
                return False
        if self.since or self.until:
            day = record_date(fields)
            if day is None or (self.since and day < self.since) or (self.until and day > self.until):
                return False
        return True

    def _wanted(self, category: str) -> bool:
        return any(category == want or category.startswith(want + ".") for want in self.categories)


@dataclass
class FilterCounts:
    """How many records a filter kept and dropped."""

    kept: int = 0
    dropped: int = 0


def record_date(fields: Mapping[str, Any]) -> date | None:
    """The ``update_date`` of a record, or None if it has none that reads as a date.

    >>> record_date({"update_date": "2019-08-19"})
    datetime.date(2019, 8, 19)
    """
    value = fields.get("update_date")
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def iter_arxiv(path: Path | str, record_filter: RecordFilter = RecordFilter(),
               counts: FilterCounts | None = None, *, flavor: str | None = None) -> Iterator[Paper | Problem]:
    """Papers from a JSON Lines file (the arXiv snapshot), filtered, lazily.

    Each bad line is one error Problem, and reading goes on. ``flavor``
    (``"openalex"``, ``"s2"``) forces the mapping of every record, as the
    format of that name does (:func:`~kgraph.ingest.jsonl.paper_from_json`).
    """
    counts = counts if counts is not None else FilterCounts()
    name = str(path)
    first = True
    for line in read_lines(Path(path)):
        if isinstance(line, Problem):
            yield line
            continue
        if not line.text.strip():
            continue
        source = SourceRef(name, line.number)
        if first and line.text.lstrip().startswith("["):
            yield Problem(source, "category and date filters need JSON Lines (one object per line), "
                                  "not a JSON array; file skipped")
            return
        first = False
        if line.error:
            yield Problem(source, line.error)
            continue
        try:
            value = DECODER.decode(line.text)
        except (json.JSONDecodeError, RecursionError) as error:
            reason = f" ({json_reason(error)})" if isinstance(error, json.JSONDecodeError) else ": nested too deeply"
            yield Problem(source, f"line is not valid JSON{reason}")
            continue
        page = page_items(value)
        for index, item in enumerate(page[1] if page else [value]):
            where = f"{page[0]}[{index}]: " if page else ""
            if not isinstance(item, dict):
                yield Problem(source, f"{where}expected a JSON object")
                continue
            fields = normalize_keys(item)
            if record_filter and not record_filter.accepts(fields):
                counts.dropped += 1
                continue
            counts.kept += 1
            for record in paper_from_json(fields, source, flavor=flavor):
                if where and isinstance(record, Problem):
                    record = Problem(record.source, where + record.reason, record.severity, record.paper_id)
                yield record


def is_json_lines(path: Path | str) -> bool:
    """Whether a file's first non-blank line is a whole JSON object (JSON Lines, whatever the extension)."""
    lines = read_lines(Path(path))
    try:
        for line in lines:
            if isinstance(line, Line) and line.text.strip():
                if len(line.text) > 16 * HEAD_SIZE:
                    return False
                try:
                    return isinstance(DECODER.decode(line.text), dict)
                except (ValueError, RecursionError):
                    return False
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()
    return False


def iter_filtered_records(paths: Sequence[Path | str], *, input_format: str | None = None,
                          record_filter: RecordFilter = RecordFilter(),
                          counts: FilterCounts | None = None) -> Iterator[Paper | Problem]:
    """:func:`~kgraph.ingest.corpus.iter_records` with arXiv filters, JSON Lines streamed.

    JSON Lines files (and ``.json`` files holding JSON Lines, such as the
    arXiv snapshot) go through :func:`iter_arxiv`; other files through their
    usual reader. Raises :class:`~kgraph.errors.ConfigError` at once when a
    filter is set and an input is not JSON Lines: such records carry no
    categories or dates.
    """
    counts = counts if counts is not None else FilterCounts()
    files, _ = list_input_files(paths, input_format=input_format)
    plan = []
    for path, file_format in files:
        streamed = (file_format == "jsonl" and bool(record_filter)) or (
            file_format in _JSON_FORMATS and inner_suffix(path) == ".json" and is_json_lines(path)
        )
        if record_filter and file_format != "jsonl":
            raise ConfigError(
                f"{path}: category and date filters apply to JSON Lines input (such as the arXiv metadata "
                f"snapshot), not to {file_format} files"
            )
        plan.append((path, file_format, streamed))
    return _read(plan, record_filter, counts)


def _read(plan, record_filter: RecordFilter, counts: FilterCounts) -> Iterator[Paper | Problem]:
    for path, file_format, streamed in plan:
        empty = True
        dropped = counts.dropped
        flavor = file_format if file_format != "jsonl" else None
        records = iter_arxiv(path, record_filter, counts, flavor=flavor) if streamed else iter_file(path, file_format)
        for record in records:
            empty = False
            yield record
        if empty and counts.dropped == dropped:
            yield Problem(SourceRef(str(path), 1), "no records found", severity="warning")
