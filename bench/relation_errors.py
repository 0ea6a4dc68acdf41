"""Where the relation score is lost on the silver development split, by cause.

    python bench/relation_errors.py ../shared/silver [--fast] [--predictions EXTRACTIONS.jsonl] [--json]

Extracts the development split with the default (or fast) pipeline, as
``kgraph eval silver`` does, or reads records it saved (``--save``); then
counts each annotated relation missed and each predicted relation the
annotation does not hold by its cause (:func:`kgraph.eval.silver.relation_errors`):
an end not found (or found with another type) against a wrong relation
between ends that were found. Reads only the development split.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kgraph.eval.silver import as_guideline, evaluate_silver, iter_silver, relation_errors  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("silver", type=Path, help="silver.jsonl or the folder holding it")
    parser.add_argument("--fast", action="store_true", help="the fast pipeline")
    parser.add_argument("--predictions", type=Path, help="score this extractions.jsonl instead of extracting")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    nlp = None
    if args.fast and args.predictions is None:
        from kgraph.nlp.pipeline import load_pipeline

        nlp = load_pipeline(fast=True)
    records: list[dict] = []
    scores = evaluate_silver(args.silver, nlp=nlp, predictions=args.predictions, records_out=records)
    errors = relation_errors(records, [as_guideline(p) for p in iter_silver(args.silver, split="dev")])
    rel = scores["relations.strict"]
    if args.json:
        print(json.dumps({"relations": rel, **errors}, indent=1))
        return 0
    print(f"relations: P {100 * rel['p']:.1f} R {100 * rel['r']:.1f} F1 {100 * rel['f1']:.1f} "
          f"({rel['tp']} found of {rel['gold']} annotated; {rel['pred']} predicted)")
    for kind, total in (("missed", rel["gold"] - rel["tp"]), ("spurious", None)):
        counts = errors[kind]
        total = total if total is not None else sum(counts.values())
        print(f"{kind} ({total}):")
        for cause, n in counts.items():
            print(f"  {cause:36} {n:5}  {100 * n / max(1, total):5.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
