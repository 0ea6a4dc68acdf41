"""RDF: the graph as Turtle (or any rdflib format) with provenance.

The model, in short (``kg:`` is :class:`KG`, ``<base>`` the ``base_iri``)::

    <base>paper/arXiv%3A2401.1  a kg:Paper ;
        dcterms:identifier "arXiv:2401.1" ; dcterms:title "..." ;
        dcterms:abstract "..." ; dcterms:date "2024"^^xsd:gYear ;
        dcterms:creator "A. Author" ; foaf:page <https://...> ;
        kg:proposes <base>method/graph-neural-network .

    <base>method/graph-neural-network  a kg:Method ;
        dcterms:identifier "graph-neural-network" ;
        skos:prefLabel "graph neural network" ; skos:altLabel "GNN" ;
        kg:mention_count 6 ; kg:known_id "graph-neural-network" .

    <base>statement/<hash>  a rdf:Statement ;
        rdf:subject <base>paper/... ; rdf:predicate kg:proposes ;
        rdf:object <base>method/... ; kg:support 1 ;
        kg:evidence <base>evidence/<hash> .

    <base>evidence/<hash>  a kg:Evidence ;
        prov:wasDerivedFrom <base>paper/... ; kg:field "abstract" ;
        kg:start 0 ; kg:end 42 ; kg:sentence "..." ; kg:extractor "pattern" .

Every relation is stated twice: as the direct triple ``head kg:<relation>
tail`` (for simple queries) and as a reified ``rdf:Statement`` carrying its
support and evidence. Node IRIs are minted from node ids with
:func:`node_iri`: everything outside RFC 3986's unreserved characters is
percent-encoded, so corpus text never appears raw in an IRI. Statement and
evidence IRIs are hashes of what they describe, and there are no blank
nodes, so two builds of the same graph are identical, and so are their
Turtle serializations, byte for byte.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("paper:1", type="paper", label="A paper")
>>> G.add_node("task:qa", type="task", label="question answering")
>>> _ = G.add_edge("paper:1", "task:qa", key="addresses", relation="addresses", support=1)
>>> rdf = build_rdf(G, "https://example.org/kg/")
>>> (node_iri("paper:1", "https://example.org/kg/"), KG.addresses,
...  node_iri("task:qa", "https://example.org/kg/")) in rdf
True
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import networkx as nx
from rdflib import RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, DefinedNamespace

from ..config import DEFAULT_BASE_IRI
from ..errors import ConfigError, ExportError
from ..graph import schema
from .atomic import atomic_write_text

KG_NAMESPACE = "https://w3id.org/kgraph/ontology#"


class KG(DefinedNamespace):
    """The kgraph vocabulary; a misspelt term raises ``AttributeError``.

    Relation properties keep the graph's relation names (``kg:used_for``).
    ``kgraph/resources/ontology.ttl`` declares the same terms.

    >>> KG.Paper
    rdflib.term.URIRef('https://w3id.org/kgraph/ontology#Paper')
    """

    _NS = Namespace(KG_NAMESPACE)
    _fail = True

    # classes
    Paper: URIRef
    Method: URIRef
    Task: URIRef
    Dataset: URIRef
    Entity: URIRef  # superclass of Method, Task and Dataset (in the ontology)
    Evidence: URIRef
    # relations, paper -> entity
    proposes: URIRef
    addresses: URIRef
    uses: URIRef
    mentions: URIRef
    # relations, entity -> entity
    used_for: URIRef
    evaluated_on: URIRef
    compared_with: URIRef
    extends: URIRef
    part_of: URIRef
    # statement and evidence
    support: URIRef
    evidence: URIRef
    sentence: URIRef
    field: URIRef
    start: URIRef
    end: URIRef
    extractor: URIRef
    # entities
    mention_count: URIRef
    known_id: URIRef


NODE_CLASSES: dict[str, URIRef] = {
    schema.PAPER: KG.Paper,
    "method": KG.Method,
    "task": KG.Task,
    "dataset": KG.Dataset,
}
RELATION_PROPERTIES: dict[str, URIRef] = {relation: KG[relation] for relation in schema.RELATIONS}

# An absolute http(s) IRI without the characters RFC 3987 forbids anywhere.
_VALID_IRI = re.compile(r"https?://[^\x00-\x20\x7f-\x9f<>\"{}|\\^`]+", re.IGNORECASE)
_LINE_FORMATS = ("nt", "ntriples", "nt11", "n-triples")


def build_rdf(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The graph as an :class:`rdflib.Graph` (see the module docstring).

    Raises :class:`~kgraph.errors.ExportError` for a node without a known
    ``type``, a node id that does not start with its type, or an unknown
    relation; :class:`~kgraph.errors.ConfigError` for a bad ``base_iri``.
    """
    _check_base(base_iri)
    rdf = Graph(bind_namespaces="none")
    _bind_prefixes(rdf, base_iri)
    for node in sorted(G.nodes, key=str):
        _add_node(rdf, node, G.nodes[node], base_iri)
    for head, tail, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: tuple(map(str, e[:3]))):
        _add_edge(rdf, G, head, tail, key, data, base_iri)
    return rdf


def dumps_rdf(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI, format: str = "turtle") -> str:
    """The graph serialized by rdflib; Turtle and N-Triples are byte-deterministic.

    N-Triples lines are sorted (rdflib writes them in store order).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("dataset:qm9", type="dataset", label="QM9")
    >>> print(dumps_rdf(G, "https://example.org/kg/", format="nt"), end="")
    <https://example.org/kg/dataset/qm9> <http://purl.org/dc/terms/identifier> "qm9" .
    <https://example.org/kg/dataset/qm9> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kgraph/ontology#Dataset> .
    <https://example.org/kg/dataset/qm9> <http://www.w3.org/2004/02/skos/core#prefLabel> "QM9" .
    """
    rdf = build_rdf(G, base_iri)
    try:
        text = rdf.serialize(format=format)
    except Exception as exc:  # rdflib raises plugin errors and assorted others
        raise ExportError(f"graph cannot be serialized as {format!r}: {exc}") from exc
    if format in _LINE_FORMATS:
        lines = sorted(line for line in text.split("\n") if line.strip())
        text = "\n".join(lines) + "\n" if lines else ""
    return text


def write_rdf(
    G: nx.MultiDiGraph,
    path: str | os.PathLike[str],
    base_iri: str = DEFAULT_BASE_IRI,
    format: str = "turtle",
) -> None:
    """Write :func:`dumps_rdf` to ``path`` atomically (UTF-8)."""
    atomic_write_text(path, dumps_rdf(G, base_iri, format=format))


def node_iri(node_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of a graph node: ``<base><type>/<percent-encoded rest of the id>``.

    >>> str(node_iri("paper:arXiv:2401.1 x/y", "https://example.org/kg/"))
    'https://example.org/kg/paper/arXiv%3A2401.1%20x%2Fy'
    >>> str(node_iri("method:φ-decoding", "https://example.org/kg/"))
    'https://example.org/kg/method/%CF%86-decoding'
    """
    node_type, sep, local = str(node_id).partition(":")
    if not sep or node_type not in NODE_CLASSES:
        raise ExportError(
            f"node id {node_id!r} does not start with a node type; expected one of "
            f"{', '.join(t + ':' for t in NODE_CLASSES)}"
        )
    return mint_iri(base_iri, node_type, local)


def node_id_from_iri(iri: str, base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The node id a :func:`node_iri` was minted from.

    >>> node_id_from_iri("https://example.org/kg/paper/arXiv%3A2401.1%20x%2Fy", "https://example.org/kg/")
    'paper:arXiv:2401.1 x/y'
    """
    iri = str(iri)
    rest = iri[len(base_iri):] if iri.startswith(base_iri) else None
    node_type, sep, local = (rest or "").partition("/")
    if rest is None or not sep or node_type not in NODE_CLASSES or "/" in local:
        raise ValueError(f"{iri!r} is not a node IRI under {base_iri!r}")
    return f"{node_type}:{unquote(local, errors='strict')}"


def mint_iri(base_iri: str, collection: str, local: str) -> URIRef:
    """``<base><collection>/<local>`` with ``local`` percent-encoded, validated.

    >>> str(mint_iri("https://example.org/kg/", "task", '<a href="x">'))
    'https://example.org/kg/task/%3Ca%20href%3D%22x%22%3E'
    """
    _check_base(base_iri)
    if not local:
        raise ExportError(f"cannot mint an IRI in {collection!r} from an empty id")
    try:
        encoded = quote(local, safe="", encoding="utf-8", errors="strict")
    except UnicodeEncodeError as exc:
        raise ExportError(f"cannot mint an IRI from {local!r}: {exc.reason}") from exc
    if encoded in (".", ".."):  # a dot segment would be removed by IRI normalization
        encoded = encoded.replace(".", "%2E")
    iri = f"{base_iri}{collection}/{encoded}"
    if not _VALID_IRI.fullmatch(iri):
        raise ExportError(f"minted an invalid IRI {iri!r}")
    return URIRef(iri)


def statement_iri(head: str, relation: str, tail: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of the reified statement ``head relation tail``: a hash of the three."""
    return mint_iri(base_iri, "statement", _digest(head, relation, tail))


def _check_base(base_iri: str) -> None:
    if not (
        isinstance(base_iri, str)
        and base_iri.endswith(("/", "#"))
        and _VALID_IRI.fullmatch(base_iri)
        and urlsplit(base_iri).netloc
    ):
        raise ConfigError(f"base IRI must be an http(s) IRI ending with '/' or '#', got {base_iri!r}")


def _bind_prefixes(rdf: Graph, base_iri: str) -> None:
    rdf.bind("rdf", RDF)
    rdf.bind("xsd", XSD)
    rdf.bind("dcterms", DCTERMS)
    rdf.bind("skos", SKOS)
    rdf.bind("prov", PROV)
    rdf.bind("foaf", FOAF)
    rdf.bind("kg", KG_NAMESPACE)
    # rdflib writes a prefixed name only where the local part is valid Turtle
    # (otherwise the full IRI), so these just make the output shorter.
    for collection in (*NODE_CLASSES, "statement", "evidence"):
        rdf.bind(collection, f"{base_iri}{collection}/")


def _add_node(rdf: Graph, node: Any, attrs: dict[str, Any], base_iri: str) -> None:
    node_type = attrs.get(schema.TYPE)
    if node_type not in NODE_CLASSES:
        raise ExportError(
            f"node {node!r} has type {node_type!r}; expected one of {', '.join(NODE_CLASSES)}"
        )
    prefix = f"{node_type}:"
    if not str(node).startswith(prefix):
        raise ExportError(f"node {node!r} of type {node_type!r} has an id not starting with {prefix!r}")
    subject = node_iri(node, base_iri)
    local = str(node)[len(prefix):]
    rdf.add((subject, RDF.type, NODE_CLASSES[node_type]))
    rdf.add((subject, DCTERMS.identifier, Literal(local)))
    label = str(attrs[schema.LABEL]) if attrs.get(schema.LABEL) is not None else ""
    if node_type == schema.PAPER:
        if label:
            rdf.add((subject, DCTERMS.title, Literal(label)))
        if attrs.get(schema.ABSTRACT):
            rdf.add((subject, DCTERMS.abstract, Literal(str(attrs[schema.ABSTRACT]))))
        year = attrs.get(schema.YEAR)
        if year is not None:
            rdf.add((subject, DCTERMS.date, Literal(f"{int(year):04d}", datatype=XSD.gYear)))
        for author in _strings(attrs.get(schema.AUTHORS)):
            rdf.add((subject, DCTERMS.creator, Literal(author)))
        page = _web_iri(attrs.get(schema.URL))
        if page is not None:
            rdf.add((subject, FOAF.page, page))
        return
    if label:
        rdf.add((subject, SKOS.prefLabel, Literal(label)))
    # SKOS makes prefLabel and altLabel disjoint: the label is not repeated.
    for alias in _strings(attrs.get(schema.ALIASES)):
        if alias != label:
            rdf.add((subject, SKOS.altLabel, Literal(alias)))
    if attrs.get(schema.MENTION_COUNT) is not None:
        rdf.add((subject, KG.mention_count, Literal(int(attrs[schema.MENTION_COUNT]))))
    if attrs.get(schema.KNOWN_ID):
        rdf.add((subject, KG.known_id, Literal(str(attrs[schema.KNOWN_ID]))))


def _add_edge(
    rdf: Graph, G: nx.MultiDiGraph, head: Any, tail: Any, key: Any, data: dict[str, Any], base_iri: str
) -> None:
    relation = data.get(schema.RELATION, key)
    if relation not in RELATION_PROPERTIES:
        raise ExportError(
            f"edge {head!r} -> {tail!r} has relation {relation!r}; "
            f"expected one of {', '.join(RELATION_PROPERTIES)}"
        )
    subject, predicate, obj = node_iri(head, base_iri), RELATION_PROPERTIES[relation], node_iri(tail, base_iri)
    rdf.add((subject, predicate, obj))
    statement = statement_iri(str(head), relation, str(tail), base_iri)
    rdf.add((statement, RDF.type, RDF.Statement))
    rdf.add((statement, RDF.subject, subject))
    rdf.add((statement, RDF.predicate, predicate))
    rdf.add((statement, RDF.object, obj))
    if data.get(schema.SUPPORT) is not None:
        rdf.add((statement, KG.support, Literal(int(data[schema.SUPPORT]))))
    for item in data.get(schema.EVIDENCE) or ():
        evidence = mint_iri(
            base_iri, "evidence", _digest(str(statement), json.dumps(item, sort_keys=True, default=str))
        )
        rdf.add((statement, KG.evidence, evidence))
        _add_evidence(rdf, G, evidence, item, base_iri)


def _add_evidence(rdf: Graph, G: nx.MultiDiGraph, evidence: URIRef, item: dict, base_iri: str) -> None:
    rdf.add((evidence, RDF.type, KG.Evidence))
    paper = item.get("paper")
    if paper:
        rdf.add((evidence, PROV.wasDerivedFrom, node_iri(_paper_node(G, str(paper)), base_iri)))
    for name, term in (("field", KG.field), ("sentence", KG.sentence), ("extractor", KG.extractor)):
        if item.get(name) is not None:
            rdf.add((evidence, term, Literal(str(item[name]))))
    for name, term in (("start", KG.start), ("end", KG.end)):
        if item.get(name) is not None:
            rdf.add((evidence, term, Literal(int(item[name]))))


def _paper_node(G: nx.MultiDiGraph, paper: str) -> str:
    """Evidence names its paper by paper id (or, in some graphs, by node id)."""
    as_node = schema.paper_node_id(paper)
    if as_node in G or paper not in G:
        return as_node
    return paper


def _strings(values: Iterable[Any] | None) -> list[str]:
    seen: dict[str, None] = {}
    for value in values or ():
        if value is not None and str(value):
            seen.setdefault(str(value), None)
    return list(seen)


def _web_iri(url: Any) -> URIRef | None:
    """An http(s) URL as an IRI, with characters IRIs forbid percent-encoded."""
    if not isinstance(url, str) or urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return None
    try:
        encoded = quote(url.strip(), safe="!#$%&'()*+,/:;=?@[]~-._", encoding="utf-8", errors="strict")
    except UnicodeEncodeError:
        return None
    return URIRef(encoded) if _VALID_IRI.fullmatch(encoded) else None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
