"""Learning curve: development-split F1 when the default models learn from part of the silver training split.

    python bench/learning_curve.py ../shared/silver --fractions 0.25,0.5 [--workdir build/curve]
        [--full kgraph/resources/ner/default]

For each fraction, the entity tagger (same settings as ``make train-encoder``)
and the relation/proposal model (``make train-pairs``) are trained on that
share of the training papers (a seeded shuffle, so 25 % is inside 50 %), and
the default pipeline with them is scored on the development split as ``kgraph
eval silver`` scores. ``--fractions 1`` (or ``--full DIR``) adds the full
models. Training needs the ``train`` extra (``make train-tools``); a 25 % run
takes about a quarter of the full training time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kgraph.eval.silver import evaluate_silver  # noqa: E402
from kgraph.nlp.pipeline import load_pipeline  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("silver", type=Path)
    parser.add_argument("--fractions", default="0.25,0.5")
    parser.add_argument("--workdir", type=Path, default=Path("build/curve"))
    parser.add_argument("--full", type=Path, default=None, help="an already trained full model to score as the 100 %% row")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--stop-after", type=int, default=0,
                        help="epochs run of that schedule (0: all of them, as the shipped tagger; 2: as tagger 3.0.0)")
    args = parser.parse_args(argv)
    from kgraph.training import encoder, pairs

    rows = []
    todo = [(float(f), None) for f in args.fractions.split(",") if f.strip()]
    if args.full is not None:
        todo.append((1.0, args.full))
    for fraction, ready in todo:
        model = ready or args.workdir / f"f{round(100 * fraction)}"
        start = time.perf_counter()
        if ready is None:
            meta = encoder.train(args.silver, model, encoder.TrainSettings(epochs=args.epochs, stop_after=args.stop_after,
                                                                       fraction=fraction),
                                 log=lambda m: print(m, flush=True))
            pairs.train(args.silver, model, pairs.PairSettings(fraction=fraction), log=lambda m: print(m, flush=True))
            papers = meta["training"]["train_papers"]
        else:
            papers = json.loads((Path(ready) / "meta.json").read_text())["training"].get("train_papers")
        scores = evaluate_silver(args.silver, nlp=load_pipeline(ner=str(model)), split="dev")
        row = {"fraction": fraction, "train_papers": papers, "entities_f1": scores["any.strict"]["f1"],
               "relations_f1": scores["relations.strict"]["f1"], "seconds": round(time.perf_counter() - start)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"{'share':>6} {'papers':>7} {'entities F1':>12} {'relations F1':>13}")
    for r in rows:
        print(f"{100 * r['fraction']:5.0f}% {r['train_papers']:7} {100 * r['entities_f1']:12.1f} {100 * r['relations_f1']:13.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
