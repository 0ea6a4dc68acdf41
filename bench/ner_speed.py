"""Extraction speed on the bundled corpus, replicated, per pipeline.

    python bench/ner_speed.py [N_ABSTRACTS] [PIPELINES...]

PIPELINES are any of ``en_core_web_sm`` (the base model's whole pipeline, its
own NER included: the anchor to compare against), ``tokenizer`` (spaCy's tokenizer alone), ``rules``
(kgraph without the trained recognizer), ``fast``, ``default``, ``ner-fast`` /
``ner-default`` (the bare trained recognizers). For each, one process is timed
by CPU time (``time.process_time``: what one core does, whatever else the
machine runs) and wall time; ``--two`` adds a run on two worker processes
(each loads the pipeline once and runs half the texts, as ``kgraph build -j 2``
does), timed by wall clock only. Words are whitespace-separated words of title and
abstract.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_texts(n: int) -> list[str]:
    from kgraph.ingest import iter_records
    from kgraph.model import Paper
    from kgraph.nlp.extract import paper_text

    papers = [r for r in iter_records([ROOT / "data"]) if isinstance(r, Paper)]
    texts = [paper_text(p) for p in papers]
    return [texts[i % len(texts)] for i in range(n)]


def load(name: str):
    import spacy

    from kgraph.nlp.ner import bare_pipeline
    from kgraph.nlp.pipeline import BASE_MODEL, load_pipeline

    if name == "en_core_web_sm":
        return spacy.load(BASE_MODEL)
    if name == "tokenizer":
        return spacy.load(BASE_MODEL, exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler",
                                              "lemmatizer", "ner"])
    if name == "rules":
        return load_pipeline(ner=None)
    if name.startswith("ner-"):
        return bare_pipeline(name[4:])
    return load_pipeline(fast=name == "fast")


_WORKER_NLP = None


def _load_worker(name: str) -> None:
    global _WORKER_NLP
    _WORKER_NLP = load(name)


def _warm(_: int) -> int:
    time.sleep(1.0)  # hold this worker so that the other one takes the second warm-up task
    return os.getpid()


def _run_chunk(args: tuple[list[str], int]) -> int:
    texts, batch_size = args
    for _ in _WORKER_NLP.pipe(texts, batch_size=batch_size):
        pass
    return len(texts)


def _run_pool(name: str, texts: list[str], processes: int, batch_size: int) -> float:
    """Wall seconds for ``processes`` loaded workers to run ``texts`` in chunks (the docs stay in the workers)."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                                          else "spawn")
    chunks = [(texts[i:i + batch_size * 2], batch_size) for i in range(0, len(texts), batch_size * 2)]
    with context.Pool(processes, initializer=_load_worker, initargs=(name,)) as pool:
        pool.map(_warm, range(processes), chunksize=1)
        wall = time.perf_counter()
        assert sum(pool.imap_unordered(_run_chunk, chunks)) == len(texts)
        return time.perf_counter() - wall


def measure(name: str, texts: list[str], *, processes: int = 1, batch_size: int = 64) -> dict:
    words = sum(len(t.split()) for t in texts)
    if processes == 1:
        nlp = load(name)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    else:
        wall, cpu = _run_pool(name, texts, processes, batch_size), 0.0
    row = {"pipeline": name, "processes": processes, "abstracts": len(texts), "words": words,
           "wall_s": round(wall, 1), "words_per_s_wall": round(words / wall),
           "abstracts_per_s_wall": round(len(texts) / wall, 1)}
    if processes == 1:
        row.update(cpu_s=round(cpu, 1), words_per_cpu_s=round(words / cpu), abstracts_per_cpu_s=round(len(texts) / cpu, 1))
    return row


def main(argv: list[str]) -> None:
    two = "--two" in argv
    argv = [a for a in argv if a != "--two"]
    n = int(argv[0]) if argv else 20000
    names = argv[1:] or ["tokenizer", "fast", "default"]
    texts = corpus_texts(n)
    print(json.dumps({"machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"}), flush=True)
    for name in names:
        print(json.dumps(measure(name, texts)), flush=True)
        if two:
            print(json.dumps(measure(name, texts, processes=2)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
