"""The order in which the JSON and GraphML exporters write nodes and edges.

Nodes by id, edges by ``(source, target, key)``, values of different types
never compared with each other (their type name sorts first). Edges are
sorted one source at a time, so a writer streaming them never holds a sorted
copy of the whole edge list.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> _ = G.add_edge("b", "a", key="y"); _ = G.add_edge("a", "c", key="x"); _ = G.add_edge("b", "a", key="x")
>>> [edge[:3] for edge in iter_sorted_edges(G)]
[('a', 'c', 'x'), ('b', 'a', 'x'), ('b', 'a', 'y')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx


def order_key(value: Any) -> tuple[str, str]:
    """Sort key that never compares values of different types."""
    return (type(value).__name__, str(value))


def sorted_nodes(G: nx.MultiDiGraph) -> list:
    """The nodes of ``G`` sorted by :func:`order_key` of their id."""
    nodes = list(G.nodes)
    if all(type(node) is str for node in nodes):
        return sorted(nodes)  # the same order, without a key per node
    return sorted(nodes, key=order_key)


def iter_sorted_edges(G: nx.MultiDiGraph, nodes: Iterable | None = None) -> Iterator[tuple[Any, Any, Any, dict]]:
    """``(source, target, key, data)`` of every edge, sorted by source, target and key.

    ``nodes``: :func:`sorted_nodes` of ``G``, if the caller has it already.
    """
    successors = dict(G.adjacency())  # plain dicts: much faster to walk than G.succ's views
    for source in sorted_nodes(G) if nodes is None else nodes:
        for target, key, data in sorted_out_edges(G, source, successors):
            yield source, target, key, data


def sorted_out_edges(G: nx.MultiDiGraph, source: Any,
                     successors: dict | None = None) -> list[tuple[Any, Any, dict]]:
    """``(target, key, data)`` of each edge out of ``source``, sorted by target and key.

    ``successors``: ``dict(G.adjacency())``, if the caller has it already.
    """
    targets = successors[source] if successors is not None else dict(G.succ[source])
    edges = [(target, key, data) for target, keyed in targets.items() for key, data in keyed.items()]
    if all(type(target) is str and type(key) is str for target, key, _ in edges):
        edges.sort(key=_str_edge_order)  # the same order: every order_key has the same type name
    else:
        edges.sort(key=lambda edge: (order_key(edge[0]), order_key(edge[1])))
    return edges


def _str_edge_order(edge: tuple) -> tuple[str, str]:
    return edge[0], edge[1]
