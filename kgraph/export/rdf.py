"""RDF: the graph as Turtle, N-Triples or JSON-LD, with provenance, losslessly.

The vocabulary is ``kgraph/resources/ontology.ttl`` (documented in
``docs/ONTOLOGY.md``); ``kg:`` is :class:`KG`, ``<base>`` the ``base_iri``::

    <base>  a void:Dataset ; dcterms:title "kgraph" ; void:uriSpace "<base>" .

    <base>paper/arXiv%3A2401.1  a kg:Paper ;
        dcterms:identifier "arXiv:2401.1" ; dcterms:title "..." ;
        dcterms:abstract "..." ; dcterms:date "2024"^^xsd:gYear ;
        dcterms:creator "A. Author" ; bibo:authorList <base>paper/arXiv%3A2401.1/authors ;
        foaf:page <https://...> ; kg:source "papers.jsonl:3" ;
        bibo:doi "10.48550/arxiv.2401.1" ; kg:arxiv_id "2401.1" ; kg:openalex_id "W1" ;
        schema:sameAs <https://doi.org/10.48550/arxiv.2401.1> , <https://arxiv.org/abs/2401.1> ,
            <https://openalex.org/W1> ;
        kg:proposes <base>method/graph-neural-network ;
        cito:cites <base>paper/W2 .

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
or named graphs). A citation between two papers of the corpus is
``cito:cites``, CiTO's own property, whose evidence names the source of the
reference (:mod:`kgraph.graph.citations`). A paper's DOI, arXiv, OpenAlex and
Semantic Scholar ids are literals (``bibo:doi``, ``kg:arxiv_id``, ...) and,
resolved to the pages they name (:func:`~kgraph.ingest.ids.id_urls`),
``schema:sameAs`` IRIs: schema.org's "a page that unambiguously indicates
the item's identity", which asks no reasoner to merge the paper with the
page, as ``owl:sameAs`` would. Every node and edge attribute has a place, so
:func:`kgraph.rdf.to_networkx` reads the same graph back.

Node IRIs are minted from node ids with :func:`node_iri`: everything outside
RFC 3986's unreserved characters is percent-encoded, so corpus text never
appears raw in an IRI. Statement and evidence IRIs are hashes of what they
describe, labels and author lists hang below their node, and there are no
blank nodes, so two builds of the same graph give the same triples, and the
same bytes in every format.

The files are written without an rdflib graph, one element of the graph at
a time: the dataset, then each node in id order, then each edge in
``(source, target, key)`` order (the order of ``graph.json``), then each
community. A node brings its own triples, its labels and author list, and
the direct triple of each of its out-edges; an edge brings its statement and
evidence; a community the ``kg:community`` triple of each of its members
(communities are renumbered by every build; kept apart, they leave the
node's text unchanged). Each format is the elements' text in turn:
N-Triples lines (sorted within the element), Turtle blocks with prefixes
where a local name is plain, JSON-LD node objects with the text
:func:`build_rdf`'s graph would give them. A node's community is therefore
a second, one-triple Turtle block and JSON-LD object for the same subject,
which every RDF reader merges. So are an entity's ``kg:mentioned_in``
triples, which follow the entity in blocks of about 32 papers
(:func:`mention_chunks`): a popular entity is mentioned by thousands of
papers, and a new one changes one block, not the whole list. Memory is that of one element, and a build
can copy the text of unchanged elements from the previous files
(:mod:`kgraph.export.splice`).

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
import io
import json
import operator
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote, unquote

import networkx as nx
from rdflib import RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, VOID, DefinedNamespace

from ..config import DEFAULT_BASE_IRI
from ..errors import ConfigError, ExportError
from ..graph import schema
from ..ingest.clean import clean_url
from ..ingest.ids import id_urls
from .atomic import atomic_open, atomic_write_text
from .json import dumps_indented
from .ordering import iter_sorted_edges, sorted_out_edges
from .splice import FragmentIndex, GraphDigests, Output, Previous, Reuse, Spliced, Splicer, code_salt, combined, digest, prepared

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
    # relations, entity -> entity (paper -> paper: cito:cites)
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
    arxiv_id: URIRef
    openalex_id: URIRef
    s2_id: URIRef
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
    """The BIBO terms kgraph writes: the ordered author list of a paper, and its DOI."""

    _NS = Namespace("http://purl.org/ontology/bibo/")
    _fail = True

    authorList: URIRef
    doi: URIRef


class CITO(DefinedNamespace):
    """The one CiTO term kgraph writes: a paper of the corpus cites another."""

    _NS = Namespace("http://purl.org/spar/cito/")
    _fail = True

    cites: URIRef


class SCHEMA(DefinedNamespace):
    """The one schema.org term kgraph writes: the pages that identify a paper (DOI, arXiv, OpenAlex, ...)."""

    _NS = Namespace("https://schema.org/")
    _fail = True

    sameAs: URIRef


NODE_CLASSES: dict[str, URIRef] = {
    schema.PAPER: KG.Paper,
    "method": KG.Method,
    "task": KG.Task,
    "dataset": KG.Dataset,
}
# Each relation's property: kgraph's own, but a citation, which CiTO names already.
_REUSED_RELATIONS: dict[str, URIRef] = {"cites": CITO.cites}
RELATION_PROPERTIES: dict[str, URIRef] = {relation: _REUSED_RELATIONS.get(relation) or KG[relation]
                                          for relation in schema.RELATIONS}

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
PAPER_ATTRIBUTES = frozenset({*schema.PAPER_ATTRIBUTES, *schema.PAPER_IDS, schema.COMMUNITY})
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
    "cito": str(CITO._NS),
    "schema": str(SCHEMA._NS),
    "void": str(VOID),
    "kg": KG_NAMESPACE,
}

# Node collections under the base IRI, each a prefix in Turtle (``method:`` for ``<base>method/``).
_COLLECTIONS = (*NODE_CLASSES, "statement", "evidence")

# An absolute http(s) IRI without the characters RFC 3987 forbids anywhere.
_VALID_IRI = re.compile(r"https?://[^\x00-\x20\x7f-\x9f<>\"{}|\\^`]+", re.IGNORECASE)


def build_rdf(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The graph as an :class:`rdflib.Graph` (see the module docstring).

    Raises :class:`~kgraph.errors.ExportError` for a node without a known
    ``type``, a node id that does not start with its type, an unknown
    relation, or an attribute RDF has no place for (nothing is dropped
    silently); :class:`~kgraph.errors.ConfigError` for a bad ``base_iri``.
    The whole graph is held in memory (about 1 kB a triple): to write a
    file, :func:`write_rdf` and :func:`write_rdf_files` stream instead.
    """
    rdf = Graph(bind_namespaces="none")
    bind_prefixes(rdf, base_iri)
    _emit_triples(G, base_iri, _GraphSink(rdf))
    return rdf


def dumps_rdf(G: nx.MultiDiGraph | Graph, base_iri: str = DEFAULT_BASE_IRI, format: str = "turtle") -> str:
    """The graph serialized as Turtle, N-Triples or JSON-LD, byte-deterministic.

    ``G`` is a kgraph graph, or what :func:`build_rdf` made of one (to
    serialize it several times without building it again). A kgraph graph is
    written in graph order (see the module docstring); an rdflib graph's
    N-Triples lines are sorted, and its JSON-LD nodes sorted by ``@id``.
    Turtle has the triples in the order of the N-Triples, grouped by subject
    (:func:`iter_turtle`); JSON-LD is compacted with an inline context of
    prefixes, every value array sorted.

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
    out = io.StringIO()
    _write_one(G, out, base_iri, _rdf_format(format))
    return out.getvalue()


def write_rdf(
    G: nx.MultiDiGraph | Graph,
    path: str | os.PathLike[str],
    base_iri: str = DEFAULT_BASE_IRI,
    format: str = "turtle",
) -> None:
    """Write :func:`dumps_rdf` to ``path`` atomically (UTF-8).

    A kgraph graph is written triple by triple (see :func:`write_rdf_files`);
    an :class:`rdflib.Graph` is in memory already.
    """
    rdf_format = _rdf_format(format)
    if not isinstance(G, Graph):
        write_rdf_files(G, {rdf_format: path}, base_iri)
        return
    with atomic_open(path, "w") as handle:
        _write_one(G, handle, base_iri, rdf_format)


def write_rdf_files(G: nx.MultiDiGraph, paths: dict[str, str | os.PathLike[str]],
                    base_iri: str = DEFAULT_BASE_IRI, *, reuse: Reuse | None = None,
                    digests: GraphDigests | None = None) -> Spliced:
    """Write several RDF formats of ``G`` (``{"nt": path, "turtle": path, "json-ld": path}``), each atomically.

    All formats come from one pass over the graph, one node or edge at a
    time (see the module docstring); nothing is held but that element's
    triples. With ``reuse``, the fragment of each node and edge that is the
    same as in the previous files is copied from them rather than made again
    (:mod:`kgraph.export.splice`), and the index of the new files is saved
    for the next build; the bytes are the same either way. ``digests`` are
    the graph's (:meth:`GraphDigests.of`), if the caller has them already.
    Returns how many elements were copied and how many made.
    """
    formats = {_rdf_format(name): Path(path) for name, path in paths.items()}
    if not formats:
        return Spliced()
    salt = code_salt("rdf", base_iri, *sorted(formats))
    digests, previous = prepared(G, reuse, digests, salt, formats)
    with ExitStack() as stack:
        handles = {name: stack.enter_context(atomic_open(path, "wb")) for name, path in formats.items()}
        index, stats = _write_streams(G, handles, base_iri, digests, previous, salt)
    if reuse is not None:
        index.stamped(formats).save(reuse.index)
    return stats


_SEPARATORS = {"nt": b"", "turtle": b"", "json-ld": b",\n  "}


def _write_streams(G: nx.MultiDiGraph, handles: dict[str, IO[bytes]], base_iri: str, digests: GraphDigests,
                   previous: Previous | None = None, salt: str = "") -> tuple[FragmentIndex, Spliced]:
    """The formats in ``handles`` (rdflib names), element by element; returns their fragment index."""
    previous = previous or Previous.none()
    prefixes = _prefixes(base_iri)
    render = _Renderer(prefixes, tuple(handles))
    outputs = {name: Output(handle, _SEPARATORS[name], previous.get(name), indexed=digests.hashed)
               for name, handle in handles.items()}
    splicer = Splicer(outputs, previous.index, salt)
    try:
        if "turtle" in handles:
            splicer.text("turtle", "".join(f"@prefix {prefix}: <{namespace}> .\n"
                                           for prefix, namespace in sorted(prefixes.items())))
        if "json-ld" in handles:
            splicer.text("json-ld", '{\n "@context": ' + dumps_indented(render.context, "\n ") + ',\n "@graph": [\n  ')
        for element_digest, emit in _elements(G, base_iri, digests):
            splicer.element(element_digest, lambda emit=emit: render(emit))
        if "json-ld" in handles:
            splicer.text("json-ld", "\n ]\n}\n")
    except BaseException as exc:
        splicer.abort()
        if isinstance(exc, UnicodeEncodeError):
            raise ExportError(f"graph cannot be serialized as RDF: {exc}") from exc
        raise
    return splicer.close(), splicer.stats()


def _elements(G: nx.MultiDiGraph, base_iri: str,
              digests: GraphDigests) -> Iterator[tuple[bytes | None, Callable[["_Sink"], None]]]:
    """``(digest, emit)`` for the dataset, each node, each edge, then each community, in the graph's sorted order.

    ``emit(sink)`` adds the element's triples; the digest covers all they are
    made of (the base IRI and the code are in the index's salt). A node's
    triples include the direct ``head kg:<relation> tail`` triple of each of
    its out-edges. Its ``kg:community`` triple comes last, with the other
    members of its community: communities are renumbered by every build, and
    this way a node whose community alone changed is copied, not made again.
    Unless ``digests`` (the graph's, :class:`GraphDigests`) are hashed, no digest is made.
    """
    _check_base(base_iri)
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


class _Renderer:
    """The text of one element's triples in each format: N-Triples lines, Turtle blocks, JSON-LD objects.

    The triples are sorted; each subject (one element may have several: a
    paper, its author list) becomes one Turtle block and one JSON-LD object.
    """

    def __init__(self, prefixes: dict[str, str], formats: tuple[str, ...]):
        self.formats = formats
        self.context = dict(prefixes)
        self.turtle = _Compactor({namespace: prefix for prefix, namespace in sorted(prefixes.items())})
        self.jsonld = _JsonLdCompactor(self.context)

    def __call__(self, emit: Callable[["_Sink"], None]) -> dict[str, str]:
        lines: list[str] = []
        emit(_LineSink(lines.append))
        lines = list(_unique(sorted(lines)))
        texts = {}
        if "nt" in self.formats:
            texts["nt"] = "".join(lines)
        if "turtle" in self.formats or "json-ld" in self.formats:
            blocks = list(_subject_blocks(lines))
            if "turtle" in self.formats:
                texts["turtle"] = "".join(_turtle_block(self.turtle, subject, block) for subject, block in blocks)
            if "json-ld" in self.formats:
                texts["json-ld"] = ",\n  ".join(_jsonld_object(self.jsonld, subject[1:-1], block)
                                                for subject, block in blocks)
        return texts


def iter_ntriples(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The N-Triples lines of ``G`` (each ending in a newline), element by element, without repeats.

    The lines are those rdflib's N-Triples serializer would write for
    :func:`build_rdf`, made here without rdflib terms or an rdflib graph:
    first the dataset's, then each node's (with the direct triples of its
    out-edges), then each edge's statement and evidence, each element's lines
    sorted.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task:qa", type="task")
    >>> list(iter_ntriples(G, "https://example.org/kg/"))[-1]
    '<https://example.org/kg/task/qa> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kgraph/ontology#Task> .\\n'
    """
    for _, emit in _elements(G, base_iri, GraphDigests.none(G)):
        lines: list[str] = []
        emit(_LineSink(lines.append))
        yield from _unique(sorted(lines))


def _subject_blocks(lines: Iterable[str]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Sorted N-Triples lines as ``(subject, [(predicate, object), ...])``, one per subject."""
    subject = None
    block: list[tuple[str, str]] = []
    for line in lines:
        s_end = line.index(" ")
        p_end = line.index(" ", s_end + 1)
        s = line[:s_end]
        if s != subject:
            if block:
                yield subject, block
            subject, block = s, []
        block.append((line[s_end + 1:p_end], line[p_end + 1:-3]))
    if block:
        yield subject, block


def iter_turtle(lines: Iterable[str], prefixes: dict[str, str]) -> Iterator[str]:
    """Turtle text from N-Triples ``lines`` grouped by subject: prefixes, then one block per subject.

    The triples and their order are the lines'; ``rdf:type`` comes first in
    each block (as ``a``), and consecutive objects of one predicate share it.
    An IRI is written with a prefix only when its local part is plain
    (letters, digits, ``_``, ``-``), a subset of Turtle's that every parser
    reads; otherwise in full. Literals keep their N-Triples form, which is
    Turtle too (integers written bare).

    >>> lines = ['<https://example.org/kg/task/qa> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...          '<https://w3id.org/kgraph/ontology#Task> .\\n']
    >>> print("".join(iter_turtle(lines, {"kg": KG_NAMESPACE, "task": "https://example.org/kg/task/"})), end="")
    @prefix kg: <https://w3id.org/kgraph/ontology#> .
    @prefix task: <https://example.org/kg/task/> .
    <BLANKLINE>
    task:qa a kg:Task .
    """
    namespaces = {namespace: prefix for prefix, namespace in sorted(prefixes.items())}
    yield "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in sorted(prefixes.items()))
    compact = _Compactor(namespaces)
    for subject, block in _subject_blocks(lines):
        yield _turtle_block(compact, subject, block)


def _turtle_block(compact: "_Compactor", subject: str, block: list[tuple[str, str]]) -> str:
    types = [o for p, o in block if p == _RDF_TYPE]
    parts = []
    if types:
        parts.append("a " + " , ".join(compact.term(o) for o in types))
    predicate, objects = None, []
    for p, o in block:
        if p == _RDF_TYPE:
            continue
        if p != predicate:
            if objects:
                parts.append(f"{compact.iri(predicate)} {' , '.join(objects)}")
            predicate, objects = p, []
        objects.append(compact.term(o))
    if objects:
        parts.append(f"{compact.iri(predicate)} {' , '.join(objects)}")
    return "\n" + compact.term(subject) + " " + " ;\n    ".join(parts) + " .\n"


_RDF_TYPE = f"<{RDF.type}>"
_XSD_INTEGER = f"^^<{XSD.integer}>"
_XSD_INTEGER_IRI = f"{XSD.integer}>"
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")


class _Compactor:
    """N-Triples terms as Turtle terms: prefixed names where safe, integers bare."""

    def __init__(self, namespaces: dict[str, str]):
        self.namespaces = namespaces
        self.known: dict[str, str] = {}  # predicates, classes and datatypes recur: remember them

    def iri(self, term: str) -> str:
        """``<iri>`` as ``prefix:local`` when a prefix covers it and ``local`` is plain."""
        known = self.known.get(term)
        if known is not None:
            return known
        iri = term[1:-1]
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.namespaces.get(iri[:cut])
        local = iri[cut:]
        short = f"{prefix}:{local}" if prefix is not None and _PLAIN_LOCAL.fullmatch(local) else term
        if len(self.known) < 10_000:
            self.known[term] = short
        return short

    def term(self, term: str) -> str:
        if term.startswith("<"):
            return self.iri(term)
        if term.startswith('"') and term.endswith(">"):
            lexical, _, datatype = term.rpartition('"^^')
            if "^^" + datatype == _XSD_INTEGER and _INTEGER.fullmatch(lexical[1:]):
                return lexical[1:]
            return f'{lexical}"^^{self.iri(datatype)}'
        return term  # a plain or language-tagged literal, or a blank node


def _prefixes(base_iri: str) -> dict[str, str]:
    """The prefixes :func:`bind_prefixes` binds, as a dict."""
    _check_base(base_iri)
    return {**PREFIXES, **{collection: f"{base_iri}{collection}/" for collection in _COLLECTIONS}}


def _rdf_format(format: str) -> str:
    rdflib_format = _FORMAT_ALIASES.get(format)
    if rdflib_format is None:
        raise ConfigError(f"unknown RDF format {format!r}; expected one of turtle, nt, json-ld")
    return rdflib_format


def _write_one(G: nx.MultiDiGraph | Graph, handle: IO[str], base_iri: str, rdf_format: str) -> None:
    """One format of ``G`` to a text handle."""
    if not isinstance(G, Graph):
        data = io.BytesIO()
        _write_streams(G, {rdf_format: data}, base_iri, GraphDigests.none(G))
        handle.write(data.getvalue().decode("utf-8"))
    elif rdf_format == "json-ld":
        handle.write(_dumps_jsonld(G))
    else:
        prefixes = {prefix: str(namespace) for prefix, namespace in G.namespaces()}
        lines = _graph_lines(G)
        _write_chunks(handle, iter_turtle(lines, prefixes) if rdf_format == "turtle" else lines, rdf_format)


def _graph_lines(rdf: Graph) -> list[str]:
    """The sorted N-Triples lines of an rdflib graph, by rdflib's serializer."""
    try:
        text = rdf.serialize(format="nt")
    except Exception as exc:  # rdflib raises plugin errors and assorted others
        raise ExportError(f"graph cannot be serialized as 'nt': {exc}") from exc
    return sorted(line + "\n" for line in text.split("\n") if line.strip())


def _write_chunks(handle: IO[str] | None, chunks: Iterable[str], rdf_format: str) -> None:
    """Write ``chunks`` to ``handle`` (None: only run through them)."""
    try:
        for chunk in chunks:
            if handle is not None:
                handle.write(chunk)
    except UnicodeEncodeError as exc:
        raise ExportError(f"graph cannot be serialized as {rdf_format!r}: {exc}") from exc


def _jsonld_object(compact: "_JsonLdCompactor", subject: str, block: list[tuple[str, str]]) -> str:
    """One subject's JSON-LD node object, as :func:`_dumps_jsonld` writes it for the same triples.

    Handles what :class:`_LineSink` writes: IRIs, plain literals, and
    integer or other typed literals.
    """
    properties: dict[str, list[Any]] = {}
    for predicate, obj in block:
        if predicate == _RDF_TYPE and obj.startswith("<"):
            properties.setdefault("@type", []).append(compact(obj[1:-1]))
        else:
            properties.setdefault(compact(predicate[1:-1]), []).append(_jsonld_value(compact, obj))
    node: dict[str, Any] = {"@id": compact(subject)}
    for key, values in properties.items():
        node[key] = values[0] if len(values) == 1 else sorted(values, key=_json_key)
    return dumps_indented(node, "\n  ")


def _jsonld_value(compact: "_JsonLdCompactor", term: str) -> Any:
    if term.startswith("<"):
        return {"@id": compact(term[1:-1])}
    if term.endswith('"'):
        return _unescape(term[1:-1])
    if term.endswith(">"):
        lexical, _, datatype = term.rpartition('"^^<')
        if datatype == _XSD_INTEGER_IRI and _INTEGER.fullmatch(lexical[1:]):
            return int(lexical[1:])
        return {"@value": _unescape(lexical[1:]), "@type": compact(datatype[:-1])}
    lexical, _, language = term.rpartition('"@')
    return {"@value": _unescape(lexical[1:]), "@language": language}


class _JsonLdCompactor:
    """``prefix:local`` for the longest namespace that leaves a local part (not starting ``//``), as in :func:`_dumps_jsonld`."""

    def __init__(self, context: dict[str, str]):
        self.by_namespace = {namespace: prefix for prefix, namespace in context.items()}
        self.namespaces = sorted(context.items(), key=lambda item: -len(item[1]))
        self.ends = all(namespace.endswith(("/", "#")) for namespace in self.by_namespace)
        self.known: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        known = self.known.get(iri)
        if known is not None:
            return known
        short = self._compact(iri)
        if len(self.known) < 10_000:
            self.known[iri] = short
        return short

    def _compact(self, iri: str) -> str:
        if not self.ends:  # some namespace ends otherwise: try them all, longest first
            for prefix, namespace in self.namespaces:
                local = iri[len(namespace):]
                if iri.startswith(namespace) and local and not local.startswith("//"):
                    return f"{prefix}:{local}"
            return iri
        cut = len(iri) - 1  # a namespace ends with "/" or "#": try each such cut, longest first
        while cut >= 0:
            cut = max(iri.rfind("/", 0, cut), iri.rfind("#", 0, cut))
            if cut < 0:
                break
            prefix = self.by_namespace.get(iri[:cut + 1])
            local = iri[cut + 1:]
            if prefix is not None and local and not local.startswith("//"):
                return f"{prefix}:{local}"
        return iri


_NT_ESCAPE = re.compile(r"\\(.)")
_NT_ESCAPED = {"\\": "\\", "n": "\n", '"': '"', "r": "\r"}


def _unescape(text: str) -> str:
    """The text of an N-Triples string as rdflib's serializer escapes it (\\\\, \\n, \\", \\r)."""
    if "\\" not in text:
        return text
    return _NT_ESCAPE.sub(lambda match: _NT_ESCAPED[match.group(1)], text)


def _emit_triples(G: nx.MultiDiGraph, base_iri: str, out: "_Sink") -> None:
    for _, emit in _elements(G, base_iri, GraphDigests.none(G)):
        emit(out)


class _Sink(Protocol):
    """Where the triples of a graph go; literals are made by the sink."""

    def add(self, triple: tuple[Any, Any, Any]) -> None: ...

    def text(self, value: str) -> Any: ...

    def integer(self, value: int) -> Any: ...

    def year(self, value: str) -> Any: ...


class _GraphSink:
    """Triples into an :class:`rdflib.Graph`."""

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


def _unique(lines: Iterable[str]) -> Iterator[str]:
    """Sorted lines without repeats."""
    previous = None
    for line in lines:
        if line != previous:
            yield line
            previous = line


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
    """An http(s) URL as a valid IRI (:func:`~kgraph.ingest.clean.clean_url`); else None.

    Characters IRIs forbid are percent-encoded (``[``, a second ``#``, a
    ``%`` that starts no escape, ...), so that every RDF reader accepts the
    IRI, whatever string arrives.

    >>> str(web_iri("https://arxiv.org/abs/1 x"))
    'https://arxiv.org/abs/1%20x'
    >>> str(web_iri("https://example.org/[a]#b#c"))
    'https://example.org/%5Ba%5D#b%23c'
    >>> web_iri("arxiv.org/abs/1") is None
    True
    """
    if not isinstance(url, str):
        return None
    iri, _ = clean_url(url)
    return URIRef(iri) if iri is not None and _VALID_IRI.fullmatch(iri) else None


def bind_prefixes(rdf: Graph, base_iri: str) -> None:
    """The usual prefixes, plus one per node collection (``method:`` for ``<base>method/``)."""
    for prefix, namespace in _prefixes(base_iri).items():
        rdf.bind(prefix, namespace)


def _check_base(base_iri: str) -> None:
    # Every IRI minted is the base and percent-encoded text: a base that
    # clean_url would change is not one that every RDF reader accepts.
    if not (
        isinstance(base_iri, str)
        and base_iri.endswith(("/", "#"))
        and _VALID_IRI.fullmatch(base_iri)
        and clean_url(base_iri) == (base_iri, None)
    ):
        raise ConfigError(f"base IRI must be an http(s) IRI ending with '/' or '#', got {base_iri!r}")


def _add_dataset(out: _Sink, G: nx.MultiDiGraph, base_iri: str) -> None:
    """The graph itself: a void:Dataset at the base IRI, naming its IRI space."""
    _check_keys(f"graph {G.graph.get('name', '')!r}", G.graph, GRAPH_ATTRIBUTES)
    dataset = URIRef(base_iri)
    out.add((dataset, RDF.type, VOID.Dataset))
    out.add((dataset, VOID.uriSpace, out.text(base_iri)))
    out.add((dataset, DCTERMS.conformsTo, ONTOLOGY_IRI))
    if G.graph.get("name") is not None:
        out.add((dataset, DCTERMS.title, out.text(str(G.graph["name"]))))


def _add_node(out: _Sink, G: nx.MultiDiGraph, node: Any, attrs: dict[str, Any], base_iri: str) -> None:
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
    out.add((subject, DCTERMS.identifier, out.text(str(node)[len(prefix):])))
    label = attrs.get(schema.LABEL)
    if node_type == schema.PAPER:
        _add_paper(out, subject, attrs)
        return
    if label is not None:
        out.add((subject, SKOS.prefLabel, out.text(str(label))))
    _add_aliases(out, node, subject, attrs)
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


def _add_mentioned_in(out: _Sink, node: Any, papers: list[str], base_iri: str) -> None:
    subject = node_iri(node, base_iri)
    for paper in papers:
        out.add((subject, KG.mentioned_in, node_iri(paper, base_iri)))


def _add_community(out: _Sink, community: int, members: list, base_iri: str) -> None:
    """``kg:community`` of each member node."""
    value = out.integer(community)
    for node in members:
        out.add((node_iri(node, base_iri), KG.community, value))


def _add_paper(out: _Sink, subject: URIRef, attrs: dict[str, Any]) -> None:
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


def _add_aliases(out: _Sink, node: Any, subject: URIRef, attrs: dict[str, Any]) -> None:
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
    out: _Sink, G: nx.MultiDiGraph, head: Any, tail: Any, key: Any, data: dict[str, Any], base_iri: str
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
        evidence = mint_iri(
            base_iri, "evidence", _digest(str(statement), json.dumps(item, sort_keys=True, default=str))
        )
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
    out: _Sink, G: nx.MultiDiGraph, evidence: URIRef, item: dict, where: str, base_iri: str
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
