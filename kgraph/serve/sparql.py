"""SPARQL for the web app: queries on the on-disk pyoxigraph store, each in a worker process it can stop.

A query runs in one of a few worker processes, each with the store open
read-only. pyoxigraph evaluates a query in compiled code that no Python
thread can interrupt, so a query that outlives its time limit is stopped by
killing its worker, which is then replaced. A query keeps at most a given
number of rows; a worker's memory is capped (``RLIMIT_DATA``) so that a
query that would fill the machine fails instead. Updates cannot run: the
store is opened read-only, and an update is refused before it is sent.
``SERVICE`` is refused by :func:`kgraph.rdf.sparql.check_local`.

Results are written in the worker as SPARQL 1.1 Query Results JSON, CSV or
TSV (CONSTRUCT and DESCRIBE: N-Triples), so only text crosses the pipe.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Busy, ConfigError, KGraphError, QueryRefused, QueryTimeout, WorkerStopped

# media type -> result format name
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
FORMAT_TYPES = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPE = "application/n-triples"
DEFAULT_TIME_LIMIT = 10.0  # seconds
DEFAULT_ROW_LIMIT = 10_000
STARTUP_LIMIT = 120.0  # seconds a new worker may take to import kgraph and open the store
WORKER_MEMORY = 2 * 1024**3  # bytes of heap a worker may use


@dataclass(frozen=True)
class Answer:
    """A query's result as text: its media type, the number of rows and whether a limit cut it."""

    body: str
    media_type: str
    rows: int
    truncated: bool


def result_format(accept: str | None, format: str | None = None) -> str:
    """``json``, ``csv`` or ``tsv``, from a ``format`` parameter or else the ``Accept`` header (JSON by default).

    >>> result_format("text/csv;q=0.9, application/sparql-results+json"), result_format(None, "tsv")
    ('json', 'tsv')
    """
    if format:
        name = format.strip().lower()
        name = RESULT_TYPES.get(name, name)
        if name not in FORMAT_TYPES:
            raise ConfigError(f"unknown result format {format!r}; expected one of json, csv, tsv")
        return name
    best, best_q = "json", -1.0
    for part in (accept or "").split(","):
        media, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        name = RESULT_TYPES.get(media.strip().lower())
        if name and weight > best_q:
            best, best_q = name, weight
    return best


def is_update(text: str) -> bool:
    """Whether ``text`` reads as a SPARQL Update rather than a query (its first keyword after the prologue).

    >>> is_update("PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }"), is_update("SELECT * { ?s ?p ?o }")
    (True, False)
    """
    from ..rdf.sparql import _TOKENS

    for tok in _TOKENS.finditer(text):
        word = (tok.group("word") or "").upper()
        if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return False
        if word in ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"):
            return True
    return False


def canned_queries(directory: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The ``.rq`` files of ``directory``: name, title (first comment line), variables to bind, text.

    The variables are those listed under ``# Bind:`` in the file's comment
    header, as in ``examples/queries`` (:func:`kgraph.rdf.canned.required_bindings`).
    A missing directory has none.
    """
    from ..rdf.canned import header_comments, required_bindings

    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        comments = header_comments(text)
        found.append({"name": path.stem, "title": comments[0] if comments else path.stem,
                      "variables": list(required_bindings(text)), "text": text})
    return found


class SparqlService:
    """A small pool of worker processes answering SPARQL on the store at ``store``.

    ``time_limit`` (seconds) and ``row_limit`` bound each query; ``workers``
    queries run at once, a further one waits for a free worker at most as long
    as a query may run. :meth:`close` stops the workers.
    """

    def __init__(self, store: str | os.PathLike[str], *, workers: int = 2, time_limit: float = DEFAULT_TIME_LIMIT,
                 row_limit: int = DEFAULT_ROW_LIMIT, memory: int | None = WORKER_MEMORY):
        from ..rdf.store import is_store

        if not is_store(store):
            raise ConfigError(f"{store}: no pyoxigraph store here")
        if time_limit <= 0 or row_limit < 1 or workers < 1:
            raise ConfigError("the SPARQL time limit, row limit and number of workers must be positive")
        self.store = Path(store)
        self.time_limit = float(time_limit)
        self.row_limit = int(row_limit)
        self.memory = memory
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.store, self.memory)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def query(self, text: str, *, bindings: dict[str, Any] | None = None, format: str = "json") -> Answer:
        """Run one query; raises :class:`QueryTimeout`, :class:`QueryRefused`, :class:`Busy` or a query error."""
        from ..rdf.sparql import check_local

        if is_update(text):
            raise QueryRefused("updates are refused: this endpoint is read-only")
        check_local(text)
        if format not in FORMAT_TYPES:
            raise ConfigError(f"unknown result format {format!r}; expected one of json, csv, tsv")
        if self._closed:
            raise QueryRefused("the SPARQL service is closed")
        try:
            worker = self._idle.get(timeout=self.time_limit)
        except queue.Empty:
            raise Busy(f"every SPARQL worker is busy; try again in {self.time_limit:g} s") from None
        if worker is None or not worker.alive():
            if worker is not None:
                self._retire(worker)
            worker = self._start()
        try:
            reply = worker.ask((text, dict(bindings or {}), self.row_limit, format), self.time_limit)
        except _Stopped as exc:
            self._retire(worker)
            self._idle.put(None)  # a fresh worker is started when next needed
            if exc.timed_out:
                raise QueryTimeout(f"the query was stopped at the time limit of {self.time_limit:g} s") from None
            raise WorkerStopped("the query's worker stopped (out of memory?); the query was not answered") from None
        self._idle.put(worker)
        status, *rest = reply
        if status == "ok":
            body, media_type, rows, truncated = rest
            return Answer(body, media_type, rows, truncated)
        raise KGraphError(rest[0])

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), []
        for worker in workers:
            worker.kill()


class _Stopped(Exception):
    def __init__(self, timed_out: bool):
        self.timed_out = timed_out


class _Worker:
    """One worker process and its end of the pipe."""

    def __init__(self, context: Any, store: Path, memory: int | None):
        self.ready = False
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_work, args=(str(store), child, memory), daemon=True,
                                       name="kgraph-sparql")
        self.process.start()
        child.close()

    def alive(self) -> bool:
        return self.process.is_alive()

    def ask(self, request: tuple, time_limit: float) -> tuple:
        try:
            if not self.ready:  # a new worker first says it has opened the store (or why it could not)
                if not self.conn.poll(STARTUP_LIMIT):
                    raise _Stopped(timed_out=False)
                hello = self.conn.recv()
                if hello[0] != "ready":
                    return hello
                self.ready = True
            self.conn.send(request)
            if not self.conn.poll(time_limit):
                raise _Stopped(timed_out=True)
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise _Stopped(timed_out=False) from None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _work(store: str, conn: Any, memory: int | None) -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: open the store read-only, answer each request with ``("ok", ...)`` or ``("error", msg)``."""
    if memory:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
        except (ImportError, ValueError, OSError):
            pass
    from ..rdf.sparql import ntriples_term, sparql
    from ..rdf.store import open_store

    try:
        db = open_store(store)
    except KGraphError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready",))
    while True:
        try:
            text, bindings, limit, format = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = sparql(text, db, bindings=bindings, limit=limit)
            if result.kind == "graph":
                body = "".join(" ".join(map(ntriples_term, triple)) + " .\n" for triple in result.rows)
                reply = ("ok", body, GRAPH_TYPE, len(result.rows), result.truncated)
            else:
                reply = ("ok", result.format(format), FORMAT_TYPES[format], len(result.rows), result.truncated)
        except KGraphError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("error", "the query ran out of memory")
        except Exception as exc:  # noqa: BLE001 - anything pyoxigraph or rdflib raise: a message, never a traceback
            reply = ("error", f"query failed: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
