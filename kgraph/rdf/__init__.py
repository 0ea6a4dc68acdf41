"""The graph as RDF, read back: NetworkX round trip, SPARQL, SHACL, a persistent store.

:mod:`kgraph.export.rdf` writes the RDF (docs/ONTOLOGY.md describes it); this
package reads it. Both use the vocabulary and the IRIs of :mod:`kgraph.rdf.vocab`,
declared there once::

    import kgraph.rdf

    G = kgraph.rdf.to_networkx("output/")             # the graph kgraph built, attribute for attribute
    result = kgraph.rdf.sparql(open("examples/queries/methods-for-task.rq").read(), "output/",
                               bindings={"task_name": "camera pose estimation"})
    result.rows                                        # tuples of rdflib terms
    result.as_dicts()                                  # [{"method": "https://...", "label": ...}, ...]
    kgraph.rdf.validate("output/").conforms            # SHACL, with the bundled shapes
    kgraph.rdf.load_store("output/", "kg.oxigraph")    # an on-disk pyoxigraph store ...
    kgraph.rdf.query_store("kg.oxigraph", "ASK { ?s ?p ?o }").boolean  # ... queried the same way

pyoxigraph and pyshacl are imported only when a query, a store or a
validation needs them.
"""

from .graph import to_networkx
from .io import locate_graph, read_oxigraph, read_rdf
from .shacl import ValidationReport, Violation, load_shapes, validate
from .sparql import QueryError, QueryResult, parse_binding, read_query, sparql
from .store import is_store, load_store, open_store, query_store

__all__ = [
    "QueryError",
    "QueryResult",
    "ValidationReport",
    "Violation",
    "is_store",
    "load_shapes",
    "load_store",
    "locate_graph",
    "open_store",
    "parse_binding",
    "query_store",
    "read_oxigraph",
    "read_query",
    "read_rdf",
    "sparql",
    "to_networkx",
    "validate",
]
