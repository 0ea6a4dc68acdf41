"""Engines: order, bounded work in flight, the cache in the loop; same bytes on every engine."""

from __future__ import annotations

import contextlib
import json

import pytest

from kgraph.config import Config
from kgraph.engine import (
    EngineBase,
    ExtractionStats,
    make_engine,
    resolve_processes,
    run_extraction,
)
from kgraph.engine.cache import ExtractionCache
from kgraph.model import Paper, PaperExtraction, Span


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class FakeEngine(EngineBase):
    """Extracts a paper into one sentence span as long as its title; records what it was sent."""

    name = "fake"

    def __init__(self, workers=2):
        self.workers = workers
        self.chunks: list[list[str]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def submit(self, papers):
        self.chunks.append([p.id for p in papers])
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        engine = self

        class Future:
            def result(self):
                engine.in_flight -= 1
                return [PaperExtraction(p, sentences=(Span("title", 0, len(p.title)),)) for p in papers]

        return Future()


def _papers(n, start=0):
    return [Paper(f"p{i}", f"Title {i}", f"Abstract {i}.") for i in range(start, start + n)]


def test_engine_run_keeps_input_order_and_bounds_work_in_flight():
    engine = FakeEngine(workers=2)
    consumed = []

    def papers():
        for paper in _papers(100):
            consumed.append(paper.id)
            yield paper

    out = []
    for ex in run_extraction(papers(), engine, chunk_size=8):
        out.append(ex.paper.id)
        assert len(consumed) - len(out) <= 4 * 8  # 2 x workers chunks read ahead at most
    assert out == [f"p{i}" for i in range(100)]
    assert engine.most_in_flight <= 4
    assert [len(c) for c in engine.chunks] == [8] * 12 + [4]


def test_engine_run_sends_only_cache_misses(tmp_path):
    stats = ExtractionStats()
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        first = list(run_extraction(_papers(20), FakeEngine(), cache=cache, chunk_size=8))
        engine = FakeEngine()
        papers = _papers(20)[:5] + _papers(3, start=100) + _papers(20)[5:]
        second = list(run_extraction(papers, engine, cache=cache, chunk_size=8, stats=stats))
    assert engine.chunks == [["p100", "p101", "p102"]]
    assert [ex.paper.id for ex in second] == [p.id for p in papers]
    assert [ex for ex in second if ex.paper.id.startswith("p1") and len(ex.paper.id) < 4] == \
        [ex for ex in first if ex.paper.id.startswith("p1")]
    assert (stats.papers, stats.extracted, stats.cached) == (23, 3, 20)


def test_engine_run_reads_ahead_boundedly_behind_a_pending_chunk(tmp_path):
    """One paper to extract, then thousands answered by the cache: they do not pile up in memory."""
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        cache.put_many(PaperExtraction(p) for p in _papers(2000, start=1))
        engine = FakeEngine(workers=1)
        consumed = []

        def papers():
            for paper in _papers(2001):
                consumed.append(paper.id)
                yield paper

        out = []
        for ex in run_extraction(papers(), engine, cache=cache, chunk_size=10, lookahead=100):
            out.append(ex.paper.id)
            assert len(consumed) - len(out) <= 100 + 10
    assert engine.chunks == [["p0"]]
    assert out == [p.id for p in _papers(2001)]


def test_engine_run_submits_new_papers_before_decoding_the_cached_ones_ahead_of_them(tmp_path):
    """Papers appended to a cached corpus go to the engine first: their extraction overlaps the cache's decoding."""
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        cache.put_many(PaperExtraction(p) for p in _papers(500))
        engine = FakeEngine(workers=1)
        out = []
        for ex in run_extraction(_papers(520), engine, cache=cache, chunk_size=10):
            if not out:
                assert engine.chunks == [[f"p{i}" for i in range(500, 510)], [f"p{i}" for i in range(510, 520)]]
            out.append(ex.paper.id)
    assert out == [p.id for p in _papers(520)]


def test_engine_pool_extracts_a_lone_chunk_in_this_process(monkeypatch):
    from kgraph.engine import local

    monkeypatch.setattr(local, "extract_chunk", lambda papers, options, batch_size: [PaperExtraction(p) for p in papers])
    with local.ProcessPoolEngine(2) as engine:
        out = list(run_extraction(_papers(5), engine, chunk_size=8))
        assert engine._pool is None
    assert [ex.paper.id for ex in out] == [f"p{i}" for i in range(5)]


def _fake_pool(monkeypatch):
    """ProcessPoolEngine with extraction here (counted) and a pool that records the chunks sent to it."""
    from concurrent.futures import Future

    from kgraph.engine import local

    here, pooled = [], []

    def extract_here(papers, options, batch_size):
        here.append([p.id for p in papers])
        return [PaperExtraction(p) for p in papers]

    def submit_to_pool(engine, papers):
        pooled.append([p.id for p in papers])
        future = Future()
        future.set_result([PaperExtraction(p) for p in papers])
        return future

    monkeypatch.setattr(local, "extract_chunk", extract_here)
    monkeypatch.setattr(local.ProcessPoolEngine, "_submit", submit_to_pool)
    return local.ProcessPoolEngine, here, pooled


@pytest.mark.parametrize("chunks", [1, 3, 4])
def test_engine_pool_extracts_a_few_chunks_in_this_process(monkeypatch, chunks):
    """A rebuild with a few papers to extract loads one pipeline here rather than one per worker."""
    ProcessPoolEngine, here, pooled = _fake_pool(monkeypatch)
    with ProcessPoolEngine(2, batch_size=8) as engine:
        out = list(run_extraction(_papers(8 * chunks), engine, chunk_size=8))
    assert [ex.paper.id for ex in out] == [f"p{i}" for i in range(8 * chunks)]
    assert (len(here), pooled) == (chunks, [])


def test_engine_pool_starts_when_more_chunks_come(monkeypatch):
    ProcessPoolEngine, here, pooled = _fake_pool(monkeypatch)
    with ProcessPoolEngine(2, batch_size=8) as engine:
        out = list(run_extraction(_papers(8 * 12), engine, chunk_size=8))
    assert [ex.paper.id for ex in out] == [f"p{i}" for i in range(8 * 12)]
    assert (here, len(pooled)) == ([], 12)  # the held chunks too went to the pool, in order
    assert [ids[0] for ids in pooled] == [f"p{8 * i}" for i in range(12)]


def test_engine_held_chunks_behind_cache_hits_are_extracted_here(tmp_path, monkeypatch):
    """Papers to extract among many cached ones: held, not counted as in flight, extracted here."""
    ProcessPoolEngine, here, pooled = _fake_pool(monkeypatch)
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        cache.put_many(PaperExtraction(p) for p in _papers(400, start=10))
        papers = _papers(5) + _papers(400, start=10) + _papers(5, start=5)
        with ProcessPoolEngine(2, batch_size=8) as engine:
            out = list(run_extraction(papers, engine, cache=cache, chunk_size=8))
    assert [ex.paper.id for ex in out] == [p.id for p in papers]
    assert ([i for ids in here for i in ids], pooled) == ([f"p{i}" for i in range(10)], [])


def test_engine_run_reports_progress_per_chunk():
    seen = []
    list(run_extraction(_papers(10), FakeEngine(), chunk_size=4, on_papers=seen.append))
    assert seen == [4, 4, 2]


def test_engine_resolve_processes(monkeypatch):
    from kgraph.engine import driver

    assert resolve_processes(None) == resolve_processes(0) >= 1
    monkeypatch.setattr(driver, "available_cores", lambda: 8)
    monkeypatch.setattr(driver, "available_memory", lambda: 64 << 30)
    assert resolve_processes(3) == 3
    assert resolve_processes(0) == resolve_processes(64) == 8  # no more than the cores
    monkeypatch.setattr(driver, "available_memory", lambda: 3 * driver.WORKER_MEMORY + 1)
    assert resolve_processes(0) == resolve_processes(64) == 3  # nor than the memory holds
    assert driver.process_limit() == (3, "1.5 GB of memory available")


def test_engine_choice_follows_config():
    from kgraph.engine.local import InProcessEngine, ProcessPoolEngine

    assert isinstance(make_engine(Config(processes=1)), InProcessEngine)
    with make_engine(Config(processes=2)) as engine:
        assert isinstance(engine, ProcessPoolEngine) and engine.workers == 2
    assert isinstance(make_engine(Config(processes=2), nlp=object()), InProcessEngine)


# --- end to end on the bundled corpus -----------------------------------------------------------

OUTPUTS = ("extractions.jsonl", "graph.json", "graph.graphml", "graph.nt", "graph.ttl", "graph.jsonld", "report.json")


def _outputs(result) -> dict[str, bytes]:
    out = result.files[0].parent
    return {name: (out / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def corpus_jsonl(tmp_path_factory, corpus_path):
    """The bundled corpus as JSON Lines, in a directory of its own; builds run there with relative paths."""
    from kgraph.ingest import dedupe, iter_records

    papers = [p for p in dedupe(iter_records([corpus_path])) if isinstance(p, Paper)]
    assert len(papers) == 119
    return [json.dumps({"id": p.id, "title": p.title, "abstract": p.abstract}) + "\n" for p in papers]


def _build(directory, lines, **settings):
    from kgraph.run import build

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "corpus.jsonl").write_text("".join(lines), encoding="utf-8")
    with contextlib.chdir(directory):
        config = Config(inputs=("corpus.jsonl",), output_dir="out",
                        outputs=("extractions", "json", "graphml", "nt", "ttl", "jsonld", "report"), **settings)
        result = build(config=config)
    return result, {name: (directory / "out" / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def one_process_build(tmp_path_factory, corpus_jsonl):
    """The reference: one process, no cache."""
    return _build(tmp_path_factory.mktemp("one"), corpus_jsonl, processes=1, use_cache=False)


@pytest.fixture
def small_pool_threshold(monkeypatch):
    """Send all but one chunk to the worker processes, so the bundled corpus exercises the pool."""
    from kgraph.engine.local import ProcessPoolEngine

    monkeypatch.setattr(ProcessPoolEngine, "IN_PROCESS_CHUNKS", 1)


@pytest.mark.slow
def test_engine_two_processes_same_bytes_as_one(tmp_path, corpus_jsonl, one_process_build, small_pool_threshold):
    result, files = _build(tmp_path, corpus_jsonl, processes=2, use_cache=False)
    assert result.extraction == {"engine": "local", "workers": 2, "papers": 119, "extracted": 119, "cached": 0}
    assert not (tmp_path / "out" / ".cache").exists()
    for name, data in one_process_build[1].items():
        assert files[name] == data, name


@pytest.mark.slow
def test_engine_dask_local_cluster_same_bytes_as_local(tmp_path, corpus_jsonl, one_process_build):
    pytest.importorskip("distributed")
    result, files = _build(tmp_path, corpus_jsonl, engine="dask", processes=2, use_cache=False)
    assert result.extraction["engine"] == "dask"
    assert result.extraction["workers"] == 2
    assert result.extraction["extracted"] == 119
    for name, data in one_process_build[1].items():
        assert files[name] == data, name


@pytest.mark.slow
def test_cache_adding_papers_extracts_only_those_and_equals_a_clean_build(tmp_path, corpus_jsonl,
                                                                          one_process_build, small_pool_threshold):
    first, _ = _build(tmp_path, corpus_jsonl[:109], processes=2)
    assert (first.extraction["extracted"], first.extraction["cached"]) == (109, 0)
    again, files = _build(tmp_path, corpus_jsonl, processes=2)
    assert (again.extraction["extracted"], again.extraction["cached"]) == (10, 109)
    for name, data in one_process_build[1].items():
        assert files[name] == data, name
    # graph.json and RDF copied what had not changed from the first build's files
    assert again.reused["rdf"]["copied"] > again.reused["rdf"]["written"] > 0
    assert again.reused["json"]["copied"] > 0
    assert again.reused["extractions"]["copied"] > again.reused["extractions"]["written"] >= 10
    unchanged, files = _build(tmp_path, corpus_jsonl, processes=2)
    assert (unchanged.extraction["extracted"], unchanged.extraction["cached"]) == (0, 119)
    assert files == one_process_build[1]
    assert unchanged.reused["rdf"]["written"] == 1  # the dataset: everything else copied
    assert unchanged.reused["extractions"] == {"copied": 119, "written": 0}
    assert all(group["copied"] == 0 for group in one_process_build[0].reused.values())  # no cache, no index


def test_engine_dask_unreachable_scheduler_is_a_pipeline_error():
    pytest.importorskip("distributed")
    from kgraph.engine.dask_engine import DaskEngine
    from kgraph.errors import PipelineError

    with pytest.raises(PipelineError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskEngine(scheduler="tcp://127.0.0.1:9", connect_timeout=2)


@pytest.mark.parametrize("name", ["kgraph.engine", "kgraph.engine.cache", "kgraph.engine.driver"])
def test_engine_docstring_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_engine_package_face_holds_no_logic():
    """engine/__init__.py only hands names on, and no engine module imports from it."""
    import ast
    from pathlib import Path

    import kgraph.engine

    package = Path(kgraph.engine.__file__).parent
    face = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    assert not [node for node in face.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    assert set(kgraph.engine.__all__) <= set(dir(kgraph.engine))
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        from_face = [node.lineno for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None]
        assert not from_face, f"{path.name} imports from the package face (lines {from_face})"


def test_build_pauses_the_cyclic_collector_and_restores_it(tmp_path, monkeypatch):
    """The records and the graph hold no cycles: the collector is paused for the build, then as it was."""
    import gc

    import kgraph.run as run

    seen = []

    def extract(config, **_):
        seen.append(gc.isenabled())
        return [PaperExtraction(p) for p in _papers(3)], []

    monkeypatch.setattr(run, "extract", extract)
    assert gc.isenabled()
    result = run.build(config=Config(inputs=(tmp_path,), output_dir=tmp_path / "out", outputs=("json", "report")))
    assert seen == [False] and gc.isenabled()
    assert result.report["papers"]["in_graph"] == 3
    gc.disable()
    try:
        run.build(config=Config(inputs=(tmp_path,), output_dir=tmp_path / "out", outputs=("json",)))
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
