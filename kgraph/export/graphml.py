"""GraphML for Gephi, Cytoscape and yEd.

GraphML attributes are scalars, so the graph is flattened on the way out:

* ``None`` values are left out (GraphML has no null);
* lists and dicts (``aliases``, ``papers``, ``evidence``, ...) become JSON
  strings, which ``json.loads`` turns back into the original value;
* every edge gets a unique ``id`` (``e0``, ``e1``, ... in sorted order):
  networkx would use the edge key (the relation name), and Gephi drops edges
  whose id repeats. Edges also get ``label`` (the relation, shown by Gephi)
  and ``weight`` (the support), unless they already have them;
* characters that XML 1.0 cannot carry at all (most ASCII control
  characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD; carriage
  returns are written as ``&#13;`` so they survive parsing.

Nodes are sorted by id, edges by ``(source, target, key)`` and attributes by
name, so the same graph gives the same bytes.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("method:gnn", type="method", label="GNN", aliases=["GNN", "GNNs"], known_id=None)
>>> H = nx.read_graphml(io.StringIO(dumps_graphml(G)))
>>> H.nodes["method:gnn"]["aliases"]
'["GNN", "GNNs"]'
"""

from __future__ import annotations

import io
import json
import os
import re
from typing import Any

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter

from ..errors import ExportError
from ..graph.schema import RELATION, SUPPORT
from .atomic import atomic_write_text

# XML 1.0 Char production, negated: what no XML 1.0 document may contain.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_REPLACEMENT = "\ufffd"
_SCALARS = (str, int, float, bool)


def dumps_graphml(G: nx.MultiDiGraph) -> str:
    """The graph as a GraphML document (UTF-8, pretty-printed, deterministic).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("paper:1", "task:qa", key="addresses", relation="addresses", support=2)
    >>> 'source="paper:1" target="task:qa" id="e0"' in dumps_graphml(G)
    True
    """
    flat = flatten_for_graphml(G)
    # GraphMLWriter rather than nx.generate_graphml: the latter splits the
    # document with str.splitlines, which also breaks at U+2028, U+0085, ...
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True, edge_id_from_attribute="id")
    buffer = io.BytesIO()
    try:
        writer.add_graph_element(flat)
        writer.dump(buffer)
    except (nx.NetworkXError, TypeError, ValueError) as exc:
        raise ExportError(f"graph cannot be written as GraphML: {exc}") from exc
    text = buffer.getvalue().decode("utf-8").rstrip("\n")
    # The only raw CRs left are inside text (the pretty-printer uses LF);
    # a parser would turn them into LF unless they are character references.
    return text.replace("\r", "&#13;") + "\n"


def write_graphml(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_graphml` to ``path`` atomically."""
    atomic_write_text(path, dumps_graphml(G))


def flatten_for_graphml(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A new graph whose attributes GraphML can hold; ``G`` is not changed.

    Nodes are inserted sorted by id and edges by ``(source, target, key)``;
    see the module docstring for the rules.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:1", year=None, authors=["A. B."], label="x\\x00y")
    >>> flatten_for_graphml(G).nodes["paper:1"]
    {'authors': '["A. B."]', 'label': 'x\ufffdy'}
    """
    flat = nx.MultiDiGraph()
    flat.graph.update(_flatten_attrs(G.graph))
    for node in sorted(G.nodes, key=_order):
        clean = _clean_id(node)
        if clean in flat:
            raise ExportError(f"node ids {node!r} and {clean!r} are the same once made XML-safe")
        flat.add_node(clean, **_flatten_attrs(G.nodes[node]))
    edges = sorted(G.edges(keys=True, data=True), key=lambda e: (_order(e[0]), _order(e[1]), _order(e[2])))
    for index, (source, target, key, data) in enumerate(edges):
        attrs = dict(data)
        attrs.setdefault("label", data.get(RELATION, key))
        if SUPPORT in data:
            attrs.setdefault("weight", data[SUPPORT])
        attrs = _flatten_attrs(attrs)
        attrs["id"] = f"e{index}"
        flat.add_edge(_clean_id(source), _clean_id(target), key=_clean_id(key), **attrs)
    return flat


def _flatten_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name in sorted(attrs, key=str):
        value = _flatten_value(attrs[name])
        if value is not None:
            flat[_clean_text(str(name))] = value
    return flat


def _flatten_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple, dict)):
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ExportError(f"attribute value {value!r} cannot be written as GraphML: {exc}") from exc
        return _clean_text(text)
    raise ExportError(
        f"attribute value {value!r} of type {type(value).__name__} cannot be written as GraphML; "
        "expected str, int, float, bool, None, list or dict"
    )


def _clean_text(text: str) -> str:
    return _NOT_XML_CHAR.sub(_REPLACEMENT, text)


def _clean_id(value: Any) -> Any:
    return _clean_text(value) if isinstance(value, str) else value


def _order(value: Any) -> tuple[str, str]:
    return (type(value).__name__, str(value))
