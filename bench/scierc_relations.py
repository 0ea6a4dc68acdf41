"""SciERC relation scores of kgraph, as the Markdown table in docs/BENCHMARKS.md.

    .venv/bin/python bench/scierc_relations.py /path/to/scierc/test.json

Rows: given the gold entities (the learned pair model ``kgraph_pairs_v1`` on
the default tagger's word vectors; the sentence rules on en_core_web_sm's
parse) and end to end (kgraph's own mentions: the default pipeline; the same
with the sentence rules added, ``relations="learned+rules"``; the sentence rules
instead of the pair model, ``relations="rules"``; the rules without the trained
recognizer). Strict boundaries; see kgraph/eval/relations.py for the mapping.
"""

from __future__ import annotations

import sys
import time

from kgraph.eval.relations import evaluate_scierc, load_pair_model, load_parser
from kgraph.nlp.pipeline import load_pipeline

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
    rows = []
    tagger, pair_model = load_pair_model()
    report = evaluate_scierc(path, relations=True, gold_entities=True, extractor="model", tagger=tagger,
                             pair_model=pair_model)
    rows.append(row("gold entities, learned pair model", report) + f" <!-- {report['cross_sentence']} "
                "cross-sentence relations not scored -->")
    report = evaluate_scierc(path, relations=True, gold_entities=True, extractor="rules", nlp=load_parser())
    rows.append(row("gold entities, sentence rules", report))
    setups = [("end to end, default pipeline", {}),
              ("end to end, pair model + sentence rules", {"relations": "learned+rules"}),
              ("end to end, sentence rules (with the trained recognizer)", {"relations": "rules"}),
              ("end to end, rules without the trained recognizer", {"ner": None})]
    for name, kwargs in setups:
        try:
            nlp = load_pipeline(**kwargs)
        except Exception as exc:  # the trained recognizer may be missing
            rows.append(f"| {name} | not run: {exc} |")
            continue
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
