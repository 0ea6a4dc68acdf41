"""The ``openalex`` format: OpenAlex works, as its API and its snapshot give them.

A work is one JSON object (the snapshot: gzipped JSON Lines, one work a line;
the API: one work, or a page ``{"meta": {...}, "results": [work, ...]}``)::

    {"id": "https://openalex.org/W2741809807", "doi": "https://doi.org/10.7717/peerj.4375",
     "title": "The state of OA", "display_name": "The state of OA", "publication_year": 2018,
     "authorships": [{"author": {"id": "https://openalex.org/A5023888391", "display_name": "Heather Piwowar"}}],
     "abstract_inverted_index": {"Despite": [0], "growing": [1], "interest": [2]},
     "referenced_works": ["https://openalex.org/W1775749144"], ...}

The files are read by the JSON reader (:mod:`.jsonl`, which knows a work by its
keys); this module maps one work to kgraph's fields: ``id`` the short OpenAlex
id (``W2741809807``), ``title`` (``display_name`` when ``title`` is absent),
``abstract`` rebuilt from ``abstract_inverted_index``, ``year`` from
``publication_year``, ``authors`` from ``authorships[].author.display_name``,
``doi``, ``url`` the landing page, ``arxiv_id`` when the DOI or a location is
on arXiv, ``references`` the short ids of ``referenced_works``, and
``openalex_id`` the short id again (kept should the paper be merged into a
copy read from another source).

>>> fields, notes = openalex_fields({"id": "https://openalex.org/W1", "display_name": "A",
...                                  "abstract_inverted_index": {"world": [1], "Hello": [0]}})
>>> fields["id"], fields["title"], fields["abstract"], notes
('W1', 'A', 'Hello world', [])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .ids import arxiv_id_in_text, normalize_openalex_id
from .records import date_year, show_value

__all__ = ["OPENALEX_PREFIX", "abstract_from_inverted_index", "is_openalex_work", "openalex_fields"]

OPENALEX_PREFIX = "https://openalex.org/"
# An inverted index longer than this many words is no abstract (arXiv allows about 300 words).
_MAX_ABSTRACT_WORDS = 100_000


def is_openalex_work(record: Mapping[str, Any]) -> bool:
    """Whether a JSON object (keys lower-cased) is an OpenAlex work.

    >>> is_openalex_work({"id": "https://openalex.org/W1"}), is_openalex_work({"title": "T", "abstract": "A"})
    (True, False)
    """
    identifier = record.get("id")
    return (
        "abstract_inverted_index" in record
        or "authorships" in record
        or (isinstance(identifier, str) and identifier.startswith(OPENALEX_PREFIX))
    )


def openalex_fields(work: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """kgraph's fields for one OpenAlex work (keys lower-cased), and warnings about parts that could not be read."""
    notes: list[str] = []
    title = work.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        title = work.get("display_name", title)
    abstract = work.get("abstract")
    if abstract is None and work.get("abstract_inverted_index") is not None:
        abstract, reason = abstract_from_inverted_index(work["abstract_inverted_index"])
        if reason:
            notes.append(f"'abstract_inverted_index' {reason}; no abstract read")
    ids = work.get("ids") if isinstance(work.get("ids"), Mapping) else {}
    doi = work.get("doi") or ids.get("doi")
    locations = _locations(work)
    urls = [url for location in locations for url in (location.get("landing_page_url"), location.get("pdf_url"))
            if isinstance(url, str)]
    arxiv_id = next(filter(None, (arxiv_id_in_text(text) for text in (doi if isinstance(doi, str) else "", *urls))),
                    None)
    fields = {
        "id": _short_id(work.get("id")),
        "title": title,
        "abstract": abstract,
        "year": work.get("publication_year"),
        "authors": _authors(work.get("authorships"), notes),
        "url": urls[0] if urls and urls[0].startswith(("http://", "https://")) else None,
        "doi": doi,
        "arxiv_id": arxiv_id,
        "references": _references(work.get("referenced_works")),
        "openalex_id": _work_id(work.get("id")),
    }
    if fields["year"] is None:
        fields["year"] = date_year("publication_date", work.get("publication_date"), notes)
    return fields, notes


def abstract_from_inverted_index(index: Any) -> tuple[str | None, str | None]:
    """The text an OpenAlex ``abstract_inverted_index`` (word -> positions) stands for, or ``(None, reason)``.

    Words are put back at their positions and joined by spaces (OpenAlex keeps
    no other spacing); a gap in the positions is closed up.

    >>> abstract_from_inverted_index({"is": [1, 4], "This": [0], "what": [2], "it": [3]})
    ('This is what it is', None)
    >>> abstract_from_inverted_index({"word": ["one"]})
    (None, "must map words to lists of positions, got 'word': ['one']")
    """
    if not isinstance(index, Mapping):
        return None, f"must be an object of words, got {show_value(index)}"
    placed: list[tuple[int, str]] = []
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in positions
        ):
            return None, f"must map words to lists of positions, got {show_value(word)}: {show_value(positions)}"
        placed.extend((position, word) for position in positions)
        if len(placed) > _MAX_ABSTRACT_WORDS:
            return None, f"holds more than {_MAX_ABSTRACT_WORDS:,} words"
    placed.sort()
    return " ".join(word for _, word in placed), None


def _short_id(value: Any) -> Any:
    """``W2741809807`` for ``https://openalex.org/W2741809807``; anything else as it is (checked as an id later)."""
    if isinstance(value, str) and value.strip().startswith(OPENALEX_PREFIX):
        return value.strip()[len(OPENALEX_PREFIX):]
    return value


def _work_id(value: Any) -> str | None:
    """The short OpenAlex id of a work whose ``id`` is one (``https://openalex.org/W1`` or ``W1``), else None."""
    return normalize_openalex_id(value) if isinstance(value, str) else None


def _locations(work: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The work's primary location first, then the others: where its landing page and arXiv id are found."""
    found = [work.get("primary_location"), work.get("best_oa_location")]
    if isinstance(work.get("locations"), list):
        found.extend(work["locations"])
    return [location for location in found if isinstance(location, Mapping)]


def _authors(authorships: Any, notes: list[str]) -> list[str] | None:
    if authorships is None:
        return None
    if not isinstance(authorships, list):
        notes.append(f"'authorships' must be a list, got {show_value(authorships)}; no authors read")
        return None
    names = []
    for authorship in authorships:
        author = authorship.get("author") if isinstance(authorship, Mapping) else None
        name = author.get("display_name") if isinstance(author, Mapping) else None
        if not isinstance(name, str) and isinstance(authorship, Mapping):
            name = authorship.get("raw_author_name")
        if not isinstance(name, str):
            notes.append(f"'authorships' has an entry with no author name: {show_value(authorship)}; skipped")
            continue
        names.append(name)
    return names


def _references(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [_short_id(item) for item in value]
    return value  # not a list of strings: reported by paper_from_fields
