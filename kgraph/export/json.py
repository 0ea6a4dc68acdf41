"""Node-link JSON: the lossless, deterministic dump of the graph.

Nodes are sorted by id and edges by ``(source, target, key)``; keys inside
every object are sorted, so the same graph always gives the same bytes, and
:func:`loads_graph_json` gives back an equal graph. :func:`write_graph_json`
writes the document node by node and edge by edge (:func:`iter_graph_json`),
never whole: the text is that of one ``json.dumps`` of the node-link data.

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
import math
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import networkx as nx

from ..errors import CorpusFormatError, ExportError
from ..graph.schema import COMMUNITY
from .ordering import iter_sorted_edges, sorted_nodes
from .splice import Fragments, GraphDigests, Splicer, code_salt, combined, write_fragments

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
    return "".join(iter_graph_json(G))


def write_graph_json(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_graph_json` to ``path`` atomically, node by node and edge by edge."""
    write_fragments(graph_json_fragments(G), {"json": path})


def graph_json_fragments(G: nx.MultiDiGraph, digests: GraphDigests | None = None) -> Fragments:
    """``graph.json`` as fragments, one per node and edge (:mod:`kgraph.export.splice`), for :func:`write_graph_json`.

    With ``digests`` (the graph's, :meth:`~kgraph.export.splice.GraphDigests.of`),
    a node or edge that is the same as in the previous file can be copied from it
    rather than encoded again (:func:`~kgraph.export.splice.write_fragments`).
    """
    digests = digests if digests is not None else GraphDigests.none(G)
    return Fragments({"json": b"," + _DEPTH_2.encode()}, lambda splicer: _write_elements(G, splicer, digests),
                     salt=code_salt("json"), indexed=digests.hashed)


def _write_elements(G: nx.MultiDiGraph, splicer: Splicer, digests: GraphDigests) -> None:
    """:func:`iter_graph_json`'s text, each node and edge a fragment."""
    def array(count: int, elements) -> None:
        if not count:
            splicer.text("json", "[]")
            return
        splicer.text("json", "[" + _DEPTH_2)
        for element_digest, item in elements:
            splicer.element(element_digest, lambda item=item: {"json": _encode(item(), _DEPTH_2)})
        splicer.text("json", _DEPTH_1 + "]")

    def node_digest(number: int, node) -> bytes | None:
        attrs = G.nodes[node]  # the shared digest leaves the community out: graph.json has it in the node
        return combined(digests.node(number), COMMUNITY in attrs, attrs.get(COMMUNITY))

    splicer.text("json", '{\n "directed": true,\n "edges": ')
    nodes = digests.nodes
    array(G.number_of_edges(), (
        (digests.edge(number),
         lambda source=source, target=target, key=key, data=data: {**data, "source": source, "target": target,
                                                                   "key": key})
        for number, (source, target, key, data) in enumerate(iter_sorted_edges(G, nodes))))
    splicer.text("json", ',\n "graph": ' + _encode(G.graph, _DEPTH_1) + ',\n "multigraph": true,\n "nodes": ')
    array(len(nodes), ((node_digest(number, node), lambda node=node: {**G.nodes[node], "id": node})
                       for number, node in enumerate(nodes)))
    splicer.text("json", "\n}\n")


def iter_graph_json(G: nx.MultiDiGraph) -> Iterator[str]:
    """The text of :func:`dumps_graph_json` in pieces, one node or edge at a time.

    The document is never held whole: each node and edge is encoded on its
    own, indented as ``json.dumps(..., indent=1, sort_keys=True)`` indents it
    inside the whole document, so the bytes are the same.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("paper:1", "task:qa", key="addresses")
    'addresses'
    >>> "".join(iter_graph_json(G)) == dumps_graph_json(G)
    True
    """
    # Top-level keys in sorted order, as sort_keys=True writes them.
    yield '{\n "directed": true,\n "edges": '
    nodes = sorted_nodes(G)
    yield from _array(
        {**data, "source": source, "target": target, "key": key}
        for source, target, key, data in iter_sorted_edges(G, nodes)
    )
    yield ',\n "graph": ' + _encode(G.graph, _DEPTH_1)
    yield ',\n "multigraph": true,\n "nodes": '
    yield from _array({**G.nodes[node], "id": node} for node in nodes)
    yield "\n}\n"


_DEPTH_1 = "\n "  # a line break and the indent of the document's top-level keys
_DEPTH_2 = "\n  "  # ... of the elements of its node and edge arrays


def _array(items: Iterable[dict]) -> Iterator[str]:
    """A JSON array at depth 1 of the document, one element at a time."""
    first = True
    for item in items:
        yield ("[" if first else ",") + _DEPTH_2 + _encode(item, _DEPTH_2)
        first = False
    yield "[]" if first else _DEPTH_1 + "]"


def dumps_indented(value: Any, indent: str = "\n") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False)``, faster,
    as it is written inside a document at depth ``indent`` (a line break and that many spaces).

    Plain data (str, int, float, bool, None, lists, dicts with str keys) is
    encoded here, several times faster than by the json module with an
    indent; anything else by the json module. The text is the same.

    >>> dumps_indented({"b": [1, None], "a": "x"}) == json.dumps({"b": [1, None], "a": "x"}, indent=1, sort_keys=True)
    True
    """
    try:
        return _plain(value, indent)
    except _NotPlain:
        pass
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False)
    return text.replace("\n", indent)


def _encode(value: Any, indent: str) -> str:
    try:
        return dumps_indented(value, indent)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"graph cannot be written as JSON: {exc}") from exc


class _NotPlain(Exception):
    """A value :func:`_plain` leaves to the json module."""


_escape = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for strings (C)


def _plain(value: Any, indent: str) -> str:
    """The json module's indented encoding, for plain data only, without its generator machinery.

    Exact types str, int, float (finite), bool, None, list, tuple and dicts
    with str keys; anything else (and anything nested deeper than 50)
    raises :class:`_NotPlain`, and the element goes to the json module.
    """
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is float:
        if not math.isfinite(value):
            raise _NotPlain
        return float.__repr__(value)
    if len(indent) > 51:
        raise _NotPlain
    inner = indent + " "
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join([_plain(item, inner) for item in value]) + indent + "]"
    if kind is dict:
        if not value:
            return "{}"
        if any(type(key) is not str for key in value):
            raise _NotPlain
        items = [_escape(key) + ": " + _plain(value[key], inner) for key in sorted(value)]
        return "{" + inner + ("," + inner).join(items) + indent + "}"
    raise _NotPlain


def loads_graph_json(text: str, *, source: str = "<string>") -> nx.MultiDiGraph:
    """The graph from node-link JSON text, as written by :func:`dumps_graph_json`.

    Malformed input raises :class:`~kgraph.errors.CorpusFormatError` naming
    ``source`` and, for syntax errors, the line.

    >>> loads_graph_json('{"directed": true, "multigraph": true, "graph": {}, '
    ...                  '"nodes": [{"id": "task:qa"}], "edges": []}').nodes
    NodeView(('task:qa',))
    """
    try:
        data = json.loads(text, object_hook=_string_sharer())
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


def _string_sharer() -> Callable[[dict], dict]:
    """A ``json.loads`` object hook that makes equal string values one object.

    ``json.loads`` shares equal keys but not equal values, and a graph repeats
    its values: a paper's id in every evidence item and entity that names it,
    a sentence in every relation it states, ``"abstract"`` half a million
    times at 30k papers. Shared as they are parsed, a 30k-paper graph takes
    about a quarter less memory once loaded (``kgraph serve`` holds one for as
    long as it runs) and loads no slower.
    """
    seen: dict[str, str] = {}
    share = seen.setdefault

    def hook(obj: dict) -> dict:
        for key, value in obj.items():
            if type(value) is str:
                obj[key] = share(value, value)
            elif type(value) is list:
                for i, item in enumerate(value):
                    if type(item) is str:
                        value[i] = share(item, item)
        return obj

    return hook


def read_graph_json(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read a graph written by :func:`write_graph_json`."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusFormatError(str(path), None, f"cannot read: {exc}") from exc
    return loads_graph_json(text, source=str(path))


def _edges_argument() -> dict[str, str]:
    """networkx >= 3.4 names the edge list ``edges=``; older releases ``link=``."""
    parameters = inspect.signature(nx.node_link_data).parameters
    return {"edges": _EDGES} if "edges" in parameters else {"link": _EDGES}


def _node_link_graph(data: dict) -> nx.MultiDiGraph:
    return nx.node_link_graph(data, directed=True, multigraph=True, **_edges_argument())
