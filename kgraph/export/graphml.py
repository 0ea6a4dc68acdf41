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
name, so the same graph gives the same bytes: those networkx's
``GraphMLWriter`` (pretty-printed) writes for the flattened graph, made here
one node or edge at a time rather than from a whole element tree.

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
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import networkx as nx
from networkx.readwrite.graphml import GraphML

from ..errors import ExportError
from ..graph.schema import RELATION, SUPPORT
from .atomic import atomic_open
from .ordering import iter_sorted_edges, order_key, sorted_nodes

# XML 1.0 Char production, negated: what no XML 1.0 document may contain.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_REPLACEMENT = "\ufffd"
_SCALARS = (str, int, float, bool)
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, allow_nan=False)  # json.dumps with these, made once


def dumps_graphml(G: nx.MultiDiGraph) -> str:
    """The graph as a GraphML document (UTF-8, pretty-printed, deterministic).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("paper:1", "task:qa", key="addresses", relation="addresses", support=2)
    >>> 'source="paper:1" target="task:qa" id="e0"' in dumps_graphml(G)
    True
    """
    out = io.StringIO()
    _write_document(G, out, io.StringIO())
    return out.getvalue()


def write_graphml(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_graphml` to ``path`` atomically, node by node and edge by edge.

    GraphML declares its attribute keys before the graph, and the keys are
    known only once every node and edge has been seen; the graph element is
    therefore written to an unnamed temporary file beside ``path`` first and
    copied in after the keys. Memory stays that of one node or edge.
    """
    directory = Path(path).parent
    with atomic_open(path, "w") as handle:
        try:
            body = tempfile.TemporaryFile("w+", encoding="utf-8", newline="", dir=directory)
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
        with body:
            _write_document(G, handle, body)


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
    for node in sorted(G.nodes, key=order_key):
        clean = _clean_id(node)
        if clean in flat:
            raise ExportError(f"node ids {node!r} and {clean!r} are the same once made XML-safe")
        flat.add_node(clean, **_flatten_attrs(G.nodes[node]))
    edges = sorted(G.edges(keys=True, data=True), key=lambda e: (order_key(e[0]), order_key(e[1]), order_key(e[2])))
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
            text = _JSON.encode(value)
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


# The document, written as networkx's GraphMLWriter (prettyprint=True) and
# ElementTree would write it, without building its tree: same bytes.

_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_ROOT = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)


def _write_document(G: nx.MultiDiGraph, out: IO[str], body: IO[str]) -> None:
    """Write the graph element to ``body`` (a scratch file), then the document to ``out``."""
    keys = _Keys()
    for chunk in _iter_graph_element(G, keys):
        body.write(chunk)
    out.write(_DECLARATION + _ROOT + "\n  ")
    for declaration in reversed(keys.declarations):  # GraphMLWriter inserts each new key first
        out.write(declaration + "\n  ")
    body.seek(0)
    shutil.copyfileobj(body, out, 1 << 16)
    out.write("\n</graphml>\n")


class _Keys:
    """The ``<key>`` of each (attribute name, GraphML type, domain), numbered as first used."""

    def __init__(self) -> None:
        types = GraphML()
        types.construct_types()
        self.xml_type = types.xml_type
        self.ids: dict[tuple[str, str, str], str] = {}
        self.declarations: list[str] = []

    def data(self, name: str, value: Any, scope: str) -> str:
        """A ``<data>`` element for attribute ``name`` of a node, an edge or the graph."""
        kind = type(value)
        if kind not in self.xml_type:
            raise ExportError(f"graph cannot be written as GraphML: GraphML writer does not support {kind} as data values.")
        xml_type = self.xml_type[kind]
        key_id = self.ids.get((name, xml_type, scope))
        if key_id is None:
            key_id = self.ids[(name, xml_type, scope)] = f"d{len(self.ids)}"
            self.declarations.append(
                f'<key id="{key_id}" for="{scope}" attr.name="{_escape_attribute(name)}" attr.type="{xml_type}" />'
            )
        text = str(value)
        if not text:
            return f'<data key="{key_id}" />'
        return f'<data key="{key_id}">{_escape_text(text)}</data>'


def _iter_graph_element(G: nx.MultiDiGraph, keys: _Keys) -> Iterator[str]:
    """The ``<graph>`` element, one child (graph attribute, node, edge) at a time."""
    attrs = _flatten_attrs(G.graph)
    graph_id = attrs.pop("id", None)
    open_tag = '<graph edgedefault="directed"'
    if graph_id is not None:
        if not isinstance(graph_id, str):
            raise ExportError(f"graph cannot be written as GraphML: cannot serialize {graph_id!r} (type {type(graph_id).__name__})")
        open_tag += f' id="{_escape_attribute(graph_id)}"'
    children = _iter_children(G, attrs, keys)
    first = next(children, None)
    if first is None:
        yield open_tag + " />"
        return
    yield open_tag + ">\n    " + first
    for child in children:
        yield "\n    " + child
    yield "\n  </graph>"


def _iter_children(G: nx.MultiDiGraph, graph_attrs: dict[str, Any], keys: _Keys) -> Iterator[str]:
    # GraphMLWriter numbers the graph's keys first but writes its data last.
    graph_data = [keys.data(str(name), value, "graph") for name, value in graph_attrs.items()]
    nodes = sorted_nodes(G)
    changed: set = set()  # ids that cleaning changed, to catch two ids that become one
    for node in nodes:
        clean = _clean_id(node)
        if clean != node or type(clean) is not type(node):
            if clean in changed or clean in G:
                raise ExportError(f"node ids {node!r} and {clean!r} are the same once made XML-safe")
            changed.add(clean)
        yield _element("node", f'id="{_escape_attribute(str(clean))}"', _flatten_attrs(G.nodes[node]), keys)
    for index, (source, target, key, data) in enumerate(iter_sorted_edges(G, nodes)):
        attrs = dict(data)
        attrs.setdefault("label", data.get(RELATION, key))
        if SUPPORT in data:
            attrs.setdefault("weight", data[SUPPORT])
        attrs = _flatten_attrs(attrs)
        attrs["id"] = f"e{index}"
        ends = (f'source="{_escape_attribute(str(_clean_id(source)))}" '
                f'target="{_escape_attribute(str(_clean_id(target)))}" id="e{index}"')
        yield _element("edge", ends, attrs, keys)
    yield from graph_data


def _element(tag: str, xml_attributes: str, attrs: dict[str, Any], keys: _Keys) -> str:
    """A ``node`` or ``edge`` element at depth 2 of the document, with its ``<data>`` children."""
    if not attrs:
        return f"<{tag} {xml_attributes} />"
    children = "".join("\n      " + keys.data(str(name), value, tag) for name, value in attrs.items())
    return f"<{tag} {xml_attributes}>{children}\n    </{tag}>"


def _escape_text(text: str) -> str:
    """Character data as ElementTree escapes it, and carriage returns as references (so they survive parsing)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _escape_attribute(text: str) -> str:
    """An attribute value as ElementTree (Python 3.11) escapes it."""
    text = _escape_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text
