"""The NetworkX graph: schema, builder, and the method map derived from it."""

from .build import build_graph, graph_communities
from .method_map import build_method_map, map_communities

__all__ = ["build_graph", "build_method_map", "graph_communities", "map_communities"]
