"""Choose how the default pipeline merges its extractors, on the silver development split.

    python bench/silver_select.py ../shared/silver [--limit N] [--json OUT]

The expensive part of the pipeline (tagger, parser, the tagger's encoder,
rule candidates) runs once over the development split's papers; then each
variant re-runs only what it changes: which extractor families compete for
mentions (``kgraph_mentions_v1``'s ``extractors``), how proposals are marked,
how entities are related (learned model, rules, SciERC classifier) and the
relation model's threshold. Each variant is scored at paper level as
``kgraph eval silver`` scores (entities and relations, strict). Only the
development split is read: never a test split, never the bundled corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kgraph.eval.silver import as_guideline, iter_silver, score_papers, silver_papers  # noqa: E402
from kgraph.export.extractions import iter_extraction_records  # noqa: E402
from kgraph.nlp.extract import doc_to_extraction, paper_text  # noqa: E402
from kgraph.nlp.ner import MODEL_EXTRACTOR, iter_model_candidates  # noqa: E402
from kgraph.nlp.pipeline import load_pipeline  # noqa: E402
from kgraph.resolve.entities import resolve  # noqa: E402

EXTRACTORS = {
    "all": "",
    "model+acronym+title+proposal": "model,acronym,title,proposal",
    "model+acronym+title": "model,acronym,title",
    "model+acronym+title+gazetteer": "model,acronym,title,gazetteer",
    "model": "model",
}
TAIL = ("kgraph_mentions_v1", "kgraph_pairs_v1", "kgraph_relations_v1", "kgraph_relcat_v1")


def run_variant(nlp, docs, papers, gold, *, model: str, extractors: str, relations: str, proposals: str,
                min_score: float, known_types: bool = True) -> dict:
    for doc in docs:  # the recognizer's candidates, typed by the gazetteer where it knows the name, or not
        rest = [c for c in doc._.kgraph_candidates if c.extractor != MODEL_EXTRACTOR]
        doc._.kgraph_candidates = rest
        doc._.kgraph_candidates = rest + list(iter_model_candidates(doc, known_types=known_types))
    mentions = nlp.create_pipe("kgraph_mentions_v1", config={"extractors": extractors})
    steps = [mentions]
    if relations != "rules":
        steps.append(nlp.create_pipe("kgraph_pairs_v1", config={"model": model, "proposals": proposals,
                                                                  "min_score": min_score}))
    steps.append(nlp.create_pipe("kgraph_relations_v1", config={"entity_relations": relations != "learned"}))
    if relations == "rules":
        steps.append(nlp.create_pipe("kgraph_relcat_v1"))
    extractions = []
    for doc, paper in zip(docs, papers):
        doc._.kgraph_mentions = None
        doc._.kgraph_relations = None
        for step in steps:
            doc = step(doc)
        extractions.append(doc_to_extraction(doc, paper))
    records = list(iter_extraction_records(extractions, resolve(extractions)))
    return score_papers(records, gold)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("silver", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--model", default="default", help="the tagger + relation model (a bundled name or a directory)")
    parser.add_argument("--json", type=Path, default=None, help="write every variant's scores here")
    parser.add_argument("--extractors", default="all", choices=sorted(EXTRACTORS),
                        help="the extractor families the other variants keep")
    args = parser.parse_args(argv)
    silver = list(iter_silver(args.silver, split="dev"))[: args.limit]
    papers = silver_papers(silver)
    gold = [as_guideline(p) for p in silver]
    nlp = load_pipeline(ner=args.model)
    start = time.perf_counter()
    docs = list(nlp.pipe((paper_text(p) for p in papers), disable=[n for n in TAIL if n in nlp.pipe_names]))
    print(f"{len(docs)} development papers through the shared components in {time.perf_counter() - start:.0f}s",
          flush=True)
    rows = []
    base = args.extractors
    variants = [(name, "learned", "learned", 0.5, True) for name in EXTRACTORS]
    variants += [(base, "learned", "learned", 0.5, False)]
    variants += [(base, "rules", "rules", 0.5, True), (base, "learned+rules", "learned", 0.5, True)]
    variants += [(base, "learned", proposals, 0.5, True) for proposals in ("both", "rules")]
    variants += [(base, "learned", "learned", t, True) for t in (0.3, 0.4, 0.6, 0.7)]
    print(f"{'extractors':32} {'types':5} {'relations':14} {'proposals':9} {'min':>4} {'ent F1':>7} {'ent P':>6} "
          f"{'ent R':>6} {'rel F1':>7} {'rel P':>6} {'rel R':>6}")
    for name, relations, proposals, threshold, known_types in variants:
        s = run_variant(nlp, docs, papers, gold, model=args.model, extractors=EXTRACTORS[name], relations=relations,
                        proposals=proposals, min_score=threshold, known_types=known_types)
        e, r = s["any.strict"], s["relations.strict"]
        rows.append({"extractors": name, "known_types": known_types, "relations": relations, "proposals": proposals,
                     "min_score": threshold, "scores": s})
        types = "pwc" if known_types else "model"
        print(f"{name:32} {types:5} {relations:14} {proposals:9} {threshold:4.1f} {100 * e['f1']:7.1f} {100 * e['p']:6.1f} "
              f"{100 * e['r']:6.1f} {100 * r['f1']:7.1f} {100 * r['p']:6.1f} {100 * r['r']:6.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
