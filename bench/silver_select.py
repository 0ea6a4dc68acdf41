"""Choose how the default pipeline merges its extractors, on the silver development split.

    python bench/silver_select.py ../shared/silver [--limit N] [--json OUT]

The expensive part of the pipeline (tagger, parser, the tagger's encoder,
rule candidates) runs once over the development split's papers; then each
variant re-runs only what it changes: which extractor families compete for
mentions (``kgraph_mentions_v1``'s ``extractors``), how proposals are marked,
how entities are related (the learned model, or it and the sentence rules) and
the relation model's threshold. Each variant is scored at paper level as
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

from kgraph.eval.silver import RELATION_TYPES, as_guideline, iter_silver, score_papers, silver_papers  # noqa: E402
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
TAIL = ("kgraph_mentions_v1", "kgraph_pairs_v1", "kgraph_relations_v1")


def run_variant(nlp, docs, papers, gold, *, model: str, extractors: str, relations: str, proposals: str,
                min_score: float, known_types: bool = True) -> dict:
    for doc in docs:  # the recognizer's candidates, typed by the gazetteer where it knows the name, or not
        rest = [c for c in doc._.kgraph_candidates if c.extractor != MODEL_EXTRACTOR]
        doc._.kgraph_candidates = rest
        doc._.kgraph_candidates = rest + list(iter_model_candidates(doc, known_types=known_types))
    mentions = nlp.create_pipe("kgraph_mentions_v1", config={"extractors": extractors})
    steps = [mentions]
    steps.append(nlp.create_pipe("kgraph_pairs_v1", config={"model": model, "proposals": proposals,
                                                              "min_score": min_score}))
    steps.append(nlp.create_pipe("kgraph_relations_v1", config={"entity_relations": relations != "learned"}))
    extractions = []
    for doc, paper in zip(docs, papers):
        doc._.kgraph_mentions = None
        doc._.kgraph_relations = None
        for step in steps:
            doc = step(doc)
        extractions.append(doc_to_extraction(doc, paper))
    records = list(iter_extraction_records(extractions, resolve(extractions)))
    return score_papers(records, gold)


def retag(ner, docs, o_bias: float) -> None:
    """Run the recognizer again with another O bias (its candidates replaced)."""
    ner.tagger.o_bias = o_bias
    for doc in docs:
        doc._.kgraph_candidates = [c for c in doc._.kgraph_candidates if c.extractor != MODEL_EXTRACTOR]
    for _ in ner.pipe(docs):
        pass


def show(row: dict) -> None:
    s = row["scores"]
    e, r, p = s["any.strict"], s["relations.strict"], s["proposed.strict"]
    types = "pwc" if row["known_types"] else "model"
    threshold = row["min_score"] if isinstance(row["min_score"], float) else "type"
    print(f"{row['extractors']:32} {types:5} {row['o_bias']:6.1f} {row['relations']:14} {row['proposals']:9} "
          f"{threshold!s:>4} {100 * e['f1']:7.1f} {100 * e['p']:6.1f} {100 * e['r']:6.1f} {100 * r['f1']:7.1f} "
          f"{100 * r['p']:6.1f} {100 * r['r']:6.1f} {100 * p['f1']:7.1f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("silver", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--model", default="default", help="the tagger + relation model (a bundled name or a directory)")
    parser.add_argument("--json", type=Path, default=None, help="write every variant's scores here")
    parser.add_argument("--extractors", default="all", choices=sorted(EXTRACTORS),
                        help="the extractor families the other variants keep")
    parser.add_argument("--types", default="pwc", choices=("pwc", "model"),
                        help="whether the other variants let a known name's type override the model's")
    parser.add_argument("--o-bias", type=lambda v: [float(x) for x in v.split(",") if x], default=[0.5, 1.0],
                        help="O biases of the tagger to try (comma-separated)")
    parser.add_argument("--sweep", type=lambda v: tuple(float(x) for x in v.split(",") if x),
                        default=(0.2, 0.3, 0.4, 0.5, 0.6, 0.7), help="relation thresholds to try (comma-separated)")
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
    known = args.types == "pwc"
    variants = [(name, "learned", "learned", 0.5, True, 0.0) for name in EXTRACTORS]
    variants += [(base, "learned", "learned", 0.5, False, 0.0)]
    variants += [(base, "learned+rules", "learned", 0.5, known, 0.0)]
    variants += [(base, "learned", proposals, 0.5, known, 0.0) for proposals in ("both", "rules")]
    sweep = tuple(sorted(set(args.sweep) | {0.5}))
    variants += [(base, "learned", "learned", t, known, 0.0) for t in sweep if t != 0.5]
    variants += [(base, "learned", "learned", 0.5, known, b) for b in args.o_bias]
    print(f"{'extractors':32} {'types':5} {'O bias':>6} {'relations':14} {'proposals':9} {'min':>4} {'ent F1':>7} "
          f"{'ent P':>6} {'ent R':>6} {'rel F1':>7} {'rel P':>6} {'rel R':>6} {'prop F1':>7}")
    ner = nlp.get_pipe("kgraph_ner_v1")
    shipped = ner.tagger.o_bias  # an O bias of 0.0 in a variant stands for the model's own (meta.json)
    tagged_with = 0.0
    for name, relations, proposals, threshold, known_types, o_bias in variants:
        if o_bias != tagged_with:
            retag(ner, docs, o_bias or shipped)
            tagged_with = o_bias
        s = run_variant(nlp, docs, papers, gold, model=args.model, extractors=EXTRACTORS[name], relations=relations,
                        proposals=proposals, min_score=threshold, known_types=known_types)
        rows.append({"extractors": name, "known_types": known_types, "o_bias": o_bias, "relations": relations,
                     "proposals": proposals, "min_score": threshold, "scores": s})
        show(rows[-1])
    if tagged_with:
        retag(ner, docs, shipped)
    # a threshold per relation type: the best of the sweep for each type, then scored together
    swept = [r for r in rows if r["extractors"] == base and r["relations"] == "learned" and r["proposals"] == "learned"
             and r["known_types"] == known and r["o_bias"] == 0.0 and r["min_score"] in sweep]
    per_type = {t: max(swept, key=lambda r: (r["scores"][f"relations.{t}.strict"]["f1"], -abs(r["min_score"] - 0.5)))["min_score"]
                for t in RELATION_TYPES}
    s = run_variant(nlp, docs, papers, gold, model=args.model, extractors=EXTRACTORS[base], relations="learned",
                    proposals="learned", min_score=per_type, known_types=known)
    rows.append({"extractors": base, "known_types": known, "o_bias": 0.0, "relations": "learned",
                 "proposals": "learned", "min_score": per_type, "scores": s})
    show(rows[-1])
    print("per-type thresholds:", json.dumps(per_type))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
