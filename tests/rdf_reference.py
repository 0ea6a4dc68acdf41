"""The reference the RDF writer is checked against: a kgraph graph as an rdflib Graph, built from rdflib's terms.

kgraph writes its RDF as text (:mod:`kgraph.export.rdf`), never through an
rdflib graph. Here the same triples
(:func:`kgraph.export.rdf_triples.emit_triples`) go into an
:class:`rdflib.Graph` as rdflib terms, so that tests can compare what the
writer wrote with it as graphs (by isomorphism), and write an rdflib graph
in kgraph's forms (:func:`dumps_graph`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import RDF, XSD, Graph, Literal, URIRef

from kgraph.config import DEFAULT_BASE_IRI
from kgraph.export.rdf_syntax import iter_turtle
from kgraph.export.rdf_triples import emit_triples
from kgraph.rdf.vocab import prefixes


def build_rdf(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The triples of ``G`` in an rdflib graph, with kgraph's prefixes bound (the whole graph in memory)."""
    rdf = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes(base_iri).items():
        rdf.bind(prefix, namespace)
    emit_triples(G, base_iri, _GraphSink(rdf))
    return rdf


def dumps_graph(rdf: Graph, format: str = "turtle") -> str:
    """An rdflib graph as text: N-Triples lines sorted, Turtle made of them, or JSON-LD (:func:`dumps_jsonld`)."""
    if format == "json-ld":
        return dumps_jsonld(rdf)
    lines = sorted(line + "\n" for line in rdf.serialize(format="nt").split("\n") if line.strip())
    if format == "nt":
        return "".join(lines)
    assert format == "turtle", format
    return "".join(iter_turtle(lines, {prefix: str(namespace) for prefix, namespace in rdf.namespaces()}))


def write_graph(rdf: Graph, path: str | os.PathLike[str], format: str = "turtle") -> None:
    """Write :func:`dumps_graph` to ``path`` (UTF-8)."""
    Path(path).write_text(dumps_graph(rdf, format), encoding="utf-8")


def dumps_jsonld(rdf: Graph) -> str:
    """Flattened JSON-LD, compacted with an inline context of the graph's prefixes.

    Written here rather than by rdflib's serializer, whose compaction drops
    empty strings from multi-valued properties. One object per subject,
    sorted by IRI; every value array sorted; integers as JSON numbers.
    """
    context = {prefix: str(namespace) for prefix, namespace in rdf.namespaces()}
    namespaces = sorted(context.items(), key=lambda item: -len(item[1]))

    def compact(iri: URIRef) -> str:
        for prefix, namespace in namespaces:
            local = str(iri)[len(namespace):]
            if str(iri).startswith(namespace) and local and not local.startswith("//"):
                return f"{prefix}:{local}"
        return str(iri)

    def value(term: Any) -> Any:
        if isinstance(term, URIRef):
            return {"@id": compact(term)}
        assert isinstance(term, Literal), term
        if term.language:
            return {"@value": str(term), "@language": term.language}
        if term.datatype is None or term.datatype == XSD.string:
            return str(term)
        if term.datatype == XSD.integer and isinstance(term.toPython(), int):
            return term.toPython()
        return {"@value": str(term), "@type": compact(term.datatype)}

    subjects: dict[str, dict[str, list[Any]]] = {}
    for subject, predicate, obj in rdf:
        assert isinstance(subject, URIRef), subject
        node = subjects.setdefault(str(subject), {})
        if predicate == RDF.type and isinstance(obj, URIRef):
            node.setdefault("@type", []).append(compact(obj))
        else:
            node.setdefault(compact(predicate), []).append(value(obj))
    nodes = []
    for subject in sorted(subjects, key=lambda iri: (compact(URIRef(iri)), iri)):
        node: dict[str, Any] = {"@id": compact(URIRef(subject))}
        for key, values in subjects[subject].items():
            values = sorted(values, key=_json_key)
            node[key] = values[0] if len(values) == 1 else values
        nodes.append(node)
    text = json.dumps({"@context": context, "@graph": nodes}, ensure_ascii=False, indent=1, sort_keys=True)
    return text + "\n"


def _json_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class _GraphSink:
    """Triples into an :class:`rdflib.Graph` (a :class:`kgraph.export.rdf_triples.Sink`)."""

    def __init__(self, rdf: Graph):
        self.add = rdf.add

    @staticmethod
    def text(value: str) -> Literal:
        return Literal(value)

    @staticmethod
    def integer(value: int) -> Literal:
        return Literal(value)

    @staticmethod
    def year(value: str) -> Literal:
        return Literal(value, datatype=XSD.gYear)
