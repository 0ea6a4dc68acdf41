"""Build the NetworkX graph from papers and resolved entities."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import networkx as nx

from ..model import Paper, Relation
from ..resolve.entities import Resolution
from . import schema as s
from .analytics import communities_of_edges
from .citations import citation_relations


def build_graph(papers: Sequence[Paper], resolution: Resolution, *, name: str = "kgraph",
                citations: Sequence[Relation] | None = None) -> nx.MultiDiGraph:
    """One node per paper and per entity; one edge per (head, relation, tail).

    Besides the resolved relations, a ``cites`` edge joins each paper to each
    paper of the corpus its references name (``citations``: what
    :func:`~kgraph.graph.citations.citation_relations` makes of ``papers``,
    if the caller has it already). A paper's ids in other sources (DOI,
    arXiv, OpenAlex, Semantic Scholar) are attributes only where known.

    Nodes and edges are added in sorted order, so the same input gives the
    same graph, attribute for attribute and in the same order.
    """
    graph = nx.MultiDiGraph(name=name)
    for paper in sorted(papers, key=lambda p: p.id):
        ids = {s.DOI: paper.doi, s.ARXIV_ID: paper.arxiv_id, s.OPENALEX_ID: paper.openalex_id, s.S2_ID: paper.s2_id}
        graph.add_node(
            s.paper_node_id(paper.id),
            **{
                s.TYPE: s.PAPER,
                s.LABEL: paper.title,
                s.ABSTRACT: paper.abstract,
                s.YEAR: paper.year,
                s.AUTHORS: list(paper.authors),
                s.URL: paper.url,
                s.SOURCE: str(paper.source) if paper.source else None,
                **{key: value for key, value in ids.items() if value},
            },
        )
    for entity in resolution.entities:
        graph.add_node(
            entity.id,
            **{
                s.TYPE: entity.type.value,
                s.LABEL: entity.label,
                s.ALIASES: [alias for alias, _ in entity.aliases],
                s.ALIAS_COUNTS: [count for _, count in entity.aliases],
                s.PAPERS: list(entity.papers),
                s.PROPOSED_IN: list(entity.proposed_in),
                s.MENTION_COUNT: entity.mention_count,
                s.KNOWN_ID: entity.known_id,
            },
        )
    if citations is None:
        citations = citation_relations(papers)
    for rel in chain(resolution.relations, citations):
        graph.add_edge(
            rel.head,
            rel.tail,
            key=rel.relation.value,
            **{
                s.RELATION: rel.relation.value,
                s.SUPPORT: rel.support,
                s.EVIDENCE: [e.as_dict() for e in rel.evidence],
                s.EXTRACTORS: list(rel.extractors),
            },
        )
    return graph


def graph_communities(papers: Sequence[Paper], resolution: Resolution, *,
                      citations: Sequence[Relation] | None = None) -> dict[str, int]:
    """The communities (:func:`~kgraph.graph.analytics.compute_communities`) of the graph
    :func:`build_graph` would make, computed before it exists.

    Same nodes and edges, from the papers, the resolved relations and the
    citations (``citations`` as for :func:`build_graph`), so the community
    detection's copy of the graph and the graph itself need not be in memory
    at the same time.
    """
    if citations is None:
        citations = citation_relations(papers)
    return communities_of_edges(
        [s.paper_node_id(p.id) for p in papers] + [e.id for e in resolution.entities],
        ((r.head, r.tail, r.relation.value, {s.SUPPORT: r.support}) for r in chain(resolution.relations, citations)),
    )
