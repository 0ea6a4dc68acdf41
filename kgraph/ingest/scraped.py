"""The ``scraped`` format: a listing copied from a "trending papers" web page.

Page boilerplate first ("Get trending papers in your email inbox!"), then the
first title glued to the page's "Subscribe" button text, then title and
abstract lines alternating::

    Get trending papers in your email inbox once a day!
    Get trending papers in your email inbox!
    SubscribeFast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass
    Multi-view 3D reconstruction remains a core challenge in computer vision, ...
    Extractive Fact Decomposition for Interpretable Natural Language Inference ...
    Recent works in Natural Language Inference (NLI) and related tasks, ...

Each paper's source line is its title line. Blank lines are allowed between
records. A title whose next line is blank, and whose following line is no
longer than it (so it is another title, not an abstract), is kept as a
title-only paper with a warning, as is a title on the last line.

A file whose first lines are in another format (a BibTeX entry, RIS tags,
XML, JSON: :func:`~kgraph.ingest.sniff.sniff_format`) is refused with one
error, never read as titles: the extension (``.txt``) or ``--format`` was wrong.

A missing abstract line would shift every later title into the abstract
before it. So a line read as an abstract that looks like a title (short, no
full stop) while the line after it looks like an abstract (long) makes the
title before it an error, ``out of step``, and reading goes on in step: that
line is the next title.

>>> from kgraph.ingest.textfile import lines_from_string
>>> text = "Get trending papers in your email inbox!\\nSubscribeA Title\\nIts abstract.\\n"
>>> [(p.title, p.abstract) for p in parse_scraped(lines_from_string(text), name="x.txt")]
[('A Title', 'Its abstract.')]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

from kgraph.config import INPUT_FORMATS
from kgraph.model import Paper, Problem, SourceRef

from .records import paper_from_fields
from .sniff import FORMAT_NAMES, STRUCTURED, sniff_format
from .textfile import Line, read_lines

__all__ = ["BOILERPLATE", "is_boilerplate", "iter_scraped", "looks_out_of_step", "parse_scraped"]

# Known page furniture, compared case- and space-insensitively, without final
# punctuation. Such lines are skipped wherever they appear.
BOILERPLATE = frozenset(
    {
        "get trending papers in your email inbox once a day",
        "get trending papers in your email inbox",
        "subscribe",
    }
)
_SUBSCRIBE = "Subscribe"
# A title longer than this is probably an abstract: lines are out of step.
_LONG_TITLE_WORDS = 60
# A line read as an abstract with at most this many words, followed by one of
# at least _ABSTRACT_WORDS (and twice as many), is the next title: see looks_out_of_step.
_TITLE_WORDS = 30
_ABSTRACT_WORDS = 40
# Lines with text looked at to tell whether the file is in another format.
_SNIFF_LINES = 5


def iter_scraped(path: Path | str) -> Iterator[Paper | Problem]:
    """Read a scraped listing file lazily."""
    return parse_scraped(read_lines(path), name=str(path))


def is_boilerplate(text: str) -> bool:
    """Whether a line is page furniture rather than a title or an abstract.

    >>> is_boilerplate("Get trending papers in your email inbox once a day!")
    True
    >>> is_boilerplate("Get trending papers")
    False
    """
    return " ".join(text.casefold().split()).rstrip("!.:") in BOILERPLATE


def parse_scraped(lines: Iterable[Line | Problem], *, name: str) -> Iterator[Paper | Problem]:
    """Pair title and abstract lines into papers; see the module docstring for the rules.

    A title's abstract is decided one line late: a short line followed by a
    long one is the next title and its abstract, not an abstract (see
    :func:`looks_out_of_step`).
    """
    lines = iter(lines)
    head: list[Line | Problem] = []
    texts: list[Line] = []
    for item in lines:
        head.append(item)
        if isinstance(item, Line) and item.text.strip():
            texts.append(item)
            if len(texts) == _SNIFF_LINES:
                break
    refused = _another_format(texts, name)
    if refused is not None:
        yield from (item for item in head if isinstance(item, Problem))
        yield refused
        return
    lines = itertools.chain(head, lines)
    title: Line | None = None  # a title waiting for its abstract
    abstract: Line | None = None  # the line after the title, until the line after it is seen
    blank_after_title = False
    after_boilerplate = False
    for line in lines:
        if isinstance(line, Problem):
            yield line
            continue
        text = line.text.strip()
        if not text:
            blank_after_title = title is not None and abstract is None
            continue
        if is_boilerplate(text):
            after_boilerplate = True
            continue
        if after_boilerplate and (title is None or abstract is not None):
            text = _strip_subscribe(text)
            line = Line(line.number, text, line.error)
        after_boilerplate = False
        if title is None:
            title = line
        elif abstract is None:
            if blank_after_title and len(text) <= len(title.text.strip()):
                # "Title\n\nTitle 2": the first one has no abstract.
                yield from _paper(title, None, name)
                title = line
            else:
                abstract = line
        elif looks_out_of_step(abstract.text, text):
            yield _out_of_step(title, abstract, name)
            title, abstract = abstract, line
        else:
            yield from _paper(title, abstract, name)
            title, abstract = line, None
        blank_after_title = False
    if title is not None:
        yield from _paper(title, abstract, name)


def looks_out_of_step(abstract: str, following: str) -> bool:
    """Whether a line read as an abstract is rather the next title, ``following`` being its abstract.

    It is when it is short and does not end with a full stop, like a title,
    and the line after it is long, like an abstract: an abstract line is
    missing before it (or a line too many came before its title). Real
    abstracts are 50 words and more; titles are at most 20 or so.

    >>> looks_out_of_step("Attention Is All You Need", "The dominant sequence transduction models ... " * 8)
    True
    >>> looks_out_of_step("We propose a new optimizer.", "The dominant sequence transduction models ... " * 8)
    False
    """
    words = len(abstract.split())
    return (
        words <= _TITLE_WORDS
        and not abstract.rstrip().endswith(".")
        and len(following.split()) >= max(_ABSTRACT_WORDS, 2 * words)
    )


def _another_format(texts: list[Line], name: str) -> Problem | None:
    """The error of a file whose first lines are in a format other than a listing, else None."""
    sniffed = sniff_format("\n".join(line.text for line in texts))
    if sniffed not in STRUCTURED:
        return None
    how = (f"give it the extension of its format, or use --format {sniffed}" if sniffed in INPUT_FORMATS
           else "kgraph does not read it")
    return Problem(SourceRef(name, texts[0].number),
                   f"this is {FORMAT_NAMES[sniffed]}, not a scraped listing of titles and abstracts ({how}); "
                   "file skipped")


def _out_of_step(title: Line, line: Line, name: str) -> Problem:
    return Problem(
        SourceRef(name, title.number),
        f"no abstract: line {line.number} looks like the next title (a short line before a long one), so "
        "titles and abstracts are out of step here (an abstract line missing, or a line too many); record skipped",
    )


def _strip_subscribe(text: str) -> str:
    """``SubscribeFast3R: ...`` -> ``Fast3R: ...``, but leave ``Subscriber churn ...``."""
    if text.startswith(_SUBSCRIBE) and len(text) > len(_SUBSCRIBE):
        rest = text[len(_SUBSCRIBE) :]
        if not rest[0].islower():
            return rest.strip()
    return text


def _paper(title: Line, abstract: Line | None, name: str) -> Iterator[Paper | Problem]:
    source = SourceRef(name, title.number)
    for line in (title, abstract):
        if line is not None and line.error:
            yield Problem(SourceRef(name, line.number), f"{line.error}; record skipped")
            return
    records = list(
        paper_from_fields({"title": title.text, "abstract": abstract.text if abstract else None}, source)
    )
    paper = records[-1]
    if isinstance(paper, Paper):
        words = len(paper.title.split())
        if words > _LONG_TITLE_WORDS:
            yield Problem(
                source,
                f"title has {words} words; title and abstract lines may be out of step",
                severity="warning",
                paper_id=paper.id,
            )
    yield from records
