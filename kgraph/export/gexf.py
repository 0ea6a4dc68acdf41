"""GEXF, Gephi's own format: node types, a colour per type and the communities, ready to lay out.

The graph is flattened as for GraphML (:func:`~kgraph.export.graphml.flatten_for_graphml`:
lists and evidence as JSON strings, no ``None``, characters XML cannot hold
replaced, every edge its own id) and written by networkx's GEXF 1.2 writer.
Each node carries its ``type`` and ``community`` as attributes and a
``viz:color`` and ``viz:size`` (the colours and sizes of ``graph.html``: by
type, and by degree); each edge its relation as its label, its support as
its weight and the relation's colour. A graph without communities gets them
here (:func:`~kgraph.graph.analytics.compute_communities`, seed 0), as
``kgraph query communities`` would compute them. The file is deterministic:
networkx's ``lastmodifieddate`` (today's date) is left out.

networkx builds the whole document in memory before writing it (about
0.7 GB and a minute for 20,000 nodes and 100,000 edges), which is why
``kgraph build`` writes ``graph.gexf`` only when asked (``--outputs ...,gexf``).

>>> import io
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("method:gnn", type="method", label="GNN", aliases=["GNN"])
>>> G.add_node("paper:1", type="paper", label="A paper")
>>> _ = G.add_edge("paper:1", "method:gnn", key="proposes", relation="proposes", support=1)
>>> H = nx.read_gexf(io.BytesIO(dumps_gexf(G).encode("utf-8")))
>>> H.nodes["method:gnn"]["type"], H.nodes["method:gnn"]["viz"]["color"]
('method', {'r': 242, 'g': 142, 'b': 43, 'a': 1.0})
>>> list(H.edges(data="label"))
[('paper:1', 'method:gnn', 'proposes')]
"""

from __future__ import annotations

import math
import os
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from ..errors import ExportError
from ..graph import schema
from ..graph.analytics import compute_communities
from .atomic import atomic_write_text
from .graphml import flatten_for_graphml
from .html import NODE_STYLES, OTHER_NODE_STYLE, OTHER_RELATION_STYLE, RELATION_STYLES

GEXF_VERSION = "1.2draft"
_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


def dumps_gexf(G: nx.MultiDiGraph) -> str:
    """The graph as a GEXF 1.2 document (UTF-8 text, pretty-printed, deterministic)."""
    writer = GEXFWriter(version=GEXF_VERSION, prettyprint=True)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)  # the day it was written: not the same bytes tomorrow
    try:
        writer.add_graph(gexf_graph(G))
    except (TypeError, ValueError, nx.NetworkXError) as exc:
        raise ExportError(f"graph cannot be written as GEXF: {exc}") from exc
    return _DECLARATION + str(writer) + "\n"


def write_gexf(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_gexf` to ``path`` atomically."""
    atomic_write_text(path, dumps_gexf(G))


def gexf_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The flattened copy of ``G`` that is written: GEXF-ready attributes, communities, ``viz`` colours and sizes.

    ``G`` is not changed.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task:qa", type="task", label="QA", papers=["paper:1"])
    >>> gexf_graph(G).nodes["task:qa"]
    {'community': 0, 'label': 'QA', 'papers': '["paper:1"]', 'type': 'task', 'viz': {'color': \
{'r': 89, 'g': 161, 'b': 79, 'a': 1.0}, 'size': 8.0}}
    """
    flat = flatten_for_graphml(G)
    stored = nx.get_node_attributes(G, schema.COMMUNITY)
    if len(stored) != G.number_of_nodes() or not all(type(c) is int for c in stored.values()):
        # the flattened copy has the same nodes, edges, relations and support
        nx.set_node_attributes(flat, compute_communities(flat, seed=0), schema.COMMUNITY)
    for node, attrs in flat.nodes(data=True):
        ordered = sorted(attrs.items())  # the community in its place: attributes are declared in this order
        attrs.clear()
        attrs.update(ordered)
        colour = NODE_STYLES.get(str(attrs.get(schema.TYPE)), OTHER_NODE_STYLE)[0]
        attrs["viz"] = {"color": _rgba(colour), "size": round(8 + 4 * math.sqrt(flat.degree(node)), 1)}
    for _, _, attrs in flat.edges(data=True):
        relation = str(attrs.get(schema.RELATION, attrs.get("label", "")))
        attrs["viz"] = {"color": _rgba(RELATION_STYLES.get(relation, OTHER_RELATION_STYLE)[0])}
    return flat


def _rgba(colour: str) -> dict[str, Any]:
    """``#rrggbb`` as GEXF's ``viz:color`` values."""
    value = int(colour.lstrip("#"), 16)
    return {"r": (value >> 16) & 255, "g": (value >> 8) & 255, "b": value & 255, "a": 1.0}
