"""The real arXiv abstracts: clean, incremental and Dask builds, and what the graph says.

    python bench/arxiv_build.py ../shared/corpus/arxiv --work /tmp/kgraph-arxiv \\
        --steps first,incremental,extra,both,dask --json results.jsonl
    python bench/arxiv_build.py ../shared/corpus/arxiv --work /tmp/kgraph-arxiv --steps report --graph OUT

Reads ``papers.jsonl.gz`` (29,800 abstracts) and ``papers_extra.jsonl.gz``
(79,636) as they are (gzip streams); fetches nothing. Steps, each a
``kgraph build`` (default pipeline, ``--processes``, default 2) in a fresh
interpreter, timed by wall clock, with the peak memory of the driver and of
all its processes together (sampled) and the size of every output:

- ``first``        papers.jsonl.gz into WORK/main
- ``incremental``  papers.jsonl.gz + papers_extra.jsonl.gz into WORK/main again
                   (the first build's cache and outputs reused)
- ``extra``        papers_extra.jsonl.gz alone into WORK/extra: what the
                   incremental build is compared with
- ``both``         both files, no cache, into WORK/both: the clean build, and
                   ``bare`` extraction of the same papers for its ratio
- ``dask``         papers.jsonl.gz on a Dask LocalCluster of the same size
                   (single-threaded worker processes), started here and given
                   to the build as its scheduler (``--engine dask --scheduler
                   ADDRESS``); the driver's memory is then the build's own.
                   Compared byte for byte with ``--reference`` (default
                   WORK/main, the ``first`` step's outputs)
- ``report``       the lists a reader looks at, from ``--graph`` (default
                   WORK/main): the most supported methods, tasks and datasets,
                   the most supported entity-entity relations, the share of
                   entity-entity edges with support >= 2, the largest
                   communities.

``--limit N`` takes the first N records of each file (written to WORK as
.jsonl.gz) for a smaller trial. One JSON line per step; nothing asserted.
"""

from __future__ import annotations

import argparse
import filecmp
import gzip
import json
import logging
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

FILES = {"main": "papers.jsonl.gz", "extra": "papers_extra.jsonl.gz"}
OUTPUT_FILES = ("extractions.jsonl", "graph.json", "graph.graphml", "graph.ttl", "graph.nt", "graph.jsonld",
                "graph.html", "report.json")


def build(inputs: list[Path], output: Path, **settings) -> dict:
    """One build in this process, measured (run it through :func:`_child`)."""
    from scale_build import _Memory

    from kgraph.config import Config
    from kgraph.run import build as run_build

    memory = _Memory()
    start = time.perf_counter()
    result = run_build(config=Config(inputs=tuple(inputs), output_dir=output, **settings))
    seconds = time.perf_counter() - start
    papers = result.report["papers"]["in_graph"]
    sizes = {name: (output / name).stat().st_size for name in OUTPUT_FILES if (output / name).exists()}
    return {"papers": papers, "seconds": round(seconds, 1), "papers_per_s": round(papers / seconds, 2),
            "timings": {k: round(v, 1) for k, v in result.timings.items()}, "extraction": result.extraction,
            "nodes": result.graph.number_of_nodes(), "edges": result.graph.number_of_edges(),
            "output_mb": {k: round(v / 2**20, 1) for k, v in sizes.items()}, **memory.result()}


def bare(inputs: list[Path]) -> dict:
    """Extraction alone: the default pipeline over the same papers on two worker processes, docs dropped."""
    from ner_speed import _run_pool

    from kgraph.config import Config
    from kgraph.nlp.extract import paper_text
    from kgraph.run import read_papers

    texts = [paper_text(p) for p in read_papers(Config(inputs=tuple(inputs)), [])]
    seconds = _run_pool("default", texts, 2, 32)
    return {"papers": len(texts), "seconds": round(seconds, 1), "papers_per_s": round(len(texts) / seconds, 2)}


def _child(kind: str, **spec) -> dict:
    command = [sys.executable, __file__, "--child", json.dumps({"kind": kind, **spec}, default=str)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(graph_dir: Path, *, limit: int = 30) -> dict:
    """What a reader of the graph sees first."""
    from kgraph.export.json import read_graph_json
    from kgraph.graph import schema as s
    from kgraph.query import communities, top

    G = read_graph_json(graph_dir / "graph.json")
    out: dict = {}
    for kind in ("method", "task", "dataset"):
        out[f"top_{kind}s"] = [(r.node.label, r.score) for r in top(G, by="support", type=kind, limit=limit)]
    entity = {n for n, d in G.nodes(data=True) if d.get(s.TYPE) in {"method", "task", "dataset"}}
    edges = [(h, t, k, d.get(s.SUPPORT, 1)) for h, t, k, d in G.edges(keys=True, data=True)
             if h in entity and t in entity]
    label = {n: G.nodes[n].get(s.LABEL, n) for n in entity}
    ranked = sorted(edges, key=lambda e: (-e[3], label[e[0]], e[2], label[e[1]]))[:limit]
    out["top_relations"] = [(label[h], k, label[t], n) for h, t, k, n in ranked]
    out["entity_edges"] = len(edges)
    out["entity_edges_support_2"] = sum(1 for e in edges if e[3] >= 2)
    out["share_support_2"] = round(out["entity_edges_support_2"] / max(1, len(edges)), 4)
    out["communities"] = [{"name": c.name, "size": c.size} for c in communities(G)[:10]]
    return out


def _limited(source: Path, work: Path, limit: int) -> Path:
    """The first ``limit`` records of a .jsonl.gz file, as a .jsonl.gz file in ``work``."""
    target = work / f"{source.name.removesuffix('.jsonl.gz')}-{limit}.jsonl.gz"
    if not target.exists():
        with gzip.open(source, "rt", encoding="utf-8") as src, gzip.open(target, "wt", encoding="utf-8") as dst:
            for n, line in enumerate(src):
                if n >= limit:
                    break
                dst.write(line)
    return target


@contextmanager
def _local_cluster(workers: int):
    """A Dask LocalCluster of ``workers`` single-threaded processes for the run; its scheduler's address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def _same_outputs(a: Path, b: Path) -> bool:
    names = [n for n in OUTPUT_FILES if (a / n).exists()]
    return all((b / n).exists() and filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("arxiv", type=Path, nargs="?", default=HERE.parent.parent / "shared/corpus/arxiv")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kgraph-arxiv"))
    parser.add_argument("--steps", default="first,incremental,extra,both,report")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="the first N records of each file")
    parser.add_argument("--graph", type=Path, help="the output directory the report step reads")
    parser.add_argument("--json", type=Path, help="append the result lines to this file")
    parser.add_argument("--reference", type=Path,
                        help="the local engine's outputs the dask step is compared with (default WORK/main)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        kind = spec.pop("kind")
        inputs = [Path(p) for p in spec.pop("inputs")]
        result = bare(inputs) if kind == "bare" else build(inputs, Path(spec.pop("output")), **spec)
        print(json.dumps(result))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    files = {k: args.arxiv / v for k, v in FILES.items()}
    if args.limit:
        files = {k: _limited(v, args.work, args.limit) for k, v in files.items()}
    both = [files["main"], files["extra"]]
    settings = {"processes": args.processes}
    results: dict[str, dict] = {}

    def emit(step: str, line: dict) -> None:
        results[step] = line
        text = json.dumps({"step": step, **line})
        print(text, flush=True)
        if args.json:
            with args.json.open("a", encoding="utf-8") as handle:
                handle.write(text + "\n")

    for step in args.steps.split(","):
        if step == "first":
            emit(step, _child("build", inputs=[files["main"]], output=args.work / "main", **settings))
        elif step == "incremental":
            emit(step, _child("build", inputs=both, output=args.work / "main", **settings))
        elif step == "extra":
            emit(step, _child("build", inputs=[files["extra"]], output=args.work / "extra", use_cache=False,
                              **settings))
            if "incremental" in results:
                ratio = results["incremental"]["seconds"] / results["extra"]["seconds"]
                emit("incremental_vs_extra", {"ratio": round(ratio, 3)})
        elif step == "both":
            emit(step, _child("build", inputs=both, output=args.work / "both", use_cache=False, **settings))
            emit("bare", _child("bare", inputs=both))
            emit("build_vs_bare", {"ratio": round(results["both"]["seconds"] / results["bare"]["seconds"], 3)})
        elif step == "dask":
            with _local_cluster(args.processes) as address:
                emit(step, _child("build", inputs=[files["main"]], output=args.work / "dask", engine="dask",
                                  scheduler=address, use_cache=False, **settings))
            reference = args.reference or args.work / "main"
            if reference.exists():
                emit("dask_same_bytes", {"reference": str(reference),
                                         "same": _same_outputs(args.work / "dask", reference)})
        elif step == "report":
            emit(step, report(args.graph or args.work / "main"))
        else:
            raise SystemExit(f"unknown step {step!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
