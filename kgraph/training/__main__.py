"""``python -m kgraph.training BENCHMARKS_DIR``: a CNN recognizer from the public benchmarks (SciERC, TDMSci,
Papers-with-Code text), the recipe of the fast pipeline's earlier model, kept to compare against. The shipped
models come from the annotated abstracts: ``kgraph.training.encoder`` and ``kgraph.training.pairs`` (default),
``kgraph.training.fast`` (fast)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..nlp.ner import MODEL_DIR
from .corpus import MATERIAL_POLICIES, PARTIAL_POLICIES
from .pwc_silver import NEGATIVE_POLICIES
from .train import MODELS, CorpusSettings, config_overrides, train_models


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kgraph.training", description=__doc__)
    parser.add_argument("benchmarks", type=Path, help="folder with scierc/ and tdmsci/ (../shared/benchmarks)")
    parser.add_argument("-o", "--output", type=Path, default=Path("build/ner-benchmarks"),
                        help=f"where the models go (default: %(default)s; the shipped ones are in {MODEL_DIR})")
    parser.add_argument("-w", "--workdir", type=Path, default=Path("build/ner"), help="corpora and checkpoints")
    parser.add_argument("--models", default="fast", help=f"comma-separated, of {sorted(set(MODELS) - {'mask'})}")
    parser.add_argument("--material", choices=MATERIAL_POLICIES, default="mask-names")
    parser.add_argument("--partial", choices=PARTIAL_POLICIES, default="mask")
    parser.add_argument("--no-mask-names", action="store_true", help="do not mask coined names / gazetteer methods in TDMSci")
    parser.add_argument("--no-silver", action="store_true", help="leave out the PwC method descriptions")
    parser.add_argument("--silver-negatives", choices=NEGATIVE_POLICIES, default="function-words",
                        help="what the PwC silver data teaches as non-entities")
    parser.add_argument("--keep-acronym-spans", action="store_true", help="train 'long ( SHORT )' as one entity")
    parser.add_argument("--reuse-masker", action="store_true", help="reuse the masking model in WORKDIR if there")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="extra spaCy config override (repeatable), e.g. training.max_epochs=5")
    args = parser.parse_args(argv)
    models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    unknown = [m for m in models if m not in MODELS or m == "mask"]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; expected some of {sorted(set(MODELS) - {'mask'})}")
    extra = config_overrides(args.set)
    settings = CorpusSettings(args.benchmarks, material=args.material, partial=args.partial,
                              mask_names=not args.no_mask_names, silver=not args.no_silver,
                              split_acronyms=not args.keep_acronym_spans, silver_negatives=args.silver_negatives)
    report = train_models(settings, args.workdir, args.output, models=models, reuse_masker=args.reuse_masker,
                          extra_overrides=extra, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
