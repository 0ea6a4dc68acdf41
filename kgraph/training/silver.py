"""The annotated arXiv abstracts as training data: token sentences, BIO tags, entity and relation structure.

Each paper is read as kgraph reads it (title, separator, abstract; spaCy's
English tokenizer; the title one sentence, the abstract split by punctuation
and kgraph's sentence rules), and the annotation is carried onto those tokens:

- every mention of an entity becomes a token span (mentions that overlap keep
  the longer; a mention that does not start and end on token boundaries is
  left out and its tokens carry no loss);
- tokens outside every mention are ``O``: the annotation is exhaustive;
- relations point at entities by index, so a relation whose two ends are
  mentioned in different sentences is kept too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import random
from pathlib import Path

from ..eval.silver import SilverPaper, iter_silver
from ..nlp.components import sentence_words
from ..nlp.encoder_ner import tags_for
from ..nlp.relations import FIELD_SEPARATOR

IGNORE = -100
LABELS = ("METHOD", "TASK", "DATASET")


@dataclass(frozen=True, slots=True)
class TokenEntity:
    type: str  # method, task, dataset
    name: str
    proposed: bool
    spans: tuple[tuple[int, int, int], ...]  # (sentence, first word, end word)


@dataclass(frozen=True, slots=True)
class TokenPaper:
    n: int
    sentences: tuple[tuple[str, ...], ...]
    tags: tuple[tuple[int, ...], ...]  # per sentence, per word: an index into tags_for(LABELS), or IGNORE
    entities: tuple[TokenEntity, ...]
    relations: tuple[tuple[int, str, int], ...]  # (head entity, relation, tail entity)


def training_split(silver: Path, *, fraction: float = 1.0, seed: int = 0) -> list[SilverPaper]:
    """The silver training split, or its first ``fraction`` in a seeded shuffle (so 25 % lies inside 50 %)."""
    papers = list(iter_silver(silver, split="train"))
    random.Random(seed).shuffle(papers)
    return papers[: max(1, round(fraction * len(papers)))]


def add_settings_arguments(parser, settings_class) -> None:
    """One ``--option`` per field of a frozen settings dataclass, its default the field's."""
    for name, field in settings_class.__dataclass_fields__.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(field.default), default=field.default)


def settings_from(args, settings_class):
    """The settings dataclass filled from parsed arguments (see :func:`add_settings_arguments`)."""
    return settings_class(**{name: getattr(args, name) for name in settings_class.__dataclass_fields__})


def sentence_nlp():
    """spaCy's English tokenizer with kgraph's punctuation sentence splitting (the fast pipeline's)."""
    import spacy

    from ..nlp.pipeline import adjust_tokenizer

    nlp = adjust_tokenizer(spacy.blank("en"))
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("kgraph_sentences_v1")
    return nlp


def token_papers(papers: Iterable[SilverPaper], nlp=None, *, labels: Sequence[str] = LABELS) -> Iterator[TokenPaper]:
    """Each paper on kgraph's tokens."""
    nlp = nlp or sentence_nlp()
    papers = list(papers)
    texts = (p.title + FIELD_SEPARATOR + p.abstract if p.abstract else p.title for p in papers)
    for paper, doc in zip(papers, nlp.pipe(texts, batch_size=64)):
        yield token_paper(doc, paper, labels=labels)


def token_paper(doc, paper: SilverPaper, *, labels: Sequence[str] = LABELS) -> TokenPaper:
    tags = tags_for(labels)
    index = {t: i for i, t in enumerate(tags)}
    offset = {"title": 0, "abstract": len(paper.title) + len(FIELD_SEPARATOR)}
    sentences, where = sentence_words(doc)
    word_tags = [[index["O"]] * len(s) for s in sentences]
    # (sentence, start, end, entity) of every mention that sits on token boundaries
    located: list[tuple[int, int, int, int]] = []
    for k, entity in enumerate(paper.entities):
        for m in entity.mentions:
            span = doc.char_span(offset[m.field] + m.start, offset[m.field] + m.end)
            if span is None or span.start not in where or span.end - 1 not in where:
                _ignore(doc, offset[m.field] + m.start, offset[m.field] + m.end, where, word_tags)
                continue
            (s0, w0), (s1, w1) = where[span.start], where[span.end - 1]
            if s0 == s1:
                located.append((s0, w0, w1 + 1, k))
    # overlapping mentions: the longer wins (then the earlier)
    taken: list[tuple[int, int, int, int]] = []
    used: set[tuple[int, int]] = set()
    for s, a, b, k in sorted(located, key=lambda x: (-(x[2] - x[1]), x[0], x[1])):
        cells = {(s, w) for w in range(a, b)}
        if cells & used:
            continue
        used |= cells
        taken.append((s, a, b, k))
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for s, a, b, k in sorted(taken):
        label = paper.entities[k].type.upper()
        if label not in labels:
            continue
        word_tags[s][a] = index[f"B-{label}"] if word_tags[s][a] != IGNORE else IGNORE
        for w in range(a + 1, b):
            word_tags[s][w] = index[f"I-{label}"] if word_tags[s][w] != IGNORE else IGNORE
        spans.setdefault(k, []).append((s, a, b))
    names = {e.name: k for k, e in enumerate(paper.entities)}
    entities = tuple(
        TokenEntity(e.type, e.name, e.proposed, tuple(spans.get(k, ()))) for k, e in enumerate(paper.entities)
    )
    relations = tuple(
        (names[r.head], r.relation, names[r.tail]) for r in paper.relations if r.head in names and r.tail in names
    )
    return TokenPaper(
        n=paper.n,
        sentences=tuple(tuple(doc[i].text for i in s) for s in sentences),
        tags=tuple(tuple(t) for t in word_tags),
        entities=entities,
        relations=relations,
    )


def _ignore(doc, start: int, end: int, where, word_tags) -> None:
    """A mention off token boundaries: the tokens it touches carry no loss."""
    for token in doc:
        if token.idx < end and token.idx + len(token.text) > start and token.i in where:
            s, w = where[token.i]
            word_tags[s][w] = IGNORE
