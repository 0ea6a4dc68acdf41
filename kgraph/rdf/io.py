"""Finding and parsing the RDF a build wrote, with rdflib or pyoxigraph.

A graph is named by a build's output directory (``graph.nt``, ``graph.ttl`` or
``graph.jsonld`` in it, the first found in that order: N-Triples parses
fastest) or by one RDF file; the format follows the file extension.
"""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import Graph

from ..errors import ConfigError, CorpusFormatError
from .vocab import RDF_FILES

# extension -> (rdflib format, pyoxigraph RdfFormat attribute)
_EXTENSIONS = {
    ".nt": ("nt", "N_TRIPLES"),
    ".ttl": ("turtle", "TURTLE"),
    ".jsonld": ("json-ld", "JSON_LD"),
    ".json-ld": ("json-ld", "JSON_LD"),
}


def locate_graph(path: str | os.PathLike[str]) -> Path:
    """The RDF file that ``path`` names: itself, or the graph file in that directory.

    Raises :class:`~kgraph.errors.ConfigError` when there is none, or the
    extension is not one of ``.nt``, ``.ttl``, ``.jsonld``.
    """
    path = Path(path)
    if path.is_dir():
        names = graph_files()
        for name in names:
            if (path / name).is_file():
                return path / name
        raise ConfigError(
            f"{path}: no RDF graph here ({', '.join(names)}); run `kgraph build -o {path}` first"
        )
    if not path.exists():
        raise ConfigError(f"{path}: no such file or directory")
    rdf_format(path)
    return path


def graph_files() -> tuple[str, ...]:
    """The names of the RDF files a build writes, in the order they are looked for in a directory."""
    return tuple(RDF_FILES.values())


def rdf_format(path: Path) -> tuple[str, str]:
    """(rdflib format, pyoxigraph format name) of an RDF file, by its extension."""
    try:
        return _EXTENSIONS[path.suffix.lower()]
    except KeyError:
        raise ConfigError(
            f"{path}: unknown RDF file type {path.suffix!r}; expected one of {', '.join(_EXTENSIONS)}"
        ) from None


def read_rdf(path: str | os.PathLike[str]) -> Graph:
    """Parse the graph at ``path`` (see :func:`locate_graph`) with rdflib.

    Syntax errors raise :class:`~kgraph.errors.CorpusFormatError` naming the file.
    """
    file = locate_graph(path)
    rdflib_format, _ = rdf_format(file)
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(file, format=rdflib_format)
    except OSError:
        raise
    except Exception as exc:  # rdflib raises assorted parser errors
        raise CorpusFormatError(str(file), None, f"not valid {rdflib_format}: {_first_line(exc)}") from exc
    return graph


def read_oxigraph(path: str | os.PathLike[str]):
    """Parse the graph at ``path`` into an in-memory :class:`pyoxigraph.Store`."""
    import pyoxigraph

    file = locate_graph(path)
    _, ox_format = rdf_format(file)
    store = pyoxigraph.Store()
    try:
        store.bulk_load(path=str(file), format=getattr(pyoxigraph.RdfFormat, ox_format))
    except SyntaxError as exc:
        raise CorpusFormatError(str(file), None, f"not valid {ox_format}: {_first_line(exc)}") from exc
    return store


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
