"""kgraph.query, `kgraph query` and examples/queries.py on the bundled corpus, built once per session.

The README's `kgraph query` examples are run by tests/test_docs.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import kgraph.query as q
from kgraph.cli import cli
from kgraph.export.json import read_graph_json
from kgraph.graph.analytics import compute_communities

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FAST3R = "method:fast-3d-reconstruction"


@pytest.fixture(scope="module")
def graph_dir(corpus_build) -> Path:
    return corpus_build.files[0].parent


@pytest.fixture(scope="module")
def G(graph_dir) -> nx.MultiDiGraph:
    return read_graph_json(graph_dir / "graph.json")


def test_query_corpus_fast3r_is_found_by_alias_and_label(G):
    assert q.find_entity(G, "Fast3R").id == FAST3R
    assert q.find_entity(G, "fast 3d reconstruction").id == FAST3R
    assert G.nodes[FAST3R]["label"] == "Fast 3D Reconstruction"
    assert "Fast3R" in G.nodes[FAST3R]["aliases"]


def test_query_corpus_methods_for_camera_pose_estimation_lists_fast3r(G):
    answers = q.methods_for_task(G, "camera pose estimation")
    fast3r = next(a for a in answers if a.method.id == FAST3R)
    assert fast3r.support >= 1
    assert any(p.label.startswith("Fast3R: Towards 3D Reconstruction") for p in fast3r.papers)
    assert any(st.relation == "used_for" for st in fast3r.statements)
    supports = [a.support for a in answers]
    assert supports == sorted(supports, reverse=True)


def test_query_corpus_path_fast3r_dust3r_is_the_extends_edge(G):
    path = q.shortest_path(G, "Fast3R", "DUSt3R")
    assert path.length == 1
    step = path.steps[0]
    assert (step.head.id, step.relation, step.tail.label) == (FAST3R, "extends", "DUSt3R")
    assert step.sentence == "Fast 3D Reconstruction extends DUSt3R"
    assert "generalization to DUSt3R" in step.evidence[0].sentence


def test_query_corpus_papers_related_neighbors_show(G):
    papers = q.papers_for(G, method="DUSt3R")
    assert any(h.paper.label.startswith("Fast3R:") for h in papers)
    related = q.related(G, "Fast3R")
    dust3r = next(r for r in related if r.entity.label == "DUSt3R")
    assert any(reason.kind == "relation" and reason.statement.relation == "extends" for reason in dust3r.reasons)
    near = {n.node.label for n in q.neighbors(G, "Fast3R", papers=False)}
    assert {"DUSt3R", "camera pose estimation"} <= near
    details = q.show(G, "Fast3R")
    assert ("Fast3R", 5) in details.aliases
    assert details.community == G.nodes[FAST3R]["community"]


def test_query_corpus_top_and_unknown_name(G):
    top = q.top(G, by="support", type="method", limit=5)
    most = max(len(d["papers"]) for _, d in G.nodes(data=True) if d["type"] == "method")
    assert top[0].score == most
    with pytest.raises(q.EntityNotFound, match="closest: Fast3R"):
        q.find_entity(G, "Fsat3R")


def test_query_corpus_communities_are_stored_and_reproducible(corpus_build, G):
    stored = nx.get_node_attributes(G, "community")
    assert len(stored) == G.number_of_nodes()
    assert stored == compute_communities(G) == nx.get_node_attributes(corpus_build.graph, "community")
    groups = q.communities(G)
    assert len(groups) >= 2
    assert stored[FAST3R] == stored[q.find_entity(G, "DUSt3R").id]


def test_query_corpus_cli(graph_dir):
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "methods", "--task", "camera pose estimation", "--graph", str(graph_dir)])
    assert result.exit_code == 0, result.output
    assert "Fast 3D Reconstruction (Fast3R)" in result.output
    result = runner.invoke(cli, ["query", "path", "Fast3R", "DUSt3R", "--graph", str(graph_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["steps"][0]["relation"] == "extends"


def test_query_corpus_example_script_runs(graph_dir):
    script = ROOT / "examples" / "queries.py"
    result = subprocess.run([sys.executable, str(script), str(graph_dir / "graph.json")],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "1. Methods used for camera pose estimation" in result.stdout
    assert "Fast 3D Reconstruction extends DUSt3R" in result.stdout
    assert "3. The largest communities" in result.stdout
