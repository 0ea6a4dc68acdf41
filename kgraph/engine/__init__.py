"""Engines: where extraction runs. In this process, a pool of local processes, or a Dask cluster.

The package's parts, each importing only from those before it:

- :mod:`.cache`: the extraction cache, by paper content and pipeline fingerprint;
- :mod:`.base`: what an engine is (:class:`Engine`, :class:`EngineBase`);
- :mod:`.worker`: what runs where the extraction happens;
- :mod:`.local`, :mod:`.dask_engine`: the engines;
- :mod:`.driver`: :func:`make_engine` and :func:`run_extraction`, which drives
  any engine over a stream of papers, with the cache, and yields every
  extraction in input order (so every engine gives the same bytes).

>>> from kgraph.config import Config
>>> with make_engine(Config(processes=1)) as engine:          # doctest: +SKIP
...     extractions = list(run_extraction(papers, engine))    # doctest: +SKIP
"""

from ..config import ENGINES
from .base import ChunkFuture, Engine, EngineBase
from .cache import ExtractionCache, pipeline_fingerprint
from .driver import (
    LOOKAHEAD,
    WORKER_MEMORY,
    ExtractionStats,
    available_cores,
    available_memory,
    cache_fingerprint,
    extract_papers,
    make_engine,
    pipeline_options,
    process_limit,
    resolve_processes,
    run_extraction,
)

__all__ = [
    "ENGINES",
    "LOOKAHEAD",
    "WORKER_MEMORY",
    "ChunkFuture",
    "Engine",
    "EngineBase",
    "ExtractionCache",
    "ExtractionStats",
    "available_cores",
    "available_memory",
    "cache_fingerprint",
    "extract_papers",
    "make_engine",
    "pipeline_fingerprint",
    "pipeline_options",
    "process_limit",
    "resolve_processes",
    "run_extraction",
]
