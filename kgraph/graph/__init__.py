"""The NetworkX graph: schema, builder, and the method map derived from it.

The names below are loaded when first used, so that the earlier stages may
read the schema (:mod:`kgraph.graph.schema`: node kinds, ids, attribute names)
without importing the builder, which imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["build_graph", "build_method_map", "graph_communities", "map_communities"]

if TYPE_CHECKING:  # pragma: no cover
    from .build import build_graph, graph_communities
    from .method_map import build_method_map, map_communities

_LAZY = {
    "build_graph": "build",
    "graph_communities": "build",
    "build_method_map": "method_map",
    "map_communities": "method_map",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
