"""From the fields of one input record to a :class:`~kgraph.model.Paper`, or the reason why not.

Shared by the JSON Lines and CSV readers (the scraped reader has only a title
and an abstract). Field names are matched case-insensitively; unknown fields
are ignored.

Severity: a record without a usable title, or with a bad ``id`` or ``abstract``,
is skipped (``error``). A bad ``year``, ``authors``, ``url``, ``doi``,
``arxiv_id``, ``categories``, ``references``, ``openalex_id`` or ``s2_id`` is dropped and the paper kept
(``warning``): the text is what kgraph needs. An empty ``id`` is replaced by
one made from the title (``warning``). A title without an abstract is a paper
(extraction reads the title), with the warning :data:`TITLE_ONLY`.

A paper without an ``arxiv_id`` gets the one its DOI (``10.48550/arXiv.*``) or
its URL (``arxiv.org/abs/*``) names, so that it is recognized across sources.

A year must lie in ``MIN_YEAR``..``MAX_YEAR`` (1000 to 2100). A URL must be an
http(s) URL; it is kept as a valid IRI (:func:`~kgraph.ingest.clean.clean_url`:
characters an IRI cannot hold percent-encoded), so that no RDF reader refuses
the graph for it.

>>> [r.title for r in paper_from_fields({"Title": "Pad\\\\'e nets", "abstract": "A."}, SourceRef("x", 1))]
['Padé nets']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kgraph.model import Paper, Problem, SourceRef

from .clean import clean_text, clean_url
from .ids import (arxiv_id_in_text, normalize_arxiv_id, normalize_doi, normalize_openalex_id, normalize_s2_id,
                  paper_id_from_title)

__all__ = ["FIELD_NAMES", "MAX_YEAR", "MIN_YEAR", "TITLE_ONLY", "check_given_id", "date_year", "normalize_keys",
           "paper_from_fields", "show_value"]

FIELD_NAMES = ("id", "title", "abstract", "year", "authors", "url", "update_date", "doi", "arxiv_id", "categories",
               "references", "openalex_id", "s2_id")
# The warning of a paper read with a title and no abstract (report.json counts them).
TITLE_ONLY = "title with no abstract"
# The years a paper may have: a year outside them is a typing or parsing error
# (20240101, -5), dropped with a warning. The bounds are inclusive.
MIN_YEAR = 1000
MAX_YEAR = 2100

_AUTHOR_SEPARATORS = re.compile(r"\s*(?:[,;]\s*(?:and\s+)?|\s+and\s+)\s*")
_DATE_YEAR = re.compile(r"\s*(\d{4})(?:-|/|$|\s)")
_LIST_SEPARATORS = re.compile(r"[\s,;]+")


def normalize_keys(fields: Mapping[Any, Any]) -> dict[str, Any]:
    """Lower-case and strip the keys; the first of two keys that collide wins.

    >>> normalize_keys({" Title ": "a", "title": "b"})
    {'title': 'a'}
    """
    normalized: dict[str, Any] = {}
    for key, value in fields.items():
        normalized.setdefault(str(key).strip().lower(), value)
    return normalized


def paper_from_fields(fields: Mapping[str, Any], source: SourceRef, *,
                      notes: Iterable[str] = ()) -> Iterator[Paper | Problem]:
    """Yield the paper made from ``fields`` and its warnings, or one error Problem.

    ``fields`` holds JSON values or CSV strings; ``None`` means absent.
    ``notes``: warnings a reader found in the record before (a field it could
    not map), given with the paper's own.

    >>> *warnings, paper = paper_from_fields({"title": "T", "year": "abc"}, SourceRef("a.jsonl", 3))
    >>> [str(problem) for problem in warnings]
    ["a.jsonl:3: 'year' must be an integer, got 'abc'", 'a.jsonl:3: title with no abstract']
    >>> paper.id, paper.year  # doctest: +ELLIPSIS
    ('t-...', None)
    """
    fields = normalize_keys(fields)
    given_id = None
    warnings: list[str] = list(notes)
    raw_id = fields.get("id")
    if isinstance(raw_id, str) and not raw_id.strip():
        warnings.append("'id' is empty; an id was made from the title")
    elif raw_id is not None:
        given_id, reason = check_given_id(raw_id)
        if reason:
            yield Problem(source, reason)
            return

    raw_title = fields.get("title")
    if raw_title is None:
        yield Problem(source, "missing 'title'", paper_id=given_id)
        return
    if not isinstance(raw_title, str):
        yield Problem(source, f"'title' must be a string, got {show_value(raw_title)}", paper_id=given_id)
        return
    title = clean_text(raw_title)
    if not title:
        reason = "empty 'title'" if not raw_title.strip() else f"'title' is empty after cleaning: {show_value(raw_title)}"
        yield Problem(source, reason, paper_id=given_id)
        return

    raw_abstract = fields.get("abstract")
    if raw_abstract is not None and not isinstance(raw_abstract, str):
        yield Problem(source, f"'abstract' must be a string, got {show_value(raw_abstract)}", paper_id=given_id)
        return
    abstract = clean_text(raw_abstract) if raw_abstract else ""

    paper_id = given_id or paper_id_from_title(title)
    year = _year(fields, warnings)
    authors = _authors(fields.get("authors"), warnings)
    url = _url(fields.get("url"), warnings)
    doi = _doi(fields.get("doi"), warnings)
    arxiv_id = _arxiv_id(fields.get("arxiv_id"), warnings) or _arxiv_id_named(doi, url)
    categories = _strings("categories", fields.get("categories"), warnings, split=True)
    references = _strings("references", fields.get("references"), warnings)
    openalex_id = _source_id("openalex_id", fields.get("openalex_id"), normalize_openalex_id,
                             "an OpenAlex work id (W2741809807)", warnings)
    s2_id = _source_id("s2_id", fields.get("s2_id"), normalize_s2_id,
                       "a Semantic Scholar paperId (40 hex digits)", warnings)
    if not abstract:
        warnings.append(TITLE_ONLY)
    for reason in warnings:
        yield Problem(source, reason, severity="warning", paper_id=paper_id)
    yield Paper(
        id=paper_id,
        title=title,
        abstract=abstract,
        year=year,
        authors=authors,
        url=url,
        source=source,
        doi=doi,
        arxiv_id=arxiv_id,
        categories=categories,
        references=references,
        openalex_id=openalex_id,
        s2_id=s2_id,
    )


def check_given_id(value: object) -> tuple[str | None, str | None]:
    r"""Validate an id read from the input: ``(id, None)`` or ``(None, reason)``.

    Strings are stripped; integers are accepted as their decimal string.

    >>> check_given_id(" 2101.00001 ")
    ('2101.00001', None)
    >>> check_given_id(42)
    ('42', None)
    >>> check_given_id("a\tb")
    (None, "'id' contains control characters: 'a\\tb'")
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None, f"'id' must be a string, got {show_value(value)}"
    try:
        text = str(value).strip()
    except ValueError:  # an integer of more than 4,300 digits
        return None, f"'id' must be a string, got {show_value(value)}"
    if not text:
        return None, "'id' is empty"
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
        return None, f"'id' contains control characters: {show_value(text)}"
    return text, None


def date_year(name: str, value: Any, notes: list[str]) -> str | None:
    """The year a date (``2017-06-12``, ``2017-06-12T17:57:34Z``, ``2017``) starts with, as the text of ``year``.

    None for an absent date; for a value that is no date, None and a warning
    in ``notes`` naming the field ``name`` it came from.

    >>> notes = []
    >>> date_year("published", "2017-06-12T17:57:34Z", notes), date_year("published", "June", notes), notes
    ('2017', None, ["'published' must be a date such as '2019-08-19', got 'June'"])
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    match = _DATE_YEAR.match(value) if isinstance(value, str) else None
    if match is None:
        notes.append(f"'{name}' must be a date such as '2019-08-19', got {show_value(value)}")
        return None
    return match.group(1)


def show_value(value: object, limit: int = 40) -> str:
    """A short ``repr`` of a bad value, for a problem message.

    >>> show_value("abc")
    "'abc'"
    >>> show_value(list(range(30)))
    '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11...'
    """
    try:
        text = repr(value)
    except ValueError:  # an integer of more than 4,300 digits, maybe inside a list
        text = f"a {type(value).__name__} too large to show"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _year(fields: Mapping[str, Any], warnings: list[str]) -> int | None:
    value = fields.get("year")
    if isinstance(value, str):
        value = value.strip() or None
    if value is not None:
        year = None
        if isinstance(value, int) and not isinstance(value, bool):
            year = value
        elif isinstance(value, float) and value.is_integer():
            year = int(value)
        elif isinstance(value, str) and value.isdecimal() and value.isascii():
            # int() refuses strings of more than 4,300 digits; no year has 20
            year = int(value) if len(value) <= 20 else MAX_YEAR + 1
        if year is None:
            warnings.append(f"'year' must be an integer, got {show_value(value)}")
            return None
        if not MIN_YEAR <= year <= MAX_YEAR:
            warnings.append(f"'year' must be between {MIN_YEAR} and {MAX_YEAR}, got {show_value(value)}")
            return None
        return year
    date = fields.get("update_date")
    if date is None or (isinstance(date, str) and not date.strip()):
        return None
    match = _DATE_YEAR.match(date) if isinstance(date, str) else None
    if match is None:
        warnings.append(f"'update_date' must be a date such as '2019-08-19', got {show_value(date)}")
        return None
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        warnings.append(f"'update_date' must have a year between {MIN_YEAR} and {MAX_YEAR}, got {show_value(date)}")
        return None
    return year


def _authors(value: Any, warnings: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        names = _AUTHOR_SEPARATORS.split(value)
    elif isinstance(value, (list, tuple)) and all(isinstance(name, str) for name in value):
        names = list(value)
    else:
        warnings.append(f"'authors' must be a list of strings or a string, got {show_value(value)}")
        return ()
    cleaned = (clean_text(name) for name in names)
    return tuple(name for name in cleaned if name)


def _url(value: Any, warnings: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        warnings.append(f"'url' must be a string, got {show_value(value)}")
        return None
    if not value.strip():
        return None
    url, reason = clean_url(value)
    if url is None:
        warnings.append(f"'url' is {reason}: {show_value(value)}; dropped")
    return url


def _doi(value: Any, warnings: list[str]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    doi = None
    if isinstance(value, str):
        # the arXiv snapshot sometimes lists two DOIs: the first one is kept
        doi = normalize_doi(value) or next(filter(None, map(normalize_doi, _LIST_SEPARATORS.split(value))), None)
    if doi is None:
        warnings.append(f"'doi' is not a DOI (10.NNNN/...): {show_value(value)}; dropped")
    return doi


def _arxiv_id(value: Any, warnings: list[str]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    arxiv_id = normalize_arxiv_id(value) if isinstance(value, str) else None
    if arxiv_id is None:
        warnings.append(f"'arxiv_id' is not an arXiv identifier (2101.00001, hep-th/9901001): {show_value(value)}; "
                        "dropped")
    return arxiv_id


def _source_id(name: str, value: Any, normalize, what: str, warnings: list[str]) -> str | None:
    """An id of the paper in another source (``normalize``d), or None and a warning for a value that is none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = normalize(value) if isinstance(value, str) else None
    if found is None:
        warnings.append(f"'{name}' is not {what}: {show_value(value)}; dropped")
    return found


def _arxiv_id_named(doi: str | None, url: str | None) -> str | None:
    """The arXiv identifier that a DOI (``10.48550/arxiv.2101.00001``) or a URL names, if any."""
    for text in (doi, url):
        if text:
            found = arxiv_id_in_text(text)
            if found:
                return found
    return None


def _strings(name: str, value: Any, warnings: list[str], *, split: bool = False) -> tuple[str, ...]:
    """A list of short strings (or, with ``split``, one string of them separated by spaces or commas), each once."""
    if value is None:
        return ()
    if split and isinstance(value, str):
        items = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        items = [item.strip() for item in value]
    else:
        kind = "a list of strings or a string" if split else "a list of strings"
        warnings.append(f"'{name}' must be {kind}, got {show_value(value)}")
        return ()
    # an id holds no control character: such an item is no id (and would reach the outputs as it is)
    unfit = [item for item in items if any(unicodedata.category(char) in ("Cc", "Cs") for char in item)]
    if unfit:
        warnings.append(f"'{name}' has {len(unfit)} item(s) with control characters, such as "
                        f"{show_value(unfit[0])}; dropped")
    return tuple(dict.fromkeys(item for item in items if item and item not in unfit))
