"""The ``s2`` format: Semantic Scholar papers, from its Graph API and its datasets.

The Graph API gives one paper, a list of them (``paper/batch``), or a page
``{"total": ..., "data": [paper, ...]}`` (search, bulk search, an author's papers;
a paper's references come as ``{"data": [{"citedPaper": paper}, ...]}``)::

    {"paperId": "204e3073870fae3d05bcbc2f6a8e263d9b72e776", "title": "Attention is All you Need",
     "abstract": "The dominant sequence transduction models ...", "year": 2017,
     "externalIds": {"DOI": "10.48550/arXiv.1706.03762", "ArXiv": "1706.03762", "CorpusId": 13756489},
     "authors": [{"authorId": "40348417", "name": "Ashish Vaswani"}],
     "references": [{"paperId": "43428880d75b3a14257c3ee9bda054e61eb869c0", "title": "..."}]}

Its datasets (``papers``) are JSON Lines of the same fields in lower case,
without ``paperId`` (its ``url`` ends with it) and without the abstract (the
``abstracts`` dataset holds those: a record with no title is reported).

The files are read by the JSON reader (:mod:`.jsonl`, which knows a paper by
its keys); this module maps one paper to kgraph's fields: ``id`` the
``paperId`` (else ``CorpusId:<corpusid>``), ``title``, ``abstract``, ``year``
(else the year of ``publicationDate``), ``authors[].name``, ``doi`` and
``arxiv_id`` from ``externalIds``, ``url``, ``references`` the
``paperId`` of each reference that has one, and ``s2_id`` the ``paperId``
again (kept should the paper be merged into a copy read from another source).

>>> fields, notes = s2_fields({"paperid": "abc", "title": "T", "externalids": {"ArXiv": "1706.03762"},
...                            "authors": [{"name": "A. Author"}]})
>>> fields["id"], fields["arxiv_id"], fields["authors"], notes
('abc', '1706.03762', ['A. Author'], [])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .ids import normalize_s2_id
from .records import date_year, show_value

__all__ = ["is_s2_paper", "s2_fields", "s2_item"]

_PAPER_URL = re.compile(r"https?://(?:www\.)?semanticscholar\.org/paper/(?:[^/]+/)?([0-9a-f]{40})/?$")
# The keys under which a Graph API page of citations or references holds each paper.
_WRAPPERS = ("citedpaper", "citingpaper")


def is_s2_paper(record: Mapping[str, Any]) -> bool:
    """Whether a JSON object (keys lower-cased) is a Semantic Scholar paper.

    >>> is_s2_paper({"paperid": "abc", "title": "T"}), is_s2_paper({"title": "T", "abstract": "A"})
    (True, False)
    """
    return any(key in record for key in ("paperid", "externalids", "corpusid", *_WRAPPERS))


def s2_item(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The paper inside an item of a page of references or citations (``{"citedPaper": {...}}``), else the item.

    >>> s2_item({"contexts": [], "citedpaper": {"paperid": "abc"}})
    {'paperid': 'abc'}
    """
    for key in _WRAPPERS:
        inner = record.get(key)
        if isinstance(inner, Mapping) and "title" not in record:
            return {str(k).strip().lower(): v for k, v in inner.items()}
    return record


def s2_fields(paper: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """kgraph's fields for one Semantic Scholar paper (keys lower-cased), and warnings about parts not read."""
    notes: list[str] = []
    external = paper.get("externalids")
    if external is not None and not isinstance(external, Mapping):
        notes.append(f"'externalIds' must be an object, got {show_value(external)}; ignored")
    external = {str(k).lower(): v for k, v in external.items()} if isinstance(external, Mapping) else {}
    fields = {
        "id": _paper_id(paper),
        "title": paper.get("title"),
        "abstract": paper.get("abstract"),
        "year": paper.get("year"),
        "authors": _authors(paper.get("authors"), notes),
        "url": paper.get("url"),
        "doi": external.get("doi"),
        "arxiv_id": external.get("arxiv"),
        "references": _references(paper.get("references"), notes),
        "s2_id": _s2_id(paper),
    }
    if fields["year"] is None:
        fields["year"] = date_year("publicationDate", paper.get("publicationdate"), notes)
    return fields, notes


def _paper_id(paper: Mapping[str, Any]) -> Any:
    """``paperId``; else the one a dataset record's URL ends with; else ``CorpusId:<corpusid>``; else None."""
    if paper.get("paperid") is not None:
        return paper["paperid"]
    url = paper.get("url")
    match = _PAPER_URL.match(url.strip()) if isinstance(url, str) else None
    if match:
        return match.group(1)
    corpus_id = paper.get("corpusid")
    if (isinstance(corpus_id, int) and not isinstance(corpus_id, bool)) or (isinstance(corpus_id, str)
                                                                             and corpus_id.strip()):
        return f"CorpusId:{str(corpus_id).strip()}"
    return None


def _s2_id(paper: Mapping[str, Any]) -> str | None:
    """The ``paperId`` (or the one the URL ends with) when it is one; a ``CorpusId`` is no paperId."""
    found = _paper_id(paper)
    return normalize_s2_id(found) if isinstance(found, str) else None


def _authors(authors: Any, notes: list[str]) -> Any:
    if not isinstance(authors, list) or all(isinstance(a, str) for a in authors):
        return authors  # None, names, or a bad value that paper_from_fields reports
    names = []
    for author in authors:
        name = author.get("name") if isinstance(author, Mapping) else author
        if not isinstance(name, str):
            notes.append(f"'authors' has an entry with no name: {show_value(author)}; skipped")
            continue
        names.append(name)
    return names


def _references(references: Any, notes: list[str]) -> list[str] | None:
    if references is None:
        return None
    if not isinstance(references, list):
        notes.append(f"'references' must be a list, got {show_value(references)}; ignored")
        return None
    ids = []
    for reference in references:
        if isinstance(reference, Mapping):
            reference = reference.get("paperId", reference.get("paperid"))
        if isinstance(reference, str) and reference.strip():
            ids.append(reference.strip())
        # a reference Semantic Scholar could not resolve has "paperId": null: nothing to keep
    return ids
