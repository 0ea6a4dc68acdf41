"""What runs where the extraction happens: this process, a pool worker or a Dask worker.

A worker process loads the pipeline once (:func:`worker_pipeline` keeps it)
and then turns chunks of papers into extractions (:func:`extract_chunk`).
Only :class:`~kgraph.model.Paper` and
:class:`~kgraph.model.PaperExtraction` records cross process boundaries,
never spaCy docs. ``options`` are the keyword arguments of
:func:`~kgraph.nlp.pipeline.load_pipeline` (plain values, so they travel to
any worker).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from spacy.language import Language

from ..model import Paper, PaperExtraction
from ..nlp.extract import iter_extractions
from ..nlp.pipeline import load_pipeline

__all__ = ["extract_chunk", "load_in_worker", "worker_fingerprint", "worker_pipeline"]

_PIPELINES: dict[tuple, Language] = {}


def worker_pipeline(options: Mapping[str, Any] | None = None) -> Language:
    """The pipeline of this process for ``options``, loaded on first use.

    Keyed by the options and the size and modification time of files they
    name, so a long-lived (Dask) worker notices a changed gazetteer.
    """
    options = dict(options or {})
    key = tuple(sorted((name, repr(value), _stamp(value)) for name, value in options.items()))
    nlp = _PIPELINES.get(key)
    if nlp is None:
        nlp = load_pipeline(**options)
        _PIPELINES.clear()  # one pipeline per process is enough
        _PIPELINES[key] = nlp
    return nlp


def _stamp(value: Any) -> tuple | None:
    if isinstance(value, (str, os.PathLike)) and str(value):
        try:
            info = os.stat(value)
        except OSError:
            return None
        return info.st_size, info.st_mtime_ns
    return None


def extract_chunk(papers: Sequence[Paper], options: Mapping[str, Any] | None = None, batch_size: int = 32,
                  cache_entries: bool = False) -> list[PaperExtraction] | tuple[list[PaperExtraction], list[bytes]]:
    """Extractions of a chunk of papers, in order, by this process's pipeline.

    With ``cache_entries``, also their extraction-cache entries
    (:func:`~kgraph.cache.dumps_entry`), so that encoding them is done by the
    workers, in parallel, rather than by the driver.
    """
    extractions = list(iter_extractions(worker_pipeline(options), papers, batch_size=batch_size))
    if cache_entries:
        from ..cache import dumps_entry

        return extractions, [dumps_entry(ex) for ex in extractions]
    return extractions


def worker_fingerprint(options: Mapping[str, Any] | None = None) -> str:
    """The pipeline fingerprint as this worker computes it (to check a cluster runs the same code)."""
    from ..cache import pipeline_fingerprint

    return pipeline_fingerprint(options)


def load_in_worker(options: Mapping[str, Any] | None = None) -> None:
    """Pool initializer: load the pipeline when the worker starts."""
    worker_pipeline(options)
