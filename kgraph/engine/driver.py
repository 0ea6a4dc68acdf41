"""The driver: picks the engine a config asks for and runs extraction on it, with the cache.

Every engine has the same small interface (:class:`~.base.Engine`):
``submit`` takes a chunk of papers and returns a future whose ``result()``
is their extractions, in order. :func:`run_extraction` drives any engine over a
stream of papers: it reads the stream chunk by chunk, answers what it can from
the extraction cache, submits the rest, keeps a bounded number of chunks in
flight (so memory does not grow with the corpus) and yields every extraction
in input order. The order, not the engine, decides the output, so one process,
``N`` processes and a Dask cluster give the same bytes.

>>> from kgraph.config import Config
>>> with make_engine(Config(processes=1)) as engine:          # doctest: +SKIP
...     extractions = list(run_extraction(papers, engine))    # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..config import ENGINES
from ..errors import ConfigError, PipelineError
from ..model import Paper, PaperExtraction
from .base import ChunkFuture, Engine
from .cache import ExtractionCache, dumps_entry, loads_entry, pipeline_fingerprint

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from ..config import Config

__all__ = [
    "LOOKAHEAD",
    "WORKER_MEMORY",
    "ExtractionStats",
    "available_cores",
    "available_memory",
    "cache_fingerprint",
    "extract_papers",
    "make_engine",
    "pipeline_options",
    "process_limit",
    "resolve_processes",
    "run_extraction",
]


@dataclass
class ExtractionStats:
    """What a run of :func:`run_extraction` did; not part of any output file."""

    engine: str = ""
    workers: int = 0
    papers: int = 0
    extracted: int = 0
    cached: int = 0

    def as_dict(self) -> dict:
        return {"engine": self.engine, "workers": self.workers, "papers": self.papers,
                "extracted": self.extracted, "cached": self.cached}


def available_cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# Memory one extraction process needs: a worker holds about 320 MB once the pipeline is loaded, more
# while it parses a chunk.
WORKER_MEMORY = 512 << 20


def available_memory() -> int | None:
    """Bytes of memory that processes can still take without swapping (Linux's MemAvailable); None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def process_limit() -> tuple[int, str]:
    """How many extraction processes this machine runs at once, and what limits it (its cores or its memory).

    >>> process_limit()[0] >= 1
    True
    """
    cores = available_cores()
    memory = available_memory()
    if memory is not None and memory // WORKER_MEMORY < cores:
        return max(1, memory // WORKER_MEMORY), f"{memory / 2**30:.1f} GB of memory available"
    return cores, f"{cores} {'core' if cores == 1 else 'cores'}"


def resolve_processes(processes: int | None) -> int:
    """How many processes to run for ``processes``: ``None`` or ``0`` means as many as the machine can.

    More than :func:`process_limit` allows is lowered to it: more processes
    than cores only compete for them, and each needs :data:`WORKER_MEMORY`
    (64 of them would need 20 GB). The CLI says so when it lowers ``-j``.
    """
    if processes is not None and processes < 0:
        raise ConfigError(f"processes must be >= 0 (0: all cores), got {processes}")
    limit = process_limit()[0]
    if processes is None or processes == 0:
        return limit
    return min(processes, limit)


def pipeline_options(config: Config) -> dict[str, Any]:
    """The keyword arguments of :func:`~kgraph.nlp.pipeline.load_pipeline` that ``config`` asks for.

    The one place that maps settings to the pipeline: every engine's workers
    load ``load_pipeline(**options)``, and the cache's fingerprint covers them.
    Plain values only (they travel to other processes and machines).
    """
    options: dict[str, Any] = {"vocab_path": str(config.gazetteer) if config.gazetteer else None}
    if config.fast:
        options["fast"] = True
    return options


def make_engine(config: Config, *, nlp: Language | None = None, cache_entries: bool = False) -> Engine:
    """The engine ``config`` asks for.

    ``engine="local"`` with one process (or with a caller's ``nlp``, which
    cannot be shipped to other processes) extracts in this process; with more,
    in a pool of worker processes that each load the pipeline once.
    ``engine="dask"`` connects to ``config.scheduler``, or starts a
    ``LocalCluster`` of ``config.processes`` single-threaded workers.
    ``cache_entries``: worker processes also encode the cache entries.
    """
    options = pipeline_options(config)
    processes = resolve_processes(config.processes)
    if config.engine == "local":
        from .local import InProcessEngine, ProcessPoolEngine

        if nlp is not None or processes == 1:
            return InProcessEngine(nlp=nlp, options=options, batch_size=config.batch_size)
        return ProcessPoolEngine(processes, options=options, batch_size=config.batch_size,
                                 cache_entries=cache_entries)
    if config.engine == "dask":
        from .dask_engine import DaskEngine

        return DaskEngine(scheduler=config.scheduler, n_workers=processes, options=options,
                          batch_size=config.batch_size, cache_entries=cache_entries)
    raise ConfigError(f"unknown engine {config.engine!r}; expected one of {', '.join(ENGINES)}")


LOOKAHEAD = 1 << 17  # papers read ahead of the one yielded, to find those to extract early


def run_extraction(
    papers: Iterable[Paper],
    engine: Engine,
    *,
    cache: ExtractionCache | None = None,
    chunk_size: int = 32,
    stats: ExtractionStats | None = None,
    on_papers: Callable[[int], None] | None = None,
    lookahead: int = LOOKAHEAD,
) -> Iterator[PaperExtraction]:
    """Extractions of ``papers`` in input order, lazily.

    Papers are read chunk by chunk. Those the cache holds are only looked up
    (their entries are decoded when their turn to be yielded comes); the
    others are submitted to the engine at once, so that extracting the new
    papers of a corpus overlaps with decoding the cached ones, wherever the
    new papers lie within ``lookahead`` papers ahead. At most ``2 *
    engine.workers`` chunks are in flight: reading ahead stops there, and
    at ``lookahead`` papers read and not yet yielded, so memory is bounded
    whatever the corpus size. What the engine extracts is added to the cache.
    A future with a true ``held`` attribute is work the engine has not
    started yet (see :class:`~kgraph.engine.local.ProcessPoolEngine`): it
    does not count as in flight, so asking for its result does not force the
    engine's hand early.
    """
    stats = stats if stats is not None else ExtractionStats()
    stats.engine, stats.workers = engine.name, engine.workers
    limit = max(2, 2 * engine.workers)  # chunks submitted and not yet merged
    window: deque[tuple[list[Paper], list[bool], ChunkFuture | None]] = deque()
    submitted: deque[ChunkFuture] = deque()  # the futures of the window's chunks, in order
    ahead = 0  # papers in the window
    stream = iter(papers)
    exhausted = False
    while True:
        while not exhausted and ahead < max(lookahead, chunk_size) and _in_flight(submitted) < limit:
            chunk = list(islice(stream, chunk_size))
            if not chunk:
                exhausted = True
                break
            cached = cache.contains_many(chunk) if cache is not None else [False] * len(chunk)
            missing = [paper for paper, hit in zip(chunk, cached) if not hit]
            future = engine.submit(missing) if missing else None
            if future is not None:
                submitted.append(future)
            window.append((chunk, cached, future))
            ahead += len(chunk)
        if not window:
            return
        chunk, cached, future = window.popleft()
        ahead -= len(chunk)
        if future is not None:
            submitted.popleft()
        yield from _complete(chunk, cached, future, engine, cache, stats, on_papers)


def _in_flight(submitted: Iterable[ChunkFuture]) -> int:
    return sum(not getattr(future, "held", False) for future in submitted)


def _complete(chunk, cached, future, engine, cache, stats, on_papers) -> Iterator[PaperExtraction]:
    hit_papers = [paper for paper, hit in zip(chunk, cached) if hit]
    found = cache.get_many(hit_papers) if hit_papers else []
    gone = [paper for paper, hit in zip(hit_papers, found) if hit is None]
    if gone:  # entries gone since they were looked up (the cache emptied by another build): extract them now
        redone = iter(_fresh(engine.submit(gone), len(gone), cache))
        found = [hit if hit is not None else next(redone) for hit in found]
    fresh = _fresh(future, len(chunk) - len(found), cache) if future is not None else []
    stats.papers += len(chunk)
    stats.extracted += len(fresh) + len(gone)  # a paper whose cache entry was gone or damaged was extracted
    stats.cached += len(found) - len(gone)
    if on_papers is not None:
        on_papers(len(chunk))
    hits, extracted = iter(found), iter(fresh)
    for hit in cached:
        yield next(hits) if hit else next(extracted)


def _fresh(future: ChunkFuture, expected: int, cache) -> list[PaperExtraction]:
    """A submitted chunk's extractions, added to the cache, as the driver keeps them."""
    result = future.result()
    fresh, entries = result if isinstance(result, tuple) else (result, None)
    if len(fresh) != expected:
        raise PipelineError(f"the engine returned {len(fresh)} extractions for {expected} papers")
    if entries is None:
        entries = [dumps_entry(ex) for ex in fresh]
    if cache is not None:
        cache.put_many(fresh, entries=entries)
    # The driver keeps each extraction as the cache would give it back:
    # strings interned, one object per distinct name (kgraph.engine.cache), so a
    # fresh build holds the same, compact records as a cached one.
    return [loads_entry(entry, ex.paper) for ex, entry in zip(fresh, entries, strict=True)]


def cache_fingerprint(config: Config, nlp: Language | None = None) -> str | None:
    """The pipeline fingerprint of the extraction cache a run uses, or None when it uses none.

    A run uses the cache when ``config.use_cache`` and no ``nlp`` of the
    caller's is given (a caller's pipeline may differ from the one the
    fingerprint describes).
    """
    if not config.use_cache or nlp is not None:
        return None
    return pipeline_fingerprint(pipeline_options(config))


def extract_papers(
    config: Config,
    papers: Iterable[Paper],
    *,
    nlp: Language | None = None,
    stats: ExtractionStats | None = None,
    on_papers: Callable[[int], None] | None = None,
    lookahead: int = LOOKAHEAD,
) -> Iterator[PaperExtraction]:
    """Extractions of ``papers`` as ``config`` says: its engine, processes and cache.

    The cache (``config.cache_path``) is used when ``config.use_cache`` and no
    ``nlp`` of the caller's is given (a caller's pipeline may differ from the
    one the cache's fingerprint describes). Engine and cache are closed when
    the iterator is exhausted or closed.
    """
    fingerprint = cache_fingerprint(config, nlp)
    cache = ExtractionCache(config.cache_path, fingerprint=fingerprint) if fingerprint is not None else None
    try:
        with make_engine(config, nlp=nlp, cache_entries=cache is not None) as engine:
            yield from run_extraction(papers, engine, cache=cache, chunk_size=config.batch_size,
                                      stats=stats, on_papers=on_papers, lookahead=lookahead)
    finally:
        if cache is not None:
            cache.close()
