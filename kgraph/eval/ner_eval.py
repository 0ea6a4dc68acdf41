"""Entity recognition scores of a kgraph pipeline on SciERC, SciER or TDMSci.

The pipeline reads each benchmark document from the benchmark's own tokens
(a ``Doc`` built from the given words, so token *i* stays token *i*) and its
selected mentions are scored against the gold entities, strictly and by
overlap (:mod:`kgraph.eval.ner_score`).

>>> from kgraph.eval.ner_corpora import NerDocument, NerSentence   # doctest: +SKIP
>>> evaluation = evaluate_ner("tdmsci", "test_500_v2.conll")        # doctest: +SKIP
>>> print(format_evaluation(evaluation))                            # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .ner_corpora import BENCHMARKS, HEADLINE_TYPES, LABEL_MAPS, NerDocument, iter_benchmark
from .ner_score import Entity, TypeScore, score_entities

PIPELINES = ("default", "fast", "rules")
# types reported beside the headline: SciERC's Material and Metric, TDMSci's Metric
EXTRA_TYPES: dict[str, tuple[str, ...]] = {"scierc": ("material", "metric"), "scier": (), "tdmsci": ("metric",)}
# how predicted types are read for a benchmark: SciERC has no "dataset", only
# the broader Material, so a predicted dataset is scored as a material there
PREDICTED_TYPE_MAPS: dict[str, dict[str, str]] = {"scierc": {"dataset": "material"}}


@dataclass(frozen=True)
class NerEvaluation:
    benchmark: str
    path: str
    pipeline: str
    documents: int
    sentences: int
    words: int
    seconds: float
    scores: dict[str, TypeScore]
    predicted_by_source: dict[str, int] = field(default_factory=dict)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "benchmark": self.benchmark,
            "path": self.path,
            "pipeline": self.pipeline,
            "documents": self.documents,
            "sentences": self.sentences,
            "words": self.words,
            "seconds": round(self.seconds, 2),
            "headline_types": list(HEADLINE_TYPES[self.benchmark]),
            "scores": {k: v.as_dict() for k, v in self.scores.items()},
            "predicted_by_source": self.predicted_by_source,
        }


def gold_entities(benchmark: str, documents: Sequence[NerDocument]) -> list[Entity]:
    """Gold entities of the scored types (other labels dropped)."""
    label_map = LABEL_MAPS[benchmark]
    return [
        (doc.key, k, e.start, e.end, label_map[e.label])
        for doc in documents
        for k, sent in enumerate(doc.sentences)
        for e in sent.entities
        if e.label in label_map
    ]


def load_eval_pipeline(pipeline: str = "default", *, model: str | Path | None = None):
    """The pipeline to score: kgraph's ``default``/``fast``/``rules``, or a bare trained NER.

    ``model`` (a bundled model name or a model directory) scores that recognizer alone,
    without kgraph's rules.
    """
    if model is not None:
        from ..nlp.ner import bare_pipeline

        return bare_pipeline(model)
    from ..nlp.pipeline import load_pipeline

    if pipeline not in PIPELINES:
        raise ConfigError(f"unknown pipeline {pipeline!r}; expected one of {PIPELINES}")
    if pipeline == "rules":
        return load_pipeline(ner=None)
    return load_pipeline(fast=pipeline == "fast")


def evaluate_ner(benchmark: str, path: str | Path, *, pipeline: str = "default", nlp=None,
                 model: str | Path | None = None, limit: int | None = None,
                 documents: Sequence[NerDocument] | None = None) -> NerEvaluation:
    """Score a pipeline on one benchmark file.

    ``nlp`` overrides ``pipeline``/``model`` with an already loaded pipeline;
    ``documents`` (already read) override reading ``path``.
    """
    from ..nlp.ner import predict_documents

    if benchmark not in BENCHMARKS:
        raise ConfigError(f"unknown benchmark {benchmark!r}; expected one of {BENCHMARKS}")
    if documents is None:
        documents = list(iter_benchmark(benchmark, path))
    documents = list(documents)[:limit]
    if nlp is None:
        nlp = load_eval_pipeline(pipeline, model=model)
    name = str(model) if model is not None else pipeline
    start = time.perf_counter()
    predictions = predict_documents(nlp, ([(s.words, s.spaces) for s in d.sentences] for d in documents))
    seconds = time.perf_counter() - start
    type_map = PREDICTED_TYPE_MAPS.get(benchmark, {})
    predicted = [
        (doc.key, p.sentence, p.start, p.end, type_map.get(p.type, p.type))
        for doc, spans in zip(documents, predictions)
        for p in spans
    ]
    sources = Counter(p.source.split(":")[0] for spans in predictions for p in spans)
    scores = score_entities(
        gold_entities(benchmark, documents), predicted,
        types=HEADLINE_TYPES[benchmark], extra_types=EXTRA_TYPES[benchmark],
    )
    return NerEvaluation(
        benchmark=benchmark,
        path=str(path),
        pipeline=name,
        documents=len(documents),
        sentences=sum(len(d.sentences) for d in documents),
        words=sum(len(s.words) for d in documents for s in d.sentences),
        seconds=seconds,
        scores=scores,
        predicted_by_source=dict(sorted(sources.items())),
    )


def format_evaluation(evaluation: NerEvaluation) -> str:
    """A plain-text table: strict and overlap P/R/F1 per type and overall."""
    lines = [
        f"{evaluation.benchmark} {evaluation.path}  pipeline={evaluation.pipeline}  "
        f"{evaluation.documents} documents, {evaluation.sentences} sentences, {evaluation.words} words, "
        f"{evaluation.seconds:.1f} s ({evaluation.words_per_second:,.0f} words/s)",
        f"{'type':<10} {'gold':>5} {'pred':>5} {'ok':>5}   {'P':>5} {'R':>5} {'F1':>5}   "
        f"{'oP':>5} {'oR':>5} {'oF1':>5}",
    ]
    for kind, score in evaluation.scores.items():
        s, o = score.strict, score.overlap
        lines.append(
            f"{kind:<10} {s.gold:>5} {s.predicted:>5} {s.tp:>5}   "
            f"{100 * s.precision:5.1f} {100 * s.recall:5.1f} {100 * s.f1:5.1f}   "
            f"{100 * o.precision:5.1f} {100 * o.recall:5.1f} {100 * o.f1:5.1f}"
        )
    if evaluation.predicted_by_source:
        lines.append("predicted by: " + ", ".join(f"{k} {v}" for k, v in evaluation.predicted_by_source.items()))
    lines.append(f"overall: {'+'.join(HEADLINE_TYPES[evaluation.benchmark])}; P/R/F1: strict span+type; "
                 "oP/oR/oF1: overlap with a gold entity of the same type")
    return "\n".join(lines)
