"""Whole-graph analytics: an undirected view, centrality scores, communities.

Every function here is pure and deterministic: it reads the graph, never
changes it, and gives the same answer for the same nodes and edges whatever
order they were added in (a graph read back from ``graph.json`` gives the
communities of the graph that was written).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for n, t in [("method:a", "method"), ("method:b", "method"), ("task:t", "task")]:
...     G.add_node(n, type=t, label=n[-1], papers=[])
>>> _ = G.add_edge("method:a", "task:t", key="used_for", support=2)
>>> _ = G.add_edge("method:b", "method:a", key="extends", support=1)
>>> sorted(undirected_view(G).edges(data="weight"))
[('method:a', 'method:b', 1.0), ('method:a', 'task:t', 2.0)]
>>> compute_communities(G)
{'method:a': 0, 'method:b': 0, 'task:t': 0}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

from ..errors import ConfigError
from . import schema as s

CENTRALITY_MEASURES = ("degree", "pagerank", "betweenness", "support")

# How much one edge of each relation weighs in the undirected view; the
# entity-entity relations weigh their support (number of papers) instead.
# A citation joins two papers, which the communities group by what they are about: it weighs little.
PAPER_EDGE_WEIGHT = {"proposes": 1.0, "addresses": 1.0, "uses": 1.0, "mentions": 0.5, "cites": 0.5}


def _weight(key: str, data: Mapping) -> float:
    if key in PAPER_EDGE_WEIGHT:
        return PAPER_EDGE_WEIGHT[key]
    return float(data.get(s.SUPPORT) or 1)


def undirected_view(G: nx.MultiDiGraph, *, relations: frozenset[str] | None = None) -> nx.Graph:
    """A simple undirected graph of ``G``: parallel edges merged, weights summed.

    Nodes and edges are inserted in sorted order, so algorithms that depend on
    iteration order (shortest paths) are deterministic. ``relations``
    keeps only the edges of those relations (all of them by default).
    """
    return _undirected(G.nodes, G.edges(keys=True, data=True), relations=relations)


def _undirected(nodes: Iterable[str], edges: Iterable[tuple[str, str, str, Mapping]], *,
                relations: frozenset[str] | None = None) -> nx.Graph:
    view = nx.Graph()
    view.add_nodes_from(sorted(nodes))
    weights: dict[tuple[str, str], float] = {}
    for u, v, key, data in edges:
        if u == v or (relations is not None and key not in relations):
            continue
        pair = (u, v) if u < v else (v, u)
        weights[pair] = weights.get(pair, 0.0) + _weight(key, data)
    for (u, v), weight in sorted(weights.items()):
        view.add_edge(u, v, weight=weight)
    return view


def centrality(G: nx.MultiDiGraph, by: str = "degree") -> dict[str, float]:
    """A centrality score for every node of ``G``.

    - ``degree``: number of distinct neighbours (papers and entities);
    - ``pagerank``: PageRank over the directed relations, weighted like
      :func:`undirected_view` (papers point at what they propose, use, mention;
      a method points at what it extends, is used for, is evaluated on);
    - ``betweenness``: normalized betweenness over the undirected view, in hops;
    - ``support``: number of papers mentioning the entity (1 for a paper).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("paper:1", "method:a", key="proposes")
    >>> _ = G.add_edge("paper:2", "method:a", key="uses")
    >>> centrality(G, "degree")
    {'method:a': 2.0, 'paper:1': 1.0, 'paper:2': 1.0}
    """
    if by not in CENTRALITY_MEASURES:
        raise ConfigError(f"unknown centrality {by!r}; expected one of {', '.join(CENTRALITY_MEASURES)}")
    nodes = sorted(G.nodes)
    if by == "support":
        return {n: float(1 if G.nodes[n].get(s.TYPE) == s.PAPER else len(G.nodes[n].get(s.PAPERS) or ()))
                for n in nodes}
    view = undirected_view(G)
    if by == "degree":
        return {n: float(view.degree(n)) for n in nodes}
    if by == "betweenness":
        scores = nx.betweenness_centrality(view, normalized=True)
        return {n: float(scores[n]) for n in nodes}
    directed = nx.DiGraph()
    directed.add_nodes_from(nodes)
    weights: dict[tuple[str, str], float] = {}
    for u, v, key, data in G.edges(keys=True, data=True):
        if u != v:
            weights[(u, v)] = weights.get((u, v), 0.0) + _weight(key, data)
    for (u, v), weight in sorted(weights.items()):
        directed.add_edge(u, v, weight=weight)
    if directed.number_of_nodes() == 0:
        return {}
    scores = nx.pagerank(directed, weight="weight")
    return {n: float(scores[n]) for n in nodes}


def compute_communities(G: nx.MultiDiGraph, *, seed: int = 0, resolution: float = 1.0) -> dict[str, int]:
    """Leiden communities of the undirected view: node id -> community number.

    Modularity (at ``resolution``) optimized by the Leiden algorithm
    (:func:`graspologic_native.leiden`, compiled, seeded per call). Every node
    gets a number, papers included; a node with no edge is a community of its
    own. Communities are numbered by size, largest first, ties broken by their
    smallest node id, so the numbers are stable for a given graph, seed and
    resolution.
    """
    return communities_of_edges(G.nodes, G.edges(keys=True, data=True), seed=seed, resolution=resolution)


def communities_of_edges(nodes: Iterable[str], edges: Iterable[tuple[str, str, str, Mapping]], *,
                         seed: int = 0, resolution: float = 1.0) -> dict[str, int]:
    """:func:`compute_communities` of the graph with these nodes and ``(head, tail, relation, attributes)`` edges.

    For a graph not built yet: ``kgraph build`` numbers the communities from
    the resolved relations, so the graph and a copy of it are never in memory
    together.

    >>> communities_of_edges(["method:a", "method:b", "task:t"],
    ...                      [("method:a", "task:t", "used_for", {"support": 2})])
    {'method:a': 0, 'task:t': 0, 'method:b': 1}
    """
    weights: dict[tuple[str, str], float] = {}
    for u, v, key, data in edges:
        if u != v:
            pair = (u, v) if u < v else (v, u)
            weights[pair] = weights.get(pair, 0.0) + _weight(key, data)
    membership = _leiden([(u, v, w) for (u, v), w in sorted(weights.items())], seed=seed, resolution=resolution)
    groups: dict[int, list[str]] = {}
    alone: list[list[str]] = []
    for node in sorted(set(nodes).union(membership)):
        if node in membership:
            groups.setdefault(membership[node], []).append(node)
        else:
            alone.append([node])
    ordered = sorted([*groups.values(), *alone], key=lambda members: (-len(members), members[0]))
    return {node: number for number, members in enumerate(ordered) for node in members}


def _leiden(edges: list[tuple[str, str, float]], *, seed: int, resolution: float) -> dict[str, int]:
    """Node -> Leiden group of the nodes that have an edge (group numbers arbitrary, non-negative)."""
    if not edges:
        return {}
    import graspologic_native

    _, membership = graspologic_native.leiden(edges, resolution=resolution, seed=seed, use_modularity=True)
    return membership


# --------------------------------------------------------------------------- years


def paper_year(G: nx.MultiDiGraph, node: str) -> int | None:
    """A paper's year, where the graph has one as an integer (None for anything else).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:a", type="paper", year=2024)
    >>> G.add_node("paper:b", type="paper", year="2024")
    >>> paper_year(G, "paper:a"), paper_year(G, "paper:b"), paper_year(G, "paper:c")
    (2024, None, None)
    """
    if node not in G:
        return None
    year = G.nodes[node].get(s.YEAR)
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def papers_per_year(G: nx.MultiDiGraph, papers: Iterable[str]) -> dict[int, int]:
    """How many of ``papers`` (distinct paper node ids) carry each year, by year; papers without one are left out.

    The viewer's bar charts and ``kgraph query trends`` both count with this.

    >>> G = nx.MultiDiGraph()
    >>> for i, year in enumerate([2023, 2024, 2024, None]):
    ...     G.add_node(f"paper:{i}", type="paper", year=year)
    >>> papers_per_year(G, ["paper:2", "paper:0", "paper:1", "paper:3", "paper:1"])
    {2023: 1, 2024: 2}
    """
    counts: dict[int, int] = {}
    for paper in set(papers):
        year = paper_year(G, paper)
        if year is not None:
            counts[year] = counts.get(year, 0) + 1
    return dict(sorted(counts.items()))


def corpus_years(G: nx.MultiDiGraph) -> dict[int, int]:
    """Papers of the corpus per year (papers without a year left out), by year."""
    return papers_per_year(G, (n for n, t in G.nodes(data=s.TYPE) if t == s.PAPER))
