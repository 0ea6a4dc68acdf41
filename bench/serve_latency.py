"""Latency and memory of `kgraph serve`: search, an entity page and a canned SPARQL query, over loopback.

Starts ``kgraph serve GRAPH`` on a free loopback port (a separate process,
as a user would run it), waits until it answers, then runs a bounded loop:
``--rounds`` rounds of one search (a name of the graph with a typo in it),
one entity page (HTML, of an entity picked in turn) and one canned SPARQL
query (``examples/queries/methods-for-task.rq`` for a task of the graph),
stopping early at ``--deadline`` seconds. Prints the median and 95th
percentile of each kind of request, in milliseconds, and the resident memory
of the server with its SPARQL workers. Every request goes to 127.0.0.1 only.

    .venv/bin/kgraph build data/ -o output/        # once
    .venv/bin/python bench/serve_latency.py --graph output/

Goals (issue 25, on a 30k-paper graph): search under 100 ms, an entity page
under 300 ms, a canned SPARQL query under 500 ms, the server under 1.5 GB.
Not part of the test suite; timings are wall-clock on whatever machine runs it.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
KGRAPH = Path(sys.executable).parent / "kgraph"
CANNED = ROOT / "examples" / "queries" / "methods-for-task.rq"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and its children (Linux /proc), in bytes; 0 where unknown."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def typo(name: str, rng: random.Random) -> str:
    """``name`` with two neighbouring letters swapped (when it has two)."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", default="output", help="build directory (or pyoxigraph store) to serve")
    parser.add_argument("--store", default=None, help="pyoxigraph store for SPARQL (else a temporary one)")
    parser.add_argument("--rounds", type=int, default=100, help="rounds of (search, entity page, SPARQL)")
    parser.add_argument("--deadline", type=float, default=300.0, help="stop the loop after this many seconds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    graph = json.loads((Path(args.graph) / "graph.json").read_text(encoding="utf-8"))
    entities = [n for n in graph["nodes"] if n.get("type") in ("method", "task", "dataset")]
    tasks = [n for n in entities if n["type"] == "task"]
    if not entities or not tasks:
        sys.exit("the graph has no entities or no tasks to ask about")
    rng = random.Random(args.seed)

    port = free_port()
    command = [str(KGRAPH), "serve", str(args.graph), "--port", str(port)]
    if args.store:
        command += ["--store", args.store]
    started = time.monotonic()
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            while True:
                try:
                    http.get("/api/stats")
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() - started > 600:
                        sys.exit("the server did not start: " + (server.stderr.read() if server.stderr else ""))
                    time.sleep(0.2)
            startup = time.monotonic() - started
            http.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})  # the SPARQL workers are up
            query = CANNED.read_text(encoding="utf-8")
            times: dict[str, list[float]] = {"search": [], "entity page": [], "canned SPARQL": []}
            loop_start = time.monotonic()
            for _ in range(args.rounds):
                if time.monotonic() - loop_start > args.deadline:
                    break
                entity = rng.choice(entities)
                task = rng.choice(tasks)
                for kind, method, path, options in (
                    ("search", "GET", "/api/search", {"params": {"q": typo(entity["label"], rng)}}),
                    ("entity page", "GET", "/entity/" + entity["id"], {"headers": {"accept": "text/html"}}),
                    ("canned SPARQL", "POST", "/sparql", {"data": {"query": query, "bind.task_name": task["label"]}}),
                ):
                    t0 = time.perf_counter()
                    response = http.request(method, path, **options)
                    times[kind].append((time.perf_counter() - t0) * 1000)
                    if response.status_code != 200:
                        print(f"warning: {kind} answered {response.status_code}: {response.text[:200]}",
                              file=sys.stderr)
            memory = rss_bytes(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()

    print(f"`kgraph serve {args.graph}`: {len(graph['nodes'])} nodes, {len(graph['edges'])} edges; "
          f"started in {startup:.1f} s; {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print()
    print("| request | n | median ms | p95 ms |")
    print("| --- | ---: | ---: | ---: |")
    for kind, values in times.items():
        if values:
            print(f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} |")
    print()
    print(f"server memory (resident, with its SPARQL workers): {memory / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
