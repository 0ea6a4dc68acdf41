"""RDF back to NetworkX: the inverse of the RDF writer (:mod:`kgraph.export.rdf`).

>>> import networkx as nx
>>> from rdflib import Graph
>>> from kgraph.export.rdf import dumps_rdf
>>> G = nx.MultiDiGraph(name="demo")
>>> G.add_node("paper:1", type="paper", label="A paper", abstract="", year=None, authors=[], url=None, source=None)
>>> G.add_node("task:qa", type="task", label="QA", aliases=["QA"], alias_counts=[2], papers=["paper:1"],
...            proposed_in=[], mentions=2, known_id=None)
>>> _ = G.add_edge("paper:1", "task:qa", key="addresses", relation="addresses", support=1, extractors=["x"],
...                evidence=[{"paper": "1", "field": "title", "start": 0, "end": 7, "sentence": "A paper",
...                           "extractor": "x"}])
>>> rdf = Graph().parse(data=dumps_rdf(G, "https://example.org/kg/", format="nt"), format="nt")
>>> nx.utils.graphs_equal(to_networkx(rdf), G)
True
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import networkx as nx
from rdflib import RDF, SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, VOID

from ..errors import CorpusFormatError
from ..graph import schema
from .io import read_rdf
from .vocab import BIBO, KG, NODE_CLASSES, RELATION_PROPERTIES, SKOSXL, node_id_from_iri

_CLASS_TYPES = {cls: node_type for node_type, cls in NODE_CLASSES.items()}
_PROPERTY_RELATIONS = {prop: relation for relation, prop in RELATION_PROPERTIES.items()}
_MEMBER_PREFIX = f"{RDF}_"


def to_networkx(source: Graph | str | os.PathLike[str], *, base_iri: str | None = None) -> nx.MultiDiGraph:
    """The kgraph graph that ``source`` (an rdflib Graph, or a file or build directory) describes.

    Every node and edge comes back with the full set of kgraph attributes
    (absent values as ``None`` or ``[]``, as :func:`kgraph.graph.build_graph`
    makes them). Lists that are sets in meaning (``papers``, ``proposed_in``,
    ``extractors``, ``evidence``) come back in kgraph's canonical sorted order;
    ``aliases`` and ``authors`` keep their order (``kg:rank``, ``rdf:Seq``).

    The base IRI is read from the graph's ``void:Dataset`` description
    (``void:uriSpace``) unless given. Raises
    :class:`~kgraph.errors.CorpusFormatError` when the RDF is not a kgraph
    graph (a node IRI outside the base, a statement without its triple, a
    malformed number).
    """
    where = str(source) if not isinstance(source, Graph) else "<rdf graph>"
    rdf = source if isinstance(source, Graph) else read_rdf(source)
    return _Reader(rdf, where, base_iri).graph()


class _Reader:
    def __init__(self, rdf: Graph, where: str, base_iri: str | None):
        self.where = where
        self.props: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in rdf:
            self.props[s][p].append(o)
        self.base_iri = base_iri or self._base_from_dataset()

    def fail(self, reason: str) -> CorpusFormatError:
        return CorpusFormatError(self.where, None, reason)

    def _base_from_dataset(self) -> str:
        bases = sorted(
            {str(space) for s, props in self.props.items() if VOID.Dataset in props.get(RDF.type, ())
             for space in props.get(VOID.uriSpace, ())}
        )
        if len(bases) != 1:
            raise self.fail(
                "cannot tell the base IRI: expected one void:Dataset with a void:uriSpace, "
                f"found {len(bases)}; pass base_iri="
            )
        return bases[0]

    def node_id(self, iri: Any) -> str:
        try:
            return node_id_from_iri(str(iri), self.base_iri)
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def one(self, subject: Any, prop: URIRef, *, required: bool = False) -> Any:
        values = self.props.get(subject, {}).get(prop, [])
        if len(values) > 1:
            raise self.fail(f"{subject} has {len(values)} values for {prop}; expected at most one")
        if not values:
            if required:
                raise self.fail(f"{subject} has no {prop}")
            return None
        return values[0]

    def text(self, subject: Any, prop: URIRef) -> str | None:
        value = self.one(subject, prop)
        return None if value is None else str(value)

    def integer(self, subject: Any, prop: URIRef) -> int | None:
        value = self.one(subject, prop)
        if value is None:
            return None
        try:
            return int(str(value))
        except ValueError:
            raise self.fail(f"{subject} has {prop} {str(value)!r}; expected an integer") from None

    def graph(self) -> nx.MultiDiGraph:
        G = nx.MultiDiGraph()
        dataset = URIRef(self.base_iri)
        name = self.text(dataset, DCTERMS.title)
        if name is not None:
            G.graph["name"] = name
        nodes = []
        for subject, props in self.props.items():
            types = {_CLASS_TYPES[c] for c in props.get(RDF.type, ()) if c in _CLASS_TYPES}
            if len(types) > 1:
                raise self.fail(f"{subject} has several node types: {', '.join(sorted(types))}")
            if types:
                nodes.append((self.node_id(subject), types.pop(), subject))
        for node_id, node_type, subject in sorted(nodes):
            if not node_id.startswith(f"{node_type}:"):
                raise self.fail(f"{subject} is a {node_type} with an IRI outside {self.base_iri}{node_type}/")
            reader = self.paper if node_type == schema.PAPER else self.entity
            attrs = reader(subject, node_type)
            community = self.integer(subject, KG.community)
            if community is not None:  # set by `kgraph build`, not by build_graph itself
                attrs[schema.COMMUNITY] = community
            G.add_node(node_id, **attrs)
        for head, relation, tail, attrs in sorted(self.edges(), key=lambda e: e[:3]):
            G.add_edge(head, tail, key=relation, **attrs)
        return G

    def paper(self, subject: Any, node_type: str) -> dict[str, Any]:
        year = self.text(subject, DCTERMS.date)
        url = self.text(subject, KG.url)
        if url is None:
            url = self.text(subject, FOAF.page)
        attrs = {
            schema.TYPE: node_type,
            schema.LABEL: self.text(subject, DCTERMS.title),
            schema.ABSTRACT: self.text(subject, DCTERMS.abstract),
            schema.YEAR: self._year(subject, year),
            schema.AUTHORS: self.authors(subject),
            schema.URL: url,
            schema.SOURCE: self.text(subject, KG.source),
        }
        # ids in other sources: set only where known, as build_graph sets them (schema:sameAs follows from them)
        for name, term in ((schema.DOI, BIBO.doi), (schema.ARXIV_ID, KG.arxiv_id),
                           (schema.OPENALEX_ID, KG.openalex_id), (schema.S2_ID, KG.s2_id)):
            value = self.text(subject, term)
            if value is not None:
                attrs[name] = value
        return attrs

    def _year(self, subject: Any, year: str | None) -> int | None:
        if year is None:
            return None
        try:
            return int(year)
        except ValueError:
            raise self.fail(f"{subject} has date {year!r}; expected a year") from None

    def authors(self, subject: Any) -> list[str]:
        seq = self.one(subject, BIBO.authorList)
        if seq is None:
            return sorted(str(c) for c in self.props.get(subject, {}).get(DCTERMS.creator, ()))
        members = []
        for prop, values in self.props.get(seq, {}).items():
            if str(prop).startswith(_MEMBER_PREFIX) and str(prop)[len(_MEMBER_PREFIX):].isdigit():
                members.extend((int(str(prop)[len(_MEMBER_PREFIX):]), str(v)) for v in values)
        return [name for _, name in sorted(members)]

    def entity(self, subject: Any, node_type: str) -> dict[str, Any]:
        labels = []
        for prop in (SKOSXL.prefLabel, SKOSXL.altLabel):
            for xl in self.props.get(subject, {}).get(prop, ()):
                rank = self.integer(xl, KG.rank)
                form = self.one(xl, SKOSXL.literalForm, required=True)
                labels.append((rank if rank is not None else 0, str(form), self.integer(xl, KG.alias_count)))
        labels.sort(key=lambda label: label[:2])
        if not labels:  # plain SKOS: the labels, with no order or counts
            labels = [(0, str(v), None) for v in sorted(self.props.get(subject, {}).get(SKOS.altLabel, ()))]
        linked = self.props.get(subject, {})
        return {
            schema.TYPE: node_type,
            schema.LABEL: self.text(subject, SKOS.prefLabel),
            schema.ALIASES: [form for _, form, _ in labels],
            schema.ALIAS_COUNTS: [count for _, _, count in labels],
            schema.PAPERS: sorted(self.node_id(p) for p in linked.get(KG.mentioned_in, ())),
            schema.PROPOSED_IN: sorted(self.node_id(p) for p in linked.get(KG.proposed_in, ())),
            schema.MENTION_COUNT: self.integer(subject, KG.mention_count),
            schema.KNOWN_ID: self.text(subject, KG.known_id),
        }

    def edges(self):
        stated = set()
        for subject, props in self.props.items():
            if RDF.Statement not in props.get(RDF.type, ()):
                continue
            head = self.one(subject, RDF.subject, required=True)
            predicate = self.one(subject, RDF.predicate, required=True)
            tail = self.one(subject, RDF.object, required=True)
            relation = _PROPERTY_RELATIONS.get(predicate)
            if relation is None:
                continue  # a statement about something else: not a kgraph edge
            if tail not in self.props.get(head, {}).get(predicate, ()):
                raise self.fail(f"statement {subject} describes {head} {predicate} {tail}, which is not in the graph")
            stated.add((head, predicate, tail))
            evidence = [self.evidence(e) for e in props.get(KG.evidence, ())]
            evidence.sort(key=_evidence_order)
            yield self.node_id(head), relation, self.node_id(tail), {
                schema.RELATION: relation,
                schema.SUPPORT: self.integer(subject, KG.support),
                schema.EVIDENCE: evidence,
                schema.EXTRACTORS: sorted(str(x) for x in props.get(KG.extractor, ())),
            }
        for subject, props in self.props.items():
            for predicate, objects in props.items():
                relation = _PROPERTY_RELATIONS.get(predicate)
                if relation is None:
                    continue
                for tail in objects:
                    if (subject, predicate, tail) not in stated:
                        yield self.node_id(subject), relation, self.node_id(tail), {
                            schema.RELATION: relation, schema.SUPPORT: None,
                            schema.EVIDENCE: [], schema.EXTRACTORS: [],
                        }

    def evidence(self, iri: Any) -> dict[str, Any]:
        paper = self.one(iri, PROV.wasDerivedFrom)
        return {
            "paper": self.node_id(paper)[len(schema.PAPER) + 1:] if paper is not None else None,
            "field": self.text(iri, KG.field),
            "start": self.integer(iri, KG.start),
            "end": self.integer(iri, KG.end),
            "sentence": self.text(iri, KG.sentence),
            "extractor": self.text(iri, KG.extractor),
        }


def _evidence_order(item: dict[str, Any]) -> tuple:
    """kgraph's order of evidence: paper, field, start, end, extractor (missing values first)."""
    return tuple((value is not None, value if value is not None else "")
                 for value in (item["paper"], item["field"], item["start"], item["end"], item["extractor"]))
