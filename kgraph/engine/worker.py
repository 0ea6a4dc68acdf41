"""What runs where the extraction happens: this process, a pool worker or a Dask worker.

A worker process loads the pipeline once (:func:`worker_pipeline` keeps it)
and then turns chunks of papers into extractions (:func:`extract_chunk`).
Only :class:`~kgraph.model.Paper` and
:class:`~kgraph.model.PaperExtraction` records cross process boundaries,
never spaCy docs. ``options`` are the keyword arguments of
:func:`~kgraph.nlp.pipeline.load_pipeline` (plain values, so they travel to
any worker).

A pool worker dies with the process that made the pool (:func:`exit_with`),
however that one ends: ``kill -9`` and the out-of-memory killer included.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from spacy.language import Language

from ..model import Paper, PaperExtraction
from ..nlp.extract import iter_extractions
from ..nlp.pipeline import load_pipeline
from .cache import dumps_entry, pipeline_fingerprint

__all__ = ["exit_with", "extract_chunk", "load_in_worker", "worker_fingerprint", "worker_pipeline"]

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
    (:func:`~kgraph.engine.cache.dumps_entry`), so that encoding them is done by the
    workers, in parallel, rather than by the driver.
    """
    extractions = list(iter_extractions(worker_pipeline(options), papers, batch_size=batch_size))
    if cache_entries:
        return extractions, [dumps_entry(ex) for ex in extractions]
    return extractions


def worker_fingerprint(options: Mapping[str, Any] | None = None) -> str:
    """The pipeline fingerprint as this worker computes it (to check a cluster runs the same code)."""
    return pipeline_fingerprint(options)


def load_in_worker(options: Mapping[str, Any] | None = None, driver: int | None = None) -> None:
    """Pool initializer: end with the ``driver`` process (its pid), then load the pipeline."""
    if driver is not None:
        exit_with(driver)
    worker_pipeline(options)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_SECONDS = 1.0  # how often a worker looks for its driver where it cannot wait for its end


def exit_with(driver: int) -> None:
    """End this process as soon as the process ``driver`` has ended, however it ended.

    A pool worker blocks reading its next task from a pipe that it holds
    open itself, and a ``forkserver`` worker keeps the forkserver alive, so
    without this a driver killed with ``kill -9`` (or by the out-of-memory
    killer) leaves the forkserver and every worker running for ever, holding
    the pipeline's memory and the driver's standard output (``kgraph build |
    cat`` never ends). Two guards:

    - on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills this
      process when its parent ends. The parent is the forkserver where the
      driver is not (with the ``spawn`` method it is the driver's thread that
      started the worker, which may end before the driver does, so the
      guard is set only under a forkserver);
    - a daemon thread that waits for the driver to end (on a pidfd on Linux,
      by polling its pid every :data:`POLL_SECONDS` elsewhere) and then ends
      this process with ``os._exit``. A driver already gone ends it at once.
    """
    if sys.platform.startswith("linux") and os.getppid() != driver:
        _set_parent_death_signal(signal.SIGKILL)
    try:
        handle = os.pidfd_open(driver) if hasattr(os, "pidfd_open") else None
    except ProcessLookupError:
        os._exit(1)
    except OSError:  # an old kernel, or pidfds not allowed: poll
        handle = None
    if not _alive(driver):
        os._exit(1)
    threading.Thread(target=_wait_for_end, args=(driver, handle), name="kgraph-exit-with-driver",
                     daemon=True).start()


def _wait_for_end(driver: int, handle: int | None) -> None:
    if handle is not None:
        poller = select.poll()
        poller.register(handle, select.POLLIN)
        while not poller.poll():  # readable once the driver has ended
            pass
    else:
        while _alive(driver):
            time.sleep(POLL_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def _set_parent_death_signal(signum: int) -> None:
    """``prctl(PR_SET_PDEATHSIG, signum)`` through libc (Linux only; nothing if libc cannot be loaded)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no libc or no prctl
        pass
