"""The local engines: extraction in this process, or in a pool of worker processes.

The pool is kgraph's own rather than ``nlp.pipe(n_process=N)``: spaCy's
multiprocessing sends every ``Doc`` back to the parent (serialized with its
``doc._`` data, which holds kgraph's candidate objects), while a kgraph worker
turns its docs into small :class:`~kgraph.model.PaperExtraction` records
where they are made and sends only those. Workers start with the
``forkserver`` method where the platform has it (``spawn`` otherwise): no
``fork`` of a parent that may hold threads. Workers end with the driver,
however it ends (:func:`~.worker.exit_with`); a driver stopped by an exception
(an error, Ctrl-C, SIGTERM) kills its workers rather than waiting for their
chunks (:meth:`ProcessPoolEngine.abort`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from spacy.language import Language

from ..errors import PipelineError
from ..model import Paper, PaperExtraction
from ..nlp.extract import iter_extractions
from .base import EngineBase
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

    Starting workers costs a process start and a pipeline load in each (about
    2 CPU seconds apiece, as much as extracting 60 papers), so the pool starts
    only once more than ``IN_PROCESS_CHUNKS`` chunks have come to extract.
    Until then chunks are held back; a corpus (or a rebuild that the cache
    mostly answers) with no more than that to extract is extracted in this
    process instead, with one pipeline load.
    """

    name = "local"
    IN_PROCESS_CHUNKS = 4

    def __init__(self, processes: int, *, options: Mapping[str, Any] | None = None, batch_size: int = 32,
                 cache_entries: bool = False):
        self.workers = processes
        self.options = dict(options or {})
        self.batch_size = batch_size
        self.cache_entries = cache_entries
        self._pool: ProcessPoolExecutor | None = None
        self._held: list[_HeldChunk] | None = []  # chunks not yet sent; None once the pool is used
        self._held_papers = 0

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload(["kgraph.engine.worker"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=load_in_worker,
                                             initargs=(self.options, os.getpid()))
        return self._pool

    def _submit(self, papers: list[Paper]) -> Future:
        try:
            return self._start().submit(extract_chunk, papers, self.options, self.batch_size, self.cache_entries)
        except BrokenProcessPool as exc:
            raise _broken(exc) from None

    def submit(self, papers: list[Paper]) -> "_PoolFuture | _HeldChunk":
        if self._held is None:
            return _PoolFuture(self._submit(papers))
        chunk = _HeldChunk(self, papers)
        self._held.append(chunk)
        self._held_papers += len(papers)
        if self._held_papers > self.IN_PROCESS_CHUNKS * self.batch_size:
            held, self._held = self._held, None
            for waiting in held:
                waiting.send_to_pool()
        return chunk

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def abort(self) -> None:
        """Stop now: kill the workers (their chunks are not waited for) and close the pool."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        workers = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.join(5)


class _HeldChunk:
    """A chunk held back: sent to the pool if it starts, else extracted here when its result is asked for."""

    def __init__(self, engine: ProcessPoolEngine, papers: list[Paper]):
        self.engine = engine
        self.papers: list[Paper] | None = papers
        self.future: _PoolFuture | None = None

    @property
    def held(self) -> bool:
        """Not sent anywhere yet: no work in flight."""
        return self.future is None and self.papers is not None

    def send_to_pool(self) -> None:
        if self.held:
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
