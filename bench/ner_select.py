"""Score NER variants on the selection sets only (never a test split).

Selection sets: SciERC ``dev.json`` and the last 150 sentences of TDMSci
``train_1500_v2.conll`` (held out of training by ``make train``). SciER
``PLM/dev.jsonl`` is printed too, as an out-of-domain check.

    python bench/ner_select.py ../shared/benchmarks default           # kgraph default pipeline
    python bench/ner_select.py ../shared/benchmarks fast
    python bench/ner_select.py ../shared/benchmarks rules
    python bench/ner_select.py ../shared/benchmarks bare:build/ner/default/model/model-best   # a bare NER
    python bench/ner_select.py ../shared/benchmarks default:build/ner/default/model/model-best
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kgraph.eval.ner_corpora import iter_benchmark
from kgraph.eval.ner_eval import evaluate_ner, load_eval_pipeline
from kgraph.nlp.pipeline import load_pipeline


def main(benchmarks: str, what: str, *, holdout: int = 150) -> dict:
    root = Path(benchmarks)
    kind, _, model = what.partition(":")
    if kind == "bare":
        nlp = load_eval_pipeline(model=model)
    elif model:
        nlp = load_pipeline(fast=kind == "fast", ner=model)
    else:
        nlp = load_eval_pipeline(kind)
    sets = {
        "scierc-dev": ("scierc", root / "scierc" / "dev.json", None),
        "tdmsci-holdout": ("tdmsci", root / "tdmsci" / "train_1500_v2.conll", holdout),
        "scier-dev": ("scier", root / "scier" / "PLM" / "dev.jsonl", None),
    }
    out = {}
    for name, (benchmark, path, tail) in sets.items():
        documents = list(iter_benchmark(benchmark, path))
        if tail:
            documents = documents[-tail:]
        ev = evaluate_ner(benchmark, path, nlp=nlp, documents=documents)
        out[name] = {k: round(100 * v.strict.f1, 1) for k, v in ev.scores.items()}
        out[name]["overlap"] = round(100 * ev.scores["overall"].overlap.f1, 1)
        out[name]["words/s"] = round(ev.words_per_second)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2]), indent=1))
