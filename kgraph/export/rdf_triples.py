"""The triples of a kgraph graph, one element of the graph at a time, as RDF terms or N-Triples lines.

The elements are the dataset, then each node in id order, then each edge in
``(source, target, key)`` order, then each community (:func:`iter_elements`);
each comes with a digest of everything its triples are made of, so that a
build can copy an unchanged element's text from its previous files
(:mod:`kgraph.export.splice`). The vocabulary and the IRIs are
:mod:`kgraph.rdf.vocab`'s; what the triples say is described in
:mod:`kgraph.export.rdf`. An element's triples go to a :class:`Sink`, which
makes the literals: :func:`element_lines` collects them as the sorted
N-Triples lines rdflib's serializer would write.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("task:qa", type="task")
>>> print("".join(element_lines(list(iter_elements(G, "https://example.org/kg/"))[1][1])), end="")
<https://example.org/kg/task/qa> <http://purl.org/dc/terms/identifier> "qa" .
<https://example.org/kg/task/qa> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kgraph/ontology#Task> .
<https://example.org/kg/task/qa> <https://w3id.org/kgraph/ontology#lookup_key> "qa" .
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import networkx as nx
from rdflib import RDF, SKOS, XSD, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, VOID

from ..errors import ExportError
from ..graph import schema
from ..ingest.ids import id_urls
from ..rdf.vocab import (
    BIBO,
    KG,
    NODE_CLASSES,
    ONTOLOGY_IRI,
    RELATION_PROPERTIES,
    SCHEMA,
    SKOSXL,
    authors_iri,
    check_base_iri,
    evidence_iri,
    label_iri,
    member_property,
    node_iri,
    statement_iri,
    web_iri,
)
from .ordering import iter_sorted_edges, sorted_out_edges
from .splice import GraphDigests, combined, digest

# The attributes each kind of node and edge may carry (all of them find a place in RDF).
PAPER_ATTRIBUTES = frozenset({*schema.PAPER_ATTRIBUTES, *schema.PAPER_IDS, schema.COMMUNITY})
ENTITY_ATTRIBUTES = frozenset({schema.TYPE, schema.LABEL, schema.ALIASES, schema.ALIAS_COUNTS, schema.PAPERS,
                               schema.PROPOSED_IN, schema.MENTION_COUNT, schema.KNOWN_ID, schema.COMMUNITY})
EDGE_ATTRIBUTES = frozenset({schema.RELATION, schema.SUPPORT, schema.EVIDENCE, schema.EXTRACTORS})
EVIDENCE_KEYS = frozenset({"paper", "field", "start", "end", "sentence", "extractor"})
GRAPH_ATTRIBUTES = frozenset({"name"})


Emit = Callable[["Sink"], None]  # adds one element's triples to a sink


def iter_elements(G: nx.MultiDiGraph, base_iri: str,
                  digests: GraphDigests | None = None) -> Iterator[tuple[bytes | None, Emit]]:
    """``(digest, emit)`` for the dataset, each node, each edge, then each community, in the graph's sorted order.

    ``emit(sink)`` adds the element's triples; the digest covers all they are
    made of (the base IRI and the code are in the index's salt). A node's
    triples include the direct ``head kg:<relation> tail`` triple of each of
    its out-edges. Its ``kg:community`` triple comes last, with the other
    members of its community: communities are renumbered by every build, and
    this way a node whose community alone changed is copied, not made again.
    Unless ``digests`` (the graph's, :class:`~kgraph.export.splice.GraphDigests`)
    are hashed, no digest is made.
    """
    digests = digests if digests is not None else GraphDigests.none(G)
    check_base_iri(base_iri)
    yield None, lambda out: _add_dataset(out, G, base_iri)
    nodes = digests.nodes
    communities: dict[int, list] = {}
    successors = dict(G.adjacency()) if digests.hashed else None
    for number, node in enumerate(nodes):
        attrs = G.nodes[node]
        if attrs.get(schema.COMMUNITY) is not None:
            communities.setdefault(_integer(node, schema.COMMUNITY, attrs[schema.COMMUNITY]), []).append(node)
            attrs = {name: value for name, value in attrs.items() if name != schema.COMMUNITY}
        papers = None
        if attrs.get(schema.TYPE) != schema.PAPER and attrs.get(schema.PAPERS):
            papers = attrs[schema.PAPERS]  # written apart, below: a popular entity is mentioned by many papers
            attrs = {name: value for name, value in attrs.items() if name != schema.PAPERS}
        node_digest = None
        if digests.hashed:
            node_digest = combined(digests.node(number), "node", [
                (tail, key, data.get(schema.RELATION)) for tail, key, data in sorted_out_edges(G, node, successors)])
        yield node_digest, lambda out, node=node, attrs=attrs: _add_node(out, G, node, attrs, base_iri)
        if papers is not None:
            for chunk in mention_chunks(papers):
                yield (digest(("mentioned_in", node, chunk)) if digests.hashed else None,
                       lambda out, node=node, chunk=chunk: _add_mentioned_in(out, node, chunk, base_iri))
    for number, (head, tail, key, data) in enumerate(iter_sorted_edges(G, nodes)):
        edge_digest = None
        if digests.hashed:
            papers = [_paper_node(G, str(item["paper"])) for item in data.get(schema.EVIDENCE) or ()
                      if isinstance(item, dict) and item.get("paper")]
            edge_digest = combined(digests.edge(number), "edge", papers)
        yield (edge_digest,
               lambda out, head=head, tail=tail, key=key, data=data: _add_edge(out, G, head, tail, key, data, base_iri))
    for community in sorted(communities):
        members = communities[community]
        yield (digest(("community", community, members)) if digests.hashed else None,
               lambda out, community=community, members=members: _add_community(out, community, members, base_iri))


def emit_triples(G: nx.MultiDiGraph, base_iri: str, out: Sink) -> None:
    """Every triple of ``G``, element by element, into ``out``."""
    for _, emit in iter_elements(G, base_iri):
        emit(out)


def element_lines(emit: Emit) -> list[str]:
    """The N-Triples lines of one element (each ending in a newline), sorted, each once."""
    lines: list[str] = []
    emit(_LineSink(lines.append))
    lines.sort()
    return [line for number, line in enumerate(lines) if number == 0 or line != lines[number - 1]]


class Sink(Protocol):
    """Where the triples of a graph go; literals are made by the sink.

    Subjects, predicates and IRI objects are :class:`rdflib.URIRef`; a
    literal object is whatever the sink's :meth:`text`, :meth:`integer` or
    :meth:`year` made.
    """

    def add(self, triple: tuple[Any, Any, Any]) -> None: ...

    def text(self, value: str) -> Any: ...

    def integer(self, value: int) -> Any: ...

    def year(self, value: str) -> Any: ...


class _NTLiteral(str):
    """A literal already in its N-Triples form."""


class _LineSink:
    """Triples as N-Triples lines, formatted as rdflib's serializer formats them."""

    def __init__(self, write: Callable[[str], None]):
        self.write = write

    def add(self, triple: tuple[Any, Any, Any]) -> None:
        subject, predicate, obj = triple
        if type(obj) is _NTLiteral:
            self.write(f"<{subject}> <{predicate}> {obj} .\n")
        else:
            self.write(f"<{subject}> <{predicate}> <{obj}> .\n")

    @staticmethod
    def text(value: str) -> _NTLiteral:
        # rdflib.plugins.serializers.nt._quote_encode
        return _NTLiteral('"' + value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
                          .replace("\r", "\\r") + '"')

    @staticmethod
    def integer(value: int) -> _NTLiteral:
        return _NTLiteral(f'"{int(value)}"^^<{XSD.integer}>')

    @staticmethod
    def year(value: str) -> _NTLiteral:
        return _NTLiteral(f'"{value}"^^<{XSD.gYear}>')


def _add_dataset(out: Sink, G: nx.MultiDiGraph, base_iri: str) -> None:
    """The graph itself: a void:Dataset at the base IRI, naming its IRI space."""
    _check_keys(f"graph {G.graph.get('name', '')!r}", G.graph, GRAPH_ATTRIBUTES)
    dataset = URIRef(base_iri)
    out.add((dataset, RDF.type, VOID.Dataset))
    out.add((dataset, VOID.uriSpace, out.text(base_iri)))
    out.add((dataset, DCTERMS.conformsTo, ONTOLOGY_IRI))
    if G.graph.get("name") is not None:
        out.add((dataset, DCTERMS.title, out.text(str(G.graph["name"]))))


def _add_node(out: Sink, G: nx.MultiDiGraph, node: Any, attrs: dict[str, Any], base_iri: str) -> None:
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
    out.add((subject, RDF.type, NODE_CLASSES[node_type]))
    for tail, keyed in G.succ[node].items():
        for key, data in keyed.items():
            out.add((subject, _relation_property(node, tail, key, data), node_iri(tail, base_iri)))
    identifier = str(node)[len(prefix):]
    out.add((subject, DCTERMS.identifier, out.text(identifier)))
    label = attrs.get(schema.LABEL)
    if node_type == schema.PAPER:
        _add_paper(out, subject, attrs)
        return
    if label is not None:
        out.add((subject, SKOS.prefLabel, out.text(str(label))))
    _add_aliases(out, node, subject, attrs)
    names = [identifier, *((str(label),) if label is not None else ()),
             *(str(alias) for alias in attrs.get(schema.ALIASES) or ())]
    for key in sorted({name.lower() for name in names}):
        out.add((subject, KG.lookup_key, out.text(key)))
    for name, term in ((schema.PAPERS, KG.mentioned_in), (schema.PROPOSED_IN, KG.proposed_in)):
        for paper in _strings(attrs.get(name)):
            out.add((subject, term, node_iri(paper, base_iri)))
    if attrs.get(schema.MENTION_COUNT) is not None:
        count = _integer(node, schema.MENTION_COUNT, attrs[schema.MENTION_COUNT])
        out.add((subject, KG.mention_count, out.integer(count)))
    if attrs.get(schema.KNOWN_ID) is not None:
        out.add((subject, KG.known_id, out.text(str(attrs[schema.KNOWN_ID]))))


MENTION_CHUNK = 32  # papers in one block of an entity's kg:mentioned_in triples, on average


def mention_chunks(papers: Any) -> list[list[str]]:
    """An entity's papers (``papers``, in order) cut into the blocks its ``kg:mentioned_in`` triples are written in.

    A block ends after each paper whose id's CRC-32 is a multiple of
    :data:`MENTION_CHUNK`: the cuts depend on the papers themselves, not on
    their positions, so a paper added to the corpus changes only the block it
    falls into, and every other block is copied from the previous files.

    >>> [len(chunk) for chunk in mention_chunks([f"paper:{i}" for i in range(100)])]
    [35, 54, 11]
    """
    chunks: list[list[str]] = [[]]
    for paper in _strings(papers):
        chunks[-1].append(paper)
        if zlib.crc32(paper.encode("utf-8", "surrogatepass")) % MENTION_CHUNK == 0:
            chunks.append([])
    return [chunk for chunk in chunks if chunk]


def _add_mentioned_in(out: Sink, node: Any, papers: list[str], base_iri: str) -> None:
    subject = node_iri(node, base_iri)
    for paper in papers:
        out.add((subject, KG.mentioned_in, node_iri(paper, base_iri)))


def _add_community(out: Sink, community: int, members: list, base_iri: str) -> None:
    """``kg:community`` of each member node."""
    value = out.integer(community)
    for node in members:
        out.add((node_iri(node, base_iri), KG.community, value))


def _add_paper(out: Sink, subject: URIRef, attrs: dict[str, Any]) -> None:
    if attrs.get(schema.LABEL) is not None:
        out.add((subject, DCTERMS.title, out.text(str(attrs[schema.LABEL]))))
    if attrs.get(schema.ABSTRACT) is not None:
        out.add((subject, DCTERMS.abstract, out.text(str(attrs[schema.ABSTRACT]))))
    year = attrs.get(schema.YEAR)
    if year is not None:
        year = _integer(subject, schema.YEAR, year)
        if not 0 <= year <= 9999:
            raise ExportError(f"paper {str(subject)!r} has year {year}; expected 0 to 9999")
        out.add((subject, DCTERMS.date, out.year(f"{year:04d}")))
    authors = [str(a) for a in attrs.get(schema.AUTHORS) or ()]
    if authors:
        # dcterms:creator for queries; the rdf:Seq keeps the order (and any repeats).
        for author in dict.fromkeys(authors):
            out.add((subject, DCTERMS.creator, out.text(author)))
        seq = authors_iri(subject)
        out.add((subject, BIBO.authorList, seq))
        out.add((seq, RDF.type, RDF.Seq))
        for index, author in enumerate(authors, start=1):
            out.add((seq, member_property(index), out.text(author)))
    url = attrs.get(schema.URL)
    if url is not None:
        page = web_iri(url)
        if page is not None:
            out.add((subject, FOAF.page, page))
        if page is None or str(page) != url:
            # kept as written where it is no IRI as such, so it reads back the same
            out.add((subject, KG.url, out.text(str(url))))
    if attrs.get(schema.SOURCE) is not None:
        out.add((subject, KG.source, out.text(str(attrs[schema.SOURCE]))))
    ids = {name: str(attrs[name]) for name in schema.PAPER_IDS if attrs.get(name) is not None}
    for name, term in ((schema.DOI, BIBO.doi), (schema.ARXIV_ID, KG.arxiv_id), (schema.OPENALEX_ID, KG.openalex_id),
                       (schema.S2_ID, KG.s2_id)):
        if name in ids:
            out.add((subject, term, out.text(ids[name])))
    # the pages these ids resolve to, minted from the ids checked again (never the text as given)
    for _, url in id_urls(doi=ids.get(schema.DOI), arxiv_id=ids.get(schema.ARXIV_ID),
                          openalex_id=ids.get(schema.OPENALEX_ID), s2_id=ids.get(schema.S2_ID)):
        page = web_iri(url)
        if page is not None:
            out.add((subject, SCHEMA.sameAs, page))


def _add_aliases(out: Sink, node: Any, subject: URIRef, attrs: dict[str, Any]) -> None:
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
            out.add((subject, SKOSXL.prefLabel, xl))
        else:
            out.add((subject, SKOSXL.altLabel, xl))
            if alias != label:
                out.add((subject, SKOS.altLabel, out.text(alias)))
        out.add((xl, RDF.type, SKOSXL.Label))
        out.add((xl, SKOSXL.literalForm, out.text(alias)))
        out.add((xl, KG.rank, out.integer(rank)))
        if count is not None:
            out.add((xl, KG.alias_count, out.integer(_integer(node, schema.ALIAS_COUNTS, count))))


def _add_edge(
    out: Sink, G: nx.MultiDiGraph, head: Any, tail: Any, key: Any, data: dict[str, Any], base_iri: str
) -> None:
    predicate = _relation_property(head, tail, key, data)
    relation = data.get(schema.RELATION, key)
    where = f"edge {head!r} -{relation}-> {tail!r}"
    _check_keys(where, data, EDGE_ATTRIBUTES)
    subject, obj = node_iri(head, base_iri), node_iri(tail, base_iri)
    statement = statement_iri(str(head), relation, str(tail), base_iri)
    out.add((statement, RDF.type, RDF.Statement))
    out.add((statement, RDF.subject, subject))
    out.add((statement, RDF.predicate, predicate))
    out.add((statement, RDF.object, obj))
    if data.get(schema.SUPPORT) is not None:
        out.add((statement, KG.support, out.integer(_integer(where, schema.SUPPORT, data[schema.SUPPORT]))))
    for extractor in _strings(data.get(schema.EXTRACTORS)):
        out.add((statement, KG.extractor, out.text(extractor)))
    for item in data.get(schema.EVIDENCE) or ():
        if not isinstance(item, dict):
            raise ExportError(f"{where} has evidence {item!r}; expected an object")
        _check_keys(f"evidence of {where}", item, EVIDENCE_KEYS)
        evidence = evidence_iri(statement, item, base_iri)
        out.add((statement, KG.evidence, evidence))
        paper = _add_evidence(out, G, evidence, item, where, base_iri)
        if paper is not None:
            out.add((statement, PROV.wasDerivedFrom, paper))


def _relation_property(head: Any, tail: Any, key: Any, data: dict[str, Any]) -> URIRef:
    """The property of an edge's relation (the direct triple's predicate)."""
    relation = data.get(schema.RELATION, key)
    if relation not in RELATION_PROPERTIES:
        raise ExportError(
            f"edge {head!r} -> {tail!r} has relation {relation!r}; "
            f"expected one of {', '.join(RELATION_PROPERTIES)}"
        )
    return RELATION_PROPERTIES[relation]


def _add_evidence(
    out: Sink, G: nx.MultiDiGraph, evidence: URIRef, item: dict, where: str, base_iri: str
) -> URIRef | None:
    out.add((evidence, RDF.type, KG.Evidence))
    paper = None
    if item.get("paper"):
        paper = node_iri(_paper_node(G, str(item["paper"])), base_iri)
        out.add((evidence, PROV.wasDerivedFrom, paper))
    for name, term in (("field", KG.field), ("sentence", KG.sentence), ("extractor", KG.extractor)):
        if item.get(name) is not None:
            out.add((evidence, term, out.text(str(item[name]))))
    for name, term in (("start", KG.start), ("end", KG.end)):
        if item.get(name) is not None:
            out.add((evidence, term, out.integer(_integer(where, f"evidence {name}", item[name]))))
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
            f"expected some of {', '.join(sorted(allowed))} (add it to kgraph/export/rdf_triples.py and the ontology)"
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
