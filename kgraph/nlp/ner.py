"""kgraph's trained entity recognizer as a pipeline component, and token-space runs.

``kgraph_ner_v1`` runs a spaCy NER trained by :mod:`kgraph.nlp.training`
(shipped under ``kgraph/resources/ner/<name>/``) on the same doc as the rule
components. It writes the model's entities to ``doc.ents`` (all its labels,
``MATERIAL`` and ``METRIC`` included) and adds the method, task and dataset
ones to ``doc._.kgraph_candidates`` with extractor ``"model"``, where
:func:`kgraph.nlp.candidates.select` weighs them against the rules.

The trained pipeline is loaded with a vocabulary of its own (so it cannot
change the lookups the tagger and parser rely on); only its label strings are
added to the host pipeline's vocabulary.

:func:`predict_documents` runs any kgraph pipeline on pre-tokenised
benchmark documents and reports its spans in their token space.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch
from spacy.vocab import Vocab

from ..errors import PipelineError
from ..model import EntityType
from .candidates import Candidate

MODEL_DIR = Path(__file__).resolve().parents[1] / "resources" / "ner"
MODEL_EXTRACTOR = "model"
# model label -> kgraph type; other labels (MATERIAL, METRIC) stay in doc.ents only
CANDIDATE_TYPES = {"METHOD": EntityType.METHOD, "TASK": EntityType.TASK, "DATASET": EntityType.DATASET}

for _name in ("kgraph_candidates", "kgraph_mentions"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def model_path(model: str | Path) -> Path:
    """A bundled model by name (``"default"``, ``"fast"``) or a directory."""
    path = Path(model)
    if not path.is_dir():
        path = MODEL_DIR / str(model)
    if not (path / "config.cfg").is_file():
        bundled = sorted(p.name for p in MODEL_DIR.iterdir() if (p / "config.cfg").is_file()) if MODEL_DIR.is_dir() else []
        raise PipelineError(
            f"no trained entity recognizer at {model!r}; expected a directory with a config.cfg "
            f"or one of the bundled models {bundled} (rebuild them with `make train`)"
        )
    return path


def load_recognizer(model: str | Path) -> Language:
    """The trained NER pipeline itself (tokenizer + ``ner``), from a local directory."""
    return spacy.load(model_path(model))


@Language.factory(
    "kgraph_ner_v1",
    default_config={"model": "default", "batch_size": 64},
)
def make_model_recognizer(nlp: Language, name: str, model: str, batch_size: int) -> "ModelRecognizer":
    return ModelRecognizer(nlp, load_recognizer(model), batch_size=batch_size)


class ModelRecognizer:
    """Runs a trained NER pipeline's components on the host pipeline's docs."""

    def __init__(self, nlp: Language, recognizer: Language, *, batch_size: int = 64):
        self.components = [proc for _, proc in recognizer.pipeline]
        self.batch_size = batch_size
        self.labels = tuple(recognizer.get_pipe("ner").labels) if "ner" in recognizer.pipe_names else ()
        for label in self.labels:
            nlp.vocab.strings.add(label)

    def __call__(self, doc: Doc) -> Doc:
        for proc in self.components:
            doc = proc(doc)
        return _add_candidates(doc)

    def pipe(self, docs: Iterable[Doc], *, batch_size: int | None = None) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size or self.batch_size):
            for proc in self.components:
                batch = list(proc.pipe(batch)) if hasattr(proc, "pipe") else [proc(d) for d in batch]
            for doc in batch:
                yield _add_candidates(doc)


def _add_candidates(doc: Doc) -> Doc:
    found = list(iter_model_candidates(doc))
    if doc._.kgraph_candidates is None:
        doc._.kgraph_candidates = []
    doc._.kgraph_candidates.extend(found)
    return doc


def iter_model_candidates(doc: Doc) -> Iterator[Candidate]:
    """The doc's method, task and dataset entities as candidates.

    An entity with exactly the span and type of a known name (a gazetteer
    candidate already in the doc) keeps that name's id, so the graph still
    links it to Papers with Code when the model's candidate wins.
    """
    known = {(c.start, c.end, c.type): c.known_id for c in (doc._.kgraph_candidates or ()) if c.known_id}
    for ent in doc.ents:
        kind = CANDIDATE_TYPES.get(ent.label_)
        if kind is not None and not ent[0].is_space and not ent[-1].is_space:
            yield Candidate(ent.start, ent.end, kind, MODEL_EXTRACTOR, known_id=known.get((ent.start, ent.end, kind)))


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
