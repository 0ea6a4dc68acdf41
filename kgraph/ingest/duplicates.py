"""Merging papers read twice: in one file or across files and formats.

A paper is the same as one read before when it has the same normalized title
(:func:`~kgraph.ingest.ids.normalize_title`), the same DOI, or the same arXiv
id (each normalized when read: :mod:`kgraph.ingest.ids`), so a corpus mixing
a BibTeX bibliography, an OpenAlex export and an arXiv feed holds each paper
once. The first one read is kept; each later one becomes a warning whose
reason starts with ``duplicate`` (``report.json`` counts them as merged). A
paper with the id of an earlier one and none of its title, DOI or arXiv id is
a different paper under a taken id: it is dropped, with a warning.

>>> from kgraph.model import SourceRef
>>> a = Paper("W1", "Attention Is All You Need", "x", source=SourceRef("works.jsonl", 1), arxiv_id="1706.03762")
>>> b = Paper("b", "Attention is all you need!", "", source=SourceRef("refs.bib", 3), arxiv_id="1706.03762")
>>> [str(r) if isinstance(r, Problem) else r.id for r in dedupe([a, b])]
['W1', 'refs.bib:3: duplicate of W1 first read at works.jsonl:1 (same arXiv id 1706.03762); merged']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kgraph.model import Paper, Problem, SourceRef

from .ids import normalize_title

__all__ = ["dedupe"]


def dedupe(records: Iterable[Paper | Problem]) -> Iterator[Paper | Problem]:
    """Pass records through, dropping papers already seen by title, DOI, arXiv id or id.

    The first occurrence is kept; each later one becomes a warning that starts
    with ``duplicate``. Problems pass through unchanged. A merged paper's
    DOI, arXiv id and title are remembered as the kept paper's too, so that a
    third copy that shares only those is merged as well.

    >>> from kgraph.model import SourceRef
    >>> a = Paper("a", "Deep Nets", "x", source=SourceRef("f.jsonl", 1))
    >>> b = Paper("b", "deep  nets", "y", source=SourceRef("f.jsonl", 2))
    >>> [str(r) if isinstance(r, Problem) else r.id for r in dedupe([a, b])]
    ['a', 'f.jsonl:2: duplicate of a first read at f.jsonl:1; merged']
    """
    # Only ids and sources are kept, not the papers: a corpus may have millions.
    by_id: dict[str, SourceRef | None] = {}
    by_key: dict[tuple[str, str], tuple[str, SourceRef | None]] = {}  # ("title"|"doi"|"arxiv", value) -> first
    for record in records:
        if not isinstance(record, Paper):
            yield record
            continue
        keys = _keys(record)
        source = record.source or SourceRef("<unknown>", 1)
        match = next(((kind, value) for kind, value in keys if (kind, value) in by_key), None)
        if match is not None:
            first_id, first_source = by_key[match]
            kind, value = match
            how = "" if kind == "title" else f" (same {'DOI' if kind == 'doi' else 'arXiv id'} {value})"
            yield Problem(
                source,
                f"duplicate of {first_id} first read at {_where(first_source)}{how}; merged",
                severity="warning",
                paper_id=record.id,
            )
            for key in keys:
                by_key.setdefault(key, (first_id, first_source))
            continue
        if record.id in by_id:
            yield Problem(
                source,
                f"duplicate id {record.id!r} first read at {_where(by_id[record.id])} "
                "with a different title; dropped",
                severity="warning",
                paper_id=record.id,
            )
            continue
        by_id[record.id] = record.source
        for key in keys:
            by_key[key] = (record.id, record.source)
        yield record


def _keys(paper: Paper) -> list[tuple[str, str]]:
    """What identifies a paper across sources: its normalized title, DOI and arXiv id."""
    keys = [("title", normalize_title(paper.title))]
    if paper.doi:
        keys.append(("doi", paper.doi))
    if paper.arxiv_id:
        keys.append(("arxiv", paper.arxiv_id))
    return keys


def _where(source: SourceRef | None) -> str:
    return str(source) if source is not None else "<unknown>"
