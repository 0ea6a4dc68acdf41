"""The ``ris`` format: RIS reference files (``.ris``), as Zotero, EndNote, Mendeley and publishers export them.

One record per paper, a tag and a value a line, from ``TY`` to ``ER``::

    TY  - JOUR
    TI  - Attention is all you need
    AU  - Vaswani, Ashish
    AU  - Shazeer, Noam
    PY  - 2017/06/12/
    AB  - The dominant sequence transduction models are ...
    DO  - 10.48550/arXiv.1706.03762
    UR  - https://arxiv.org/abs/1706.03762
    ER  -

Read: the title (``TI``, else ``T1``, else ``CT``), the abstract (``AB``, else
``N2``), the year (``PY``, else ``Y1``, else ``DA``: the first four digits),
the authors (``AU``, else ``A1``; ``Last, First`` becomes "First Last"),
``DO`` (the DOI), the first ``UR`` (the URL), and the arXiv id the DOI, the
URL or an ``AN``/``M1`` "arXiv:1706.03762" names. A line without a tag
continues the value before it (exporters wrap long abstracts). LaTeX is
cleaned as in all input text. A paper's id is made from its title.

RIS is line-based (a two-letter tag, two spaces, ``-``, a space, the value),
so it is read here line by line, as a stream, with each record's problems at
its lines; a parser library would read the file whole and lose the line
numbers. A record without ``ER`` ends at the next ``TY`` or at the end of the
file (a warning); a tag outside a record is an error at its line. A file with
no ``TY`` line is an error: it is not RIS.

>>> from kgraph.ingest.textfile import lines_from_string
>>> text = ("TY  - JOUR\\nTI  - A Title\\nAU  - Doe, Jane\\nPY  - 2020///\\nAB  - An abstract\\n"
...         "  that wraps.\\nER  - \\n")
>>> [(p.title, p.authors, p.year, p.abstract) for p in parse_ris(lines_from_string(text), name="x.ris")]
[('A Title', ('Jane Doe',), 2020, 'An abstract that wraps.')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kgraph.model import Paper, Problem, SourceRef

from .ids import arxiv_id_in_text
from .records import date_year, paper_from_fields
from .textfile import Line, read_lines

__all__ = ["iter_ris", "parse_ris"]

# "TI  - value": the standard has two spaces; exporters also write one, or a tab.
_TAG = re.compile(r"^([A-Z][A-Z0-9])[ \t]{1,2}-(?:[ \t]|$)(.*)$")
_TITLE_TAGS = ("TI", "T1", "CT")
_ABSTRACT_TAGS = ("AB", "N2")
_YEAR_TAGS = ("PY", "Y1", "DA")
_AUTHOR_TAGS = ("AU", "A1")
# Tags where exporters put an arXiv id ("arXiv:1706.03762") besides the DOI and URL.
_ARXIV_TAGS = ("AN", "M1", "M3", "N1", "JO", "T2")


def iter_ris(path: Path | str) -> Iterator[Paper | Problem]:
    """Read a RIS file (it may be compressed) lazily."""
    return parse_ris(read_lines(path), name=str(path))


def parse_ris(lines: Iterable[Line | Problem], *, name: str) -> Iterator[Paper | Problem]:
    """Papers and problems from the lines of a RIS file; see the module docstring."""
    record: dict[str, list[str]] | None = None
    start = 0
    bad: str | None = None  # why the record being read cannot be read
    last_tag: str | None = None
    seen_record = False
    has_text = False
    for line in lines:
        if isinstance(line, Problem):
            yield line
            continue
        text = line.text.lstrip("\ufeff")
        if not text.strip():
            continue
        has_text = True
        match = _TAG.match(text)
        tag, value = (match.group(1), match.group(2).strip()) if match else (None, text.strip())
        if tag == "TY":
            if record is not None:
                yield Problem(SourceRef(name, start), f"record has no ER line; it ends at line {line.number}, "
                                                      "where the next one starts", severity="warning")
                yield from _record(record, SourceRef(name, start), bad)
            record, start, bad, last_tag, seen_record = {}, line.number, line.error, "TY", True
            continue
        if record is None:
            if tag is not None or seen_record:
                yield Problem(SourceRef(name, line.number), f"line outside a record (no TY line before it): "
                                                            f"{text.strip()[:40]!r}")
            continue
        bad = bad or line.error
        if tag == "ER":
            yield from _record(record, SourceRef(name, start), bad)
            record, last_tag = None, None
        elif tag is None:  # a wrapped value goes on
            if last_tag is not None and record.get(last_tag):
                record[last_tag][-1] += " " + value
        else:
            record.setdefault(tag, []).append(value)
            last_tag = tag
    if record is not None:
        yield Problem(SourceRef(name, start), "record has no ER line; it ends at the end of the file",
                      severity="warning")
        yield from _record(record, SourceRef(name, start), bad)
    elif has_text and not seen_record:
        yield Problem(SourceRef(name, 1), "no RIS records found (a record starts with a line 'TY  - JOUR'): "
                                          "this is not a RIS file")


def _record(record: dict[str, list[str]], source: SourceRef, bad: str | None) -> Iterator[Paper | Problem]:
    if bad is not None:
        yield Problem(source, f"{bad}; record skipped")
        return
    notes: list[str] = []

    def first(tags: tuple[str, ...]) -> str | None:
        return next((record[tag][0] for tag in tags if record.get(tag) and record[tag][0]), None)

    year_tag = next((tag for tag in _YEAR_TAGS if record.get(tag) and record[tag][0]), None)
    authors = next((record[tag] for tag in _AUTHOR_TAGS if record.get(tag)), [])
    doi = first(("DO",))
    url = first(("UR", "L1", "L2"))
    arxiv_id = next(filter(None, (arxiv_id_in_text(value) for tag in _ARXIV_TAGS for value in record.get(tag, ()))),
                    None)
    yield from paper_from_fields(
        {
            "title": first(_TITLE_TAGS),
            "abstract": first(_ABSTRACT_TAGS),
            "year": date_year(year_tag, record[year_tag][0], notes) if year_tag else None,
            "authors": [_first_last(author) for author in authors],
            "doi": doi,
            "url": url.split()[0] if url else None,
            "arxiv_id": arxiv_id,
        },
        source,
        notes=notes,
    )


def _first_last(name: str) -> str:
    """``Vaswani, Ashish`` -> ``Ashish Vaswani``; ``Smith, John, Jr.`` -> ``John Smith Jr.``; others as written."""
    last, comma, rest = name.partition(",")
    if not comma:
        return name
    first, _, suffix = rest.partition(",")
    return " ".join(part.strip() for part in (first, last, suffix) if part.strip())
