"""Training corpora for the entity recognizer, as spaCy ``Doc`` objects.

Two corpora label different things, and each is converted so that it says
only what its annotators said:

- **SciERC** annotates every Task, Method, Material and Metric of an abstract
  (and OtherScientificTerm / Generic, which become non-entities). Its
  ``Material`` is broader than a dataset ("images", "English", "parallel
  corpora", but also "Penn TreeBank"). Generic materials train as
  ``MATERIAL``, which teaches the model that they are *not* datasets; a
  Material that looks like a name (a capitalised or coined word) could be
  either, so its tokens are left *missing* (no loss either way) rather than
  being taught as one or the other (``material="mask-names"``).
- **TDMSci** annotates Task, Dataset and Metric, and never Method: a method
  in a TDMSci sentence is tagged ``O``. Taught as is, the model learns that
  methods are non-entities. Instead, the spans a SciERC-trained model
  recognises as ``METHOD`` or ``MATERIAL`` in TDMSci sentences are marked
  missing (``partial="mask"``); everything else stays ``O``.

Missing tokens use spaCy's own representation (``Doc.set_ents(missing=...)``):
the NER loss skips them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from ..eval.ner_corpora import NerDocument, NerSentence
from ..nlp.candidates import is_name_shaped
from ..nlp.encoder_ner import tags_to_spans

LABELS = ("METHOD", "TASK", "DATASET", "MATERIAL", "METRIC")
SCIERC_LABELS = {"Method": "METHOD", "Task": "TASK", "Material": "MATERIAL", "Metric": "METRIC"}
TDMSCI_LABELS = {"TASK": "TASK", "DATASET": "DATASET", "METRIC": "METRIC"}
# what TDMSci never annotates: where a model finds these, TDMSci's "O" means "unknown"
TDMSCI_UNANNOTATED = frozenset({"METHOD", "MATERIAL"})

MATERIAL_POLICIES = ("label", "mask-names", "outside")
PARTIAL_POLICIES = ("mask", "outside")

# (start, end, label): half-open token offsets; label None marks missing annotation
LabeledSpan = tuple[int, int, str | None]


def flat_spans(sentence: NerSentence, label_map: dict[str, str]) -> list[tuple[int, int, str]]:
    """Non-overlapping entities: mapped labels first, then the longer span.

    SciERC nests a few spans ("[6,11] OtherScientificTerm" inside "[4,11]
    Task"); a flat tagger keeps one of each nest.
    """
    ranked = sorted(
        sentence.entities,
        key=lambda e: (e.label not in label_map, -(e.end - e.start), e.start),
    )
    taken: list[tuple[int, int, str]] = []
    used: set[int] = set()
    for e in ranked:
        tokens = set(range(e.start, e.end))
        if tokens & used:
            continue
        used |= tokens
        if e.label in label_map:
            taken.append((e.start, e.end, label_map[e.label]))
    return sorted(taken)


def split_acronym_spans(words: Sequence[str], spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``statistical machine translation ( SMT )`` -> the long form and the short form.

    SciERC and TDMSci often take a definition with its bracketed acronym as
    one entity; kgraph (and SciER) name the two forms apart, and kgraph's
    acronym component links them.

    >>> words = "we use support vector machines ( SVMs ) .".split()
    >>> split_acronym_spans(words, [(2, 8, "METHOD")])
    [(2, 5, 'METHOD'), (6, 7, 'METHOD')]
    """
    out = []
    for start, end, label in spans:
        inner = list(words[start:end])
        if end - start >= 4 and inner[-1] == ")" and "(" in inner[1:-2]:
            k = start + inner.index("(")
            short = words[k + 1 : end - 1]
            if 1 <= len(short) <= 2 and any(c.isupper() for w in short for c in w) and k > start:
                out.extend([(start, k, label), (k + 1, end - 1, label)])
                continue
        out.append((start, end, label))
    return out


def looks_like_name(words: Sequence[str]) -> bool:
    """A capitalised or coined word inside: "Penn TreeBank", "MUC-6", "UCF101"."""
    return any(w[:1].isupper() or is_name_shaped(w) or (any(c.isdigit() for c in w) and any(c.isalpha() for c in w))
               for w in words)


def scierc_spans(sentence: NerSentence, *, material: str = "mask-names", split_acronyms: bool = True) -> list[LabeledSpan]:
    """SciERC entities in kgraph's labels, with the Material policy applied."""
    if material not in MATERIAL_POLICIES:
        raise ValueError(f"unknown material policy {material!r}; expected one of {MATERIAL_POLICIES}")
    out: list[LabeledSpan] = []
    spans = flat_spans(sentence, SCIERC_LABELS)
    if split_acronyms:
        spans = split_acronym_spans(sentence.words, spans)
    for start, end, label in spans:
        if label == "MATERIAL":
            if material == "outside":
                continue
            if material == "mask-names" and looks_like_name(sentence.words[start:end]):
                out.append((start, end, None))
                continue
        out.append((start, end, label))
    return out


def tdmsci_spans(sentence: NerSentence, *, unannotated: Iterable[tuple[int, int, str]] = (),
                 split_acronyms: bool = True) -> list[LabeledSpan]:
    """TDMSci entities, plus the spans of unannotated types marked missing.

    ``unannotated`` are predicted ``(start, end, label)`` spans; those with a
    label TDMSci never annotates and no overlap with a gold entity become
    missing annotation.
    """
    gold: list[LabeledSpan] = list(flat_spans(sentence, TDMSCI_LABELS))
    if split_acronyms:
        gold = list(split_acronym_spans(sentence.words, gold))
    used = {i for s, e, _ in gold for i in range(s, e)}
    for start, end, label in unannotated:
        if label in TDMSCI_UNANNOTATED and not used & set(range(start, end)):
            gold.append((start, end, None))
            used |= set(range(start, end))
    return sorted(gold, key=lambda s: s[:2])


def sentence_doc(vocab: Vocab, sentence: NerSentence, spans: Iterable[LabeledSpan] = ()) -> Doc:
    """A ``Doc`` of the sentence's own tokens with entity annotation set.

    Tokens of a ``None``-labelled span are missing; all others are entities
    or outside (``O``).
    """
    doc = Doc(vocab, words=list(sentence.words), spaces=list(sentence.spaces))
    ents, missing = [], []
    for start, end, label in spans:
        if label is None:
            missing.append(Span(doc, start, end))
        else:
            ents.append(Span(doc, start, end, label=label))
    doc.set_ents(ents, missing=missing, default="outside")
    return doc


def iter_sentence_docs(
    vocab: Vocab,
    documents: Iterable[NerDocument],
    to_spans: Callable[[NerSentence], list[LabeledSpan]],
) -> Iterator[Doc]:
    for document in documents:
        for sentence in document.sentences:
            if sentence.words:
                yield sentence_doc(vocab, sentence, to_spans(sentence))


@dataclass(frozen=True, slots=True)
class CorpusStats:
    docs: int
    words: int
    entities: dict[str, int]
    missing_tokens: int


def write_docbin(docs: Iterable[Doc], path) -> CorpusStats:
    """Write docs to a ``.spacy`` file and count what went in."""
    store = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False)
    n_docs = n_words = n_missing = 0
    entities: dict[str, int] = {}
    for doc in docs:
        store.add(doc)
        n_docs += 1
        n_words += len(doc)
        n_missing += sum(1 for t in doc if t.ent_iob == 0)
        for ent in doc.ents:
            entities[ent.label_] = entities.get(ent.label_, 0) + 1
    store.to_disk(path)
    return CorpusStats(n_docs, n_words, dict(sorted(entities.items())), n_missing)


def tagged_spans(tags: Sequence[int], names: Sequence[str], *, ignore: int) -> list[LabeledSpan]:
    """The labelled spans of one sentence's BIO tags (indices into ``names``); a word tagged ``ignore``
    is a missing one-word span. A mention with a missing word inside ("feed-[forward] transformer")
    is missing as a whole: neither of its parts is an entity.

    >>> names = ("O", "B-METHOD", "I-METHOD", "B-TASK")
    >>> tagged_spans([1, 2, 0, -100, 3, 0], names, ignore=-100)
    [(0, 2, 'METHOD'), (3, 4, None), (4, 5, 'TASK')]
    >>> tagged_spans([0, 1, 2, -100, 2, 0], names, ignore=-100)
    [(1, 3, None), (3, 4, None), (4, 5, None)]
    """
    missing = {i for i, t in enumerate(tags) if t == ignore}

    def continues(i: int) -> bool:  # an I- tag right after a missing word: the rest of a mention with a hole
        return i < len(tags) and i not in missing and names[tags[i]].startswith("I-") and i - 1 in missing

    def holed(start: int, end: int) -> bool:
        after = end
        while after in missing:
            after += 1
        return continues(start) or (after > end and continues(after))

    spans = tags_to_spans([0 if t == ignore else t for t in tags], names)
    return sorted([(a, b, None if holed(a, b) else label) for a, b, label in spans]
                  + [(i, i + 1, None) for i in sorted(missing)])


def annotated_sentence_docs(vocab: Vocab, papers: Iterable, names: Sequence[str], *, ignore: int) -> Iterator[Doc]:
    """One ``Doc`` per sentence of the annotated abstracts, read on kgraph's tokens
    (:class:`kgraph.training.silver.TokenPaper`): the annotation is exhaustive, so every
    word outside a mention is ``O``, and words the annotation leaves unclear are missing."""
    for paper in papers:
        for words, tags in zip(paper.sentences, paper.tags):
            if words:
                sentence = NerSentence(tuple(words), (True,) * (len(words) - 1) + (False,))
                yield sentence_doc(vocab, sentence, tagged_spans(tags, names, ignore=ignore))
