"""Train the fast pipeline's CNN entity recognizer on the annotated arXiv abstracts.

The same annotation as the default tagger (``silver.jsonl``: METHOD, TASK and
DATASET spans drawn by ``GUIDELINE.md``), read on kgraph's tokens and sentences
(:mod:`kgraph.training.silver`): the training split (``n % 10 != 0``) trains,
the development split selects the checkpoint. The model is spaCy's
transition-based ``ner`` with its own small CNN (``ner.cfg``; the sizes of
``MODELS["fast"]``), so it runs in any spaCy pipeline without a transformer.

    python -m kgraph.training.fast ../shared/silver -o kgraph/resources/ner/fast

Run by ``make train-fast`` (one thread; about half an hour on this machine).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import spacy

from ..eval.silver import iter_silver
from ..nlp.encoder_ner import tags_for
from .corpus import annotated_sentence_docs, write_docbin
from .silver import IGNORE, LABELS, token_papers, training_split
from .train import MODELS, config_overrides, install_model, run_spacy_train

VERSION = "2.0.0"
# ``MODELS["fast"]``'s network, stopped at 6,000 steps: the development split's span F1 is flat from
# about 5,400 (71.4); the run takes about 20 minutes on one thread
OVERRIDES: dict[str, object] = {"training.max_steps": 6000}
# what competes with the recognizer's spans for mentions in the fast pipeline, and whether a name the
# gazetteer knows takes the gazetteer's type (kgraph.nlp.ner.recognizer_merge): the recognizer alone
# scores 1.1 entity F1 higher on the development split, but with the gazetteer the fast pipeline also
# knows the older names the 2019-2026 abstracts rarely name (Penn Treebank, CoNLL-2003, "support vector
# machine"; tests/test_ner.py); docs/BENCHMARKS.md
MERGE = {"extractors": "model,gazetteer", "known_types": True}


def build_annotated_corpora(silver: Path, workdir: Path) -> dict:
    """``train.spacy`` (the training split) and ``dev.spacy`` (the development split) in ``workdir``."""
    vocab = spacy.blank("en").vocab
    names = tags_for(LABELS)
    workdir.mkdir(parents=True, exist_ok=True)
    stats = {}
    for split, papers in (("train", training_split(silver)), ("dev", iter_silver(silver, split="dev"))):
        docs = annotated_sentence_docs(vocab, token_papers(papers), names, ignore=IGNORE)
        stats[split] = write_docbin(docs, workdir / f"{split}.spacy")
    return stats


def train_fast(silver: Path, output: Path, workdir: Path, *, overrides: dict[str, object] | None = None,
               log=print) -> dict:
    """Corpora, ``spacy train``, and the best checkpoint installed in ``output`` with its provenance."""
    start = time.perf_counter()
    stats = build_annotated_corpora(silver, workdir)
    log(f"corpora: {stats}")
    settings = {**MODELS["fast"], **OVERRIDES, **(overrides or {})}
    best = run_spacy_train(workdir, settings)
    seconds = round(time.perf_counter() - start, 1)
    meta = {
        "name": "kgraph_ner_fast",
        "version": VERSION,
        "description": "kgraph's fast scientific entity recognizer (METHOD, TASK, DATASET), trained on the "
                       "annotated arXiv abstracts (silver.jsonl, training split); see docs/NER_MODEL_CARD.md",
        "kgraph_merge": MERGE,
        "kgraph_training": {"data": "silver.jsonl training split (n % 10 != 0); checkpoint chosen on n % 10 == 0",
                            "corpora": {k: {"docs": v.docs, "words": v.words, "entities": v.entities}
                                        for k, v in stats.items()},
                            "overrides": {k: str(v) for k, v in settings.items()}, "seconds": seconds},
    }
    install_model(best, output, meta=meta)
    forget_corpora(output / "config.cfg")
    return meta


def forget_corpora(config: Path) -> None:
    """Clear the training corpora's paths (``[paths] train``, ``dev``) from an installed model's config:
    they name files of the machine that trained it, which the model does not need to run."""
    from thinc.api import Config

    settings = Config().from_disk(config, interpolate=False)
    settings["paths"]["train"] = settings["paths"]["dev"] = None
    settings.to_disk(config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kgraph.training.fast", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("silver", type=Path, help="silver.jsonl or the folder holding it (../shared/silver)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("-w", "--workdir", type=Path, default=Path("build/ner-fast"), help="corpora and checkpoints")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="extra spaCy config override (repeatable), e.g. training.max_epochs=5")
    args = parser.parse_args(argv)
    meta = train_fast(args.silver, args.output, args.workdir, overrides=config_overrides(args.set),
                      log=lambda m: print(m, flush=True))
    print(json.dumps(meta["kgraph_training"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
