"""The +1 % build, measured again and again from one saved state.

A user who appends papers to a corpus and runs ``kgraph build`` again has,
in the output directory, the previous build's outputs, its fragment index and
the extraction cache of the papers already seen. This script keeps such a
state (``--state``: the output directory of a build of ``corpus``) untouched
and measures the next build from a copy of it, as many times as asked:

1. the run directory is made of hard links to the state's files (same
   inodes and times, so the fragment index still describes them; a build
   replaces files, it never writes into them), except the extraction cache,
   which a build writes into and is therefore copied;
2. ``corpus`` is replaced by ``--grown`` (the same path, more papers, as a
   user appending to a file does) for the build, and restored after;
3. ``kgraph build corpus -o RUN`` runs in a fresh process under
   ``/usr/bin/time -v``: wall seconds, CPU seconds (the build and its
   workers), peak resident memory of the build's own process;
4. with ``--reference DIR``, every output file is compared with the same
   file in DIR (a build of the grown corpus without any previous outputs).

    python bench/incremental.py /tmp/b100/corpus.jsonl --state /tmp/state100 \\
        --grown /tmp/kgraph-bench/100000-grown/corpus.jsonl --runs 2 --json results.jsonl

Nothing is asserted; one JSON line per run is printed.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("extractions.jsonl", "graph.json", "graph.graphml", "graph.ttl", "graph.nt", "graph.jsonld",
           "ontology.ttl", "graph.html", "report.json")


def copy_state(state: Path, run: Path) -> None:
    """``run`` as hard links to ``state``'s files, the extraction cache copied."""
    if run.exists():
        shutil.rmtree(run)
    shutil.copytree(state, run, copy_function=os.link)
    for cache in (run / ".cache").glob("extractions.sqlite*"):
        cache.unlink()
        shutil.copy2(state / ".cache" / cache.name, cache)


def timed_build(corpus: Path, run: Path, extra: list[str]) -> dict:
    kgraph = Path(sys.executable).parent / "kgraph"
    command = ["/usr/bin/time", "-v", str(kgraph), "build", str(corpus), "-o", str(run), "--no-progress", *extra]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    stats = dict(re.findall(r"^\s*(.+?): (.+)$", done.stderr, flags=re.MULTILINE))
    cpu = float(stats["User time (seconds)"]) + float(stats["System time (seconds)"])
    summary = re.search(r"^time:\s+([\d.]+) s", done.stdout, flags=re.MULTILINE)
    return {"wall_s": round(wall, 1), "build_total_s": float(summary.group(1)) if summary else None,
            "cpu_s": round(cpu, 1), "peak_mb": round(int(stats["Maximum resident set size (kbytes)"]) / 1024),
            "summary": done.stdout.strip().splitlines()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="the corpus file the state was built from")
    parser.add_argument("--state", type=Path, required=True, help="output directory of a build of CORPUS")
    parser.add_argument("--grown", type=Path, required=True, help="CORPUS with the new papers appended")
    parser.add_argument("--run", type=Path, default=Path("/tmp/kgraph-incremental-run"))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--reference", type=Path, help="a clean build of the grown corpus, to compare with")
    parser.add_argument("--json", type=Path, help="append result lines to this file")
    parser.add_argument("build_args", nargs="*", help="more `kgraph build` options (after --)")
    args = parser.parse_args()

    original = args.corpus.with_name(args.corpus.name + ".before-grown")
    shutil.copy2(args.corpus, original)
    try:
        for number in range(1, args.runs + 1):
            copy_state(args.state, args.run)
            shutil.copyfile(args.grown, args.corpus)
            try:
                line = {"run": number, **timed_build(args.corpus, args.run, args.build_args)}
            finally:
                shutil.copy2(original, args.corpus)
            if args.reference is not None:
                line["same_as_reference"] = {
                    name: filecmp.cmp(args.run / name, args.reference / name, shallow=False)
                    for name in OUTPUTS if (args.reference / name).exists()}
            text = json.dumps(line)
            print(text, flush=True)
            if args.json is not None:
                with open(args.json, "a", encoding="utf-8") as handle:
                    handle.write(text + "\n")
    finally:
        original.unlink()


if __name__ == "__main__":
    main()
