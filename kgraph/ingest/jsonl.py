"""The ``jsonl`` format: JSON Lines, or a JSON document holding an array of records.

One object per line::

    {"id": "2101.00001", "title": "A Title", "abstract": "...", "year": 2021,
     "authors": ["A. Author", "B. Author"], "url": "https://arxiv.org/abs/2101.00001"}

``year`` may be a numeric string; ``authors`` may be one string ("A and B",
"A, B and C", as in the arXiv metadata snapshot, whose ``update_date`` gives the
year when ``year`` is absent). Blank lines are skipped. Each bad line is one
error Problem; reading goes on with the next line.

A ``.json`` file (or any input whose first character is ``[``, or whose first
line is a lone ``{``) is read as one document: an array of objects, or objects
one after another. It is the only case read whole. A syntax error there ends
the file, since nothing after it can be trusted.

Records of other tools are known by their keys and mapped to these fields, in
JSON Lines and in documents alike: OpenAlex works (:mod:`.openalex`),
Semantic Scholar papers (:mod:`.semanticscholar`), and the arXiv metadata
snapshot (its ``id`` is the arXiv id). An API page of them is read item by
item: an object whose ``results`` (OpenAlex) or ``data`` (Semantic Scholar)
is an array of records. The ``openalex`` and ``s2`` formats are this reader
with the mapping forced.

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

from .ids import normalize_arxiv_id
from .openalex import is_openalex_work, openalex_fields
from .records import normalize_keys, paper_from_fields
from .semanticscholar import is_s2_paper, s2_fields, s2_item
from .textfile import Line, inner_suffix, read_lines

__all__ = ["DECODER", "FLAVORS", "LongNumber", "iter_jsonl", "json_flavor", "page_items", "paper_from_json",
           "parse_jsonl"]

# The mappings of other tools' records: a format name, and how to know a record (keys lower-cased) of it.
FLAVORS = {"openalex": is_openalex_work, "s2": is_s2_paper}
_MAPPINGS = {"openalex": openalex_fields, "s2": s2_fields}
# The keys of an API page that hold its records: OpenAlex's "results", Semantic Scholar's "data".
_PAGE_KEYS = ("results", "data")


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



def json_reason(error: json.JSONDecodeError) -> str:
    """What is wrong with a JSON text, and where on its line.

    >>> def reason(text):
    ...     try:
    ...         json.loads(text)
    ...     except json.JSONDecodeError as error:
    ...         return json_reason(error)
    >>> reason('{"title": "A'), reason('{"title": }')
    ('Unterminated string starting at column 11', 'Expecting value at column 11')
    """
    where = "column" if error.msg.endswith(" at") else "at column"
    return f"{error.msg} {where} {error.colno}"

def _parse_int(text: str) -> int | LongNumber:
    try:
        return int(text)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        return LongNumber(len(text.lstrip("-")))


DECODER = json.JSONDecoder(parse_int=_parse_int)


def iter_jsonl(path: Path | str, *, flavor: str | None = None) -> Iterator[Paper | Problem]:
    """Read a JSON Lines file (or a ``.json`` document; either may be compressed) lazily.

    ``flavor``: ``"openalex"`` or ``"s2"`` maps every record as that tool's;
    None knows each record by its keys.
    """
    path = Path(path)
    return parse_jsonl(read_lines(path), name=str(path), document=True if inner_suffix(path) == ".json" else None,
                       flavor=flavor)


def parse_jsonl(
    lines: Iterable[Line | Problem], *, name: str, document: bool | None = None, flavor: str | None = None
) -> Iterator[Paper | Problem]:
    """Papers and problems from lines of JSON.

    ``document``: True reads the lines as one JSON document, False as JSON
    Lines, None decides by the first line (``[``, or ``{`` alone, means a document).
    ``flavor``: as for :func:`iter_jsonl`.
    """
    lines = iter(lines)
    head: list[Line | Problem] = []
    if document is None:
        for item in lines:
            head.append(item)
            if isinstance(item, Line) and item.text.strip():
                document = item.text.lstrip().startswith("[") or item.text.strip() == "{"
                break
    everything = itertools.chain(head, lines)
    if document:
        return _parse_document(everything, name, flavor)
    return _parse_lines(everything, name, flavor)


def json_flavor(record: dict) -> str | None:
    """``"openalex"`` or ``"s2"`` for a record (keys lower-cased) of that tool, else None (kgraph's own fields).

    >>> json_flavor({"paperid": "abc", "title": "T"}), json_flavor({"title": "T"})
    ('s2', None)
    """
    return next((flavor for flavor, known in FLAVORS.items() if known(record)), None)


def page_items(value: Any) -> tuple[str, list] | None:
    """``(key, records)`` for an API page (an object whose ``results`` or ``data`` is an array), else None.

    >>> page_items({"meta": {"count": 1}, "results": [{"id": "https://openalex.org/W1"}]})
    ('results', [{'id': 'https://openalex.org/W1'}])
    >>> page_items({"title": "T", "data": []}) is None
    True
    """
    if isinstance(value, dict) and not any(str(key).strip().lower() == "title" for key in value):
        for key in _PAGE_KEYS:
            if isinstance(value.get(key), list):
                return key, value[key]
    return None


def paper_from_json(record: dict, source: SourceRef, *, flavor: str | None = None) -> Iterator[Paper | Problem]:
    """The paper (and its warnings) or the error of one JSON object, in its tool's mapping.

    ``flavor`` forces a mapping (``"openalex"``, ``"s2"``); None knows the record by its keys.

    >>> [p.id for p in paper_from_json({"id": "https://openalex.org/W1", "title": "T"}, SourceRef("x", 1))
    ...  if isinstance(p, Paper)]
    ['W1']
    """
    fields = normalize_keys(record)
    if flavor not in _MAPPINGS:
        flavor = json_flavor(fields)
    if flavor == "s2":
        fields = s2_item(fields)
    if flavor in _MAPPINGS:
        fields, notes = _MAPPINGS[flavor](fields)
        yield from paper_from_fields(fields, source, notes=notes)
        return
    if "arxiv_id" not in fields and _is_arxiv_snapshot(fields):
        fields["arxiv_id"] = normalize_arxiv_id(fields["id"])
    yield from paper_from_fields(fields, source)


def _is_arxiv_snapshot(fields: dict) -> bool:
    """A record of the arXiv metadata snapshot: its ``id`` is an arXiv id."""
    return (isinstance(fields.get("id"), str) and isinstance(fields.get("categories"), str)
            and ("update_date" in fields or "versions" in fields) and normalize_arxiv_id(fields["id"]) is not None)


def _parse_lines(lines: Iterable[Line | Problem], name: str, flavor: str | None) -> Iterator[Paper | Problem]:
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
            yield Problem(source, f"line is not valid JSON ({json_reason(error)})")
            continue
        except RecursionError:
            yield Problem(source, "line is not valid JSON: nested too deeply")
            continue
        yield from _record(value, source, flavor)


def _parse_document(lines: Iterable[Line | Problem], name: str, flavor: str | None) -> Iterator[Paper | Problem]:
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
                f"not valid JSON ({json_reason(error)}); rest of file skipped",
            )
            return
        except RecursionError:
            yield Problem(SourceRef(name, line_at(position)), "not valid JSON: nested too deeply; rest of file skipped")
            return
        first, last = line_at(position), line_at(end - 1)
        source = SourceRef(name, first)
        bad = next((errors[n] for n in range(first, last + 1) if n in errors), None)
        page = page_items(value) if bad is None and first < last else None
        starts = _item_starts(text, position, page[0]) if page is not None else None
        if bad is not None:
            yield Problem(source, bad)
        elif starts is not None and len(starts) == len(page[1]):
            # a page spread over lines: each record at its own line
            for start, item in zip(starts, page[1]):
                yield from _record(item, SourceRef(name, line_at(start)), flavor)
        else:
            yield from _record(value, source, flavor)
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


def _item_starts(text: str, position: int, key: str) -> list[int] | None:
    """Where each record of the array under ``key`` of the object at ``position`` begins; None if not found.

    The object was decoded already, so it is valid JSON: this walks its keys
    and values again only to learn the positions.
    """
    try:
        position = _skip_space(text, position + 1)
        while not text.startswith("}", position):
            name, position = DECODER.raw_decode(text, position)
            position = _skip_space(text, _skip_space(text, position) + 1)  # past the ':'
            if name == key and text.startswith("[", position):
                starts = []
                position = _skip_space(text, position + 1)
                while not text.startswith("]", position):
                    starts.append(position)
                    _, position = DECODER.raw_decode(text, position)
                    position = _skip_space(text, position)
                    if text.startswith(",", position):
                        position = _skip_space(text, position + 1)
                return starts
            _, position = DECODER.raw_decode(text, position)
            position = _skip_space(text, position)
            if text.startswith(",", position):
                position = _skip_space(text, position + 1)
    except (ValueError, RecursionError, IndexError):
        return None
    return None


def _record(value: Any, source: SourceRef, flavor: str | None = None) -> Iterator[Paper | Problem]:
    page = page_items(value)
    if page is not None:
        # a page on one line: each record's problems say which record it is
        key, items = page
        for index, item in enumerate(items):
            for record in _record(item, source, flavor):
                if isinstance(record, Problem):
                    record = Problem(record.source, f"{key}[{index}]: {record.reason}", record.severity,
                                     record.paper_id)
                yield record
        return
    if not isinstance(value, dict):
        yield Problem(source, f"expected a JSON object, got {_json_type(value)}")
        return
    yield from paper_from_json(value, source, flavor=flavor)


def _json_type(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return {list: "an array", str: "a string", int: "a number", float: "a number", LongNumber: "a number"}.get(
        type(value), type(value).__name__
    )
