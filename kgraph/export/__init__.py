"""Exporters: the graph as JSON, GraphML, RDF, an interactive HTML page, GEXF and CSV tables.

One module per format, each with a ``dumps_*`` function (a string) and a
``write_*`` function (a file, written atomically and as a stream: node by
node and edge by edge, never the whole document in memory)::

    >>> import networkx as nx
    >>> from kgraph.export import dumps_graph_json, loads_graph_json
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task:qa", type="task", label="question answering")
    >>> loads_graph_json(dumps_graph_json(G)).nodes["task:qa"]["label"]
    'question answering'

``kgraph build`` writes them through :mod:`kgraph.export.outputs`, the one
registry of a build's output files, which also copies the unchanged parts of
the large ones from the previous build (:mod:`kgraph.export.splice`). The
RDF vocabulary and IRIs are :mod:`kgraph.rdf.vocab`'s.

pyvis (and with it IPython) is imported only when an HTML page is made.
"""

from .atomic import atomic_open, atomic_write_bytes, atomic_write_text
from .csv import dumps_csv_edges, dumps_csv_nodes, loads_csv_tables, read_csv_tables, write_csv_edges, write_csv_nodes
from .gexf import dumps_gexf, write_gexf
from .graphml import dumps_graphml, flatten_for_graphml, write_graphml
from .html import dumps_html, map_data, write_html
from .json import dumps_graph_json, iter_graph_json, loads_graph_json, read_graph_json, write_graph_json
from .rdf import dumps_rdf, iter_ntriples, write_rdf, write_rdf_files

__all__ = [
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "dumps_csv_edges",
    "dumps_csv_nodes",
    "dumps_gexf",
    "dumps_graph_json",
    "dumps_graphml",
    "dumps_html",
    "dumps_rdf",
    "flatten_for_graphml",
    "iter_graph_json",
    "iter_ntriples",
    "loads_csv_tables",
    "loads_graph_json",
    "map_data",
    "read_csv_tables",
    "read_graph_json",
    "write_csv_edges",
    "write_csv_nodes",
    "write_gexf",
    "write_graph_json",
    "write_graphml",
    "write_html",
    "write_rdf",
    "write_rdf_files",
]
