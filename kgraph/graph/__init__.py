"""The NetworkX graph: schema and builder."""

from .build import build_graph, graph_communities

__all__ = ["build_graph", "graph_communities"]
