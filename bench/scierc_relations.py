"""SciERC relation scores of kgraph, as the Markdown table in docs/BENCHMARKS.md.

    .venv/bin/python bench/scierc_relations.py /path/to/scierc/test.json

Rows: given the gold entities (the learned classifier, the rules, both) and
end to end (kgraph's own mentions: the default pipeline; the same with the
classifier's confidence threshold off; the rules without the trained
recognizer). Strict boundaries; see kgraph/eval/relations.py for the mapping.
"""

from __future__ import annotations

import sys
import time

from kgraph.eval.relations import evaluate_scierc
from kgraph.nlp.pipeline import load_pipeline
from kgraph.nlp.relcat import load_parser

LABELS = ["USED-FOR -> used_for", "EVALUATE-FOR -> evaluated_on", "COMPARE -> compared_with",
          "HYPONYM-OF -> extends", "PART-OF -> part_of", "micro"]


def row(name: str, report: dict) -> str:
    cells = []
    for label in LABELS:
        s = report["scores"][label]
        cells.append(f"{100 * s['f1']:.1f}")
    micro = report["scores"]["micro"]
    return (f"| {name} | " + " | ".join(cells[:-1]) + f" | {100 * micro['precision']:.1f} | {100 * micro['recall']:.1f} | "
            f"**{100 * micro['f1']:.1f}** | {100 * report['typable']['recall']:.1f} | {report.get('reachable', '–')} |")


def main(path: str) -> None:
    parser = load_parser()
    rows = []
    for extractor in ("model", "rules", "pipeline"):
        report = evaluate_scierc(path, relations=True, gold_entities=True, extractor=extractor, nlp=parser)
        rows.append(row(f"gold entities, {extractor}", report))
    setups = [("end to end, default pipeline", {}, None),
              ("end to end, classifier threshold off", {}, 0.0),
              ("end to end, rules without the trained recognizer", {"ner": None}, None)]
    for name, kwargs, min_score in setups:
        try:
            nlp = load_pipeline(**kwargs)
        except Exception as exc:  # the trained recognizer may be missing
            rows.append(f"| {name} | not run: {exc} |")
            continue
        if min_score is not None:
            nlp.get_pipe("kgraph_relcat_v1").min_score = min_score
        start = time.perf_counter()
        report = evaluate_scierc(path, relations=True, nlp=nlp)
        rows.append(row(name, report) + f" <!-- {time.perf_counter() - start:.0f} s -->")
    gold = report["scores"]["micro"]["gold"]
    print(f"{report['documents']} documents, {gold} gold relations counted "
          f"({report['typable']['gold']} between Method/Task/Material); {report['notes'][0]}\n")
    print("| setting | used_for | evaluated_on | compared_with | extends | part_of | micro P | micro R | micro F1 "
          "| R on M/T/M pairs | gold with both args found |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1])
