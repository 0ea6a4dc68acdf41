"""Acronym definitions, ``Fast 3D Reconstruction (Fast3R)``, by Schwartz–Hearst.

The algorithm itself comes from the ``abbreviations`` package (a Python
implementation of Schwartz & Hearst, PSB 2003); this module only locates each
pair in the doc and types it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from abbreviations import schwartz_hearst
from spacy.tokens import Doc

from ..model import EntityType
from . import lexicon
from .candidates import Candidate

logging.getLogger("abbreviations").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class AcronymPair:
    """Token spans of a long form and its short form in one doc."""

    long_start: int
    long_end: int
    short_start: int
    short_end: int
    long_form: str
    short_form: str


def find_acronym_pairs(doc: Doc) -> list[AcronymPair]:
    """Every ``long form (SHORT)`` definition, sentence by sentence."""
    pairs: list[AcronymPair] = []
    for sent in doc.sents:
        if "(" not in sent.text:
            continue
        found = schwartz_hearst.extract_abbreviation_definition_pairs(doc_text=sent.text)
        for short, long in sorted(found.items()):
            pair = _locate(doc, sent.start_char, sent.text, short, long)
            if pair is not None:
                pairs.append(pair)
    return sorted(pairs, key=lambda p: p.long_start)


_HYPHENS = "-\u2010\u2011\u2012\u2013"


def word_start(text: str, at: int) -> int:
    """Where the word holding ``text[at]`` starts: a long form begins a word, never the inside of a
    hyphenated one. Schwartz–Hearst's shortest match reads "Self-Supervised Learning (SSL)" as
    "Supervised Learning" (the second S found inside "supervised") and "Multi-modal Large Language
    Model (MLLM)" as "modal Large Language Model".

    >>> text = "a Self-Supervised Learning (SSL) loss"
    >>> text[word_start(text, text.index("Supervised")):]
    'Self-Supervised Learning (SSL) loss'
    """
    while at > 0 and (text[at - 1].isalnum() or (text[at - 1] in _HYPHENS and at > 1 and text[at - 2].isalnum())):
        at -= 1
    return at


def _locate(doc: Doc, offset: int, text: str, short: str, long: str) -> AcronymPair | None:
    at = text.find(long)
    while at >= 0:
        paren = text.find("(", at + len(long))
        if paren >= 0 and not text[at + len(long) : paren].strip():
            short_at = text.find(short, paren)
            if short_at > paren:
                start = word_start(text, at)
                long_span = doc.char_span(offset + start, offset + at + len(long), alignment_mode="expand")
                short_span = doc.char_span(offset + short_at, offset + short_at + len(short), alignment_mode="expand")
                if long_span is not None and short_span is not None and long_span.end <= short_span.start:
                    return AcronymPair(
                        long_span.start, long_span.end, short_span.start, short_span.end,
                        long_span.text, short_span.text,
                    )
        at = text.find(long, at + 1)
    return None


def pair_type(doc: Doc, pair: AcronymPair) -> EntityType | None:
    """Type an acronym definition by the head noun of its long form; None to drop it."""
    if pair.short_form in lexicon.METRIC_TOKENS or pair.short_form in lexicon.NON_NAME_TOKENS:
        return None
    if any(c.isspace() for c in pair.short_form) or not any(c.isalpha() for c in pair.short_form):
        return None  # "12.21 (5 NFE)" is a result, not a definition
    words = pair.long_form.split()
    if sum(any(c.isalpha() for c in w) for w in words) * 2 <= len(words):
        return None
    head = doc[pair.long_end - 1].lower_
    if head in lexicon.DATASET_HEADS:
        return EntityType.DATASET
    if head in lexicon.TASK_HEADS:
        return EntityType.TASK
    return EntityType.METHOD


def iter_acronym_candidates(doc: Doc, pairs: list[AcronymPair]) -> Iterator[Candidate]:
    """Both halves of each definition, plus later uses of the short form in the doc."""
    shorts: dict[str, tuple[EntityType, AcronymPair]] = {}
    for pair in pairs:
        kind = pair_type(doc, pair)
        if kind is None:
            continue
        shorts.setdefault(pair.short_form, (kind, pair))
        yield Candidate(pair.long_start, pair.long_end, kind, "acronym:long",
                        long_form=pair.long_form, short_form=pair.short_form)
        yield Candidate(pair.short_start, pair.short_end, kind, "acronym:short",
                        long_form=pair.long_form, short_form=pair.short_form)
    if not shorts:
        return
    defined = {(p.short_start, p.short_end) for p in pairs}
    for token in doc:
        for short, (kind, pair) in shorts.items():
            if token.text == short or (token.text.rstrip("s") == short and token.text.endswith("s")):
                if (token.i, token.i + 1) not in defined:
                    yield Candidate(token.i, token.i + 1, kind, "acronym:use",
                                    long_form=pair.long_form, short_form=pair.short_form)
