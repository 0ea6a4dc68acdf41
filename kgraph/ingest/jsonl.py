"""The ``jsonl`` format: JSON Lines, or a JSON document holding an array of records.

One object per line::

    {"id": "2101.00001", "title": "A Title", "abstract": "...", "year": 2021,
     "authors": ["A. Author", "B. Author"], "url": "https://arxiv.org/abs/2101.00001"}

``year`` may be a numeric string; ``authors`` may be one string ("A and B",
"A, B and C", as in the arXiv metadata snapshot, whose ``update_date`` gives the
year when ``year`` is absent). Blank lines are skipped. Each bad line is one
error Problem; reading goes on with the next line.

A ``.json`` file (or any input whose first character is ``[``) is read as one
document: an array of objects, or objects one after another. It is the only
case read whole. A syntax error there ends the file, since nothing after it can
be trusted.

>>> from kgraph.ingest.textfile import lines_from_string
>>> text = '{"title": "A", "abstract": "B", "year": "2020"}\\n{"title": "C", "abstract": 1}\\n'
>>> [str(r) if isinstance(r, Problem) else r.year for r in parse_jsonl(lines_from_string(text), name="x.jsonl")]
[2020, "x.jsonl:2: 'abstract' must be a string, got 1"]
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kgraph.model import Paper, Problem, SourceRef

from .records import paper_from_fields
from .textfile import Line, inner_suffix, read_lines

__all__ = ["DECODER", "LongNumber", "iter_jsonl", "parse_jsonl"]



class LongNumber:
    """A JSON integer too long for Python to read (over ``sys.get_int_max_str_digits()`` digits).

    It stands in the record in place of the number, so that the field it is
    in is reported as bad like any value of the wrong type (an ``id`` of
    5,000 digits is an error of its record, a ``year`` a warning), instead of
    the whole file stopping with a ``ValueError``.
    """

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"a number of {self.digits:,} digits"


def _parse_int(text: str) -> int | LongNumber:
    try:
        return int(text)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        return LongNumber(len(text.lstrip("-")))


DECODER = json.JSONDecoder(parse_int=_parse_int)


def iter_jsonl(path: Path | str) -> Iterator[Paper | Problem]:
    """Read a JSON Lines file (or a ``.json`` document; either may be compressed) lazily."""
    path = Path(path)
    return parse_jsonl(read_lines(path), name=str(path), document=True if inner_suffix(path) == ".json" else None)


def parse_jsonl(
    lines: Iterable[Line | Problem], *, name: str, document: bool | None = None
) -> Iterator[Paper | Problem]:
    """Papers and problems from lines of JSON.

    ``document``: True reads the lines as one JSON document, False as JSON
    Lines, None decides by the first character (``[`` means a document).
    """
    lines = iter(lines)
    head: list[Line | Problem] = []
    if document is None:
        for item in lines:
            head.append(item)
            if isinstance(item, Line) and item.text.strip():
                document = item.text.lstrip().startswith("[")
                break
    everything = itertools.chain(head, lines)
    if document:
        return _parse_document(everything, name)
    return _parse_lines(everything, name)


def _parse_lines(lines: Iterable[Line | Problem], name: str) -> Iterator[Paper | Problem]:
    for line in lines:
        if isinstance(line, Problem):
            yield line
            continue
        if not line.text.strip():
            continue
        source = SourceRef(name, line.number)
        if line.error:
            yield Problem(source, line.error)
            continue
        try:
            value = DECODER.decode(line.text)
        except json.JSONDecodeError as error:
            yield Problem(source, f"line is not valid JSON: {error.msg} at column {error.colno}")
            continue
        except RecursionError:
            yield Problem(source, "line is not valid JSON: nested too deeply")
            continue
        yield from _record(value, source)


def _parse_document(lines: Iterable[Line | Problem], name: str) -> Iterator[Paper | Problem]:
    texts: list[str] = []
    errors: dict[int, str] = {}
    for line in lines:
        if isinstance(line, Problem):
            yield line
            continue
        texts.append(line.text)
        if line.error:
            errors[line.number] = line.error
    text = "\n".join(texts)
    line_starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))

    def line_at(position: int) -> int:
        return bisect.bisect_right(line_starts, position)

    position = _skip_space(text, 0)
    in_array = text.startswith("[", position)
    if in_array:
        position = _skip_space(text, position + 1)
    while position < len(text):
        if in_array and text.startswith("]", position):
            if _skip_space(text, position + 1) < len(text):
                yield Problem(SourceRef(name, line_at(position)), "text after the closing ']' ignored", "warning")
            return
        try:
            value, end = DECODER.raw_decode(text, position)
        except json.JSONDecodeError as error:
            yield Problem(
                SourceRef(name, error.lineno),
                f"not valid JSON: {error.msg} at column {error.colno}; rest of file skipped",
            )
            return
        except RecursionError:
            yield Problem(SourceRef(name, line_at(position)), "not valid JSON: nested too deeply; rest of file skipped")
            return
        first, last = line_at(position), line_at(end - 1)
        source = SourceRef(name, first)
        bad = next((errors[n] for n in range(first, last + 1) if n in errors), None)
        if bad is not None:
            yield Problem(source, bad)
        else:
            yield from _record(value, source)
        position = _skip_space(text, end)
        if in_array:
            if text.startswith(",", position):
                position = _skip_space(text, position + 1)
            elif not text.startswith("]", position):
                found = repr(text[position]) if position < len(text) else "the end of the file"
                yield Problem(
                    SourceRef(name, line_at(position)),
                    f"not valid JSON: expected ',' or ']' after an array element, got {found}; rest of file skipped",
                )
                return


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _record(value: Any, source: SourceRef) -> Iterator[Paper | Problem]:
    if not isinstance(value, dict):
        yield Problem(source, f"expected a JSON object, got {_json_type(value)}")
        return
    yield from paper_from_fields(value, source)


def _json_type(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return {list: "an array", str: "a string", int: "a number", float: "a number", LongNumber: "a number"}.get(
        type(value), type(value).__name__
    )
