"""The entity tables of docs/BENCHMARKS.md: every benchmark split x every pipeline.

    python bench/ner_benchmarks.py ../shared/benchmarks > ner_benchmarks.md

Each cell is what ``kgraph eval BENCHMARK PATH [--fast|--rules|--model DIR]``
prints for that split (the same function, :func:`kgraph.eval.ner_eval.evaluate_ner`).
Test splits are read here for reporting only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kgraph.eval.ner_eval import evaluate_ner, load_eval_pipeline
from kgraph.nlp.ner import MODEL_DIR

SPLITS = [
    ("scier", "scier/PLM/test.jsonl", "SciER test"),
    ("scier", "scier/PLM/test_ood.jsonl", "SciER test_ood"),
    ("scierc", "scierc/test.json", "SciERC test"),
    ("tdmsci", "tdmsci/test_500_v2.conll", "TDMSci test"),
]
PIPELINES = [
    ("default", None, ""),
    ("fast", None, " --fast"),
    ("rules", None, " --rules"),
    ("ner-default", MODEL_DIR / "default", " --model kgraph/resources/ner/default"),
    ("ner-fast", MODEL_DIR / "fast", " --model kgraph/resources/ner/fast"),
]


def main(benchmarks: str) -> None:
    root = Path(benchmarks)
    rows = []
    for name, model, flag in PIPELINES:
        nlp = load_eval_pipeline(name if model is None else "default", model=model)
        for benchmark, rel, label in SPLITS:
            ev = evaluate_ner(benchmark, root / rel, nlp=nlp, pipeline=name)
            rows.append((label, name, f"kgraph eval {benchmark} ../shared/benchmarks/{rel}{flag}", ev))
            print(json.dumps({"split": label, "pipeline": name, **ev.as_dict()}), file=sys.stderr, flush=True)
    print("| split | pipeline | types | strict P | strict R | strict F1 | overlap F1 | per type strict F1 |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for label, name, command, ev in rows:
        overall = ev.scores["overall"]
        per_type = ", ".join(f"{k} {100 * v.strict.f1:.1f}" for k, v in ev.scores.items() if k != "overall")
        types = "+".join(ev.as_dict()["headline_types"])
        print(f"| {label} | {name} | {types} | {100 * overall.strict.precision:.1f} | {100 * overall.strict.recall:.1f} "
              f"| **{100 * overall.strict.f1:.1f}** | {100 * overall.overlap.f1:.1f} | {per_type} |")
    print()
    print("Commands, one per row above:")
    print("```")
    for _, _, command, _ in rows:
        print(command)
    print("```")


if __name__ == "__main__":
    main(sys.argv[1])
