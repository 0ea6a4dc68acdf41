"""Resident memory of one `kgraph build`, stage by stage.

Runs :func:`kgraph.run.build` in this process with a thread sampling the
resident set every 10 ms, and prints, for each stage, its CPU seconds, the
resident memory before and after it and the highest seen during it. The stages
are the functions :mod:`kgraph.run` calls (read and extract, resolve,
communities, graph, report) and the outputs :mod:`kgraph.export.outputs`
writes (``extractions.jsonl``, each output written whole, each group of files
made of fragments), wrapped here, not changed. Nothing is asserted.

With a filled extraction cache, this measures everything after extraction at
full size without extracting again:

    python bench/scale_build.py --sizes 100000 --incremental     # 100k clean build, then +1 %; fills the cache
    mkdir -p /tmp/m101/.cache && cp /tmp/kgraph-bench/out-100000-incremental/.cache/extractions.sqlite /tmp/m101/.cache/
    /usr/bin/time -v python bench/scale_memory.py /tmp/kgraph-bench/100000-grown/corpus.jsonl /tmp/m101 \\
        --outputs extractions,json,html,report

``/usr/bin/time -v`` adds the kernel's own peak ("Maximum resident set size"),
which also catches what falls between two samples.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STAGES = ("extract", "resolve", "graph_communities", "build_graph", "make_report")
OUTPUT_STAGES = ("write_extractions", "write_graph")  # methods of kgraph.export.outputs.StagedOutputs


def main() -> None:
    import psutil

    import kgraph.export.outputs as outputs
    import kgraph.run as run
    from kgraph.config import Config

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("output", type=Path, help="output directory (its .cache is used)")
    parser.add_argument("--outputs", default=",".join(Config().outputs))
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()

    process = psutil.Process()
    peak = [0]

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.01)

    threading.Thread(target=sample, daemon=True).start()

    def traced(name, function):
        def call(*a, **k):
            peak[0] = 0
            cpu, before = time.process_time(), process.memory_info().rss
            result = function(*a, **k)
            print(f"{name:22s} cpu {time.process_time() - cpu:7.2f} s   rss {before / 2**20:6.0f} -> "
                  f"{process.memory_info().rss / 2**20:6.0f} MB   peak {peak[0] / 2**20:6.0f} MB", flush=True)
            return result
        return call

    for name in STAGES:
        setattr(run, name, traced(name, getattr(run, name)))
    for name in OUTPUT_STAGES:
        setattr(outputs.StagedOutputs, name, traced(name, getattr(outputs.StagedOutputs, name)))
    write_group = outputs.StagedOutputs._write_group  # a group of files made of fragments (json, rdf, ...)
    outputs.StagedOutputs._write_group = lambda self, output, *rest: traced(f"write {output.group}", write_group)(
        self, output, *rest)
    for key, output in list(outputs.OUTPUTS.items()):
        if output.write is not None:
            outputs.OUTPUTS[key] = dataclasses.replace(output, write=traced(f"write {key}", output.write))
    config = Config(inputs=(args.corpus,), output_dir=args.output, processes=args.processes,
                    outputs=tuple(args.outputs.split(",")))
    result = run.build(config=config)
    print({k: round(v, 1) for k, v in result.timings.items()}, result.extraction)


if __name__ == "__main__":
    main()
