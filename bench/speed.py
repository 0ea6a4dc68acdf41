"""Extraction speed and quality of kgraph's pipelines against en_core_web_sm, in one run.

    python bench/speed.py [--abstracts N] [--silver ../shared/silver] [--json]

For en_core_web_sm's whole pipeline (the anchor), kgraph's default and its
``--fast`` pipeline, on the bundled abstracts replicated to N (default 600):

- one process: words and abstracts per CPU second (``time.process_time``:
  what one core does, whatever else the machine runs) and the ratio to
  en_core_web_sm's words per CPU second;
- two worker processes (as ``kgraph build -j 2``): words and abstracts per wall-clock
  second;
- with ``--silver``: paper-level F1 of entities, relations and proposals on the
  annotated development split (``kgraph eval silver``'s scores).

Absolute numbers vary with the machine's load; the ratios, measured in the
same run, are what docs/BENCHMARKS.md keeps.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ner_speed import corpus_texts, measure  # noqa: E402

PIPELINES = ("en_core_web_sm", "default", "fast")


def cpu() -> str:
    """The CPU's model name, and whether it has VNNI (int8 dot products: the default tagger's speed depends on it)."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "CPU unknown"
    name = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "CPU unknown")
    flags = next((line.split(":", 1)[1].split() for line in info if line.startswith("flags")), [])
    return f"{name}, {'with' if {'avx512_vnni', 'avx_vnni'} & set(flags) else 'without'} VNNI"


def quality(name: str, silver: Path) -> dict:
    from kgraph.eval.silver import evaluate_silver
    from kgraph.nlp.pipeline import load_pipeline

    scores = evaluate_silver(silver, nlp=load_pipeline(fast=name == "fast"))
    keys = {"entities": "any.strict", "relations": "relations.strict", "proposed": "proposed.strict"}
    return {name: round(100 * scores[key]["f1"], 1) for name, key in keys.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--abstracts", type=int, default=600)
    parser.add_argument("--silver", type=Path, help="silver.jsonl or its folder: also score each pipeline")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON lines")
    args = parser.parse_args(argv)
    texts = corpus_texts(args.abstracts)
    rows = []
    for name in PIPELINES:
        one = measure(name, texts)
        two = measure(name, texts, processes=2)
        row = {"pipeline": name, "words_per_cpu_s": one["words_per_cpu_s"],
               "abstracts_per_cpu_s": one["abstracts_per_cpu_s"],
               "words_per_s_2proc": two["words_per_s_wall"], "abstracts_per_s_2proc": two["abstracts_per_s_wall"]}
        if args.silver and name != "en_core_web_sm":
            row.update(quality(name, args.silver))
        rows.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
    anchor = rows[0]["words_per_cpu_s"]
    for row in rows:
        row["vs_en_core_web_sm"] = round(row["words_per_cpu_s"] / anchor, 2)
    print(f"{os.cpu_count()} cores ({cpu()}), load average {os.getloadavg()[0]:.1f}; "
          f"{len(texts)} abstracts, {sum(len(t.split()) for t in texts):,} words")
    print("| pipeline | words / CPU s | abstracts / CPU s | vs en_core_web_sm | words / s, 2 processes "
          "| abstracts / s, 2 processes | entities F1 | relations F1 | proposed F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['pipeline']} | {row['words_per_cpu_s']:,} | {row['abstracts_per_cpu_s']} "
              f"| {row['vs_en_core_web_sm']:.2f} | {row['words_per_s_2proc']:,} | {row['abstracts_per_s_2proc']} "
              f"| {row.get('entities', '—')} | {row.get('relations', '—')} | {row.get('proposed', '—')} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
