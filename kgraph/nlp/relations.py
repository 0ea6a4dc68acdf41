"""Sentence-level relations between selected mentions.

Pure functions: they read a parsed doc and its mentions (token spans) and
return plain :class:`FoundRelation` records. Each relation names the sentence
that supports it and the rule that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span

from ..model import EntityType, RelationType
from . import lexicon
from .candidates import Candidate, cue_verb, is_parsed

# joins title and abstract into one doc (kept here to avoid importing the components)
FIELD_SEPARATOR = "\n\n"

METHOD, TASK, DATASET = EntityType.METHOD, EntityType.TASK, EntityType.DATASET
_SELF_REFERENCES = {"we", "our", "us"}


@dataclass(frozen=True, slots=True)
class FoundRelation:
    """``head`` / ``tail`` index the doc's mentions; ``head is None`` is the paper."""

    head: int | None
    relation: RelationType
    tail: int
    sent_start: int  # character offsets of the evidence sentence
    sent_end: int
    extractor: str


def find_relations(doc: Doc, mentions: list[Candidate], *, entity_relations: bool = True) -> list[FoundRelation]:
    """All relations in the doc, in sentence order, without duplicates.

    ``entity_relations=False`` keeps the paper-level ones only (proposes,
    addresses, uses, mentions): where a learned model relates the entities.
    """
    found: list[FoundRelation] = []
    proposed = [i for i, m in enumerate(mentions) if m.proposed and m.type is not TASK]
    title_end = doc.text.find(FIELD_SEPARATOR)
    title_end = len(doc.text) if title_end < 0 else title_end
    for sent in doc.sents:
        inside = [i for i, m in enumerate(mentions) if sent.start <= m.start and m.end <= sent.end]
        if not inside:
            continue
        is_title = sent.start_char < title_end
        found.extend(_paper_relations(doc, sent, mentions, inside, is_title=is_title))
        if entity_relations:
            found.extend(_entity_relations(doc, sent, mentions, inside, proposed))
    unique = list(dict.fromkeys(found))
    return unique


def _bounds(sent: Span) -> tuple[int, int]:
    """Character offsets of a sentence without surrounding whitespace."""
    text = sent.text
    lead = len(text) - len(text.lstrip())
    return sent.start_char + lead, sent.start_char + len(text.rstrip())


def _self_referring(sent: Span) -> bool:
    words = [t.lower_ for t in sent]
    if any(w in _SELF_REFERENCES for w in words):
        return True
    return any(a == "this" and b in {"paper", "work", "study"} for a, b in zip(words, words[1:]))


def _paper_relations(doc: Doc, sent: Span, mentions, inside, *, is_title: bool):
    self_ref = is_title or _self_referring(sent)
    evaluation = any(t.lower_ in lexicon.EVALUATION_CUES for t in sent)
    has_proposed = any(mentions[i].proposed for i in inside)
    use_objects = _objects_of(doc, sent, mentions, inside, lexicon.USE_FORMS) if self_ref else set()
    for i in inside:
        m = mentions[i]
        rel, rule = RelationType.MENTIONS, "pattern:mention"
        if m.proposed and m.type is not TASK:
            rel, rule = RelationType.PROPOSES, "pattern:proposal"
        elif m.type is TASK and (is_title or (self_ref and not _is_cited_work(doc, sent, m)) or has_proposed):
            rel, rule = RelationType.ADDRESSES, "pattern:task-in-title" if is_title else "pattern:our-task"
        elif i in use_objects:
            rel, rule = RelationType.USES, "pattern:we-use"
        elif m.type is DATASET and evaluation and (self_ref or has_proposed):
            rel, rule = RelationType.USES, "pattern:evaluated-on-dataset"
        yield FoundRelation(None, rel, i, *_bounds(sent), rule)


def _is_cited_work(doc: Doc, sent: Span, m: Candidate) -> bool:
    """A task named as the topic of *other* work ("prior methods for X")."""
    before = doc[sent.start : m.start]
    return any(t.lower_ in {"existing", "previous", "prior", "recent"} for t in before) and not any(
        t.lower_ in _SELF_REFERENCES for t in before
    )


def _objects_of(doc: Doc, sent: Span, mentions, inside, verbs) -> set[int]:
    """Mentions within a few words after a verb from ``verbs`` ("we use X and Y")."""
    objects: set[int] = set()
    parsed = is_parsed(doc)
    for token in sent:
        if cue_verb(token, verbs, parsed=parsed) is not None:
            window_end = min(token.i + 10, sent.end)
            for i in inside:
                if token.i < mentions[i].start < window_end:
                    objects.add(i)
    return objects


def _between(doc: Doc, a: Candidate, b: Candidate) -> list[str]:
    lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
    return [t.lower_ for t in doc[lo:hi]]


def _preceding(doc: Doc, m: Candidate, sent: Span, n: int) -> list[str]:
    return [t.lower_ for t in doc[max(sent.start, m.start - n) : m.start]]


def _entity_relations(doc: Doc, sent: Span, mentions, inside, proposed_anywhere):
    methods = [i for i in inside if mentions[i].type is METHOD]
    tasks = [i for i in inside if mentions[i].type is TASK]
    datasets = [i for i in inside if mentions[i].type is DATASET]
    here_proposed = [i for i in methods if mentions[i].proposed]
    self_ref = _self_referring(sent)
    # the method a sentence is about: one proposed in it, else ours if we speak
    subject = here_proposed[0] if here_proposed else None
    subject_rule = "in-sentence"
    if subject is None and self_ref and proposed_anywhere:
        subject, subject_rule = proposed_anywhere[0], "our-method"
    span = _bounds(sent)

    for j in methods:
        other = mentions[j]
        if j == subject or other.proposed:
            continue
        head = subject if subject is not None else _nearest_before(mentions, methods, other)
        if head is None or head == j:
            continue
        near = _preceding(doc, other, sent, 4)
        between = _between(doc, mentions[head], other) if head in inside else near
        if any(w in lexicon.EXTENDS_CUES for w in near):
            yield FoundRelation(head, RelationType.EXTENDS, j, *span, f"pattern:extends:{subject_rule}")
        elif any(w in lexicon.COMPARE_CUES for w in between + near):
            yield FoundRelation(head, RelationType.COMPARED_WITH, j, *span, f"pattern:compared:{subject_rule}")
        elif any(w in lexicon.PART_CUES for w in between) and head in inside:
            yield FoundRelation(j, RelationType.PART_OF, head, *span, "pattern:consists-of")

    yield from _head_noun_extensions(doc, mentions, methods, span)

    for t in tasks:
        task = mentions[t]
        if not _introduced_by(doc, sent, mentions, inside, task, lexicon.PURPOSE_PREPOSITIONS):
            continue
        head = subject
        if head is None:
            head = _clause_subject(doc, mentions, methods, task)
        if head is None:
            head = _nearest_before(mentions, methods, task)
        if head is None:  # "Through experiments on T, M demonstrates ...": the main clause's subject
            head = _sentence_subject(sent, mentions, methods)
        if head is not None:
            yield FoundRelation(head, RelationType.USED_FOR, t, *span, f"pattern:purpose:{subject_rule}")

    for d in datasets:
        data = mentions[d]
        if not (_introduced_by(doc, sent, mentions, inside, data, {"on", "across", "over", "using", "with"})
                or any(t.lower_ in lexicon.EVALUATION_CUES for t in sent)):
            continue
        head = subject if subject is not None else _nearest_before(mentions, methods, data)
        if head is not None:
            yield FoundRelation(head, RelationType.EVALUATED_ON, d, *span, f"pattern:evaluation:{subject_rule}")


def _words(doc: Doc, m: Candidate) -> list[str]:
    return [(t.lemma_ or t.text).lower() for t in doc[m.start : m.end] if t.text != "-"]


def _head_noun_extensions(doc: Doc, mentions, methods, span):
    """``latent diffusion models`` ... ``diffusion models`` in one sentence: the
    longer name is the shorter one with modifiers, a kind of it (``extends``).

    Only between methods, and only when the shorter name is more than a
    generic head ("models") on its own.
    """
    for i in methods:
        longer = _words(doc, mentions[i])
        for j in methods:
            shorter = _words(doc, mentions[j])
            if i == j or len(shorter) >= len(longer) or longer[-len(shorter):] != shorter:
                continue
            if all(w in lexicon.GENERIC_HEADS for w in shorter):
                continue
            yield FoundRelation(i, RelationType.EXTENDS, j, *span, "pattern:extends:head-noun")


def _clause_subject(doc: Doc, mentions, methods, target: Candidate) -> int | None:
    """The method that is the subject of the clause a mention sits in.

    "BarNet is based on U-Net and is used for segmentation": the subject of
    "used" (inherited from the first of two conjoined verbs) is BarNet.
    """
    if not is_parsed(doc):  # no parse, no clause: and a Span's root reads the parse's arrays
        return None
    token = doc[target.start : target.end].root
    verb = next((t for t in token.ancestors if t.pos_ in {"VERB", "AUX"}), None)
    while verb is not None:
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subjects:
            subject = subjects[0]
            for i in methods:
                m = mentions[i]
                if m.start <= subject.i < m.end and m.end <= target.start:
                    return i
            return None
        verb = verb.head if verb.dep_ == "conj" and verb.head is not verb else None
    return None


def _sentence_subject(sent: Span, mentions, methods) -> int | None:
    """The method that is the subject of the sentence's main verb, if one is (never without a parse:
    spaCy's ``Span.root`` of an unparsed doc reads memory that was never set)."""
    if not is_parsed(sent.doc):
        return None
    subjects = [c for c in sent.root.children if c.dep_ in {"nsubj", "nsubjpass"}]
    for subject in subjects[:1]:
        for i in methods:
            if mentions[i].start <= subject.i < mentions[i].end:
                return i
    return None


def _nearest_before(mentions, candidates, target: Candidate) -> int | None:
    before = [i for i in candidates if mentions[i].end <= target.start]
    return before[-1] if before else None


def _introduced_by(doc: Doc, sent: Span, mentions, inside, m: Candidate, words) -> bool:
    """A preposition from ``words`` right before the mention, or before a list it ends."""
    j = m.start - 1
    starts = {mentions[i].start: mentions[i] for i in inside}
    ends = {mentions[i].end: mentions[i] for i in inside}
    while j >= sent.start:
        token = doc[j]
        if token.lower_ in words:
            return True
        if (j + 1) in ends:  # the end of another listed mention
            prev = ends[j + 1]
            j = prev.start - 1
            continue
        if token.lower_ in {"and", "or", ",", "the", "a", "an", "both"} or starts.get(j) is not None:
            j -= 1
            continue
        return False
    return False
