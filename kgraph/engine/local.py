"""The local engines: extraction in this process, or in a pool of worker processes.

The pool is kgraph's own rather than ``nlp.pipe(n_process=N)``: spaCy's
multiprocessing sends every ``Doc`` back to the parent (serialized with its
``doc._`` data, which holds kgraph's candidate objects), while a kgraph worker
turns its docs into small :class:`~kgraph.model.PaperExtraction` records
where they are made and sends only those. Workers start with the
``forkserver`` method where the platform has it (``spawn`` otherwise): no
``fork`` of a parent that may hold threads.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from spacy.language import Language

from ..errors import PipelineError
from ..model import Paper, PaperExtraction
from ..nlp.extract import iter_extractions
from . import EngineBase
from .worker import extract_chunk, load_in_worker

__all__ = ["InProcessEngine", "ProcessPoolEngine"]


class _Deferred:
    """A future computed when its result is asked for."""

    def __init__(self, compute: Callable[[], list[PaperExtraction]]):
        self._compute = compute

    def result(self) -> list[PaperExtraction]:
        return self._compute()


class InProcessEngine(EngineBase):
    """Extraction in this process, with the caller's pipeline or this process's own.

    Without ``nlp``, the pipeline is loaded on first use and kept for the
    process (:func:`~.worker.worker_pipeline`), so that repeated builds in one
    process load it once.
    """

    name = "local"
    workers = 1

    def __init__(self, *, nlp: Language | None = None, options: Mapping[str, Any] | None = None,
                 batch_size: int = 32):
        self._nlp = nlp
        self.options = dict(options or {})
        self.batch_size = batch_size

    def submit(self, papers: list[Paper]) -> _Deferred:
        if self._nlp is not None:
            return _Deferred(lambda: list(iter_extractions(self._nlp, papers, batch_size=self.batch_size)))
        return _Deferred(lambda: extract_chunk(papers, self.options, self.batch_size))


class ProcessPoolEngine(EngineBase):
    """Extraction in ``processes`` worker processes, each loading the pipeline once.

    Starting workers costs a pipeline load in each, so the pool starts only
    when a second chunk comes: a corpus (or a cache-answered rebuild) with at
    most one chunk to extract is extracted in this process instead.
    """

    name = "local"

    def __init__(self, processes: int, *, options: Mapping[str, Any] | None = None, batch_size: int = 32,
                 cache_entries: bool = False):
        self.workers = processes
        self.options = dict(options or {})
        self.batch_size = batch_size
        self.cache_entries = cache_entries
        self._pool: ProcessPoolExecutor | None = None
        self._first: _FirstChunk | None = None

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload(["kgraph.engine.worker"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=load_in_worker,
                                             initargs=(self.options,))
        return self._pool

    def _submit(self, papers: list[Paper]) -> Future:
        try:
            return self._start().submit(extract_chunk, papers, self.options, self.batch_size, self.cache_entries)
        except BrokenProcessPool as exc:
            raise _broken(exc) from None

    def submit(self, papers: list[Paper]) -> "_PoolFuture | _FirstChunk":
        if self._first is None:
            self._first = _FirstChunk(self, papers)
            return self._first
        self._first.send_to_pool()
        return _PoolFuture(self._submit(papers))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _FirstChunk:
    """The first chunk: sent to the pool when a second one comes, else extracted here when asked for."""

    def __init__(self, engine: ProcessPoolEngine, papers: list[Paper]):
        self.engine = engine
        self.papers = papers
        self.future: _PoolFuture | None = None

    def send_to_pool(self) -> None:
        if self.future is None and self.papers is not None:
            self.future = _PoolFuture(self.engine._submit(self.papers))

    def result(self):
        if self.future is not None:
            return self.future.result()
        papers, self.papers = self.papers, None
        return extract_chunk(papers, self.engine.options, self.engine.batch_size)


class _PoolFuture:
    def __init__(self, future: Future):
        self._future = future

    def result(self):
        try:
            return self._future.result()
        except BrokenProcessPool as exc:
            raise _broken(exc) from None


def _broken(exc: BaseException) -> PipelineError:
    return PipelineError(
        f"a worker process died ({exc}); it may have run out of memory, or failed to load the pipeline: "
        "run with --processes 1 to see the error in this process"
    )
