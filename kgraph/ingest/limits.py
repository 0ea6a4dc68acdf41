"""How much of a paper's text extraction reads: at most 1,000 characters of title, 10,000 in all.

An abstract is short: arXiv allows 1,920 characters, journals 150-500 words
(about 3,500 characters at most), and a title is a line. A "title" or
"abstract" of megabytes is a whole paper, a scraping error or a hostile input,
and the extraction pipeline cannot take it: spaCy refuses a text over
``nlp.max_length`` (1,000,000 characters by default), its tagger and parser
run at roughly 10,000 characters a second, and the relation steps compare the
mentions of a sentence pairwise (the title is one sentence). So extraction
reads the beginning of each field: at most ``MAX_TITLE_CHARS`` of the title,
and ``MAX_EXTRACTION_CHARS`` of title, separator and abstract together, about
five times the longest abstract anyone accepts. Each field is cut at a space,
so that no word is split.

Nothing is lost: the paper keeps its whole text in the graph and every output
(the mentions found have offsets that hold in the whole text, since what was
read of each field is a prefix of it), and each capped paper gets a
``warning`` Problem in ``report.json``.

>>> paper = Paper("p", "A title", "word " * 5000)
>>> originals: dict[str, Paper] = {}
>>> problems: list[Problem] = []
>>> [capped] = cap_extraction_text([paper], originals, problems)
>>> len(capped.abstract), problems[0].reason
(9989, 'abstract is 25,000 characters, extraction read its first 9,989 (the whole text is kept in the graph)')
>>> restore_paper(PaperExtraction(capped), originals).paper is paper
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, MutableMapping

from kgraph.model import Paper, PaperExtraction, Problem, SourceRef

__all__ = ["MAX_EXTRACTION_CHARS", "MAX_TITLE_CHARS", "FIELD_SEPARATOR_CHARS", "cap_extraction_text",
           "capped_paper", "restore_paper"]

MAX_EXTRACTION_CHARS = 10_000
MAX_TITLE_CHARS = 1_000
# Title and abstract are joined by a two-character separator for extraction
# (kgraph.nlp.extract.paper_text); counted here so that the limit is on the
# text spaCy actually gets.
FIELD_SEPARATOR_CHARS = 2
# Cut at the last space in this many characters before the limit; with no
# space there (one huge "word"), cut at the limit.
_CUT_WINDOW = 1_000


def capped_paper(paper: Paper, max_chars: int = MAX_EXTRACTION_CHARS,
                 max_title_chars: int = MAX_TITLE_CHARS) -> Paper | None:
    """``paper`` with its text cut to what extraction reads, or None if it is short enough.

    >>> capped_paper(Paper("p", "Title", "short")) is None
    True
    >>> capped_paper(Paper("p", "Title", "aaa bbb ccc"), max_chars=13).abstract
    'aaa'
    >>> capped = capped_paper(Paper("p", "x" * 20, "an abstract"), max_chars=30, max_title_chars=10)
    >>> capped.title, capped.abstract
    ('xxxxxxxxxx', 'an abstract')
    """
    title = _cut(paper.title, min(max_title_chars, max_chars))
    room = max_chars - len(title) - FIELD_SEPARATOR_CHARS
    abstract = _cut(paper.abstract, room) if room > 0 else ""
    if title == paper.title and abstract == paper.abstract:
        return None
    return dataclasses.replace(paper, title=title, abstract=abstract)


def cap_extraction_text(
    papers: Iterable[Paper],
    originals: MutableMapping[str, Paper],
    problems: list[Problem],
    *,
    max_chars: int = MAX_EXTRACTION_CHARS,
    max_title_chars: int = MAX_TITLE_CHARS,
) -> Iterator[Paper]:
    """Pass papers through, cutting the text of those too long (see the module docstring).

    The whole paper of each one cut is put in ``originals`` by id (ids are
    unique once duplicates are merged) for :func:`restore_paper`, and a
    warning is appended to ``problems``.
    """
    for paper in papers:
        capped = capped_paper(paper, max_chars, max_title_chars)
        if capped is None:
            yield paper
            continue
        originals[paper.id] = paper
        cuts = [f"{name} is {len(whole):,} characters, extraction read its first {len(part):,}"
                for name, whole, part in (("title", paper.title, capped.title),
                                          ("abstract", paper.abstract, capped.abstract))
                if part != whole]
        problems.append(
            Problem(
                paper.source or SourceRef("<unknown>", 1),
                "; ".join(cuts) + " (the whole text is kept in the graph)",
                severity="warning",
                paper_id=paper.id,
            )
        )
        yield capped


def restore_paper(extraction: PaperExtraction, originals: MutableMapping[str, Paper]) -> PaperExtraction:
    """The extraction with its whole paper back, if :func:`cap_extraction_text` cut it."""
    original = originals.pop(extraction.paper.id, None)
    if original is None:
        return extraction
    return dataclasses.replace(extraction, paper=original)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    space = text.rfind(" ", max(0, limit - _CUT_WINDOW), limit + 1)
    return text[:space].rstrip() if space > 0 else text[:limit]
