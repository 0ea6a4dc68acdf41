"""Synthetic corpora of any size for the scale benchmarks, made from real abstracts.

The base texts are the bundled corpus (119 ML abstracts) and, when the
benchmark data is beside the repository (``../shared/benchmarks/scierc``), the
500 SciERC abstracts (detokenized; their first sentence serves as the title).
Copy ``k`` of a base paper keeps its first sentence, shuffles the others and,
one time in two, swaps one of them for a sentence of another paper; its title
gets a variant number, so every paper is distinct (no duplicate merging, no
cache hit between copies) while names and phrasings recur across the corpus
as they do in a real one. Deterministic for a given seed.

    python bench/scale_corpus.py 10000 -o /tmp/kgbench/10k.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCIERC = ROOT.parent / "shared" / "benchmarks" / "scierc"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def base_papers(scierc: Path | None = SCIERC) -> list[tuple[str, str]]:
    """(title, abstract) pairs: the bundled corpus, then SciERC if present."""
    sys.path.insert(0, str(ROOT))
    from kgraph.ingest import dedupe, iter_records
    from kgraph.model import Paper

    papers = [(p.title, p.abstract) for p in dedupe(iter_records([ROOT / "data"])) if isinstance(p, Paper)]
    if scierc is not None and scierc.is_dir():
        for name in ("train.json", "dev.json", "test.json"):
            path = scierc / name
            if path.is_file():
                for line in path.read_text(encoding="utf-8").splitlines():
                    sentences = [_detokenize(s) for s in json.loads(line)["sentences"]]
                    if len(sentences) >= 2:
                        papers.append((sentences[0].rstrip(" ."), " ".join(sentences[1:])))
    return papers


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = re.sub(r" ([.,;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return text.replace(" 's", "'s").replace("-LRB- ", "(").replace(" -RRB-", ")")


def iter_corpus(n: int, *, seed: int = 0, bases: list[tuple[str, str]] | None = None) -> Iterator[dict]:
    """``n`` JSON Lines records (``id``, ``title``, ``abstract``)."""
    bases = bases if bases is not None else base_papers()
    rng = random.Random(seed)
    split = [_SENTENCE_END.split(abstract) for _, abstract in bases]
    for k in range(n):
        i, copy = k % len(bases), k // len(bases)
        title, abstract = bases[i]
        if copy:
            first, *rest = split[i]
            rest = rest[:]
            rng.shuffle(rest)
            if rest and rng.random() < 0.5:
                other = split[rng.randrange(len(split))]
                rest[rng.randrange(len(rest))] = other[rng.randrange(len(other))]
            title = f"{title} (variant {copy})"
            abstract = " ".join([first, *rest])
        yield {"id": f"bench-{k:07d}", "title": title, "abstract": abstract}


def write_corpus(n: int, path: Path, *, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for record in iter_corpus(n, seed=seed):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_corpus(args.n, args.output, seed=args.seed)
    print(f"{args.n} abstracts -> {args.output}")


if __name__ == "__main__":
    main()
