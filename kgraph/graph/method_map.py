"""The method map: the graph of methods, tasks and datasets, with the papers folded in.

A paper graph draws one star per paper; what a reader wants from a corpus is how
its methods, tasks and datasets relate. :func:`build_method_map` keeps the
entities only. Its edges are the typed relations between entities (``extends``,
``used_for``, ...), each with its support and evidence as in the graph, plus a
``studied_with`` edge between two entities that at least ``together`` papers
both name (weighted by that number, and only the strongest few per entity, so
the map stays readable). Each entity carries its support (papers naming it),
its papers per year, and a Leiden community of the map itself
(:func:`kgraph.graph.analytics.communities_of_edges`), named by
:func:`map_communities`.

Pure and deterministic: the graph is read, never changed; the same graph gives
the same map, whatever order its nodes and edges were added in.

>>> from kgraph.query import example_graph
>>> M = build_method_map(example_graph())
>>> for u, v, key, n in sorted(M.edges(keys=True, data="support")):
...     print(u, key, v, n)
method:dust3r studied_with task:3d-reconstruction 2
method:fast-3d-reconstruction extends method:dust3r 1
method:fast-3d-reconstruction used_for task:3d-reconstruction 1
method:fast-3d-reconstruction used_for task:camera-pose-estimation 1
method:must3r evaluated_on dataset:scannet 1
method:must3r extends method:dust3r 1
>>> M.nodes["method:dust3r"]["support"], M.nodes["method:dust3r"]["years"]
(2, {2025: 2})
>>> [c.name for c in map_communities(M)]
['MUSt3R / ScanNet', 'DUSt3R / 3D reconstruction', 'Fast 3D Reconstruction / camera pose estimation', 'reconstruction']
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx

from ..errors import ConfigError
from ..model import PAPER_RELATIONS
from . import schema as s
from .analytics import communities_of_edges, papers_per_year

MAP_TYPES = ("method", "task", "dataset")
STUDIED_WITH = "studied_with"  # the map's own edge: papers that name both entities
SUPPORT = "support"  # node attribute of the map: the number of papers naming the entity
YEARS = "years"  # node and edge attribute of the map: {year: papers}
TOGETHER = 2  # default: a studied_with edge needs this many papers naming both
TOGETHER_PER_NODE = 3  # default: each entity keeps its strongest this-many studied_with edges
RELATIONS_PER_NODE = 6  # default: each entity keeps its this-many best-supported typed relations

_PAPER_RELATIONS = frozenset(r.value for r in PAPER_RELATIONS) | {"cites"}
_COPIED = (s.TYPE, s.LABEL, s.ALIASES, s.ALIAS_COUNTS, s.PROPOSED_IN, s.MENTION_COUNT, s.KNOWN_ID)


@dataclass(frozen=True, slots=True)
class MapCommunity:
    """A community of the map: its number, a name made of its best-supported members, the members."""

    id: int
    name: str
    members: tuple[str, ...]  # node ids, most supported first
    support: int  # papers naming any member


def build_method_map(
    G: nx.MultiDiGraph,
    *,
    types: Iterable[str] | None = None,
    min_support: int = 1,
    max_nodes: int | None = None,
    together: int = TOGETHER,
    together_per_node: int = TOGETHER_PER_NODE,
    relations_per_node: int | None = RELATIONS_PER_NODE,
) -> nx.MultiDiGraph:
    """The method map of ``G`` as a new graph (``G`` is not changed).

    * nodes: the entities of ``types`` (default: methods, tasks, datasets) that
      at least ``min_support`` papers name; at most ``max_nodes`` of them, the
      most supported first (ties: more relations, then id). Attributes: those
      of the graph, plus ``support`` and ``years`` (papers per year), and
      ``community`` (Leiden over the map, numbered largest first);
    * edges: the typed relations between kept entities with at least
      ``min_support`` papers, at most ``relations_per_node`` per entity (an
      edge stays when it is among the best-supported of either end; None:
      all), their attributes copied and ``years`` added (the years of the
      evidence papers); and ``studied_with`` edges (one per
      pair, lower id first) where ``together`` or more papers name both and
      no typed relation joins the pair already, at most ``together_per_node``
      per entity (the most papers first, then the strongest association),
      with ``support`` (the number of papers), ``papers`` and ``years``.
      ``together=0`` adds none.

    >>> G = nx.MultiDiGraph()
    >>> for i in range(3):
    ...     G.add_node(f"paper:{i}", type="paper", year=2020 + i)
    >>> G.add_node("method:a", type="method", label="A", papers=["paper:0", "paper:1", "paper:2"])
    >>> G.add_node("task:t", type="task", label="T", papers=["paper:1", "paper:2"])
    >>> M = build_method_map(G)
    >>> list(M.edges(keys=True, data="support"))
    [('method:a', 'task:t', 'studied_with', 2)]
    >>> M.edges["method:a", "task:t", "studied_with"]["years"]
    {2021: 1, 2022: 1}
    """
    if min_support < 1:
        raise ConfigError(f"min_support must be at least 1, got {min_support}")
    for name, value in (("together", together), ("together_per_node", together_per_node),
                        ("relations_per_node", relations_per_node or 0)):
        if value < 0:
            raise ConfigError(f"{name} must not be negative, got {value}")
    wanted = set(MAP_TYPES if types is None else types) & set(MAP_TYPES)
    papers_of: dict[str, list[str]] = {}
    for node, attrs in G.nodes(data=True):
        if attrs.get(s.TYPE) in wanted:
            papers = sorted({str(p) for p in attrs.get(s.PAPERS) or ()})
            if max(1, len(papers)) >= min_support:
                papers_of[node] = papers

    def typed(u: Any, v: Any, key: Any, attrs: dict) -> bool:
        return (u != v and key not in _PAPER_RELATIONS
                and _support(attrs) >= min_support)

    relations = [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
                 if u in papers_of and v in papers_of and typed(u, v, k, d)]
    if max_nodes is not None and len(papers_of) > max_nodes:
        degree = Counter(end for u, v, _, _ in relations for end in (u, v))
        keep = sorted(papers_of, key=lambda n: (-len(papers_of[n]), -degree[n], str(n)))[:max_nodes]
        papers_of = {node: papers_of[node] for node in keep}
        relations = [e for e in relations if e[0] in papers_of and e[1] in papers_of]

    if relations_per_node is not None:
        relations = _strongest(relations, relations_per_node)

    M = nx.MultiDiGraph()
    for node in sorted(papers_of, key=str):
        attrs = G.nodes[node]
        record = {name: attrs[name] for name in _COPIED if attrs.get(name) is not None}
        record.update({s.PAPERS: papers_of[node], SUPPORT: max(1, len(papers_of[node])),
                       YEARS: papers_per_year(G, papers_of[node])})
        M.add_node(node, **record)
    for u, v, key, attrs in sorted(relations, key=lambda e: (str(e[0]), str(e[1]), str(e[2]))):
        evidence = [e for e in attrs.get(s.EVIDENCE) or () if isinstance(e, dict)]
        cited = {s.as_paper_node(e.get("paper")) for e in evidence if e.get("paper")}
        M.add_edge(u, v, key=key, **{**attrs, s.RELATION: str(attrs.get(s.RELATION, key)),
                                     YEARS: papers_per_year(G, cited)})
    if together:
        for u, v, papers in _studied_together(M, papers_of, together, together_per_node):
            M.add_edge(u, v, key=STUDIED_WITH, **{s.RELATION: STUDIED_WITH, s.SUPPORT: len(papers),
                                                  s.PAPERS: papers, YEARS: papers_per_year(G, papers)})
    membership = communities_of_edges(M.nodes, M.edges(keys=True, data=True))
    for node, number in membership.items():
        M.nodes[node][s.COMMUNITY] = number
    return M


def map_communities(M: nx.MultiDiGraph, *, min_size: int = 1, name_size: int = 3) -> tuple[MapCommunity, ...]:
    """The communities of a map (:func:`build_method_map`), largest first.

    Each is named by the labels of its ``name_size`` best-supported members
    (ties: more edges in the map, then label); communities of fewer than
    ``min_size`` members are left out.
    """
    groups: dict[int, list[str]] = {}
    for node, number in M.nodes(data=s.COMMUNITY):
        if number is not None:
            groups.setdefault(int(number), []).append(node)
    found = []
    for number in sorted(groups):
        members = groups[number]
        if len(members) < min_size:
            continue
        members.sort(key=lambda n: (-int(M.nodes[n].get(SUPPORT) or 1), -M.degree(n),
                                    str(M.nodes[n].get(s.LABEL) or n).casefold(), str(n)))
        papers = {p for n in members for p in M.nodes[n].get(s.PAPERS) or ()}
        name = " / ".join(str(M.nodes[n].get(s.LABEL) or n) for n in members[:name_size])
        found.append(MapCommunity(number, name, tuple(members), len(papers)))
    return tuple(found)


def _studied_together(
    M: nx.MultiDiGraph, papers_of: dict[str, list[str]], together: int, per_node: int
) -> list[tuple[str, str, list[str]]]:
    """(u, v, papers naming both) for the pairs kept as studied_with edges, u < v, sorted."""
    entities_of: dict[str, list[str]] = {}
    for node in sorted(papers_of, key=str):
        for paper in papers_of[node]:
            entities_of.setdefault(paper, []).append(node)
    counts: Counter[tuple[str, str]] = Counter()
    for named in entities_of.values():
        counts.update(combinations(named, 2))  # sorted lists: u < v
    related = {(u, v) for u, v in M.edges() if u != v} | {(v, u) for u, v in M.edges() if u != v}
    candidates = [(pair, n) for pair, n in counts.items() if n >= together and pair not in related]

    def strength(item: tuple[tuple[str, str], int]) -> tuple:
        # the most papers first; then the pair whose papers are most often the same ones
        (u, v), n = item
        return (-n, -n / math.sqrt(len(papers_of[u]) * len(papers_of[v])), u, v)

    taken: Counter[str] = Counter()
    best: set[tuple[str, str]] = set()
    for (u, v), _ in sorted(candidates, key=strength):  # kept when among the strongest of either end
        if taken[u] < per_node or taken[v] < per_node:
            best.add((u, v))
        taken[u] += 1
        taken[v] += 1
    shared: dict[tuple[str, str], list[str]] = {pair: [] for pair in best}
    for paper in sorted(entities_of):
        for pair in combinations(entities_of[paper], 2):
            if pair in shared:
                shared[pair].append(paper)
    return [(u, v, papers) for (u, v), papers in sorted(shared.items())]


def _strongest(relations: list[tuple], per_node: int) -> list[tuple]:
    """The relations among the ``per_node`` best-supported of either end (ties: relation, then the ends' ids)."""
    ranked = sorted(relations, key=lambda e: (-_support(e[3]), str(e[2]), str(e[0]), str(e[1])))
    taken: Counter[Any] = Counter()
    kept = []
    for edge in ranked:
        u, v = edge[0], edge[1]
        if taken[u] < per_node or taken[v] < per_node:
            kept.append(edge)
        taken[u] += 1
        taken[v] += 1
    return kept


def _support(attrs: dict[str, Any]) -> int:
    try:
        return max(1, int(attrs.get(s.SUPPORT) or 1))
    except (TypeError, ValueError):
        return 1
