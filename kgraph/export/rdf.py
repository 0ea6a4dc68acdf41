"""RDF: the graph as Turtle, N-Triples or JSON-LD, with provenance, losslessly.

The vocabulary is ``kgraph/resources/ontology.ttl`` (documented in
``docs/ONTOLOGY.md``); ``kg:`` is :class:`KG`, ``<base>`` the ``base_iri``::

    <base>  a void:Dataset ; dcterms:title "kgraph" ; void:uriSpace "<base>" .

    <base>paper/arXiv%3A2401.1  a kg:Paper ;
        dcterms:identifier "arXiv:2401.1" ; dcterms:title "..." ;
        dcterms:abstract "..." ; dcterms:date "2024"^^xsd:gYear ;
        dcterms:creator "A. Author" ; bibo:authorList <base>paper/arXiv%3A2401.1/authors ;
        foaf:page <https://...> ; kg:source "papers.jsonl:3" ;
        kg:proposes <base>method/graph-neural-network .

    <base>method/graph-neural-network  a kg:Method ;
        dcterms:identifier "graph-neural-network" ;
        skos:prefLabel "graph neural network" ; skos:altLabel "GNN" ;
        skosxl:prefLabel <base>method/graph-neural-network/label/1 ;
        skosxl:altLabel <base>method/graph-neural-network/label/2 ;
        kg:mention_count 6 ; kg:known_id "pwc:method/gnn" ;
        kg:mentioned_in <base>paper/arXiv%3A2401.1 ; kg:proposed_in <base>paper/... .

    <base>method/graph-neural-network/label/2  a skosxl:Label ;
        skosxl:literalForm "GNN" ; kg:alias_count 4 ; kg:rank 2 .

    <base>statement/<hash>  a rdf:Statement ;
        rdf:subject <base>paper/... ; rdf:predicate kg:proposes ;
        rdf:object <base>method/... ; kg:support 1 ; kg:extractor "pattern" ;
        prov:wasDerivedFrom <base>paper/... ; kg:evidence <base>evidence/<hash> .

    <base>evidence/<hash>  a kg:Evidence ;
        prov:wasDerivedFrom <base>paper/... ; kg:field "abstract" ;
        kg:start 0 ; kg:end 42 ; kg:sentence "..." ; kg:extractor "pattern" .

Every relation is stated twice: as the direct triple ``head kg:<relation>
tail`` (for simple queries) and as a reified ``rdf:Statement`` carrying its
support and evidence (docs/ONTOLOGY.md says why reification and not RDF-star
or named graphs). Every node and edge attribute has a place, so
:func:`kgraph.rdf.to_networkx` reads the same graph back.

Node IRIs are minted from node ids with :func:`node_iri`: everything outside
RFC 3986's unreserved characters is percent-encoded, so corpus text never
appears raw in an IRI. Statement and evidence IRIs are hashes of what they
describe, labels and author lists hang below their node, and there are no
blank nodes, so two builds of the same graph give the same triples, and the
same bytes in every format.

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
import operator
import os
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import networkx as nx
from rdflib import RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, VOID, DefinedNamespace

from ..config import DEFAULT_BASE_IRI
from ..errors import ConfigError, ExportError
from ..graph import schema
from .atomic import atomic_write_text

KG_NAMESPACE = "https://w3id.org/kgraph/ontology#"
ONTOLOGY_IRI = URIRef("https://w3id.org/kgraph/ontology")


class KG(DefinedNamespace):
    """The kgraph vocabulary; a misspelt term raises ``AttributeError``.

    Local names are the graph's own relation and attribute names
    (``kg:used_for``, ``kg:mention_count``), so the mapping stays mechanical.
    ``kgraph/resources/ontology.ttl`` declares the same terms; a test keeps
    the two in step.

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
    # papers
    source: URIRef
    url: URIRef
    # papers and entities
    community: URIRef
    # entities and their labels
    mention_count: URIRef
    known_id: URIRef
    mentioned_in: URIRef
    proposed_in: URIRef
    alias_count: URIRef
    rank: URIRef


class SKOSXL(DefinedNamespace):
    """The SKOS-XL terms kgraph writes: labels as resources, so they can carry counts."""

    _NS = Namespace("http://www.w3.org/2008/05/skos-xl#")
    _fail = True

    Label: URIRef
    prefLabel: URIRef
    altLabel: URIRef
    literalForm: URIRef


class BIBO(DefinedNamespace):
    """The one BIBO term kgraph writes: the ordered author list of a paper."""

    _NS = Namespace("http://purl.org/ontology/bibo/")
    _fail = True

    authorList: URIRef


NODE_CLASSES: dict[str, URIRef] = {
    schema.PAPER: KG.Paper,
    "method": KG.Method,
    "task": KG.Task,
    "dataset": KG.Dataset,
}
RELATION_PROPERTIES: dict[str, URIRef] = {relation: KG[relation] for relation in schema.RELATIONS}

# output name -> (rdflib format, file name); `kgraph build` writes all three by default
RDF_SERIALIZATIONS: dict[str, tuple[str, str]] = {
    "ttl": ("turtle", "graph.ttl"),
    "nt": ("nt", "graph.nt"),
    "jsonld": ("json-ld", "graph.jsonld"),
}
_FORMAT_ALIASES = {
    "turtle": "turtle", "ttl": "turtle",
    "nt": "nt", "ntriples": "nt", "nt11": "nt", "n-triples": "nt",
    "json-ld": "json-ld", "jsonld": "json-ld",
}

# The attributes each kind of node and edge may carry (all of them find a place in RDF).
PAPER_ATTRIBUTES = frozenset({schema.TYPE, schema.LABEL, schema.ABSTRACT, schema.YEAR, schema.AUTHORS,
                              schema.URL, schema.SOURCE, schema.COMMUNITY})
ENTITY_ATTRIBUTES = frozenset({schema.TYPE, schema.LABEL, schema.ALIASES, schema.ALIAS_COUNTS, schema.PAPERS,
                               schema.PROPOSED_IN, schema.MENTION_COUNT, schema.KNOWN_ID, schema.COMMUNITY})
EDGE_ATTRIBUTES = frozenset({schema.RELATION, schema.SUPPORT, schema.EVIDENCE, schema.EXTRACTORS})
EVIDENCE_KEYS = frozenset({"paper", "field", "start", "end", "sentence", "extractor"})
GRAPH_ATTRIBUTES = frozenset({"name"})

PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "skosxl": str(SKOSXL._NS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "bibo": str(BIBO._NS),
    "void": str(VOID),
    "kg": KG_NAMESPACE,
}

# An absolute http(s) IRI without the characters RFC 3987 forbids anywhere.
_VALID_IRI = re.compile(r"https?://[^\x00-\x20\x7f-\x9f<>\"{}|\\^`]+", re.IGNORECASE)


def build_rdf(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The graph as an :class:`rdflib.Graph` (see the module docstring).

    Raises :class:`~kgraph.errors.ExportError` for a node without a known
    ``type``, a node id that does not start with its type, an unknown
    relation, or an attribute RDF has no place for (nothing is dropped
    silently); :class:`~kgraph.errors.ConfigError` for a bad ``base_iri``.
    """
    _check_base(base_iri)
    rdf = Graph(bind_namespaces="none")
    bind_prefixes(rdf, base_iri)
    _add_dataset(rdf, G, base_iri)
    for node in sorted(G.nodes, key=str):
        _add_node(rdf, node, G.nodes[node], base_iri)
    for head, tail, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: tuple(map(str, e[:3]))):
        _add_edge(rdf, G, head, tail, key, data, base_iri)
    return rdf


def dumps_rdf(G: nx.MultiDiGraph | Graph, base_iri: str = DEFAULT_BASE_IRI, format: str = "turtle") -> str:
    """The graph serialized as Turtle, N-Triples or JSON-LD, byte-deterministic.

    ``G`` is a kgraph graph, or what :func:`build_rdf` made of one (to
    serialize it several times without building it again). N-Triples lines are
    sorted; JSON-LD is compacted with an inline context of prefixes, its nodes
    sorted by ``@id`` and every value array sorted.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("dataset:qm9", type="dataset", label="QM9")
    >>> print(dumps_rdf(G, "https://example.org/kg/", format="nt"), end="")
    <https://example.org/kg/> <http://purl.org/dc/terms/conformsTo> <https://w3id.org/kgraph/ontology> .
    <https://example.org/kg/> <http://rdfs.org/ns/void#uriSpace> "https://example.org/kg/" .
    <https://example.org/kg/> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://rdfs.org/ns/void#Dataset> .
    <https://example.org/kg/dataset/qm9> <http://purl.org/dc/terms/identifier> "qm9" .
    <https://example.org/kg/dataset/qm9> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kgraph/ontology#Dataset> .
    <https://example.org/kg/dataset/qm9> <http://www.w3.org/2004/02/skos/core#prefLabel> "QM9" .
    """
    rdflib_format = _FORMAT_ALIASES.get(format)
    if rdflib_format is None:
        raise ConfigError(f"unknown RDF format {format!r}; expected one of turtle, nt, json-ld")
    rdf = G if isinstance(G, Graph) else build_rdf(G, base_iri)
    try:
        if rdflib_format == "json-ld":
            return _dumps_jsonld(rdf)
        text = rdf.serialize(format=rdflib_format)
    except Exception as exc:  # rdflib raises plugin errors and assorted others
        raise ExportError(f"graph cannot be serialized as {format!r}: {exc}") from exc
    if rdflib_format == "nt":
        lines = sorted(line for line in text.split("\n") if line.strip())
        text = "\n".join(lines) + "\n" if lines else ""
    return text


def write_rdf(
    G: nx.MultiDiGraph | Graph,
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
    if rest is None or not sep or node_type not in NODE_CLASSES or "/" in local or not local:
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


def label_iri(node: URIRef, rank: int) -> URIRef:
    """The SKOS-XL label of a node's ``rank``-th alias (1 = the most frequent)."""
    return URIRef(f"{node}/label/{int(rank)}")


def authors_iri(paper: URIRef) -> URIRef:
    """The ``rdf:Seq`` holding a paper's authors in order."""
    return URIRef(f"{paper}/authors")


def member_property(index: int) -> URIRef:
    """``rdf:_1``, ``rdf:_2``, ...: the container membership properties."""
    return URIRef(f"{RDF}_{int(index)}")


def web_iri(url: Any) -> URIRef | None:
    """An http(s) URL as an IRI, with characters IRIs forbid percent-encoded; else None.

    >>> str(web_iri("https://arxiv.org/abs/1 x"))
    'https://arxiv.org/abs/1%20x'
    >>> web_iri("arxiv.org/abs/1") is None
    True
    """
    if not isinstance(url, str) or urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return None
    try:
        encoded = quote(url.strip(), safe="!#$%&'()*+,/:;=?@[]~-._", encoding="utf-8", errors="strict")
    except UnicodeEncodeError:
        return None
    return URIRef(encoded) if _VALID_IRI.fullmatch(encoded) else None


def bind_prefixes(rdf: Graph, base_iri: str) -> None:
    """The usual prefixes, plus one per node collection (``method:`` for ``<base>method/``)."""
    for prefix, namespace in PREFIXES.items():
        rdf.bind(prefix, namespace)
    # rdflib writes a prefixed name only where the local part is valid Turtle
    # (otherwise the full IRI), so these just make the output shorter.
    for collection in (*NODE_CLASSES, "statement", "evidence"):
        rdf.bind(collection, f"{base_iri}{collection}/")


def _check_base(base_iri: str) -> None:
    if not (
        isinstance(base_iri, str)
        and base_iri.endswith(("/", "#"))
        and _VALID_IRI.fullmatch(base_iri)
        and urlsplit(base_iri).netloc
    ):
        raise ConfigError(f"base IRI must be an http(s) IRI ending with '/' or '#', got {base_iri!r}")


def _add_dataset(rdf: Graph, G: nx.MultiDiGraph, base_iri: str) -> None:
    """The graph itself: a void:Dataset at the base IRI, naming its IRI space."""
    _check_keys(f"graph {G.graph.get('name', '')!r}", G.graph, GRAPH_ATTRIBUTES)
    dataset = URIRef(base_iri)
    rdf.add((dataset, RDF.type, VOID.Dataset))
    rdf.add((dataset, VOID.uriSpace, Literal(base_iri)))
    rdf.add((dataset, DCTERMS.conformsTo, ONTOLOGY_IRI))
    if G.graph.get("name") is not None:
        rdf.add((dataset, DCTERMS.title, Literal(str(G.graph["name"]))))


def _add_node(rdf: Graph, node: Any, attrs: dict[str, Any], base_iri: str) -> None:
    node_type = attrs.get(schema.TYPE)
    if node_type not in NODE_CLASSES:
        raise ExportError(
            f"node {node!r} has type {node_type!r}; expected one of {', '.join(NODE_CLASSES)}"
        )
    prefix = f"{node_type}:"
    if not str(node).startswith(prefix):
        raise ExportError(f"node {node!r} of type {node_type!r} has an id not starting with {prefix!r}")
    _check_keys(f"node {node!r}", attrs, PAPER_ATTRIBUTES if node_type == schema.PAPER else ENTITY_ATTRIBUTES)
    subject = node_iri(node, base_iri)
    rdf.add((subject, RDF.type, NODE_CLASSES[node_type]))
    rdf.add((subject, DCTERMS.identifier, Literal(str(node)[len(prefix):])))
    if attrs.get(schema.COMMUNITY) is not None:
        rdf.add((subject, KG.community, Literal(_integer(node, schema.COMMUNITY, attrs[schema.COMMUNITY]))))
    label = attrs.get(schema.LABEL)
    if node_type == schema.PAPER:
        _add_paper(rdf, subject, attrs)
        return
    if label is not None:
        rdf.add((subject, SKOS.prefLabel, Literal(str(label))))
    _add_aliases(rdf, node, subject, attrs)
    for name, term in ((schema.PAPERS, KG.mentioned_in), (schema.PROPOSED_IN, KG.proposed_in)):
        for paper in _strings(attrs.get(name)):
            rdf.add((subject, term, node_iri(paper, base_iri)))
    if attrs.get(schema.MENTION_COUNT) is not None:
        count = _integer(node, schema.MENTION_COUNT, attrs[schema.MENTION_COUNT])
        rdf.add((subject, KG.mention_count, Literal(count)))
    if attrs.get(schema.KNOWN_ID) is not None:
        rdf.add((subject, KG.known_id, Literal(str(attrs[schema.KNOWN_ID]))))


def _add_paper(rdf: Graph, subject: URIRef, attrs: dict[str, Any]) -> None:
    if attrs.get(schema.LABEL) is not None:
        rdf.add((subject, DCTERMS.title, Literal(str(attrs[schema.LABEL]))))
    if attrs.get(schema.ABSTRACT) is not None:
        rdf.add((subject, DCTERMS.abstract, Literal(str(attrs[schema.ABSTRACT]))))
    year = attrs.get(schema.YEAR)
    if year is not None:
        year = _integer(subject, schema.YEAR, year)
        if not 0 <= year <= 9999:
            raise ExportError(f"paper {str(subject)!r} has year {year}; expected 0 to 9999")
        rdf.add((subject, DCTERMS.date, Literal(f"{year:04d}", datatype=XSD.gYear)))
    authors = [str(a) for a in attrs.get(schema.AUTHORS) or ()]
    if authors:
        # dcterms:creator for queries; the rdf:Seq keeps the order (and any repeats).
        for author in dict.fromkeys(authors):
            rdf.add((subject, DCTERMS.creator, Literal(author)))
        seq = authors_iri(subject)
        rdf.add((subject, BIBO.authorList, seq))
        rdf.add((seq, RDF.type, RDF.Seq))
        for index, author in enumerate(authors, start=1):
            rdf.add((seq, member_property(index), Literal(author)))
    url = attrs.get(schema.URL)
    if url is not None:
        page = web_iri(url)
        if page is not None:
            rdf.add((subject, FOAF.page, page))
        if page is None or str(page) != url:
            # kept as written where it is no IRI as such, so it reads back the same
            rdf.add((subject, KG.url, Literal(str(url))))
    if attrs.get(schema.SOURCE) is not None:
        rdf.add((subject, KG.source, Literal(str(attrs[schema.SOURCE]))))


def _add_aliases(rdf: Graph, node: Any, subject: URIRef, attrs: dict[str, Any]) -> None:
    aliases = list(attrs.get(schema.ALIASES) or ())
    counts = attrs.get(schema.ALIAS_COUNTS)
    counts = list(counts) if counts is not None else [None] * len(aliases)
    if len(counts) != len(aliases):
        raise ExportError(
            f"node {node!r} has {len(aliases)} aliases but {len(counts)} alias counts; expected one count per alias"
        )
    label = attrs.get(schema.LABEL)
    preferred = False
    for rank, (alias, count) in enumerate(zip(aliases, counts), start=1):
        alias = str(alias)
        xl = label_iri(subject, rank)
        # SKOS allows one prefLabel and keeps prefLabel and altLabel disjoint.
        if alias == label and not preferred:
            preferred = True
            rdf.add((subject, SKOSXL.prefLabel, xl))
        else:
            rdf.add((subject, SKOSXL.altLabel, xl))
            if alias != label:
                rdf.add((subject, SKOS.altLabel, Literal(alias)))
        rdf.add((xl, RDF.type, SKOSXL.Label))
        rdf.add((xl, SKOSXL.literalForm, Literal(alias)))
        rdf.add((xl, KG.rank, Literal(rank)))
        if count is not None:
            rdf.add((xl, KG.alias_count, Literal(_integer(node, schema.ALIAS_COUNTS, count))))


def _add_edge(
    rdf: Graph, G: nx.MultiDiGraph, head: Any, tail: Any, key: Any, data: dict[str, Any], base_iri: str
) -> None:
    relation = data.get(schema.RELATION, key)
    if relation not in RELATION_PROPERTIES:
        raise ExportError(
            f"edge {head!r} -> {tail!r} has relation {relation!r}; "
            f"expected one of {', '.join(RELATION_PROPERTIES)}"
        )
    where = f"edge {head!r} -{relation}-> {tail!r}"
    _check_keys(where, data, EDGE_ATTRIBUTES)
    subject, predicate, obj = node_iri(head, base_iri), RELATION_PROPERTIES[relation], node_iri(tail, base_iri)
    rdf.add((subject, predicate, obj))
    statement = statement_iri(str(head), relation, str(tail), base_iri)
    rdf.add((statement, RDF.type, RDF.Statement))
    rdf.add((statement, RDF.subject, subject))
    rdf.add((statement, RDF.predicate, predicate))
    rdf.add((statement, RDF.object, obj))
    if data.get(schema.SUPPORT) is not None:
        rdf.add((statement, KG.support, Literal(_integer(where, schema.SUPPORT, data[schema.SUPPORT]))))
    for extractor in _strings(data.get(schema.EXTRACTORS)):
        rdf.add((statement, KG.extractor, Literal(extractor)))
    for item in data.get(schema.EVIDENCE) or ():
        if not isinstance(item, dict):
            raise ExportError(f"{where} has evidence {item!r}; expected an object")
        _check_keys(f"evidence of {where}", item, EVIDENCE_KEYS)
        evidence = mint_iri(
            base_iri, "evidence", _digest(str(statement), json.dumps(item, sort_keys=True, default=str))
        )
        rdf.add((statement, KG.evidence, evidence))
        paper = _add_evidence(rdf, G, evidence, item, where, base_iri)
        if paper is not None:
            rdf.add((statement, PROV.wasDerivedFrom, paper))


def _add_evidence(
    rdf: Graph, G: nx.MultiDiGraph, evidence: URIRef, item: dict, where: str, base_iri: str
) -> URIRef | None:
    rdf.add((evidence, RDF.type, KG.Evidence))
    paper = None
    if item.get("paper"):
        paper = node_iri(_paper_node(G, str(item["paper"])), base_iri)
        rdf.add((evidence, PROV.wasDerivedFrom, paper))
    for name, term in (("field", KG.field), ("sentence", KG.sentence), ("extractor", KG.extractor)):
        if item.get(name) is not None:
            rdf.add((evidence, term, Literal(str(item[name]))))
    for name, term in (("start", KG.start), ("end", KG.end)):
        if item.get(name) is not None:
            rdf.add((evidence, term, Literal(_integer(where, f"evidence {name}", item[name]))))
    return paper


def _paper_node(G: nx.MultiDiGraph, paper: str) -> str:
    """Evidence names its paper by paper id (or, in some graphs, by node id)."""
    as_node = schema.paper_node_id(paper)
    if as_node in G or paper not in G:
        return as_node
    return paper


def _check_keys(where: str, attrs: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(str(k) for k in attrs if k not in allowed)
    if unknown:
        raise ExportError(
            f"{where} has attribute {unknown[0]!r}, which RDF has no property for; "
            f"expected some of {', '.join(sorted(allowed))} (add it to kgraph/export/rdf.py and the ontology)"
        )


def _integer(where: Any, name: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool):
        raise ExportError(f"{where}: {name} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise ExportError(f"{where}: {name} must be an integer, got {value!r}") from None


def _strings(values: Iterable[Any] | None) -> list[str]:
    seen: dict[str, None] = {}
    for value in values or ():
        if value is not None and str(value):
            seen.setdefault(str(value), None)
    return list(seen)


def _dumps_jsonld(rdf: Graph) -> str:
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
        if not isinstance(term, Literal):
            raise ExportError(f"cannot write {term!r} as JSON-LD: only IRIs and literals are expected")
        if term.language:
            return {"@value": str(term), "@language": term.language}
        if term.datatype is None or term.datatype == XSD.string:
            return str(term)
        if term.datatype == XSD.integer and isinstance(term.toPython(), int):
            return term.toPython()
        return {"@value": str(term), "@type": compact(term.datatype)}

    subjects: dict[str, dict[str, list[Any]]] = {}
    for subject, predicate, obj in rdf:
        if not isinstance(subject, URIRef):
            raise ExportError(f"cannot write {subject!r} as JSON-LD: only IRIs are expected as subjects")
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


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def dumps_ontology() -> str:
    """The kgraph ontology (``kgraph/resources/ontology.ttl``) as Turtle text.

    >>> "kg:Paper a owl:Class" in dumps_ontology()
    True
    """
    from importlib import resources

    return resources.files("kgraph").joinpath("resources/ontology.ttl").read_text(encoding="utf-8")


def write_ontology(path: str | os.PathLike[str]) -> None:
    """Write the kgraph ontology beside a graph, atomically, byte for byte as shipped."""
    atomic_write_text(path, dumps_ontology())
