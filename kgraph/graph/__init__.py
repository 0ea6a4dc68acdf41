"""The NetworkX graph: schema and builder."""

from .build import build_graph

__all__ = ["build_graph"]
