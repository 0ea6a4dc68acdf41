"""Reliability at run time: processes, directory walks, the cache, outputs read back, hostile names and queries.

- Worker processes end with the driver, however it ends (``kill -9``, SIGTERM);
  SIGTERM is handled as Ctrl-C is.
- Every file or directory met in an input directory is read, or listed in
  ``report.json`` as ignored, with the reason; symbolic links to directories
  are followed, loops and depth are no error.
- A damaged extraction cache or fragment index costs time, never a build.
- A build never reads its own outputs (or another build's) as input.
- File names reach the terminal escaped; SPARQL ``SERVICE`` is refused; an empty
  ``-o`` is refused; ``-j`` is capped at what the machine can run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from kgraph.engine.cache import CACHE_FILE, ExtractionCache
from kgraph.cli import cli
from kgraph.errors import ConfigError, KGraphWarning
from kgraph.ingest import list_input_files
from kgraph.ingest.corpus import (
    HIDDEN,
    KGRAPH_OUTPUT,
    UNKNOWN_TYPE,
    WRITTEN_BY_KGRAPH,
    Ignored,
)
from kgraph.model import Paper, PaperExtraction, Span
from kgraph.run import OUTPUT_DIRECTORY, OUTPUT_FILES

DATA = Path(__file__).resolve().parent / "data"
GOOD = DATA / "reliability" / "good.jsonl"
KILLED_BUILD = DATA / "reliability" / "killed_build.py"
LINUX = sys.platform.startswith("linux") and Path("/proc/self/environ").exists()


def jsonl(*titles: str) -> str:
    return "".join(json.dumps({"title": t, "abstract": f"We study {t.lower()} on a benchmark."}) + "\n"
                   for t in titles)


def build_cli(*args: str, fast: bool = True, processes: str | None = "1", cache: bool = False):
    """`kgraph build` in this process (the fast pipeline, loaded once per process)."""
    extra = (["--fast"] if fast else []) + (["-j", processes] if processes else []) + ([] if cache else ["--no-cache"])
    return CliRunner().invoke(cli, ["build", *args, *extra, "--no-progress"])


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def ignored_in(out: Path) -> dict[str, str]:
    return {entry["path"]: entry["reason"] for entry in report(out)["inputs"]["ignored"]}


# --------------------------------------------------------------------------- processes end with the driver


def _marked(mark: str) -> list[int]:
    """Pids of the processes whose environment holds ``KGRAPH_TEST_RUN=mark`` (the driver and all it started)."""
    needle = f"KGRAPH_TEST_RUN={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_reliability_workers_end_with_the_driver(signum, tmp_path: Path) -> None:
    """`kgraph build -j 2` killed (or terminated) while its workers extract: no process is left, its pipe ends."""
    corpus = tmp_path / "corpus.jsonl"
    # more than ProcessPoolEngine.IN_PROCESS_CHUNKS chunks, so that the pool starts
    corpus.write_text(jsonl(*(f"Graph method {i} for node classification" for i in range(400))), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    previous = {name: f"previous {name}\n".encode() for name in OUTPUT_FILES.values()}
    for name, data in previous.items():
        (out / name).write_bytes(data)
    mark = uuid.uuid4().hex
    command = [sys.executable, "-c", "from kgraph.cli import main; main()", "build", str(corpus), "-o", str(out),
               "--fast", "-j", "2", "--no-cache", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "KGRAPH_TEST_RUN": mark})
    try:
        # the driver, the resource tracker, the forkserver and two workers
        if not _wait_until(lambda: len(_marked(mark)) >= 5 or process.poll() is not None, 240):
            pytest.fail(f"the pool did not start: {sorted(_marked(mark))}")
        assert process.poll() is None, process.stdout.read().decode()
        time.sleep(1)  # the workers at work
        os.kill(process.pid, signum)
        process.wait(timeout=60)
        left = _wait_until(lambda: _marked(mark) == [], 20)
        assert left, f"processes left running after the driver ended: {_marked(mark)}"
        # `kgraph build ... | cat` ends: nothing holds the driver's output any more
        output = process.stdout.read().decode()
    finally:
        _kill_all([pid for pid in _marked(mark) if pid != os.getpid()])
        if process.poll() is None:
            process.kill()
            process.wait()
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == previous
    if signum == signal.SIGTERM:  # as Ctrl-C: one line, exit code 143, nothing left behind
        assert process.returncode == 128 + signal.SIGTERM, output
        assert output.strip().splitlines()[-1] == "Error: terminated" and "Traceback" not in output, output
        assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    else:
        assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("wait", ["pidfd", "polling"])
def test_reliability_exit_with_ends_a_process_when_its_driver_ends(wait: str) -> None:
    """kgraph.engine.worker.exit_with, as a pool worker calls it: on a pidfd, or polling where there is none."""
    driver = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    code = ("import os, time\n" + ("del os.pidfd_open\n" if wait == "polling" else "")
            + "from kgraph.engine import worker\nworker.POLL_SECONDS = 0.1\n"
            + f"worker.exit_with({driver.pid})\nprint('waiting', flush=True)\ntime.sleep(600)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "waiting\n"
        assert child.poll() is None
        driver.kill()
        driver.wait()
        assert child.wait(timeout=20) == 1
    finally:
        for process in (driver, child):
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.slow
def test_reliability_sigterm_during_export_leaves_previous_outputs(tmp_path: Path) -> None:
    """SIGTERM while graph.graphml is half written: exit 143, previous outputs whole, no temporary file left."""
    out = tmp_path / "out"
    out.mkdir()
    previous = {name: f"previous {name}\n".encode() for name in OUTPUT_FILES.values()}
    for name, data in previous.items():
        (out / name).write_bytes(data)
    ready = tmp_path / "ready"
    command = [sys.executable, str(KILLED_BUILD), str(ready), "build", str(GOOD), "-o", str(out),
               "--fast", "-j", "1", "--no-cache", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        if not _wait_until(lambda: ready.exists() or process.poll() is not None, 240) or not ready.exists():
            pytest.fail(f"the build did not reach export: {process.poll()}")
        os.kill(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signal.SIGTERM, output
    assert output.strip().splitlines()[-1] == "Error: terminated" and "Traceback" not in output, output
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == previous
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- every entry read or listed


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch) -> Path:
    """An input directory with one of each: hidden, unknown, unreadable, a link to a directory outside it."""
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "locked").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "a.jsonl").write_text(jsonl("Graph attention networks"), encoding="utf-8")
    (root / ".hidden.jsonl").write_text(jsonl("Hidden paper"), encoding="utf-8")
    (root / "notes.md").write_text("# notes\n", encoding="utf-8")
    (root / "sub" / "b.jsonl").write_text(jsonl("Residual networks"), encoding="utf-8")
    (root / "locked" / "c.jsonl").write_text(jsonl("Locked paper"), encoding="utf-8")
    (elsewhere / "d.jsonl").write_text(jsonl("Linked transformer"), encoding="utf-8")
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    real_scandir = os.scandir

    def scandir(path="."):  # root can list a chmod 000 directory: refuse it here
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return root


def test_reliability_every_entry_is_read_or_listed_with_a_reason(tree: Path) -> None:
    files, ignored = list_input_files([tree])
    assert files == [(tree / "a.jsonl", "jsonl"), (tree / "linked" / "d.jsonl", "jsonl"),
                     (tree / "sub" / "b.jsonl", "jsonl")]
    assert ignored == [Ignored(tree / ".git", HIDDEN), Ignored(tree / ".hidden.jsonl", HIDDEN),
                       Ignored(tree / "notes.md", UNKNOWN_TYPE),
                       Ignored(tree / "locked", "cannot read directory: permission denied")]


def test_reliability_report_lists_what_was_not_read(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build_cli(str(tree), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert ignored_in(out) == {str(tree / ".git"): HIDDEN, str(tree / ".hidden.jsonl"): HIDDEN,
                               str(tree / "locked"): "cannot read directory: permission denied",
                               str(tree / "notes.md"): UNKNOWN_TYPE}
    assert report(out)["papers"]["in_graph"] == 3  # a, b and the linked d
    # what is unusual is said on the terminal too; hidden and unknown files only in report.json
    assert f"warning: {tree / 'locked'}: not read: cannot read directory: permission denied" in result.output
    assert "notes.md" not in result.output


def test_reliability_symlink_loops_are_listed_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "a.jsonl").write_text(jsonl("Graph attention networks"), encoding="utf-8")
    (root / "sub" / "back").symlink_to(root, target_is_directory=True)  # a directory loop
    (root / "self.jsonl").symlink_to("self.jsonl")  # a link to itself
    (root / "self").symlink_to("self")
    (root / "twice").symlink_to(root / "sub", target_is_directory=True)  # the same directory by two names
    files, ignored = list_input_files([root])
    assert files == [(root / "a.jsonl", "jsonl"), (root / "self.jsonl", "jsonl")]
    reasons = {entry.path.relative_to(root).as_posix(): entry.reason for entry in ignored}
    assert reasons["sub/back"] == f"symlink loop: the same directory as {root}, above it"
    assert reasons["twice"] == f"already read as {root / 'sub'}"
    assert reasons["self"].startswith("symbolic link that leads nowhere")

    out = tmp_path / "out"
    strict = build_cli(str(root), "-o", str(out))
    assert strict.exit_code == 1 and "self.jsonl:1: cannot read file" in strict.output, strict.output
    result = build_cli(str(root), "-o", str(out), "--skip-bad")
    assert result.exit_code == 0, result.output
    assert report(out)["papers"] == {"read": 2, "in_graph": 1, "skipped": 1, "duplicates_merged": 0,
                                   "title_only": 0}


def test_reliability_deep_directories_are_walked(tmp_path: Path) -> None:
    deep = tmp_path / "deep"
    deep.mkdir()
    path = deep
    for _ in range(1100):  # os.makedirs itself recurses too deep for this
        path = path / "d"
        path.mkdir()
    (path / "x.jsonl").write_text(jsonl("Deep residual learning"), encoding="utf-8")
    try:
        files, ignored = list_input_files([deep])
        assert files == [(path / "x.jsonl", "jsonl")] and ignored == []
    finally:  # bottom up: shutil.rmtree (and so pytest's cleanup of old runs) recurses too deep for it
        (path / "x.jsonl").unlink()
        while path != tmp_path:
            path.rmdir()
            path = path.parent


# --------------------------------------------------------------------------- the cache verifies what it reads


def _extractions(n: int) -> list[PaperExtraction]:
    return [PaperExtraction(Paper(f"p{i}", f"Title {i}", f"Abstract {i}."), sentences=(Span("title", 0, 7),))
            for i in range(n)]


def test_reliability_cache_damaged_rows_are_misses(tmp_path: Path) -> None:
    extractions = _extractions(4)
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        cache.put_many(extractions)
    db = sqlite3.connect(tmp_path / CACHE_FILE)
    rows = db.execute("SELECT key, value FROM extraction ORDER BY key").fetchall()
    (k0, v0), (k1, _) = rows[0], rows[1]
    db.execute("UPDATE extraction SET value = ? WHERE key = ?", (v0[:-4] + b"\xff" * 4, k0))  # bytes damaged
    db.execute("UPDATE extraction SET value = ? WHERE key = ?", (v0, k1))  # another paper's value
    db.commit()
    db.close()
    papers = [ex.paper for ex in extractions]
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        with pytest.warns(KGraphWarning, match="damaged entries"):
            found = cache.get_many(papers)
        assert sum(hit is None for hit in found) == 2 and cache.damaged == 2
        assert all(hit == ex for ex, hit in zip(extractions, found) if hit is not None)
        assert len(cache) == 2  # the damaged rows are gone, to be stored anew


@pytest.mark.parametrize("damage", ["garbage", "pages", "truncated"])
def test_reliability_cache_damaged_database_is_set_aside(tmp_path: Path, damage: str) -> None:
    extractions = _extractions(300)
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        cache.put_many(extractions)
    path = tmp_path / CACHE_FILE
    if damage == "garbage":
        path.write_bytes(b"\x5a" * 8192)
    elif damage == "pages":
        with open(path, "r+b") as handle:
            handle.seek(4096 + 100)
            handle.write(b"\xa5" * 8192)
    else:
        os.truncate(path, 5000)
    papers = [ex.paper for ex in extractions]
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        with pytest.warns(KGraphWarning, match="damaged"):
            cache.contains_many(papers)  # SQLite finds the damage here: the database is set aside
        assert cache.get_many(papers[:3]) == [None] * 3
        cache.put_many(extractions[:10])
        assert len(cache) == 10
    assert (tmp_path / (CACHE_FILE + ".damaged")).exists()


def test_reliability_build_with_a_damaged_cache_rebuilds_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build_cli(str(GOOD), "-o", str(out), cache=True)
    assert first.exit_code == 0, first.output
    graph = (out / "graph.json").read_bytes()
    (out / ".cache" / CACHE_FILE).write_bytes(b"not a database" * 100)
    for attempt in range(2):  # the first repairs it, the next uses it
        result = build_cli(str(GOOD), "-o", str(out), cache=True)
        assert result.exit_code == 0, result.output
        assert ("warning: the extraction cache" in result.output) == (attempt == 0), result.output
        assert (out / "graph.json").read_bytes() == graph


def test_reliability_build_counts_papers_of_damaged_cache_rows_as_extracted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build_cli(str(GOOD), "-o", str(out), cache=True).exit_code == 0
    db = sqlite3.connect(out / ".cache" / CACHE_FILE)
    key, value = db.execute("SELECT key, value FROM extraction ORDER BY key").fetchone()
    db.execute("UPDATE extraction SET value = ? WHERE key = ?", (value[:-4] + b"\xff" * 4, key))
    db.commit()
    db.close()
    result = build_cli(str(GOOD), "-o", str(out), cache=True)
    assert result.exit_code == 0, result.output
    assert "has damaged entries" in result.output
    assert "extracted: 1 papers, 1 from the cache" in result.output, result.output


def test_reliability_tampered_fragment_index_is_not_used(tmp_path: Path) -> None:
    import networkx as nx

    from kgraph.export.json import graph_json_fragments
    from kgraph.export.splice import GraphDigests, Reuse, write_fragments

    G = nx.node_link_graph(json.loads((DATA / "export" / "graph.json").read_text(encoding="utf-8")), edges="edges")
    final, index = tmp_path / "graph.json", tmp_path / "idx" / "json.npz"

    def write_graph_json(G, final, *, reuse):
        return write_fragments(graph_json_fragments(G, GraphDigests.of(G)), {"json": final}, reuse=reuse)

    write_graph_json(G, final, reuse=Reuse(index, {"json": final}))
    fresh = final.read_bytes()
    with np.load(index) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["offsets_0"] = arrays["offsets_0"] + np.uint64(1)  # every fragment one byte later: wrong bytes copied
    with open(index, "wb") as handle:
        np.savez(handle, **arrays)
    with pytest.warns(KGraphWarning, match="fragment index"):
        spliced = write_graph_json(G, final, reuse=Reuse(index, {"json": final}))
    assert spliced.copied == 0
    assert final.read_bytes() == fresh


# --------------------------------------------------------------------------- outputs are never read back


@pytest.mark.parametrize("layout", ["nested", "current-directory", "same-directory"])
def test_reliability_outputs_are_never_read_as_input(tmp_path: Path, monkeypatch, layout: str) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "papers.jsonl").write_text(jsonl("Graph attention networks", "Residual networks"), encoding="utf-8")
    monkeypatch.chdir(root if layout == "current-directory" else tmp_path)
    inputs, out = {"nested": ("in", Path("in/out")), "current-directory": (".", Path("out")),
                   "same-directory": ("in", Path("in"))}[layout]
    for _ in range(2):
        result = build_cli(inputs, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert report(out)["papers"]["in_graph"] == 2
        assert [f["path"] for f in report(out)["inputs"]["files"]] == [str(Path(inputs) / "papers.jsonl")]
    ignored = ignored_in(out)
    if layout == "same-directory":
        assert ignored[str(out / "report.json")] == ignored[str(out / "graph.json")] == WRITTEN_BY_KGRAPH
    else:
        assert ignored[str(out)] == OUTPUT_DIRECTORY
    assert "not read" not in result.output  # no warning for what is expected


def test_reliability_another_builds_outputs_are_not_read(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "papers.jsonl").write_text(jsonl("Graph attention networks"), encoding="utf-8")
    assert build_cli(str(root), "-o", str(root / "old")).exit_code == 0
    result = build_cli(str(root), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert ignored_in(tmp_path / "out") == {str(root / "old"): KGRAPH_OUTPUT}


@pytest.mark.parametrize("outputs", ["json,ttl", "extractions", "html", "report"])
def test_reliability_output_directories_are_recognised_whatever_outputs_selects(tmp_path: Path, monkeypatch,
                                                                                 outputs: str) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "papers.jsonl").write_text(jsonl("Graph attention networks"), encoding="utf-8")
    monkeypatch.chdir(root)
    first = build_cli(".", "-o", "sub", "--outputs", outputs)
    assert first.exit_code == 0, first.output
    result = build_cli(".", "-o", "out")
    assert result.exit_code == 0, result.output
    assert ignored_in(Path("out")) == {"sub": KGRAPH_OUTPUT}
    assert [f["path"] for f in report(Path("out"))["inputs"]["files"]] == ["papers.jsonl"]


def test_reliability_older_output_directories_with_only_report_json_are_recognised(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "old").mkdir(parents=True)
    (root / "papers.jsonl").write_text(jsonl("Graph attention networks"), encoding="utf-8")
    # as an older kgraph left it: report.json (and graph.json), no mark of an output directory
    (root / "old" / "report.json").write_text('{\n  "kgraph_version": "0.1.0"\n}\n', encoding="utf-8")
    (root / "old" / "graph.json").write_text('{"nodes": []}\n', encoding="utf-8")
    files, ignored = list_input_files([root])
    assert files == [(root / "papers.jsonl", "jsonl")]
    assert ignored == [Ignored(root / "old", KGRAPH_OUTPUT)]


# --------------------------------------------------------------------------- smaller ones


def test_reliability_control_characters_in_file_names_are_escaped(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b[2J\x07.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    result = build_cli(str(bad), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and "bad\\x1b[2J\\x07.jsonl:1:" in lines[0], result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_reliability_file_names_that_are_not_utf8_are_escaped(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "papers.jsonl").write_text(jsonl("Graph attention networks"), encoding="utf-8")
    Path(os.fsdecode(bytes(root) + b"/notes\xff.md")).write_text("notes\n", encoding="utf-8")
    Path(os.fsdecode(bytes(root) + b"/bad\xfe.jsonl")).write_text("{not json\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build_cli(str(root), "-o", str(out), "--skip-bad")
    assert result.exit_code == 0, result.output
    assert f"{root}/bad\\xfe.jsonl:1: line is not valid JSON" in result.output
    assert ignored_in(out) == {f"{root}/notes\\xff.md": UNKNOWN_TYPE}
    assert [p["file"] for p in report(out)["problems"]] == [f"{root}/bad\\xfe.jsonl"]


class _Listener:
    """A TCP server on localhost that counts the connections made to it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/sparql"
        self.connections = 0
        self.done = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.done = True
        self.thread.join()
        self.server.close()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("clause", [" . SERVICE <{url}>", " . service silent <{url}>", " . SERVICE:x",
                                    ".SERVICE <{url}>", r" . \u0053ERVICE <{url}>", r" . SERVIC\U00000045 <{url}>"])
def test_reliability_sparql_service_is_refused(engine: str, clause: str) -> None:
    import pyoxigraph
    from rdflib import Graph, URIRef

    from kgraph.rdf import QueryError, sparql

    listener = _Listener()
    try:
        query = f"PREFIX : <{listener.url}> SELECT * WHERE {{ ?s ?p ?o{clause.format(url=listener.url)} {{ ?a ?b ?c }} }}"
        if engine == "rdflib":
            graph = Graph()
            graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), URIRef("http://example.org/o")))
        else:
            graph = pyoxigraph.Store()
            graph.add(pyoxigraph.Quad(*(pyoxigraph.NamedNode(f"http://example.org/{n}") for n in "spo")))
        with pytest.raises(QueryError, match="SERVICE .* not allowed"):
            sparql(query, graph)
        time.sleep(0.3)
    finally:
        listener.close()
    assert listener.connections == 0


def test_reliability_sparql_service_in_names_and_strings_is_no_clause() -> None:
    from rdflib import Graph

    from kgraph.rdf import sparql

    query = ("PREFIX ex: <http://example.org/> SELECT ?service WHERE { ?service ex:service 'SERVICE <x>' "
             "# SERVICE <http://example.org/>\n }")
    assert len(sparql(query, Graph(), engine="rdflib")) == 0


def test_reliability_empty_output_path_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(GOOD, tmp_path / "good.jsonl")
    result = build_cli("good.jsonl", "-o", "")
    assert result.exit_code == 1 and result.output.startswith("Error: the output directory is empty"), result.output
    result = CliRunner().invoke(cli, ["extract", "good.jsonl", "-o", ""])
    assert result.exit_code == 1 and result.output.startswith("Error: the output file is empty"), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.jsonl"]
    from kgraph.run import build

    with pytest.raises(ConfigError, match="output directory is empty"):
        build(["good.jsonl"], "")


def test_reliability_processes_are_capped_at_the_machine(tmp_path: Path) -> None:
    from kgraph.engine import available_cores, process_limit, resolve_processes

    limit, why = process_limit()
    assert 1 <= limit <= available_cores()
    assert resolve_processes(64) == min(64, limit) and resolve_processes(0) == limit
    result = build_cli(str(GOOD), "-o", str(tmp_path / "out"), processes="64")
    assert result.exit_code == 0, result.output
    if limit < 64:
        assert f"warning: -j 64 is more processes than this machine can run ({why}); using {limit}" in result.output
    assert f"(local, {limit} {'worker' if limit == 1 else 'workers'})" in result.output


def test_reliability_json_error_message_has_no_doubled_word(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "unterminated\n', encoding="utf-8")
    result = build_cli(str(bad), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "line is not valid JSON" in result.output, result.output
    assert " at at " not in result.output and "starting at," not in result.output
    assert "line is not valid JSON (Unterminated string starting at column 11)" in result.output
