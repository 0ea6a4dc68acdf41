"""Opening a build for serving, and running the app with uvicorn (in the foreground, or in a thread for tests).

:func:`open_served` reads the graph and prepares SPARQL: the store given, the
directory itself when it is a pyoxigraph store, or else a temporary store
loaded from the build's RDF (as ``kgraph store load`` loads one), removed on
:meth:`Served.close`. Nothing is written into the served directory.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, KGraphError
from .app import create_app
from .site import Site, read_site_graph
from .sparql import DEFAULT_ROW_LIMIT, DEFAULT_TIME_LIMIT, SparqlService

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only: ``localhost`` or a loopback address.

    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.2")]
    [True, True, True, False, False]
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_queries() -> Path | None:
    """``examples/queries`` of a source checkout of kgraph, where there is one."""
    candidate = Path(__file__).resolve().parents[2] / "examples" / "queries"
    return candidate if candidate.is_dir() else None


@dataclass
class Served:
    """A build opened for serving: its :class:`Site`, its SPARQL service (or why there is none)."""

    site: Site
    sparql: SparqlService | None
    sparql_note: str = ""
    store: Path | None = None
    _temporary: Path | None = field(default=None, repr=False)

    def app(self, *, queries: str | os.PathLike[str] | None = None, host: str = "127.0.0.1") -> Any:
        """The Starlette application; on a loopback ``host`` it answers only to loopback names."""
        allowed = (*LOOPBACK_NAMES, host.lower()) if is_loopback(host) else None
        return create_app(self.site, sparql=self.sparql, sparql_note=self.sparql_note,
                          queries=queries if queries is not None else default_queries(), allowed_hosts=allowed)

    def close(self) -> None:
        """Stop the SPARQL workers and remove a temporary store."""
        if self.sparql is not None:
            self.sparql.close()
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)


def open_served(path: str | os.PathLike[str], *, store: str | os.PathLike[str] | None = None, sparql: bool = True,
                workers: int = 2, time_limit: float = DEFAULT_TIME_LIMIT, row_limit: int = DEFAULT_ROW_LIMIT,
                progress: Any = None) -> Served:
    """Open the build directory (or pyoxigraph store) at ``path`` for serving.

    ``store`` names the pyoxigraph store for SPARQL; without one, ``path`` is
    used when it is a store, else the build's RDF is loaded into a temporary
    store. ``sparql=False`` serves no SPARQL. ``progress`` is called with a
    line of text before each slow step.
    """
    from ..rdf.io import locate_graph
    from ..rdf.store import is_store

    say = progress or (lambda line: None)
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file or directory")
    say(f"reading the graph of {path}")
    site = Site(read_site_graph(path), name=path.resolve().name or "kgraph")
    if not sparql:
        return Served(site, None, "SPARQL is switched off (--no-sparql)")
    temporary = None
    if store is not None:
        store = Path(store)
        if not is_store(store):
            raise ConfigError(f"{store}: no pyoxigraph store here; make one with `kgraph store load {path} --store {store}`")
    elif is_store(path):
        store = path
    else:
        try:
            rdf = locate_graph(path)
        except ConfigError as exc:
            return Served(site, None, str(exc))
        temporary = Path(tempfile.mkdtemp(prefix="kgraph-serve-"))
        store = temporary / "store"
        say(f"loading {rdf.name} into a temporary SPARQL store")
        try:
            _load_apart(rdf, store)
        except KGraphError:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
    service = SparqlService(store, workers=workers, time_limit=time_limit, row_limit=row_limit)
    return Served(site, service, "", store, temporary)


def _load_apart(rdf: Path, store: Path) -> None:
    """:func:`~kgraph.rdf.store.load_store` in a process of its own, whose memory goes when it ends.

    A bulk load leaves the loading process a few hundred MB larger for good
    (RocksDB's buffers, the allocator's free lists); the server runs for days.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from ..rdf.store import load_store

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            pool.submit(load_store, rdf, store).result()
        except BrokenProcessPool as exc:
            raise ConfigError(f"loading {rdf} into the SPARQL store stopped (out of memory?)") from exc


class Running:
    """A server running in a background thread (tests, benchmarks): its ``url``; :meth:`stop` ends it."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0):
        import uvicorn

        if port == 0:
            port = free_port(host)
        self.host, self.port = host, port
        self.url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
        config = uvicorn.Config(app, **server_options(host, port))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="kgraph-serve", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise KGraphError(f"the server did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def server_options(host: str, port: int) -> dict[str, Any]:
    """uvicorn's settings: one process, no server header, bounded connections and header sizes."""
    return {"host": host, "port": port, "log_level": "warning", "access_log": False, "server_header": False,
            "proxy_headers": False, "limit_concurrency": 64, "timeout_keep_alive": 5, "http": "h11",
            "h11_max_incomplete_event_size": 64 * 1024, "lifespan": "off"}


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def run(served: Served, *, host: str = "127.0.0.1", port: int = 8000,
        queries: str | os.PathLike[str] | None = None) -> None:
    """Serve in the foreground until interrupted (Ctrl-C), then close ``served``."""
    import uvicorn

    try:
        uvicorn.run(served.app(queries=queries, host=host), **server_options(host, port))
    finally:
        served.close()
