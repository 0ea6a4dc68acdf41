"""Everything after extraction at 100k papers: memory and time of resolve, graph and exports.

Extracting 100k abstracts takes hours on a small machine, and none of it is
held in memory (extraction streams). What grows with the corpus is what
comes after: the PaperExtraction records, resolution, the graph and the
exports. This bench takes the extractions of a built corpus from its cache,
replicates them ``--copies`` times (each copy a new paper: its own id, its
title suffixed, so mention offsets stay valid) and runs the stages after
extraction on the result, reporting time and resident memory after each.

The copies repeat the same entity names, so the graph has fewer entity nodes
than a real corpus of that size would (paper nodes, edges and evidence do
grow): a lower bound for entity-side memory, a fair measure for the rest.

    python bench/scale_build.py --sizes 1000 --incremental        # builds /tmp/kgraph-bench/out-1000-incremental
    python bench/scale_stages.py /tmp/kgraph-bench/1000-grown/corpus.jsonl \\
        --cache /tmp/kgraph-bench/out-1000-incremental/.cache --copies 100 -o /tmp/kgraph-bench/out-stages

Each step reports its CPU seconds, the resident memory after it, and its own
peak (``step_peak_mb``, sampled every 20 ms); each output is written alone,
its size noted (``output_mb``) and then deleted.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> int:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20)


class _PeakSampler:
    """The highest resident memory seen since the last :meth:`reset`, sampled every 20 ms in a thread.

    ``ru_maxrss`` only ever grows, so it cannot tell the peak of a later,
    smaller step; this can.
    """

    def __init__(self, interval: float = 0.02):
        import threading

        import psutil

        self.process = psutil.Process()
        self.peak = 0
        self.stop = threading.Event()
        threading.Thread(target=self._run, args=(interval,), daemon=True).start()

    def _run(self, interval: float) -> None:
        while not self.stop.wait(interval):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def reset(self) -> int:
        """The peak in MB since the last reset (at least the current RSS); starts a new one."""
        peak = max(self.peak, self.process.memory_info().rss)
        self.peak = 0
        return round(peak / 2**20)


def main() -> None:
    parser = argparse.ArgumentParser(description="stages after extraction, at scale")
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cache", type=Path, required=True, help="the .cache directory of a build of CORPUS")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("-o", "--output", type=Path, default=Path("/tmp/kgraph-bench/out-stages"))
    parser.add_argument("--outputs", default="extractions,json,graphml,ttl,html,report")
    args = parser.parse_args()

    from kgraph.config import Config
    from kgraph.graph import build_graph
    from kgraph.resolve import resolve
    from kgraph.export.outputs import write_outputs
    from kgraph.run import extract, make_report

    steps = []

    cpu = [time.process_time()]
    sampler = _PeakSampler()

    def step(name, started):
        now = time.process_time()
        steps.append({"step": name, "seconds": round(time.perf_counter() - started, 2),
                      "cpu_seconds": round(now - cpu[0], 2), "rss_mb": _rss_mb(), "step_peak_mb": sampler.reset(),
                      "peak_so_far_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})
        cpu[0] = now
        print(json.dumps(steps[-1]), flush=True)

    t = time.perf_counter()
    cpu[0] = time.process_time()
    config = Config(inputs=(args.corpus,), output_dir=args.output, cache_dir=args.cache, processes=1,
                    outputs=tuple(args.outputs.split(",")))
    base, problems = extract(config)
    step(f"extract {len(base)} from the cache", t)

    t = time.perf_counter()
    extractions = [
        ex if copy == 0 else dataclasses.replace(
            ex, paper=dataclasses.replace(ex.paper, id=f"{ex.paper.id}-c{copy}", title=f"{ex.paper.title} (copy {copy})"))
        for copy in range(args.copies) for ex in base
    ]
    step(f"replicate to {len(extractions)}", t)

    t = time.perf_counter()
    resolution = resolve(extractions)
    step(f"resolve ({len(resolution.entities)} entities, {len(resolution.relations)} relations)", t)

    t = time.perf_counter()
    graph = build_graph([ex.paper for ex in extractions], resolution)
    step(f"graph ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)", t)

    t = time.perf_counter()
    report = make_report(config, sum(len(ex.mentions) for ex in extractions), problems, resolution, graph)
    step("report", t)
    for name in config.outputs:
        sampler.reset()
        t = time.perf_counter()
        cpu[0] = time.process_time()
        write_outputs(config.with_(outputs=(name,)), graph, extractions, resolution, report)
        step(f"write {name}", t)
        size = sum(p.stat().st_size for p in args.output.iterdir() if p.is_file() and not p.name.startswith("."))
        steps[-1]["output_mb"] = round(size / 2**20)
        for p in args.output.iterdir():  # one output at a time on disk
            if p.is_file() and not p.name.startswith("."):
                p.unlink()
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps({"papers": len(extractions), "peak_rss_mb": peak,
                      "seconds": round(sum(s["seconds"] for s in steps), 1), "steps": steps}))


if __name__ == "__main__":
    main()
