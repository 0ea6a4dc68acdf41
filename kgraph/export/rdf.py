"""RDF: the graph as Turtle, N-Triples or JSON-LD, with provenance, losslessly.

The vocabulary is ``kgraph/resources/ontology.ttl`` (documented in
``docs/ONTOLOGY.md``, declared in :mod:`kgraph.rdf.vocab`); ``kg:`` is
:class:`~kgraph.rdf.vocab.KG`, ``<base>`` the ``base_iri``::

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
        kg:lookup_key "gnn" , "graph neural network" , "graph-neural-network" ;
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

The vocabulary and every IRI come from :mod:`kgraph.rdf.vocab`, which the
readers (:mod:`kgraph.rdf`) share. Node IRIs are minted from node ids
(:func:`~kgraph.rdf.vocab.node_iri`): everything outside RFC 3986's
unreserved characters is percent-encoded, so corpus text never appears raw
in an IRI. Statement and evidence IRIs are hashes of what they describe,
labels and author lists hang below their node, and there are no blank
nodes, so two builds of the same graph give the same triples, and the same
bytes in every format.

The files are written without an rdflib graph, one element of the graph at
a time (:mod:`kgraph.export.rdf_triples` makes its triples,
:mod:`kgraph.export.rdf_syntax` their text): the dataset, then each node in
id order, then each edge in ``(source, target, key)`` order (the order of
``graph.json``), then each community. A node brings its own triples, its labels and author list, and
the direct triple of each of its out-edges; an edge brings its statement and
evidence; a community the ``kg:community`` triple of each of its members
(communities are renumbered by every build; kept apart, they leave the
node's text unchanged). Each format is the elements' text in turn:
N-Triples lines (sorted within the element), Turtle blocks with prefixes
where a local name is plain, JSON-LD node objects with the text
``json.dumps`` gives them. A node's community is therefore a second,
one-triple Turtle block and JSON-LD object for the same subject, which
every RDF reader merges. So are an entity's ``kg:mentioned_in`` triples,
which follow the entity in blocks of about 32 papers
(:func:`~kgraph.export.rdf_triples.mention_chunks`): a popular entity is
mentioned by thousands of papers, and a new one changes one block, not the
whole list. Memory is that
of one element, and a build can copy the text of unchanged elements from the
previous files (:func:`rdf_fragments`, :mod:`kgraph.export.splice`).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("paper:1", type="paper", label="A paper")
>>> G.add_node("task:qa", type="task", label="question answering")
>>> _ = G.add_edge("paper:1", "task:qa", key="addresses", relation="addresses", support=1)
>>> print(dumps_rdf(G, "https://example.org/kg/").split("\\n\\n")[2])
paper:1 a kg:Paper ;
    dcterms:identifier "1" ;
    dcterms:title "A paper" ;
    kg:addresses task:qa .
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources

import networkx as nx

from ..config import DEFAULT_BASE_IRI
from ..errors import ConfigError, ExportError
from ..rdf.vocab import prefixes
from .atomic import atomic_write_text
from .rdf_syntax import SEPARATORS, Renderer
from .rdf_triples import element_lines, iter_elements
from .splice import (
    Fragments,
    GraphDigests,
    Splicer,
    code_salt,
    dumps_fragments,
    write_fragments,
)

_FORMAT_ALIASES = {
    "turtle": "turtle", "ttl": "turtle",
    "nt": "nt", "ntriples": "nt", "nt11": "nt", "n-triples": "nt",
    "json-ld": "json-ld", "jsonld": "json-ld",
}


def dumps_rdf(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI, format: str = "turtle") -> str:
    """The graph serialized as Turtle, N-Triples or JSON-LD, byte-deterministic.

    The graph is written in graph order (see the module docstring): the
    N-Triples lines of each element sorted, Turtle the same triples grouped
    by subject (:func:`~kgraph.export.rdf_syntax.iter_turtle`), JSON-LD
    compacted with an inline context of prefixes, every value array sorted.

    Raises :class:`~kgraph.errors.ExportError` for a node without a known
    ``type``, a node id that does not start with its type, an unknown
    relation, or an attribute RDF has no place for (nothing is dropped
    silently); :class:`~kgraph.errors.ConfigError` for a bad ``base_iri``
    or ``format``.

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
    <https://example.org/kg/dataset/qm9> <https://w3id.org/kgraph/ontology#lookup_key> "qm9" .
    """
    rdf_format = _rdf_format(format)
    return dumps_fragments(rdf_fragments(G, (rdf_format,), base_iri))[rdf_format]


def write_rdf(G: nx.MultiDiGraph, path: str | os.PathLike[str], base_iri: str = DEFAULT_BASE_IRI,
              format: str = "turtle") -> None:
    """Write :func:`dumps_rdf` to ``path`` atomically (UTF-8), triple by triple (see :func:`write_rdf_files`)."""
    write_rdf_files(G, {format: path}, base_iri)


def write_rdf_files(G: nx.MultiDiGraph, paths: Mapping[str, str | os.PathLike[str]],
                    base_iri: str = DEFAULT_BASE_IRI) -> None:
    """Write several RDF formats of ``G`` (``{"nt": path, "turtle": path, "json-ld": path}``), each atomically.

    All formats come from one pass over the graph, one node or edge at a
    time (see the module docstring); nothing is held but that element's
    triples.
    """
    formats = {_rdf_format(name): path for name, path in paths.items()}
    if formats:
        write_fragments(rdf_fragments(G, formats, base_iri), formats)


def rdf_fragments(G: nx.MultiDiGraph, formats: Iterable[str], base_iri: str = DEFAULT_BASE_IRI,
                  digests: GraphDigests | None = None) -> Fragments:
    """The RDF files of ``G`` in ``formats`` (``"nt"``, ``"turtle"``, ``"json-ld"``), made in one pass.

    Each element of the graph (the dataset, a node, a block of an entity's
    mentions, an edge, a community) is a fragment of every file; with
    ``digests`` (the graph's, :meth:`~kgraph.export.splice.GraphDigests.of`),
    one that is the same as in the previous files can be copied from them
    (:func:`~kgraph.export.splice.write_fragments`).
    """
    formats = tuple(dict.fromkeys(_rdf_format(name) for name in formats))
    digests = digests if digests is not None else GraphDigests.none(G)
    render = Renderer(prefixes(base_iri), formats)

    def fill(splicer: Splicer) -> None:
        try:
            for name in formats:
                if render.head(name):
                    splicer.text(name, render.head(name))
            for element_digest, emit in iter_elements(G, base_iri, digests):
                splicer.element(element_digest, lambda emit=emit: render(element_lines(emit)))
            for name in formats:
                if render.foot(name):
                    splicer.text(name, render.foot(name))
        except UnicodeEncodeError as exc:
            raise ExportError(f"graph cannot be serialized as RDF: {exc}") from exc

    return Fragments({name: SEPARATORS[name] for name in formats}, fill,
                     salt=code_salt("rdf", base_iri, *sorted(formats)), indexed=digests.hashed)


def iter_ntriples(G: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The N-Triples lines of ``G`` (each ending in a newline), element by element, without repeats.

    The lines are those rdflib's N-Triples serializer would write for the
    same triples, made here without rdflib terms or an rdflib graph: first
    the dataset's, then each node's (with the direct triples of its
    out-edges), then each edge's statement and evidence, each element's
    lines sorted.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task:qa", type="task")
    >>> list(iter_ntriples(G, "https://example.org/kg/"))[-1]
    '<https://example.org/kg/task/qa> <https://w3id.org/kgraph/ontology#lookup_key> "qa" .\\n'
    """
    for _, emit in iter_elements(G, base_iri):
        yield from element_lines(emit)


def _rdf_format(format: str) -> str:
    rdflib_format = _FORMAT_ALIASES.get(format)
    if rdflib_format is None:
        raise ConfigError(f"unknown RDF format {format!r}; expected one of turtle, nt, json-ld")
    return rdflib_format


def dumps_ontology() -> str:
    """The kgraph ontology (``kgraph/resources/ontology.ttl``) as Turtle text.

    >>> "kg:Paper a owl:Class" in dumps_ontology()
    True
    """
    return resources.files("kgraph").joinpath("resources/ontology.ttl").read_text(encoding="utf-8")


def write_ontology(path: str | os.PathLike[str]) -> None:
    """Write the kgraph ontology beside a graph, atomically, byte for byte as shipped."""
    atomic_write_text(path, dumps_ontology())
