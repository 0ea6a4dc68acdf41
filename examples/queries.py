"""Three questions asked of a built graph with the kgraph.query API.

    kgraph build data/ -o output/
    python examples/queries.py                  # or: python examples/queries.py path/to/graph.json

1. Which methods are used for camera pose estimation, and in which papers?
2. How is Fast3R connected to DUSt3R, and what does the paper say?
3. What are the main groups of methods and tasks, and which methods are the most central?
"""

from __future__ import annotations

import sys
from pathlib import Path

from kgraph import query
from kgraph.errors import KGraphError
from kgraph.export.json import read_graph_json


def main(graph_path: Path) -> None:
    graph = read_graph_json(graph_path)

    print("1. Methods used for camera pose estimation")
    for answer in query.methods_for_task(graph, "camera pose estimation"):
        papers = "; ".join(paper.label for paper in answer.papers)
        print(f"   {answer.method.label} (support {answer.support}): {papers}")

    print("2. How is Fast3R connected to DUSt3R?")
    path = query.shortest_path(graph, "Fast3R", "DUSt3R")
    for step in path.steps:
        print(f"   {step.sentence}")
        for evidence in step.evidence[:1]:
            print(f'     "{evidence.sentence}"')

    print("3. The largest communities, and the most central methods")
    for community in query.communities(graph)[:3]:
        print(f"   #{community.id} {community.name} ({community.size} entities, {len(community.papers)} papers)")
    for ranked in query.top(graph, by="pagerank", type="method", limit=5):
        print(f"   {ranked.rank}. {ranked.node.label} ({ranked.score:.4f})")


if __name__ == "__main__":
    try:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("output") / "graph.json")
    except KGraphError as exc:
        sys.exit(f"Error: {exc} (build the graph first: kgraph build data/ -o output/)")
