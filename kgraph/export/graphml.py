"""GraphML for Gephi, Cytoscape and yEd.

GraphML attributes are scalars, so the graph is flattened on the way out:

* ``None`` values are left out (GraphML has no null);
* lists and dicts (``aliases``, ``papers``, ``evidence``, ...) become JSON
  strings, which ``json.loads`` turns back into the original value;
* every edge gets a unique ``id``: its source's id, ``#`` and its number
  among that source's out-edges (``paper:1#0``, ``paper:1#1``, ... in sorted
  order; networkx would use the edge key, the relation name, and Gephi drops
  edges whose id repeats). Adding an edge renumbers only its source's edges,
  so the rest of the file stays as it was (see :func:`write_graphml`). Edges also get ``label`` (the relation, shown by Gephi)
  and ``weight`` (the support), unless they already have them;
* characters that XML 1.0 cannot carry at all (most ASCII control
  characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD; carriage
  returns are written as ``&#13;`` so they survive parsing.

Nodes are sorted by id, edges by ``(source, target, key)`` and attributes by
name, so the same graph gives the same bytes: those networkx's
``GraphMLWriter`` (pretty-printed) writes for the flattened graph, made here
one node or edge at a time rather than from a whole element tree.

>>> import io
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("method:gnn", type="method", label="GNN", aliases=["GNN", "GNNs"], known_id=None)
>>> H = nx.read_graphml(io.StringIO(dumps_graphml(G)))
>>> H.nodes["method:gnn"]["aliases"]
'["GNN", "GNNs"]'
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import networkx as nx
from networkx.readwrite.graphml import GraphML

from ..errors import ExportError
from ..graph.schema import COMMUNITY, RELATION, SUPPORT
from .ordering import iter_sorted_edges, order_key, sorted_nodes
from .splice import Fragments, GraphDigests, Splicer, code_salt, combined, dumps_fragments, write_fragments

# XML 1.0 Char production, negated: what no XML 1.0 document may contain.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_REPLACEMENT = "\ufffd"
_SCALARS = (str, int, float, bool)
_NO_NODE = object()
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, allow_nan=False)  # json.dumps with these, made once


def dumps_graphml(G: nx.MultiDiGraph) -> str:
    """The graph as a GraphML document (UTF-8, pretty-printed, deterministic).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("paper:1", "task:qa", key="addresses", relation="addresses", support=2)
    >>> 'source="paper:1" target="task:qa" id="paper:1#0"' in dumps_graphml(G)
    True
    """
    return dumps_fragments(graphml_fragments(G))[_NAME]


def write_graphml(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_graphml` to ``path`` atomically, node by node and edge by edge.

    GraphML declares its attribute keys before the graph, and the keys are
    known only once every node and edge has been seen; the graph element is
    therefore written to an unnamed temporary file beside ``path`` first and
    copied in after the keys. Memory stays that of one node or edge.
    """
    write_fragments(graphml_fragments(G), {_NAME: path})


def graphml_fragments(G: nx.MultiDiGraph, digests: GraphDigests | None = None) -> Fragments:
    """``graph.graphml`` as fragments, one per node and edge (:mod:`kgraph.export.splice`), for :func:`write_graphml`.

    With ``digests`` (the graph's, :meth:`~kgraph.export.splice.GraphDigests.of`),
    a node or edge whose element would be the same as in the previous file
    (same attributes, same key ids) can be copied from it rather than
    written again (:func:`~kgraph.export.splice.write_fragments`): its
    digest covers its attributes and the ids of the keys its ``<data>`` use.
    The document's beginning, which declares the keys, is its prologue.
    """
    digests = digests if digests is not None else GraphDigests.none(G)
    keys: list[_Keys] = []  # made when the graph element is written, declared in the prologue after it

    def fill(splicer: Splicer) -> None:
        keys[:] = [_Keys()]
        _write_graph_element(G, keys[0], splicer, digests)
        splicer.text(_NAME, "\n</graphml>\n")

    def prologue() -> str:  # GraphMLWriter inserts each new key first
        return _DECLARATION + _ROOT + "\n  " + "".join(declaration + "\n  "
                                                     for declaration in reversed(keys[0].declarations))

    return Fragments({_NAME: _CHILD_SEPARATOR}, fill, salt=code_salt("graphml"), indexed=digests.hashed,
                     prologues={_NAME: prologue})


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
    for source, target, key, data, edge_id in _numbered_edges(G, sorted_nodes(G)):
        attrs = _flatten_attrs(_edge_attrs(key, data))
        attrs["id"] = edge_id
        flat.add_edge(_clean_id(source), _clean_id(target), key=_clean_id(key), **attrs)
    return flat


def _numbered_edges(G: nx.MultiDiGraph, nodes: list) -> Iterator[tuple[Any, Any, Any, dict, str]]:
    """Every edge in sorted order with its GraphML id: ``<source>#<number among its source's edges>``."""
    number, last = 0, _NO_NODE
    for source, target, key, data in iter_sorted_edges(G, nodes):
        number = number + 1 if last is not _NO_NODE and source == last else 0
        last = source
        yield source, target, key, data, f"{_clean_id(source)}#{number}"


def _edge_attrs(key: Any, data: dict) -> dict:
    attrs = dict(data)
    attrs.setdefault("label", data.get(RELATION, key))
    if SUPPORT in data:
        attrs.setdefault("weight", data[SUPPORT])
    return attrs


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


_NAME = "graphml"
_CHILD_SEPARATOR = b"\n    "


class _Keys:
    """The ``<key>`` of each (attribute name, GraphML type, domain), numbered as first used."""

    def __init__(self) -> None:
        types = GraphML()
        types.construct_types()
        self.xml_type = types.xml_type
        self.ids: dict[tuple[str, str, str], str] = {}
        self.declarations: list[str] = []
        # the key ids of each shape of element seen (scope, attribute names and value types): they are a
        # function of the shape alone, and a graph's elements have few shapes
        self.shapes: dict[tuple, str] = {}

    def key_id(self, name: str, value: Any, scope: str) -> str:
        """The id of the key for attribute ``name`` (flattened ``value``) of a node, an edge or the graph."""
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
        return key_id

    def data(self, name: str, value: Any, scope: str) -> str:
        """A ``<data>`` element for attribute ``name`` of a node, an edge or the graph."""
        return _data(self.key_id(name, value, scope), value)

    def ids_of(self, attrs: dict[str, Any], scope: str, edge_id: str | None = None) -> str:
        """The key ids :func:`_element` will use for the (not yet flattened) ``attrs``, in its order, space-separated.

        Keys are numbered here, as the element is met, whether it is then
        written or copied; only the types of the values are looked at, not
        their text. An edge's ``edge_id`` is its ``id`` attribute, set after
        the others are flattened (in place, if it has one).
        """
        shape = (scope, edge_id is not None, tuple(attrs), tuple(map(type, attrs.values())))
        known = self.shapes.get(shape)
        if known is None:
            known = self.shapes[shape] = self._ids_of(attrs, scope, edge_id)
        return known

    def _ids_of(self, attrs: dict[str, Any], scope: str, edge_id: str | None) -> str:
        kinds: dict[str, Any] = {}
        for name in sorted(attrs, key=str):
            value = attrs[name]
            if value is not None:
                kinds[_clean_text(str(name))] = _flat_sample(value)
        if edge_id is not None:
            kinds["id"] = edge_id
        return " ".join([self.key_id(name, sample, scope) for name, sample in kinds.items()])


def _flat_sample(value: Any) -> Any:
    """A value of the type :func:`_flatten_value` gives ``value`` (text, lists and dicts: a str), cheaply."""
    if isinstance(value, (str, list, tuple, dict)):
        return ""
    if isinstance(value, _SCALARS):
        return value
    return _flatten_value(value)  # raises the error that names the type


def _data(key_id: str, value: Any) -> str:
    text = str(value)
    if not text:
        return f'<data key="{key_id}" />'
    return f'<data key="{key_id}">{_escape_text(text)}</data>'


def _write_graph_element(G: nx.MultiDiGraph, keys: _Keys, splicer: Splicer, digests: GraphDigests) -> None:
    """The ``<graph>`` element, one child (node, edge, graph attribute) at a time."""
    attrs = _flatten_attrs(G.graph)
    graph_id = attrs.pop("id", None)
    open_tag = '<graph edgedefault="directed"'
    if graph_id is not None:
        if not isinstance(graph_id, str):
            raise ExportError(f"graph cannot be written as GraphML: cannot serialize {graph_id!r} (type {type(graph_id).__name__})")
        open_tag += f' id="{_escape_attribute(graph_id)}"'
    # GraphMLWriter numbers the graph's keys first but writes its data last.
    graph_data = [keys.data(str(name), value, "graph") for name, value in attrs.items()]
    if not graph_data and G.number_of_nodes() == 0:
        splicer.text(_NAME, open_tag + " />")
        return
    splicer.text(_NAME, open_tag + ">\n    ")
    nodes = digests.nodes
    changed: set = set()  # ids that cleaning changed, to catch two ids that become one
    for number, node in enumerate(nodes):
        clean = _clean_id(node)
        if clean != node or type(clean) is not type(node):
            if clean in changed or clean in G:
                raise ExportError(f"node ids {node!r} and {clean!r} are the same once made XML-safe")
            changed.add(clean)
        node_attrs = G.nodes[node]
        key_ids = keys.ids_of(node_attrs, "node")
        # render is called at once, if at all: the closures see this iteration's values
        splicer.element(combined(digests.node(number), COMMUNITY in node_attrs, node_attrs.get(COMMUNITY), key_ids),
                        lambda: {_NAME: _element("node", f'id="{_escape_attribute(str(clean))}"',
                                                 _flatten_attrs(node_attrs), key_ids)})
    for number, (source, target, key, data, edge_id) in enumerate(_numbered_edges(G, nodes)):
        attrs = _edge_attrs(key, data)
        key_ids = keys.ids_of(attrs, "edge", edge_id)
        splicer.element(combined(digests.edge(number), edge_id, key_ids),
                        lambda: {_NAME: _element("edge", f'source="{_escape_attribute(str(_clean_id(source)))}" '
                                                         f'target="{_escape_attribute(str(_clean_id(target)))}" '
                                                         f'id="{_escape_attribute(edge_id)}"',
                                                 {**_flatten_attrs(attrs), "id": edge_id}, key_ids)})
    for number, data in enumerate(graph_data):
        splicer.text(_NAME, ("\n    " if number or nodes else "") + data)
    splicer.text(_NAME, "\n  </graph>")


def _element(tag: str, xml_attributes: str, attrs: dict[str, Any], key_ids: str) -> str:
    """A ``node`` or ``edge`` element at depth 2 of the document, with its ``<data>`` children."""
    if not attrs:
        return f"<{tag} {xml_attributes} />"
    children = "".join("\n      " + _data(key_id, value) for key_id, value in zip(key_ids.split(), attrs.values()))
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
