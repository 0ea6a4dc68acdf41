"""SPARQL on ≥ 1M triples: rdflib in memory vs pyoxigraph (in memory and on disk).

The bundled corpus's graph (``graph.nt`` of a build) is replicated until it
holds at least ``--triples`` triples: copy ``i`` moves every node, statement
and evidence IRI under ``<base>r<i>/`` (the vocabulary stays as it is), so the
copies are disjoint and every canned query finds one answer per copy. Each
engine loads the same N-Triples file, then runs the canned queries of
``examples/queries/`` with their documented bindings, through
:func:`kgraph.rdf.sparql` (the code ``kgraph sparql`` runs).

    .venv/bin/kgraph build data/ -o output/        # once
    .venv/bin/python bench/rdf_sparql.py --graph output/

Prints a Markdown table (the one in docs/BENCHMARKS.md). Not part of the test
suite; timings are wall-clock seconds on whatever machine runs it.
"""

from __future__ import annotations

import argparse
import math
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kgraph.config import DEFAULT_BASE_IRI  # noqa: E402
from kgraph.rdf import load_store, open_store, sparql  # noqa: E402

QUERIES = [
    ("methods-for-task.rq", {"task_name": "camera pose estimation"}),
    ("datasets-for-method.rq", {"method_name": "BRS"}),
    ("extensions.rq", {"method_name": "DUSt3R"}),
    ("most-supported-relations.rq", {}),
]
_COLLECTIONS = "paper|method|task|dataset|statement|evidence"


def replicate(source: Path, target: Path, minimum: int) -> tuple[int, int]:
    """Write enough copies of the N-Triples file ``source`` to ``target``; (copies, triples)."""
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    copies = max(1, math.ceil(minimum / len(lines)))
    node = re.compile("<" + re.escape(DEFAULT_BASE_IRI) + f"(?=(?:{_COLLECTIONS})/)")
    with target.open("w", encoding="utf-8") as out:
        for i in range(copies):
            moved = node.sub(f"<{DEFAULT_BASE_IRI}r{i}/", "\n".join(lines))
            out.write(moved.replace(f'"{DEFAULT_BASE_IRI}"', f'"{DEFAULT_BASE_IRI}r{i}/"') + "\n")
    return copies, copies * len(lines)


def timed(function, repeat: int):
    """(median seconds, last result) of ``repeat`` calls."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, default=ROOT / "output", help="build directory with graph.nt")
    parser.add_argument("--triples", type=int, default=1_000_000, help="replicate to at least this many triples")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query for pyoxigraph (rdflib: 1)")
    args = parser.parse_args()
    source = args.graph / "graph.nt"
    if not source.is_file():
        print(f"{source}: not found; run `kgraph build data/ -o {args.graph}` first", file=sys.stderr)
        return 1
    import pyoxigraph
    from rdflib import Graph

    with tempfile.TemporaryDirectory(prefix="kgraph-bench-") as tmp:
        big = Path(tmp) / "graph.nt"
        copies, triples = replicate(source, big, args.triples)
        print(f"{source}: {copies} copies -> {triples:,} triples ({big.stat().st_size / 1e6:.0f} MB of N-Triples)",
              file=sys.stderr)

        loads = {}
        start = time.perf_counter()
        rdflib_graph = Graph()
        rdflib_graph.parse(big, format="nt")
        loads["rdflib (memory)"] = time.perf_counter() - start
        start = time.perf_counter()
        ox_memory = pyoxigraph.Store()
        ox_memory.bulk_load(path=str(big), format=pyoxigraph.RdfFormat.N_TRIPLES)
        loads["pyoxigraph (memory)"] = time.perf_counter() - start
        start = time.perf_counter()
        load_store(big, Path(tmp) / "store")
        ox_disk = open_store(Path(tmp) / "store")
        loads["pyoxigraph (disk store)"] = time.perf_counter() - start
        assert len(rdflib_graph) == len(ox_memory) == len(ox_disk), "the engines loaded different graphs"
        triples = len(rdflib_graph)  # the copies share the one void:Dataset node
        print(f"loaded: {triples:,} triples in each", file=sys.stderr)

        engines = {"rdflib (memory)": (rdflib_graph, 1), "pyoxigraph (memory)": (ox_memory, args.repeat),
                   "pyoxigraph (disk store)": (ox_disk, args.repeat)}
        rows = {name: {"load": seconds} for name, seconds in loads.items()}
        answers = {}
        for query_file, bindings in QUERIES:
            text = (ROOT / "examples" / "queries" / query_file).read_text(encoding="utf-8")
            for name, (graph, repeat) in engines.items():
                seconds, result = timed(lambda: sparql(text, graph, bindings=bindings), repeat)
                rows[name][query_file] = seconds
                answers.setdefault(query_file, set()).add(len(result))
                print(f"{name:24} {query_file:28} {seconds:8.3f} s  {len(result)} rows", file=sys.stderr)
        for query_file, counts in answers.items():
            assert len(counts) == 1, f"{query_file}: the engines disagree on the number of rows: {counts}"

    columns = ["load"] + [q for q, _ in QUERIES]
    print(f"\n{triples:,} triples ({copies} copies of the bundled corpus's graph), "
          f"Python {platform.python_version()}, {platform.machine()}; seconds, median of "
          f"{args.repeat} runs for pyoxigraph, 1 for rdflib\n")
    print("| engine | " + " | ".join(columns) + " |")
    print("| --- | " + " | ".join("---:" for _ in columns) + " |")
    for name, values in rows.items():
        print(f"| {name} | " + " | ".join(f"{values[c]:.3f}" for c in columns) + " |")
    print("\n| rows | " + " | ".join(["–"] + [str(answers[q].pop()) for q, _ in QUERIES]) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
