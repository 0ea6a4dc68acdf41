"""Scale benchmarks: kgraph build against bare nlp.pipe, processes, Dask, the cache, memory.

Every measurement runs in a fresh Python process (so peak memory is its own)
on a synthetic corpus from :mod:`scale_corpus`, and prints one JSON line;
``--json`` collects them. Timings are wall-clock seconds, plus the CPU
seconds of the driver (robust to other load on the machine, meaningful for
one-process runs) and of the driver and its workers together (workers sampled
every 0.25 s); memory is the peak RSS of the driver (``ru_maxrss``) and the
sampled peak of the driver and all its worker processes together. Not a
test: nothing is asserted.

    python bench/scale_build.py --sizes 1000 --bare --processes 1,2 --dask --incremental
    python bench/scale_build.py --sizes 10000 --processes 2 --incremental --json results.json

Measurements:
  bare         nlp.pipe of the pipeline over the same texts (1 process, batch 32),
               docs dropped, pipeline load excluded
  build-P      kgraph build, P processes, no cache, every output; total time
               including pipeline loading and the exports
  dask         kgraph build --engine dask, a LocalCluster of P workers
  incremental  a cached build of N papers, then N + 1% (the 1% appended), same
               output directory: the second build's time against the first's
               (``--repeat K``: the second build K times, from the first's cache each time)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))


class _Memory:
    """Peak RSS of this process and of all its descendants together (pool or Dask workers), sampled."""

    def __init__(self, interval: float = 0.25):
        import threading

        import psutil

        self.me = psutil.Process()
        self.peak_total = 0
        self.cpu: dict[int, float] = {}  # latest CPU seconds of each descendant
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self.thread.start()

    def _run(self, interval: float) -> None:
        while not self.stop.wait(interval):
            total = 0
            for process in [self.me, *self.me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                    if process.pid != self.me.pid:
                        times = process.cpu_times()
                        self.cpu[process.pid] = times.user + times.system
                except Exception:  # a process that just ended
                    pass
            self.peak_total = max(self.peak_total, total)

    def result(self) -> dict:
        self.stop.set()
        self.thread.join()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        driver = usage.ru_utime + usage.ru_stime
        return {
            "driver_peak_mb": round(usage.ru_maxrss / 1024),
            "all_processes_peak_mb": round(self.peak_total / 2**20),
            "driver_cpu_seconds": round(driver, 2),
            "all_processes_cpu_seconds": round(driver + sum(self.cpu.values()), 2),
        }


def measure_bare(corpus: Path) -> dict:
    from kgraph.config import Config
    from kgraph.nlp.extract import paper_text
    from kgraph.nlp.pipeline import load_pipeline
    from kgraph.run import read_papers

    memory = _Memory()
    t = time.perf_counter()
    nlp = load_pipeline()
    load = time.perf_counter() - t
    texts = [paper_text(p) for p in read_papers(Config(inputs=(corpus,)), [])]
    cpu = time.process_time()
    t = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    seconds = time.perf_counter() - t
    cpu = time.process_time() - cpu
    words = sum(len(text.split()) for text in texts)
    return {"papers": len(texts), "words": words, "seconds": seconds, "cpu_seconds": round(cpu, 2),
            "load_seconds": load, "papers_per_s": len(texts) / seconds, **memory.result()}


def measure_build(corpus: Path, output: Path, **settings) -> dict:
    from kgraph.config import Config
    from kgraph.run import build

    memory = _Memory()
    t = time.perf_counter()
    result = build(config=Config(inputs=(corpus,), output_dir=output, **settings))
    seconds = time.perf_counter() - t
    papers = result.report["papers"]["in_graph"]
    return {"papers": papers, "seconds": seconds, "papers_per_s": papers / seconds,
            "timings": {k: round(v, 2) for k, v in result.timings.items()},
            "extraction": result.extraction, "nodes": result.graph.number_of_nodes(),
            "edges": result.graph.number_of_edges(), **memory.result()}


def _child(kind: str, **args) -> dict:
    """Run one measurement in a fresh interpreter."""
    command = [sys.executable, __file__, "--child", json.dumps({"kind": kind, **args}, default=str)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description="kgraph scale benchmarks")
    parser.add_argument("--sizes", default="1000", help="comma-separated corpus sizes")
    parser.add_argument("--bare", action="store_true", help="measure bare nlp.pipe")
    parser.add_argument("--processes", default="", help="comma-separated process counts for builds")
    parser.add_argument("--dask", action="store_true", help="measure the dask engine (LocalCluster, 2 workers)")
    parser.add_argument("--incremental", action="store_true", help="measure a +1%% incremental build")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure the incremental build this many times (the cache restored in between)")
    parser.add_argument("--outputs", default="", help="outputs to write (default: all)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kgraph-bench"))
    parser.add_argument("--json", type=Path, help="append result lines to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        kind = spec.pop("kind")
        if kind == "bare":
            result = measure_bare(Path(spec["corpus"]))
        else:
            result = measure_build(Path(spec.pop("corpus")), Path(spec.pop("output")), **spec)
        print(json.dumps(result))
        return

    from scale_corpus import write_corpus

    settings = {"outputs": tuple(args.outputs.split(","))} if args.outputs else {}
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = args.work / f"{size}.jsonl"
        if not corpus.exists():
            write_corpus(size, corpus)
        runs = []
        if args.bare:
            runs.append(("bare", {}, lambda: _child("bare", corpus=corpus)))
        for p in [int(x) for x in args.processes.split(",") if x]:
            out = args.work / f"out-{size}-p{p}"
            runs.append((f"build-{p}", {"processes": p},
                         lambda p=p, out=out: _child("build", corpus=corpus, output=out, processes=p,
                                                     use_cache=False, **settings)))
        if args.dask:
            out = args.work / f"out-{size}-dask"
            runs.append(("dask-2", {"processes": 2},
                         lambda out=out: _child("build", corpus=corpus, output=out, engine="dask", processes=2,
                                                use_cache=False, **settings)))
        for name, extra, run in runs:
            line = {"size": size, "measure": name, **extra, **run()}
            _emit(line, args.json)
        if args.incremental:
            grown = args.work / f"{size}-grown" / "corpus.jsonl"
            write_corpus(size + max(1, size // 100), grown)
            lines = grown.read_text(encoding="utf-8").splitlines(keepends=True)
            grown.write_text("".join(lines[:size]), encoding="utf-8")
            out = args.work / f"out-{size}-incremental"
            if out.exists():
                import shutil

                shutil.rmtree(out)
            clean = _child("build", corpus=grown, output=out, processes=2, **settings)
            _emit({"size": size, "measure": "clean-cached-2", **clean}, args.json)
            grown.write_text("".join(lines), encoding="utf-8")
            import shutil

            saved = args.work / f"cache-{size}-clean"
            shutil.rmtree(saved, ignore_errors=True)
            shutil.copytree(out / ".cache", saved)
            for run in range(args.repeat):
                if run:
                    shutil.rmtree(out / ".cache")
                    shutil.copytree(saved, out / ".cache")
                again = _child("build", corpus=grown, output=out, processes=2, **settings)
                _emit({"size": size, "measure": "incremental+1%-2", "run": run + 1, **again,
                       "ratio_to_clean": again["seconds"] / clean["seconds"],
                       "cpu_ratio_to_clean": again["all_processes_cpu_seconds"] / clean["all_processes_cpu_seconds"]},
                      args.json)
            shutil.rmtree(saved)


def _emit(line: dict, path: Path | None) -> None:
    text = json.dumps(line)
    print(text, flush=True)
    if path is not None:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")


if __name__ == "__main__":
    main()
