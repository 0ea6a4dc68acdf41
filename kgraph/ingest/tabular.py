"""The ``csv`` format: comma- or tab-separated values with a header row.

Column names are those of the JSON Lines format (``title``, ``abstract``,
``id``, ``year``, ``authors``, ``url``, ``update_date``), matched
case-insensitively with surrounding spaces ignored. Quoted fields may span
lines; a record's source line is the line where it starts. An empty cell counts
as absent. The delimiter is the one of ``,`` tab ``;`` ``|`` that occurs most
in the header line (tab for ``.tsv`` files).

>>> from kgraph.ingest.textfile import lines_from_string
>>> text = 'Title,Abstract\\n"A\\ntitle",An abstract.\\nB,Another.\\n'
>>> [(p.title, p.source.line) for p in parse_csv(lines_from_string(text), name="x.csv")]
[('A title', 2), ('B', 4)]
"""

from __future__ import annotations

import csv
import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from kgraph.model import Paper, Problem, SourceRef

from .records import paper_from_fields
from .textfile import Line, read_lines

__all__ = ["iter_csv", "parse_csv"]

DELIMITERS = (",", "\t", ";", "|")
# The csv module refuses a field over 128 KiB by default, which a long
# abstract can exceed; allow 64 MiB (still bounding what an unclosed quote can
# pull into memory). The limit is process-wide: it is raised, never lowered.
FIELD_SIZE_LIMIT = 64 * 1024 * 1024
# A record spanning more lines than this probably has an unclosed quote.
_LONG_RECORD_LINES = 50


def iter_csv(path: Path | str) -> Iterator[Paper | Problem]:
    """Read a CSV or TSV file lazily."""
    path = Path(path)
    return parse_csv(read_lines(path), name=str(path), delimiter="\t" if path.suffix.lower() == ".tsv" else None)


def parse_csv(lines: Iterable[Line | Problem], *, name: str, delimiter: str | None = None) -> Iterator[Paper | Problem]:
    """Papers and problems from the lines of a CSV file; ``delimiter=None`` detects it."""
    pending: deque[Problem] = deque()  # file-level problems met while csv pulls lines
    bad_lines: dict[int, str] = {}

    def texts(items: Iterable[Line | Problem]) -> Iterator[str]:
        for item in items:
            if isinstance(item, Problem):
                pending.append(item)
                continue
            if item.error:
                bad_lines[item.number] = item.error
            yield item.text + "\n"

    lines = iter(lines)
    head: list[Line | Problem] = []
    for item in lines:
        head.append(item)
        if isinstance(item, Line) and item.text.strip():
            if delimiter is None or delimiter not in item.text:
                delimiter = _detect_delimiter(item.text)
            break
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(texts(itertools.chain(head, lines)), delimiter=delimiter or ",")

    columns: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield from _drain(pending)
            yield Problem(SourceRef(name, start), f"not valid CSV: {error}")
            continue
        yield from _drain(pending)
        end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank line, or a row of empty cells
        bad_in_row = [bad_lines.pop(n) for n in range(start, end + 1) if n in bad_lines]
        bad = bad_in_row[0] if bad_in_row else None
        if columns is None:
            columns = [cell.strip().lower() for cell in row]
            if bad is not None:
                yield Problem(SourceRef(name, start), f"header: {bad}; file skipped")
                return
            if "title" not in columns:
                found = ", ".join(repr(c) for c in columns)
                yield Problem(SourceRef(name, start), f"no 'title' column in the header (found {found}); file skipped")
                return
            continue
        source = SourceRef(name, start)
        if bad is not None:
            yield Problem(source, bad)
            continue
        fields: dict[str, str | None] = {}
        for column, cell in zip(columns, row):
            fields.setdefault(column, cell if cell.strip() else None)
        records = list(paper_from_fields(fields, source))
        paper_id = records[-1].id if isinstance(records[-1], Paper) else None
        if len(row) > len(columns):
            yield Problem(
                source,
                f"row has {len(row)} fields but the header has {len(columns)}; extra fields ignored",
                "warning",
                paper_id,
            )
        if end - start + 1 > _LONG_RECORD_LINES:
            yield Problem(
                source,
                f"record spans lines {start}-{end}; check for an unclosed quote",
                "warning",
                paper_id,
            )
        yield from records
    yield from _drain(pending)


def _detect_delimiter(header: str) -> str:
    """The delimiter used most in the header line; ``,`` when there is none.

    >>> _detect_delimiter("id\\ttitle\\tabstract")
    '\\t'
    """
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _drain(pending: deque[Problem]) -> Iterator[Problem]:
    while pending:
        yield pending.popleft()
