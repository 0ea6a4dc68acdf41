"""The ``csv`` format: comma- or tab-separated values with a header row.

Column names are those of the JSON Lines format (``title``, ``abstract``,
``id``, ``year``, ``authors``, ``url``, ``update_date``), matched
case-insensitively with surrounding spaces ignored. Quoted fields may span
lines; a record's source line is the line where it starts. An empty cell counts
as absent. The delimiter is the one of ``,`` tab ``;`` ``|`` that occurs most
in the header line (tab for ``.tsv`` files). A quote never closed is an error
at its line, and the lines after it are read as rows (``csv`` alone reads the
rest of the file as one field).

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
from dataclasses import dataclass
from pathlib import Path

from kgraph.model import Paper, Problem, SourceRef

from .records import paper_from_fields
from .textfile import Line, inner_suffix, read_lines

__all__ = ["iter_csv", "parse_csv"]

DELIMITERS = (",", "\t", ";", "|")
# The csv module refuses a field over 128 KiB by default, which a long
# abstract can exceed; allow 64 MiB (still bounding what an unclosed quote can
# pull into memory). The limit is process-wide: it is raised, never lowered.
FIELD_SIZE_LIMIT = 64 * 1024 * 1024
# A record spanning more lines than this probably has an unclosed quote.
_LONG_RECORD_LINES = 50
_UNCLOSED = "quote opened on this line is never closed"


def iter_csv(path: Path | str) -> Iterator[Paper | Problem]:
    """Read a CSV or TSV file (maybe compressed) lazily."""
    path = Path(path)
    return parse_csv(read_lines(path), name=str(path), delimiter="\t" if inner_suffix(path) == ".tsv" else None)


def parse_csv(lines: Iterable[Line | Problem], *, name: str, delimiter: str | None = None) -> Iterator[Paper | Problem]:
    """Papers and problems from the lines of a CSV file; ``delimiter=None`` detects it."""
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

    columns: list[str] | None = None
    for row in _rows(itertools.chain(head, lines), delimiter or ",", name):
        if isinstance(row, Problem):
            yield row
            continue
        if not any(cell.strip() for cell in row.cells) and row.unclosed is None:
            continue  # blank line, or a row of empty cells
        source = SourceRef(name, row.start)
        if columns is None:
            columns = [cell.strip().lower() for cell in row.cells]
            if row.unclosed is not None:
                yield Problem(SourceRef(name, row.unclosed), f"header: {_UNCLOSED}; file skipped")
                return
            if row.bad is not None:
                yield Problem(source, f"header: {row.bad}; file skipped")
                return
            if "title" not in columns:
                found = ", ".join(repr(c) for c in columns)
                yield Problem(source, f"no 'title' column in the header (found {found}); file skipped")
                return
            continue
        if row.unclosed is not None:
            where = f" (in the record starting on line {row.start})" if row.unclosed != row.start else ""
            yield Problem(
                SourceRef(name, row.unclosed),
                f"{_UNCLOSED}{where}; record skipped, the lines after it are read as rows",
            )
            continue
        if row.bad is not None:
            yield Problem(source, row.bad)
            continue
        fields: dict[str, str | None] = {}
        for column, cell in zip(columns, row.cells):
            fields.setdefault(column, cell if cell.strip() else None)
        records = list(paper_from_fields(fields, source))
        paper_id = records[-1].id if isinstance(records[-1], Paper) else None
        if len(row.cells) > len(columns):
            yield Problem(
                source,
                f"row has {len(row.cells)} fields but the header has {len(columns)}; extra fields ignored",
                "warning",
                paper_id,
            )
        if row.end - row.start + 1 > _LONG_RECORD_LINES:
            yield Problem(
                source,
                f"record spans lines {row.start}-{row.end}; check for an unclosed quote",
                "warning",
                paper_id,
            )
        yield from records


@dataclass(frozen=True)
class _Row:
    """The cells of one CSV row, the lines it spans, the first decoding problem in them.

    ``unclosed``: the line of a quote never closed; the row ends there.
    """

    cells: tuple[str, ...]
    start: int
    end: int
    bad: str | None = None
    unclosed: int | None = None


def _rows(lines: Iterator[Line | Problem], delimiter: str, name: str) -> Iterator[_Row | Problem]:
    """The rows of CSV text, each with its line span; file-level problems in between.

    Python's ``csv`` reads a quoted field that is never closed to the end of
    the input, as one field: every row after it would vanish. That shows as a
    row still open when the input ends (a complete row ends at its line
    break, before csv asks for the next line). Such a row ends at the line of
    its opening quote, and the lines after that are read again, as rows.
    (At most once: the text such a field swallows has its quotes in pairs,
    ``""``, and read again they close every field they open.)
    """
    while True:
        pending: deque[Problem] = deque()  # file-level problems met while csv pulls lines
        row_lines: list[Line] = []  # the lines of the row being read
        ended = False

        def texts(items: Iterator[Line | Problem], row_lines: list[Line] = row_lines,
                  pending: deque[Problem] = pending) -> Iterator[str]:
            nonlocal ended
            for item in items:
                if isinstance(item, Problem):
                    pending.append(item)
                    continue
                row_lines.append(item)
                yield item.text + "\n"
            ended = True

        reader = csv.reader(texts(lines), delimiter=delimiter)
        while True:
            row_lines.clear()
            try:
                cells = next(reader)
            except StopIteration:
                yield from _drain(pending)
                return
            except csv.Error as error:
                yield from _drain(pending)
                yield Problem(SourceRef(name, row_lines[0].number if row_lines else 1), f"not valid CSV: {error}")
                continue
            yield from _drain(pending)
            if not row_lines:
                continue
            start, end = row_lines[0].number, row_lines[-1].number
            if not (ended and cells):
                yield _Row(tuple(cells), start, end, next((line.error for line in row_lines if line.error), None))
                continue
            # The last cell holds the rest of the input from the opening quote on, a "\n" per line.
            unclosed = max(start, end - cells[-1].count("\n") + 1)
            bad = next((line.error for line in row_lines if line.error and line.number <= unclosed), None)
            yield _Row(tuple(cells), start, unclosed, bad, unclosed)
            lines = iter([line for line in row_lines if line.number > unclosed])
            break


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
