"""The Dask engine: extraction on the workers of a Dask cluster.

The driver (this process) reads the inputs, answers from the extraction cache,
and submits chunks of papers as Dask tasks; each worker loads the pipeline
once (a worker plugin does it at registration, :func:`~.worker.worker_pipeline`
keeps it) and sends back :class:`~kgraph.model.PaperExtraction` records, which
are merged in input order into the same graph the local engine builds.

Without a scheduler address a ``LocalCluster`` of single-threaded worker
processes is started for the run and closed after it. With one, kgraph
connects to that cluster and leaves it running; every worker must have the
same kgraph (checked: the workers' pipeline fingerprints must equal the
driver's). See docs/SCALING.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import ConfigError, PipelineError
from ..model import Paper
from .base import EngineBase
from .cache import pipeline_fingerprint
from .worker import extract_chunk, worker_fingerprint, worker_pipeline

__all__ = ["DaskEngine", "PipelinePlugin"]

PLUGIN_NAME = "kgraph-pipeline"

try:
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - dask is an optional extra
    WorkerPlugin = object  # type: ignore[misc,assignment]


class PipelinePlugin(WorkerPlugin):
    """Loads kgraph's pipeline on each worker when it joins, off the event loop."""

    idempotent = False

    def __init__(self, options: Mapping[str, Any] | None = None):
        self.options = dict(options or {})

    async def setup(self, worker) -> None:
        await asyncio.get_running_loop().run_in_executor(None, worker_pipeline, self.options)


class DaskEngine(EngineBase):
    """Extraction on a Dask cluster: ``scheduler`` (an address or a scheduler file), or a new LocalCluster."""

    name = "dask"

    def __init__(self, *, scheduler: str | None = None, n_workers: int = 2,
                 options: Mapping[str, Any] | None = None, batch_size: int = 32, cache_entries: bool = False,
                 connect_timeout: float = 30):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError(
                "the dask engine needs dask.distributed: pip install 'kgraph[dask]' (or 'dask[distributed]')"
            ) from None
        self.options = dict(options or {})
        self.batch_size = batch_size
        self.cache_entries = cache_entries
        self.cluster = None
        # The scheduler of a LocalCluster runs in this process: keep its INFO chatter out of
        # kgraph's output (a dependency sets the root logger to INFO) until close().
        self._logger = logging.getLogger("distributed")
        self._log_level = self._logger.level
        self._logger.setLevel(logging.WARNING)
        try:
            if scheduler:
                if scheduler.endswith(".json") and Path(scheduler).is_file():
                    self.client = Client(scheduler_file=scheduler, timeout=connect_timeout, set_as_default=False)
                else:
                    self.client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
            else:
                with _quiet():
                    self.cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                                dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self.cluster, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise PipelineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            self.client.register_plugin(PipelinePlugin(self.options), name=PLUGIN_NAME)
            self._check_workers()
        except BaseException:
            self.close()
            raise
        self.workers = max(1, sum(self.client.nthreads().values()))

    def _check_workers(self) -> None:
        expected = pipeline_fingerprint(self.options)
        found = self.client.run(worker_fingerprint, self.options)
        wrong = sorted(address for address, fingerprint in found.items() if fingerprint != expected)
        if wrong:
            raise PipelineError(
                f"Dask workers {', '.join(wrong)} run another kgraph pipeline than this one "
                "(different kgraph code, gazetteer, spaCy or model version): install the same kgraph on every worker"
            )

    def submit(self, papers: list[Paper]):
        return self.client.submit(extract_chunk, list(papers), self.options, self.batch_size, self.cache_entries,
                                  pure=False)

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), self.cluster
        self.client = None
        self.cluster = None
        with _quiet():
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
        if hasattr(self, "_logger"):
            self._logger.setLevel(self._log_level)


@contextmanager
def _quiet():
    """Keep the LocalCluster's start and stop messages (INFO) out of kgraph's output."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        logger.setLevel(level)
