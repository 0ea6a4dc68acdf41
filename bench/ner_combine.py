"""How the trained recognizer and the rules combine, on the selection sets.

Runs a pipeline once up to ``kgraph_mentions_v1`` over SciERC ``dev.json``,
the TDMSci hold-out (last 150 sentences of ``train_1500_v2.conll``) and SciER
``PLM/dev.jsonl``, then re-selects mentions under different settings of the
``"model"`` priority and of which rule extractors take part, and prints the
strict F1 of each. No test split is read.

    python bench/ner_combine.py ../shared/benchmarks [default|fast] [NER_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from kgraph.eval.ner_corpora import HEADLINE_TYPES, iter_benchmark
from kgraph.eval.ner_eval import EXTRA_TYPES, PREDICTED_TYPE_MAPS, gold_entities
from kgraph.eval.ner_score import score_entities
from kgraph.nlp import candidates as cands
from kgraph.nlp.components import select_mentions
from kgraph.nlp.ner import doc_from_sentences, predicted_spans
from kgraph.nlp.pipeline import load_pipeline

SELECTION_SETS = {
    "scierc-dev": ("scierc", "scierc/dev.json", None),
    "tdmsci-holdout": ("tdmsci", "tdmsci/train_1500_v2.conll", 150),
    "scier-dev": ("scier", "scier/PLM/dev.jsonl", None),
}


def prepared_docs(nlp, benchmarks: Path, *, max_sentences: int = 40):
    """Per selection set: its documents and their docs processed up to the mention selection."""
    upto = nlp.pipe_names.index("kgraph_mentions_v1")
    out = {}
    for name, (benchmark, rel, tail) in SELECTION_SETS.items():
        documents = list(iter_benchmark(benchmark, benchmarks / rel))
        if tail:
            documents = documents[-tail:]
        chunks = []
        for k, document in enumerate(documents):
            sents = [(s.words, s.spaces) for s in document.sentences]
            for first in range(0, len(sents), max_sentences):
                part = sents[first : first + max_sentences]
                doc, starts = doc_from_sentences(nlp.vocab, part)
                chunks.append((doc, k, first, starts, [len(w) for w, _ in part]))
        docs = [c[0] for c in chunks]
        for _, proc in nlp.pipeline[:upto]:
            docs = list(proc.pipe(docs)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        out[name] = (benchmark, documents, [(d, *c[1:]) for d, c in zip(docs, chunks)])
    return out


def score(prepared, *, keep=lambda c: True) -> dict[str, float]:
    result = {}
    for name, (benchmark, documents, chunks) in prepared.items():
        predicted = []
        type_map = PREDICTED_TYPE_MAPS.get(benchmark, {})
        for doc, k, first, starts, lengths in chunks:
            saved = doc._.kgraph_candidates
            doc._.kgraph_candidates = [c for c in saved if keep(c)]
            select_mentions(doc)
            doc._.kgraph_candidates = saved
            for s in predicted_spans(doc, starts, lengths, extra_labels=()):
                predicted.append((documents[k].key, s.sentence + first, s.start, s.end, type_map.get(s.type, s.type)))
        scores = score_entities(gold_entities(benchmark, documents), predicted,
                                types=HEADLINE_TYPES[benchmark], extra_types=EXTRA_TYPES[benchmark])
        result[name] = round(100 * scores["overall"].strict.f1, 1)
    result["mean"] = round(sum(result.values()) / len(result), 1)
    return result


def main(benchmarks: str, kind: str = "default", model: str = "") -> None:
    nlp = load_pipeline(fast=kind == "fast", ner=model)
    prepared = prepared_docs(nlp, Path(benchmarks))
    original = dict(cands.PRIORITY)
    print("model alone      ", score(prepared, keep=lambda c: c.extractor == "model"))
    print("rules alone      ", score(prepared, keep=lambda c: c.extractor != "model"))
    for priority in (5, 15, 25, 37, 45, 52, 58, 65):
        cands.PRIORITY["model"] = priority
        print(f"model priority {priority:>2}", score(prepared))
    for dropped in ("head-noun", "name-shape", "gazetteer", "acronym", "dataset-cue", "title", "proposal"):
        for priority in (25, 45, 65):
            cands.PRIORITY["model"] = priority
            print(f"p{priority} without {dropped:<11}",
                  score(prepared, keep=lambda c, d=dropped: c.extractor.split(":")[0] != d))
    cands.PRIORITY.clear()
    cands.PRIORITY.update(original)


if __name__ == "__main__":
    main(*sys.argv[1:])
