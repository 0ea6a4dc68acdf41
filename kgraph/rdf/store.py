"""A persistent pyoxigraph store for graphs too large to parse on every query.

:func:`load_store` bulk-loads a build's RDF into an on-disk store (RocksDB
under the hood); :func:`open_store` opens it read-only, so any number of
queries can run at once; :func:`query_store` runs SPARQL on it exactly as
:func:`kgraph.rdf.sparql.sparql` does on a file.

Loading builds the new store in a sibling directory and only then swaps it in,
so a failed load leaves the old store as it was, and a reader never sees half
a graph.
"""

from __future__ import annotations

import gc
import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError, CorpusFormatError, ExportError
from .io import locate_graph, rdf_format
from .sparql import QueryResult, sparql

# A pyoxigraph (RocksDB) store directory always holds these.
_STORE_MARKERS = ("CURRENT", "IDENTITY")


def load_store(graph: str | os.PathLike[str], store: str | os.PathLike[str], *, append: bool = False) -> int:
    """Load the graph at ``graph`` (build directory or RDF file) into the store at ``store``.

    The store's previous content is replaced, unless ``append`` (which adds
    to it in place, not atomically). Returns the number of triples in the
    store afterwards. Refuses to replace a directory that is not a store.
    """
    import pyoxigraph

    file = locate_graph(graph)
    _, ox_format = rdf_format(file)
    store = Path(store)
    exists = store.exists()
    if exists and not is_store(store) and not (store.is_dir() and not any(store.iterdir())):
        raise ConfigError(f"{store}: exists and is not a pyoxigraph store; refusing to replace it")
    if append and exists and is_store(store):
        target, staging = store, None
    else:
        if not store.parent.is_dir():
            raise ConfigError(f"{store}: directory {store.parent} does not exist")
        staging = store.parent / f".{store.name}.loading-{secrets.token_hex(4)}"
        target = staging
    try:
        db = pyoxigraph.Store(str(target))
        try:
            db.bulk_load(path=str(file), format=getattr(pyoxigraph.RdfFormat, ox_format))
            db.flush()
            size = len(db)
        finally:
            del db
            gc.collect()  # pyoxigraph closes the database when the Store object goes
        if staging is not None:
            _swap(staging, store)
    except SyntaxError as exc:
        raise CorpusFormatError(str(file), None, f"not valid {ox_format}: {' '.join(str(exc).split())}") from exc
    except OSError as exc:
        raise ExportError(f"cannot write the store {store}: {exc}") from exc
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return size


def open_store(store: str | os.PathLike[str], *, read_only: bool = True) -> Any:
    """The :class:`pyoxigraph.Store` at ``store`` (read-only by default)."""
    import pyoxigraph

    store = Path(store)
    if not is_store(store):
        raise ConfigError(f"{store}: no pyoxigraph store here; make one with `kgraph store load DIR --store {store}`")
    try:
        return pyoxigraph.Store.read_only(str(store)) if read_only else pyoxigraph.Store(str(store))
    except OSError as exc:
        raise ConfigError(f"{store}: cannot open the store: {exc}") from exc


def query_store(
    store: str | os.PathLike[str], query: str, *, bindings: Mapping[str, Any] | None = None
) -> QueryResult:
    """Run ``query`` on the store at ``store`` (see :func:`kgraph.rdf.sparql.sparql`)."""
    return sparql(query, open_store(store), bindings=bindings)


def is_store(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a directory that holds a pyoxigraph store."""
    path = Path(path)
    return path.is_dir() and all((path / marker).is_file() for marker in _STORE_MARKERS)


def _swap(new: Path, store: Path) -> None:
    """Put the directory ``new`` at ``store``, removing what was there only once that worked."""
    old = None
    if store.exists():
        old = store.parent / f".{store.name}.old-{secrets.token_hex(4)}"
        os.replace(store, old)
    try:
        os.replace(new, store)
    except OSError:
        if old is not None:
            os.replace(old, store)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
