"""Merging papers read twice: in one file or across files and formats.

A paper is the same as one read before when it has the same title, whatever
its case, spacing, punctuation or Unicode spelling (:func:`~kgraph.ingest.ids.title_key`:
``Graph Networks`` and ``Graph networks.``), the same DOI, or the same arXiv
id (each normalized when read: :mod:`kgraph.ingest.ids`), so a corpus mixing
a BibTeX bibliography, an OpenAlex export and an arXiv feed holds each paper
once. The first one read is kept; each later one becomes a warning whose
reason starts with ``duplicate`` (``report.json`` counts them as merged). A
paper with the id of an earlier one and none of its title, DOI or arXiv id is
a different paper under a taken id: it is dropped, with a warning.

A merged copy may know the paper by more ids than the one kept (an OpenAlex
work merged into the arXiv feed's copy brings its OpenAlex id and its
references): the warning carries them (``Problem.merged``), and
:func:`merge_duplicates` gives them to the kept paper once everything is read,
so that citations reach it by any of its ids.

>>> from kgraph.model import SourceRef
>>> a = Paper("W1", "Attention Is All You Need", "x", source=SourceRef("works.jsonl", 1), arxiv_id="1706.03762")
>>> b = Paper("b", "The Transformer", "", source=SourceRef("refs.bib", 3), arxiv_id="1706.03762")
>>> [str(r) if isinstance(r, Problem) else r.id for r in dedupe([a, b])]
['W1', 'refs.bib:3: duplicate of W1 first read at works.jsonl:1 (same arXiv id 1706.03762); merged']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from kgraph.model import Paper, Problem, SourceRef

from .ids import title_key

__all__ = ["dedupe", "merge_duplicates"]


def dedupe(records: Iterable[Paper | Problem]) -> Iterator[Paper | Problem]:
    """Pass records through, dropping papers already seen by title, DOI, arXiv id or id.

    The first occurrence is kept; each later one becomes a warning that starts
    with ``duplicate``. Problems pass through unchanged. A merged paper's
    DOI, arXiv id and title are remembered as the kept paper's too, so that a
    third copy that shares only those is merged as well.

    >>> from kgraph.model import SourceRef
    >>> a = Paper("a", "Deep Nets", "x", source=SourceRef("f.jsonl", 1))
    >>> b = Paper("b", "deep  nets.", "y", source=SourceRef("f.jsonl", 2))
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
                merged=_links(record, first_id),
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


def merge_duplicates(papers: Sequence[Paper], problems: Iterable[Problem]) -> list[Paper]:
    """``papers`` with the ids and references of the duplicates merged into them (``Problem.merged``).

    A kept paper takes on each id it lacks (DOI, arXiv id, OpenAlex id,
    Semantic Scholar id) from its duplicates, in the order they were read,
    and their references after its own, each once. Papers without merged
    duplicates are returned as they are; the order is kept.

    >>> from kgraph.model import SourceRef
    >>> kept = Paper("1706.03762", "Attention Is All You Need", "x", source=SourceRef("feed.xml", 1))
    >>> copy = Paper("W1", "Attention is all you need", "", source=SourceRef("works.jsonl", 1),
    ...              openalex_id="W1", references=("W2", "W3"))
    >>> problems = [r for r in dedupe([kept, copy]) if isinstance(r, Problem)]
    >>> merged, = merge_duplicates([kept], problems)
    >>> merged.id, merged.openalex_id, merged.references
    ('1706.03762', 'W1', ('W2', 'W3'))
    """
    copies: dict[str, list[Paper]] = {}
    for problem in problems:
        if problem.merged is not None:
            copies.setdefault(problem.merged.id, []).append(problem.merged)
    if not copies:
        return list(papers)
    result = []
    for paper in papers:
        for copy in copies.get(paper.id, ()):
            paper = replace(
                paper,
                doi=paper.doi or copy.doi,
                arxiv_id=paper.arxiv_id or copy.arxiv_id,
                openalex_id=paper.openalex_id or copy.openalex_id,
                s2_id=paper.s2_id or copy.s2_id,
                references=tuple(dict.fromkeys((*paper.references, *copy.references))),
            )
        result.append(paper)
    return result


def _links(record: Paper, kept_id: str) -> Paper | None:
    """What of a merged duplicate the kept paper may lack (its ids and references), under the kept paper's id.

    None when it carries none of them: nothing to merge.
    """
    if not (record.doi or record.arxiv_id or record.openalex_id or record.s2_id or record.references):
        return None
    return Paper(kept_id, "", "", doi=record.doi, arxiv_id=record.arxiv_id, openalex_id=record.openalex_id,
                 s2_id=record.s2_id, references=record.references)


def _keys(paper: Paper) -> list[tuple[str, str]]:
    """What identifies a paper across sources: its title's key, DOI and arXiv id."""
    keys = [("title", title_key(paper.title))]
    if paper.doi:
        keys.append(("doi", paper.doi))
    if paper.arxiv_id:
        keys.append(("arxiv", paper.arxiv_id))
    return keys


def _where(source: SourceRef | None) -> str:
    return str(source) if source is not None else "<unknown>"
