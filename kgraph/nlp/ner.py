"""kgraph's trained entity recognizer as a pipeline component, and token-space runs.

``kgraph_ner_v1`` runs a trained recognizer (shipped under
``kgraph/resources/ner/<name>/``: the default's encoder tagger,
:mod:`kgraph.training.encoder`, or the fast pipeline's spaCy CNN,
:mod:`kgraph.training.fast`) on the same doc as the rule components. It
writes the model's entities to ``doc.ents`` (all its labels, ``MATERIAL`` and
``METRIC`` included where a model has them) and adds the method, task and
dataset ones to ``doc._.kgraph_candidates`` with extractor ``"model"``, where
:func:`kgraph.nlp.candidates.select` weighs them against whatever else
competes (:func:`recognizer_merge`).

The trained pipeline is loaded with a vocabulary of its own (so it cannot
change the lookups the tagger and parser rely on); only its label strings are
added to the host pipeline's vocabulary.

:func:`predict_documents` runs any kgraph pipeline on pre-tokenised
benchmark documents and reports its spans in their token space.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, minibatch
from spacy.vocab import Vocab
from thinc.api import use_ops

from ..errors import PipelineError
from ..model import EntityType
from . import lexicon
from .candidates import Candidate
from .encoder_ner import EncoderTagger

MODEL_DIR = Path(__file__).resolve().parents[1] / "resources" / "ner"
MODEL_EXTRACTOR = "model"
# model label -> kgraph type; other labels (MATERIAL, METRIC) stay in doc.ents only
CANDIDATE_TYPES = {"METHOD": EntityType.METHOD, "TASK": EntityType.TASK, "DATASET": EntityType.DATASET}

for _name in ("kgraph_candidates", "kgraph_mentions", "kgraph_vectors"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def _is_model_dir(path: Path) -> bool:
    return (path / "config.cfg").is_file() or (path / "model.onnx").is_file()


def model_path(model: str | Path) -> Path:
    """A bundled model by name (``"default"``, ``"fast"``) or a directory."""
    path = Path(model)
    if not path.is_dir():
        path = MODEL_DIR / str(model)
    if not _is_model_dir(path):
        bundled = sorted(p.name for p in MODEL_DIR.iterdir() if _is_model_dir(p)) if MODEL_DIR.is_dir() else []
        raise PipelineError(
            f"no trained entity recognizer at {model!r}; expected a directory with a config.cfg (spaCy NER) "
            f"or a model.onnx (encoder tagger), or one of the bundled models {bundled} (rebuild them with `make train`)"
        )
    return path


def load_recognizer(model: str | Path) -> Language | EncoderTagger:
    """The trained recognizer: a spaCy NER pipeline (tokenizer + ``ner``) or an ONNX encoder tagger."""
    path = model_path(model)
    if (path / "model.onnx").is_file():
        try:
            return EncoderTagger(path)
        except (ImportError, ValueError) as exc:
            raise PipelineError(f"cannot load the entity tagger at {path}: {exc}") from None
    # numpy's BLAS for the CNN's matrix products instead of thinc's blis kernels: three times
    # faster on one thread here (docs/BENCHMARKS.md, "Speed"); ModelRecognizer keeps it to one thread
    with use_ops("numpy", use_blis=False):
        return spacy.load(path)


def recognizer_merge(model: str | Path) -> tuple[str, bool] | None:
    """What competes with the recognizer's spans for mentions, as its ``meta.json`` asks.

    A recognizer trained on the annotated abstracts carries ``kgraph_merge``
    (``{"extractors": "model,acronym", "known_types": true}``), chosen for it on
    the development split: the extractor families of ``kgraph_mentions_v1``
    whose candidates compete, and whether a span that is exactly a known name
    takes the gazetteer's type (:func:`iter_model_candidates`). ``None`` when
    it says nothing: every rule extractor competes.
    """
    try:
        merge = json.loads((model_path(model) / "meta.json").read_text(encoding="utf-8")).get("kgraph_merge")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(merge, dict) or not isinstance(merge.get("extractors"), str):
        return None
    return merge["extractors"], bool(merge.get("known_types", True))


def bare_pipeline(model: str | Path) -> Language:
    """The trained recognizer alone as a spaCy pipeline (no kgraph rules); entities in ``doc.ents``."""
    path = model_path(model)
    if (path / "model.onnx").is_file():
        nlp = spacy.blank("en")
        nlp.add_pipe("kgraph_ner_v1", config={"model": str(path)})
        return nlp
    return spacy.load(path)


def recognizer_labels(nlp: Language) -> tuple[str, ...]:
    """The entity labels of a bare recognizer pipeline."""
    name = "kgraph_ner_v1" if "kgraph_ner_v1" in nlp.pipe_names else "ner"
    return tuple(nlp.get_pipe(name).labels)


@Language.factory(
    "kgraph_ner_v1",
    default_config={"model": "default", "batch_size": 64, "known_types": True},
)
def make_model_recognizer(nlp: Language, name: str, model: str, batch_size: int,
                          known_types: bool) -> "ModelRecognizer | TaggerRecognizer":
    """``known_types``: a span that is exactly a known (gazetteer) name takes its type (:func:`iter_model_candidates`)."""
    recognizer = load_recognizer(model)
    if isinstance(recognizer, EncoderTagger):
        component = TaggerRecognizer(nlp, recognizer, batch_size=batch_size)
    else:
        component = ModelRecognizer(nlp, recognizer, batch_size=batch_size)
    component.known_types = known_types
    return component


class ModelRecognizer:
    """Runs a trained NER pipeline's components on the host pipeline's docs."""

    known_types = True

    def __init__(self, nlp: Language, recognizer: Language, *, batch_size: int = 64):
        from threadpoolctl import ThreadpoolController

        self.components = [proc for _, proc in recognizer.pipeline]
        self.batch_size = batch_size
        # one BLAS thread: a build runs one extraction process per core
        self._threads = ThreadpoolController()
        self.labels = tuple(recognizer.get_pipe("ner").labels) if "ner" in recognizer.pipe_names else ()
        for label in self.labels:
            nlp.vocab.strings.add(label)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int | None = None) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size or self.batch_size):
            with self._threads.limit(limits=1, user_api="blas"):
                for proc in self.components:
                    batch = list(proc.pipe(batch)) if hasattr(proc, "pipe") else [proc(d) for d in batch]
            for doc in batch:
                yield _add_candidates(doc, self.known_types)


class TaggerRecognizer:
    """Runs an ONNX encoder tagger on the host pipeline's sentences.

    Each sentence (as kgraph's sentence component split the doc) is tagged on
    its own, whitespace tokens left out; the spans become ``doc.ents``. When the
    model gives word vectors, ``doc._.kgraph_vectors`` holds them (one row per
    token, zero for whitespace) for the relation model (``kgraph_pairs_v1``).
    """

    known_types = True

    def __init__(self, nlp: Language, tagger: EncoderTagger, *, batch_size: int = 64):
        self.tagger = tagger
        self.batch_size = batch_size
        self.labels = tagger.labels
        for label in self.labels:
            nlp.vocab.strings.add(label)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int | None = None) -> Iterator[Doc]:
        # One doc at a time: the int8 model quantizes activations per batch, so tagging
        # sentences of other docs alongside would make a paper's entities depend on
        # its neighbours (and the extraction cache assumes they depend on its text only).
        for doc in docs:
            sentences = list(_sentence_tokens(doc))
            found, vectors = self.tagger.tag_with_vectors([[doc[i].text for i in tokens] for tokens in sentences])
            dims = next((v.shape[1] for v in vectors if v is not None), 0)
            if dims:
                dense = np.zeros((len(doc), dims), dtype=np.float32)
                for tokens, vecs in zip(sentences, vectors):
                    if vecs is not None:
                        dense[tokens] = vecs
                doc._.kgraph_vectors = dense
            spans: list[Span] = []
            for tokens, entities in zip(sentences, found):
                for start, end, label in entities:
                    first, last = tokens[start], tokens[end - 1]
                    if last - first == end - start - 1:  # no whitespace token inside
                        spans.append(Span(doc, first, last + 1, label=label))
            doc.ents = filter_spans(spans)
            yield _add_candidates(doc, self.known_types)


def _sentence_tokens(doc: Doc) -> Iterator[list[int]]:
    """Token indices of each sentence, whitespace left out; without sentence
    boundaries, the runs of tokens between whitespace tokens that hold a line break."""
    if doc.has_annotation("SENT_START"):
        groups: Iterable = doc.sents
    else:
        groups, current = [], []
        for token in doc:
            if token.is_space and "\n" in token.text:
                groups.append(current)
                current = []
            else:
                current.append(token)
        groups.append(current)
    for group in groups:
        tokens = [t.i for t in group if not t.is_space]
        if tokens:
            yield tokens


def _add_candidates(doc: Doc, known_types: bool = True) -> Doc:
    found = list(iter_model_candidates(doc, known_types=known_types))
    if doc._.kgraph_candidates is None:
        doc._.kgraph_candidates = []
    doc._.kgraph_candidates.extend(found)
    return doc


def iter_model_candidates(doc: Doc, *, known_types: bool = True) -> Iterator[Candidate]:
    """The doc's method, task and dataset entities as candidates, each cleaned by :func:`clean_span`.

    An entity with exactly the span of a known name (a gazetteer candidate
    already in the doc) takes that name's id and, with ``known_types``, its
    type: the model finds where a name is, the dictionary knows what a known
    name is ("a ResNet on CIFAR-10").
    """
    known = {(c.start, c.end): (c.type, c.known_id) for c in (doc._.kgraph_candidates or ()) if c.known_id}
    for ent in doc.ents:
        kind = CANDIDATE_TYPES.get(ent.label_)
        if kind is None:
            continue
        span = clean_span([t.text for t in doc[ent.start : ent.end]])
        if span is not None:
            start, end = ent.start + span[0], ent.start + span[1]
            if in_hyphenated_word(doc, start, end) or is_modifier(doc, start, end):
                continue
            known_kind, known_id = known.get((start, end), (kind, None))
            kind = known_kind if known_types else kind
            yield Candidate(start, end, kind, MODEL_EXTRACTOR, known_id=known_id)


_HYPHENS = frozenset({"-", "\u2010", "\u2011"})


def in_hyphenated_word(doc: Doc, start: int, end: int) -> bool:
    """True when the span ``doc[start:end]`` starts or ends inside a hyphenated word: a fragment
    ("fine" of "fine-grained", "energy" of "energy-based"), never a name of its own.

    >>> from spacy.lang.en import English
    >>> doc = English()("fine-grained energy-based models")
    >>> [t.text for t in doc], in_hyphenated_word(doc, 0, 1), in_hyphenated_word(doc, 0, 3)
    (['fine', '-', 'grained', 'energy', '-', 'based', 'models'], True, False)
    >>> in_hyphenated_word(doc, 5, 7), in_hyphenated_word(doc, 3, 7)
    (True, False)
    """
    if end < len(doc) and doc[end].text in _HYPHENS and not doc[end - 1].whitespace_ and not doc[end].whitespace_:
        return True
    return start > 0 and doc[start - 1].text in _HYPHENS and not doc[start - 1].whitespace_ and (
        start < 2 or not doc[start - 2].whitespace_)


# The second half of a hyphenated modifier: "attention-based", "LLM-distilled", "reference-guided".
# Of the 44,051 names annotated in the silver training split, 14 end so (5 of them "3D-oriented").
_MODIFIER_SUFFIXES = frozenset(
    "based driven guided free aware oriented conditioned augmented specific agnostic level style like enhanced "
    "centric powered assisted informed distilled finetuned tuned".split())


def is_modifier(doc: Doc, start: int, end: int) -> bool:
    """True when the span ``doc[start:end]`` ends in a hyphenated modifier ("diffusion-based",
    "SFT-finetuned"): an adjective that a name would go on to modify, never a name itself.

    >>> from spacy.lang.en import English
    >>> doc = English()("LLM-based agents use T-FREE")
    >>> is_modifier(doc, 0, 3), is_modifier(doc, 0, 4), is_modifier(doc, 5, 8)
    (True, False, False)
    """
    return (end - start >= 3 and doc[end - 1].text in _MODIFIER_SUFFIXES and doc[end - 2].text in _HYPHENS
            and not doc[end - 3].whitespace_ and not doc[end - 2].whitespace_)


_EDGE_WORDS = frozenset("of for on in to with by from and or the a an as at via that which".split())
_OPENERS, _CLOSERS = "([{", ")]}"
# One lower-case word with an adjective's ending ("multimodal", "autoregressive", "geometric", "autonomous")
# modifies a name and is none itself: no annotated mention of the 3,200 papers is one, while "-val" nouns are
# ("retrieval").
_ADJECTIVE = re.compile(r"^[a-z]+(?:(?<!v)al|ive|ic|ous)$")
_QUANTITY = re.compile(r"^[~≈<>]?\d+(?:[.,]\d+)*\s*[%kKmMbBxX×]?$")


def clean_span(words: Sequence[str]) -> tuple[int, int] | None:
    """The part of an entity's words that can be a name: ``(start, end)`` within ``words``, or None.

    Trims function words and stray punctuation at either edge (a span that runs
    on: "3D reconstruction of"), cuts at a bracket or quote that does not
    close inside the span ("3D-GS ) optimization"), and drops what is left when
    it is only a quantity ("70B"), one generic word ("architecture") or one
    lower-case adjective ("multimodal").

    >>> clean_span(["support", "vector", "machine", "on"])
    (0, 3)
    >>> clean_span(["3D-GS", ")", "optimization"])       # the side with more words, else the left
    (0, 1)
    >>> clean_span(["Fast", "3D", "Reconstruction", "(", "Fast3R", ")"])
    (0, 6)
    >>> clean_span(["70B"]), clean_span(["architecture"]), clean_span(["multimodal"]), clean_span(["retrieval"])
    (None, None, None, (0, 1))
    """
    start, end = 0, len(words)
    # an unmatched bracket or quote: keep the side of it with more words
    depth, cut = 0, None
    for i, w in enumerate(words):
        if w in _OPENERS:
            depth += 1
        elif w in _CLOSERS:
            if depth == 0:
                cut = i
            else:
                depth -= 1
        elif w in {'"', "“", "”"}:
            cut = i
    if cut is None and depth:
        cut = max(i for i, w in enumerate(words) if w in _OPENERS)
    if cut is not None:
        start, end = (start, cut) if cut >= len(words) - cut - 1 else (cut + 1, end)
    while start < end and (words[start].lower() in _EDGE_WORDS or not any(c.isalnum() for c in words[start])):
        start += 1
    while start < end and (words[end - 1].lower() in _EDGE_WORDS
                           or not any(c.isalnum() for c in words[end - 1]) and words[end - 1] not in _CLOSERS):
        end -= 1
    if start >= end:
        return None
    if end - start == 1:
        word = words[start]
        if _QUANTITY.match(word) or not any(c.isalpha() for c in word):
            return None
        if word.islower() and (word in lexicon.GENERIC_HEADS or _ADJECTIVE.search(word)):
            return None
    return start, end


# ------------------------------------------------------------ token-space runs
@dataclass(frozen=True, slots=True)
class PredictedSpan:
    """A predicted entity in a benchmark's token space (sentence-local, half-open)."""

    sentence: int
    start: int
    end: int
    type: str  # "method", "task", "dataset", or a model-only label: "material", "metric"
    source: str  # the extractor ("model", "gazetteer", ...) or "ents" for doc.ents


def doc_from_sentences(vocab: Vocab, sentences: Sequence[tuple[Sequence[str], Sequence[bool]]], *,
                       separator: str = "\n\n") -> tuple[Doc, list[int]]:
    """One doc of pre-tokenised sentences, and where each sentence starts in it.

    Sentences are joined by a whitespace token holding ``separator``: kgraph's
    sentence component starts a sentence after it and takes the first one as
    the title, so each benchmark sentence stays a sentence of its own.
    """
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[int] = []
    for k, (sent_words, sent_spaces) in enumerate(sentences):
        if k:
            if spaces:
                spaces[-1] = False
            words.append(separator)
            spaces.append(False)
        starts.append(len(words))
        words.extend(sent_words)
        spaces.extend(sent_spaces)
    return Doc(vocab, words=words, spaces=spaces), starts


def _locate(starts: list[int], lengths: list[int], start: int, end: int) -> tuple[int, int, int] | None:
    for k, (s, n) in enumerate(zip(starts, lengths)):
        if s <= start and end <= s + n:
            return k, start - s, end - s
    return None


def predicted_spans(doc: Doc, starts: list[int], lengths: list[int], *, extra_labels: Iterable[str] = ()) -> list[PredictedSpan]:
    """A processed doc's spans, sentence-local.

    With kgraph's components, the selected mentions plus the ``doc.ents``
    whose label is in ``extra_labels`` (what the model finds but kgraph does
    not keep: materials, metrics); without them (a bare trained NER), every
    entity.
    """
    out: list[PredictedSpan] = []
    if doc._.kgraph_mentions is not None:
        for m in doc._.kgraph_mentions:
            where = _locate(starts, lengths, m.start, m.end)
            if where is not None:
                out.append(PredictedSpan(*where, m.type.value, m.extractor))
        ents = [e for e in doc.ents if e.label_ in {label.upper() for label in extra_labels}]
    else:
        ents = list(doc.ents)
    for ent in ents:
        where = _locate(starts, lengths, ent.start, ent.end)
        if where is not None:
            out.append(PredictedSpan(*where, ent.label_.lower(), "ents"))
    return out


def predict_documents(
    nlp: Language,
    documents: Iterable[Sequence[tuple[Sequence[str], Sequence[bool]]]],
    *,
    extra_labels: Iterable[str] = ("MATERIAL", "METRIC"),
    batch_size: int = 16,
    max_sentences: int = 40,
) -> list[list[PredictedSpan]]:
    """Run ``nlp`` on pre-tokenised documents; one list of spans per document.

    A document is a sequence of ``(words, spaces)`` sentences. Long documents
    (SciER's are whole papers) are run in chunks of ``max_sentences``
    sentences, each chunk a doc whose first sentence plays the title.
    """
    extra_labels = tuple(extra_labels)
    results: list[list[PredictedSpan]] = []

    def chunks():
        for sentences in documents:
            sentences = list(sentences)
            k = len(results)
            results.append([])
            for first in range(0, len(sentences), max_sentences):
                part = sentences[first : first + max_sentences]
                doc, starts = doc_from_sentences(nlp.vocab, part)
                yield doc, (k, first, starts, [len(w) for w, _ in part])

    for doc, (k, first, starts, lengths) in nlp.pipe(chunks(), as_tuples=True, batch_size=batch_size):
        results[k].extend(
            PredictedSpan(s.sentence + first, s.start, s.end, s.type, s.source)
            for s in predicted_spans(doc, starts, lengths, extra_labels=extra_labels)
        )
    return results
