"""Candidate mentions: what each extractor proposes before overlaps are settled.

Pure functions over a parsed ``Doc``; they read the doc and return plain
:class:`Candidate` records (token offsets), never mutating their input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from ..model import EntityType
from . import lexicon

# Extractor priorities: the higher one wins an overlap, then the longer span.
PRIORITY = {
    # a title's "Name:" and acronym definitions ("Fast 3D Reconstruction (Fast3R)") keep
    # their exact spans: they join short and long forms across the corpus
    "title": 70,
    "acronym": 66,
    # kgraph_ner_v1, the trained recognizer: above the other rules, chosen on the selection
    # sets (bench/ner_combine.py; docs/NER_MODEL_CARD.md); rules add what it leaves out
    "model": 65,
    "proposal": 50,
    "gazetteer": 40,
    "dataset-cue": 35,
    "head-noun": 20,
    "name-shape": 10,
}

# A token looks like a coined name: DUSt3R, Fast3R, JEDI, LoRA, GPT-4, CIFAR-10.
_NAME_SHAPE = re.compile(r"^(?=.*[A-Z])(?:.*[a-z].*[A-Z]|.*[A-Z].*[A-Z]|.*\d.*[A-Z]|.*[A-Z].*\d)")
# The characters a name token may consist of: no URLs, brackets or formulas.
_NAME_CHARS = re.compile(r"^[^\W_](?:[\w+\-.]*[^\W_])?$")
_JOINERS = {"-", "/", "+", "."}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A typed token span proposed by one extractor."""

    start: int
    end: int
    type: EntityType
    extractor: str
    known_id: str | None = None
    proposed: bool = False
    long_form: str | None = None
    short_form: str | None = None

    @property
    def priority(self) -> int:
        return PRIORITY.get(self.extractor.split(":")[0], 0)

    def with_(self, **changes) -> "Candidate":
        return replace(self, **changes)


def is_name_shaped(text: str) -> bool:
    """True for tokens that look like a coined name rather than a word.

    >>> [is_name_shaped(t) for t in ("DUSt3R", "JEDI", "Transformer", "3D", "GPU")]
    [True, True, False, False, False]
    """
    if len(text) < 2 or text in lexicon.NON_NAME_TOKENS or not _NAME_CHARS.match(text):
        return False
    if "http" in text.lower() or "www." in text.lower() or text.count(".") > 1:
        return False
    return bool(_NAME_SHAPE.match(text))


def is_parsed(doc: Doc) -> bool:
    """Whether the doc carries part-of-speech tags and a dependency parse (the ``relations="rules"``
    pipeline's base model); the default pipeline reads words alone."""
    return doc.has_annotation("DEP")


def cue_verb(token: Token, forms: dict[str, tuple[str, str]], *, parsed: bool) -> tuple[str, bool] | None:
    """``(lemma, passive)`` when the token is one of the cue verbs in ``forms`` (:func:`lexicon.verb_forms`)
    used as a verb, else None.

    With a parse, the tagger and parser say so; without one, the word form
    does: a base or -s form right after a determiner is a noun ("the use
    of"), and an -ed form within two words after a form of "be" is passive.
    """
    if parsed:
        lemma = token.lemma_.lower()
        if token.pos_ not in {"VERB", "AUX"} or forms.get(lemma, ("", ""))[1] != "base":
            return None
        return lemma, any(c.dep_ == "auxpass" for c in token.children)
    found = forms.get(token.lower_)
    if found is None:
        return None
    lemma, kind = found
    before = [t.lower_ for t in token.doc[max(0, token.i - 2) : token.i]]
    if kind in {"base", "s"} and before and before[-1] in lexicon.NOUN_MARKERS:
        return None
    return lemma, kind == "ed" and any(w in lexicon.BE_FORMS for w in before)


def name_span(doc: Doc, i: int) -> tuple[int, int]:
    """Extend a name token over glued parts: ``GPT`` ``-`` ``4`` -> ``GPT-4``."""
    end = i + 1
    while end < len(doc) and not doc[end - 1].whitespace_:
        nxt = doc[end]
        if nxt.text in _JOINERS:
            if nxt.whitespace_ or end + 1 >= len(doc) or not doc[end + 1].text.isalnum():
                break
            end += 2
        elif nxt.text.isalnum():
            end += 1
        else:
            break
    return i, end


def iter_name_candidates(doc: Doc) -> Iterator[Candidate]:
    """Coined names, typed as datasets when a dataset noun follows them."""
    covered = -1
    for token in doc:
        if token.i < covered or not is_name_shaped(token.text):
            continue
        start, end = name_span(doc, token.i)
        covered = end
        if any(doc[k].text in lexicon.METRIC_TOKENS for k in range(start, end)):
            continue
        following = doc[end] if end < len(doc) else None
        if following is not None and following.lower_ in lexicon.DATASET_HEADS:
            yield Candidate(start, end, EntityType.DATASET, "dataset-cue")
        elif _in_evaluation_list(doc, start):
            yield Candidate(start, end, EntityType.DATASET, "dataset-cue:evaluated-on")
        else:
            yield Candidate(start, end, EntityType.METHOD, "name-shape")


def _in_evaluation_list(doc: Doc, start: int) -> bool:
    """``... experiments on CIFAR-10, SVHN and ImageNet``: a name after 'on'."""
    sent = doc[start].sent
    if not any(t.lower_ in lexicon.EVALUATION_CUES for t in sent):
        return False
    j = start - 1
    while j >= sent.start and (doc[j].text in {",", "and", "or"} or is_name_shaped(doc[j].text) or doc[j].text in _JOINERS or doc[j].like_num):
        j -= 1
    return j >= sent.start and doc[j].lower_ in {"on", "across", "over"}


def _is_modifier(token: Token) -> bool:
    if token.is_punct or token.is_space or token.like_url:
        return False
    lower = token.lower_
    if lower in lexicon.EVALUATIVE or token.is_stop or lower in {"pretrained", "pre-trained", "trained", "learned"}:
        return False
    if token.pos_ in {"DET", "PRON", "ADP", "CCONJ", "SCONJ", "AUX", "ADV", "PART", "SYM", "X", "INTJ"}:
        return False
    if token.tag_ in {"VBZ", "VBD", "MD", "VBN", "VBG"}:
        return False
    if token.like_num and not any(c.isalpha() for c in token.text):
        return False
    return True


def head_phrase(doc: Doc, head: int, *, max_modifiers: int = 4) -> tuple[int, int]:
    """The head noun plus the specific modifiers to its left.

    Evaluative words, determiners and verbs stop the phrase, so "efficient and
    scalable 3D reconstruction" gives "3D reconstruction". Hyphenated compounds
    ("multi-view", "Transformer-based") are kept whole.
    """
    sent_start = doc[head].sent.start
    start = head
    modifiers = 0
    j = head - 1
    while j >= sent_start and modifiers < max_modifiers:
        token = doc[j]
        if token.text == "-" and not token.whitespace_ and j - 1 >= sent_start and not doc[j - 1].whitespace_:
            # a hyphenated compound: take the word before the hyphen too
            if _is_modifier(doc[j - 1]) or doc[j - 1].pos_ in {"ADJ", "NOUN", "PROPN", "VERB"}:
                start = j - 1
                j -= 2
                continue
            break
        if token.pos_ == "VERB" and not (j - 1 >= sent_start and doc[j - 1].pos_ in {"NOUN", "PROPN"}):
            break  # "pose" in "camera pose estimation" is a mis-tagged noun; "allow" is not
        if _is_modifier(token):
            start = j
            modifiers += 1
            j -= 1
            continue
        break
    # a hyphenated word is only kept whole: "-based architecture" is not a name,
    # and "art methods" is the tail of "state-of-the-art methods"
    while start < head and (doc[start].text == "-" or (start > 0 and doc[start - 1].text == "-" and not doc[start - 1].whitespace_)):
        start += 1
    # title-initial verbs and prepositions: "Enabling Approximate Joint Sampling"
    while start < head and _opens_clause(doc, start) and (
        doc[start].lower_ in lexicon.LEADING_FUNCTION_WORDS or doc[start].lower_.endswith("ing")
    ):
        start += 1
    return start, head + 1


def _opens_clause(doc: Doc, i: int) -> bool:
    return doc[i].is_sent_start or (i > 0 and doc[i - 1].text in {":", "(", ",", ";"})


def iter_head_candidates(doc: Doc) -> Iterator[Candidate]:
    """Noun phrases headed by a task, method or dataset noun."""
    for token in doc:
        lower = token.lower_
        if token.pos_ not in {"NOUN", "PROPN"}:
            continue
        if lower in lexicon.TASK_HEADS:
            kind = EntityType.TASK
        elif lower in lexicon.METHOD_HEADS:
            kind = EntityType.METHOD
        else:
            continue
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ in {"NOUN", "PROPN"} and not nxt.is_sent_start:
            continue  # a modifier itself: "detection models"
        if nxt is not None and nxt.text == "-" and not token.whitespace_:
            continue  # "attention-based"
        start, end = head_phrase(doc, token.i)
        if end - start < 2 and not (start > 0 and doc[start - 1].text == "-"):
            continue  # a bare head noun names nothing in particular
        modifiers = [t for t in doc[start:token.i] if t.text != "-"]
        if kind is EntityType.METHOD and lower in lexicon.VAGUE_HEADS:
            if not any(t.pos_ in {"NOUN", "PROPN"} or is_name_shaped(t.text) for t in modifiers):
                continue
        if not modifiers:
            continue
        yield Candidate(start, end, kind, "head-noun")


def iter_dataset_cue_candidates(doc: Doc) -> Iterator[Candidate]:
    """``the Foo Bar dataset`` / ``Foo benchmark``: capitalised words before a dataset noun."""
    for token in doc:
        if token.lower_ not in lexicon.DATASET_HEADS:
            continue
        end = token.i
        start = end
        while start - 1 >= token.sent.start:
            prev = doc[start - 1]
            if prev.text in _JOINERS and not prev.whitespace_:
                start -= 1
                continue
            if (prev.text[:1].isupper() or is_name_shaped(prev.text)) and not prev.is_sent_start and prev.pos_ in {"PROPN", "NOUN", "NUM", "ADJ", "X"}:
                start -= 1
                continue
            break
        while start < end and doc[start].text in _JOINERS:
            start += 1
        if start < end and any(c.isalpha() for c in doc[start:end].text):
            yield Candidate(start, end, EntityType.DATASET, "dataset-cue")


def iter_title_candidates(doc: Doc, title_sentence: Span) -> Iterator[Candidate]:
    """``Fast3R: Towards ...``: a short name before the title's colon is the contribution."""
    colon = next((t.i for t in title_sentence if t.text == ":"), None)
    if colon is None or colon == title_sentence.start or colon - title_sentence.start > 4:
        return
    rest = [t.lower_ for t in doc[colon + 1 : min(colon + 4, title_sentence.end)]]
    if any(w in lexicon.SURVEY_WORDS for w in rest):
        return
    name = doc[title_sentence.start : colon]
    if not any(t.text[:1].isupper() or is_name_shaped(t.text) for t in name):
        return
    last = name[-1].lower_
    kind = EntityType.DATASET if last in lexicon.DATASET_HEADS else EntityType.METHOD
    yield Candidate(name.start, name.end, kind, "title:prefix", proposed=True)


def select(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Settle overlaps: higher priority first, then longer, then earlier."""
    ranked = sorted(candidates, key=lambda c: (-c.priority, -(c.end - c.start), c.start, c.type.value))
    taken: list[Candidate] = []
    used: set[int] = set()
    for cand in ranked:
        span = set(range(cand.start, cand.end))
        if span & used:
            continue
        used |= span
        taken.append(cand)
    return sorted(taken, key=lambda c: (c.start, c.end))
