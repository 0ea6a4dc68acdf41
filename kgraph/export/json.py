"""Node-link JSON: the lossless, deterministic dump of the graph.

Nodes are sorted by id and edges by ``(source, target, key)``; keys inside
every object are sorted, so the same graph always gives the same bytes, and
:func:`loads_graph_json` gives back an equal graph.

>>> import networkx as nx
>>> G = nx.MultiDiGraph(name="demo")
>>> G.add_node("method:gnn", type="method", label="GNN")
>>> G.add_node("paper:1", type="paper", label="A paper")
>>> _ = G.add_edge("paper:1", "method:gnn", key="uses", relation="uses", support=1)
>>> text = dumps_graph_json(G)
>>> H = loads_graph_json(text)
>>> sorted(H.edges(keys=True, data="support"))
[('paper:1', 'method:gnn', 'uses', 1)]
"""

from __future__ import annotations

import inspect
import json
import os
from typing import Any

import networkx as nx

from ..errors import CorpusFormatError, ExportError
from .atomic import atomic_write_text

_EDGES = "edges"


def dumps_graph_json(G: nx.MultiDiGraph) -> str:
    """The graph as node-link JSON text (UTF-8 characters kept, one trailing newline).

    Raises :class:`~kgraph.errors.ExportError` when an attribute is not JSON
    data (a set, a path object, NaN, ...).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task:schrödinger", type="task")
    >>> print(dumps_graph_json(G), end="")
    {
     "directed": true,
     "edges": [],
     "graph": {},
     "multigraph": true,
     "nodes": [
      {
       "id": "task:schrödinger",
       "type": "task"
      }
     ]
    }
    """
    data = _node_link_data(G)
    data["nodes"].sort(key=lambda node: _order(node["id"]))
    data[_EDGES].sort(
        key=lambda edge: (_order(edge["source"]), _order(edge["target"]), _order(edge.get("key")))
    )
    try:
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"graph cannot be written as JSON: {exc}") from exc
    return text + "\n"


def write_graph_json(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_graph_json` to ``path`` atomically."""
    atomic_write_text(path, dumps_graph_json(G))


def loads_graph_json(text: str, *, source: str = "<string>") -> nx.MultiDiGraph:
    """The graph from node-link JSON text, as written by :func:`dumps_graph_json`.

    Malformed input raises :class:`~kgraph.errors.CorpusFormatError` naming
    ``source`` and, for syntax errors, the line.

    >>> loads_graph_json('{"directed": true, "multigraph": true, "graph": {}, '
    ...                  '"nodes": [{"id": "task:qa"}], "edges": []}').nodes
    NodeView(('task:qa',))
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusFormatError(source, exc.lineno, f"not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise CorpusFormatError(source, None, "not a node-link graph: no 'nodes' list")
    if not isinstance(data.get(_EDGES), list):
        raise CorpusFormatError(source, None, f"not a node-link graph: no {_EDGES!r} list")
    if data.get("directed") is not True or data.get("multigraph") is not True:
        raise CorpusFormatError(source, None, "not a kgraph graph: expected a directed multigraph")
    for index, node in enumerate(data["nodes"]):
        if not isinstance(node, dict) or "id" not in node:
            raise CorpusFormatError(source, None, f"not a node-link graph: node {index} has no 'id'")
    for index, edge in enumerate(data[_EDGES]):
        missing = [k for k in ("source", "target", "key") if not isinstance(edge, dict) or k not in edge]
        if missing:
            raise CorpusFormatError(
                source, None, f"not a node-link graph: edge {index} has no {', '.join(map(repr, missing))}"
            )
    try:
        graph = _node_link_graph(data)
    except (KeyError, TypeError, ValueError, nx.NetworkXError) as exc:
        raise CorpusFormatError(source, None, f"not a node-link graph: {exc!r}") from exc
    return graph


def read_graph_json(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read a graph written by :func:`write_graph_json`."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusFormatError(str(path), None, f"cannot read: {exc}") from exc
    return loads_graph_json(text, source=str(path))


def _order(value: Any) -> tuple[str, str]:
    """Sort key that never compares values of different types."""
    return (type(value).__name__, str(value))


def _edges_argument() -> dict[str, str]:
    """networkx >= 3.4 names the edge list ``edges=``; older releases ``link=``."""
    parameters = inspect.signature(nx.node_link_data).parameters
    return {"edges": _EDGES} if "edges" in parameters else {"link": _EDGES}


def _node_link_data(G: nx.MultiDiGraph) -> dict:
    return nx.node_link_data(G, **_edges_argument())


def _node_link_graph(data: dict) -> nx.MultiDiGraph:
    return nx.node_link_graph(data, directed=True, multigraph=True, **_edges_argument())
