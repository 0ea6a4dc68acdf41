"""kgraph.export.html: what is drawn (caps, filters, ego networks), the layout, `kgraph html`."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.cli import cli
from kgraph.errors import ConfigError, EntityNotFound
from kgraph.export.html import layout_positions, select_nodes, select_view
from kgraph.graph.lookup import find_entity

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def chain() -> nx.MultiDiGraph:
    """paper:1 -proposes-> method:a -used_for(2)-> task:x -mentions-> dataset:d; method:b isolated, 3 papers."""
    G = nx.MultiDiGraph()
    G.add_node("paper:1", type="paper", label="One")
    G.add_node("method:a", type="method", label="Alpha", aliases=["Alpha", "ALP"], papers=["paper:1", "paper:2"])
    G.add_node("task:x", type="task", label="Xtask", papers=["paper:1"])
    G.add_node("dataset:d", type="dataset", label="Delta", papers=["paper:1"])
    G.add_node("method:b", type="method", label="Beta", papers=["paper:1", "paper:2", "paper:3"])
    G.add_edge("paper:1", "method:a", key="proposes", relation="proposes", support=1)
    G.add_edge("method:a", "task:x", key="used_for", relation="used_for", support=2)
    G.add_edge("task:x", "dataset:d", key="mentions", relation="mentions", support=1)
    return G


def star(n: int) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("task:hub", type="task", label="hub")
    for i in range(n):
        G.add_node(f"method:m{i:03d}", type="method", label=f"m{i}")
        G.add_edge(f"method:m{i:03d}", "task:hub", key="used_for", relation="used_for", support=1)
    return G


# ------------------------------------------------------------------ select_view


def test_html_view_max_nodes_keeps_the_highest_degree_nodes():
    G = star(30)
    G.add_edge("method:m029", "method:m028", key="extends", relation="extends")
    G.add_edge("method:m027", "method:m028", key="extends", relation="extends")
    view = select_view(G, max_nodes=4)
    # hub (30), m028 (3), m027 and m029 (2); the other leaves (1) are dropped
    assert sorted(view) == ["method:m027", "method:m028", "method:m029", "task:hub"]
    assert view.number_of_edges() == 5


def test_html_view_max_nodes_breaks_ties_by_id():
    G = star(10)
    assert select_nodes(G, 3) == ["method:m000", "method:m001", "task:hub"]
    assert select_nodes(G, 100) == sorted(G.nodes)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"max_nodes": 0}, "max_nodes"), ({"min_support": 0}, "min_support"), ({"depth": -1, "focus": "Alpha"}, "depth"),
     ({"types": ["method", "model"]}, "'model'; choose from paper, method, task, dataset"), ({"types": []}, "none given")],
)
def test_html_view_rejects_bad_options_naming_them(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        select_view(chain(), **kwargs)


def test_html_view_types():
    view = select_view(chain(), types=["method", "task"])
    assert sorted(view) == ["method:a", "method:b", "task:x"]
    assert list(view.edges(keys=True)) == [("method:a", "task:x", "used_for")]


def test_html_view_min_support_drops_edges_and_entities():
    view = select_view(chain(), min_support=2)
    # papers count 1, task:x and dataset:d one paper each; only used_for has support 2
    assert sorted(view) == ["method:a", "method:b"]
    assert view.number_of_edges() == 0
    assert sorted(select_view(chain(), min_support=3)) == ["method:b"]


@pytest.mark.parametrize(
    ("depth", "expected"),
    [(0, ["method:a"]), (1, ["method:a", "paper:1", "task:x"]), (2, ["dataset:d", "method:a", "paper:1", "task:x"])],
)
def test_html_view_focus_takes_the_ego_network_both_ways(depth, expected):
    assert sorted(select_view(chain(), focus="method:a", depth=depth)) == expected


def test_html_view_focus_walks_only_supported_edges_and_keeps_the_focus():
    G = chain()
    assert sorted(select_view(G, focus="Alpha", depth=5, min_support=2)) == ["method:a"]  # task:x: 1 paper
    assert sorted(select_view(G, focus="Xtask", depth=2, types=["method"])) == ["method:a", "task:x"]


def test_html_view_focus_caps_by_distance_first():
    G = chain()
    assert sorted(select_view(G, focus="dataset:d", depth=3, max_nodes=2)) == ["dataset:d", "task:x"]


def test_html_view_is_a_view_not_a_copy():
    G = chain()
    view = select_view(G, types=["method"])
    G.nodes["method:a"]["label"] = "changed"
    assert view.nodes["method:a"]["label"] == "changed"
    with pytest.raises(nx.NetworkXError):
        view.add_node("method:new")


# ------------------------------------------------------------------ focus: names resolved as `kgraph query` does


@pytest.mark.parametrize("name", ["method:a", "Alpha", "alpha", "ALP", "  alp "])
def test_html_focus_by_id_label_or_alias(name):
    assert find_entity(chain(), name).id == "method:a"
    assert sorted(select_view(chain(), focus=name, depth=0)) == ["method:a"]


def test_html_focus_ignores_accents_and_prefers_entities():
    G = load_fixture()
    assert find_entity(G, "schrodinger equation").id == "task:schrodinger-equation"
    G.add_node("paper:zz", type="paper", label="Alpha")
    G.add_node("method:alpha", type="method", label="Alpha")
    assert find_entity(G, "alpha").id == "method:alpha"


def test_html_focus_names_close_matches():
    with pytest.raises(EntityNotFound, match=r"no entity named 'Alpah'; closest: ") as raised:
        select_view(chain(), focus="Alpah")
    assert raised.value.suggestions[0].node.id == "method:a"


# ------------------------------------------------------------------ layout


def test_html_layout_places_every_node_apart_and_packs_components():
    G = star(40)
    G.add_edge("method:x1", "method:x2", key="extends", relation="extends")
    G.add_node("dataset:alone", type="dataset")
    pos = layout_positions(G)
    assert set(pos) == set(G)
    points = list(pos.values())
    assert len(set(points)) == len(points)
    closest = min(math.dist(p, q) for i, p in enumerate(points) for q in points[i + 1:])
    assert closest > 5  # pixels: no two nodes on top of each other
    hub = pos["task:hub"]
    leaves = [math.dist(hub, pos[f"method:m{i:03d}"]) for i in range(40)]
    assert max(leaves) < min(math.dist(hub, pos[n]) for n in ("method:x1", "method:x2", "dataset:alone"))


def test_html_layout_keeps_neighbours_closer_than_strangers():
    G = nx.connected_caveman_graph(6, 8)  # six cliques joined in a ring
    pos = layout_positions(G)
    same = [math.dist(pos[u], pos[v]) for u, v in G.edges()]
    far = [math.dist(pos[u], pos[v]) for u in G for v in G if u // 8 != v // 8]
    assert sum(same) / len(same) < 0.5 * sum(far) / len(far)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=60))
def test_html_layout_is_finite_and_deterministic(edges):
    G = nx.Graph()
    G.add_nodes_from(range(5))
    G.add_edges_from(edges)
    pos = layout_positions(G)
    assert set(pos) == set(G)
    assert all(math.isfinite(v) for xy in pos.values() for v in xy)
    assert layout_positions(G) == pos


def test_html_layout_grid_repulsion_matches_the_exact_sum():
    import numpy as np

    from kgraph.export import html

    rng = np.random.default_rng(3)
    pos = rng.normal(0, 10, (1500, 2))
    mass = rng.integers(1, 4, 1500).astype(float)
    delta = pos[:, None, :] - pos[None, :, :]
    d2 = (delta * delta).sum(axis=2)
    np.fill_diagonal(d2, np.inf)
    exact = (delta * (mass[None, :] / d2)[:, :, None]).sum(axis=1)
    approx = html._repulsion(pos, mass)  # 1500 nodes: on the grid
    error = np.linalg.norm(exact - approx, axis=1) / np.linalg.norm(exact, axis=1)
    assert np.median(error) < 0.01 and np.quantile(error, 0.95) < 0.05


# ------------------------------------------------------------------ kgraph html


@pytest.fixture()
def graph_dir(tmp_path):
    out = tmp_path / "built"
    out.mkdir()
    (out / "graph.json").write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    return out


def nodes_in(page_path: Path) -> list[str]:
    page = page_path.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="kg-view-papers">(.*?)</script>', page, re.S).group(1)
    return [n["id"] for n in json.loads(block)["nodes"]]


def test_cli_html_help():
    result = CliRunner().invoke(cli, ["html", "--help"])
    assert result.exit_code == 0
    for option in ("--focus", "--depth", "--max-nodes", "--min-support", "--types", "-o"):
        assert option in result.output


def test_cli_html_writes_the_page_next_to_the_graph(graph_dir):
    result = CliRunner().invoke(cli, ["html", str(graph_dir)])
    assert result.exit_code == 0, result.output
    assert "6 of 6 nodes, 11 of 11 edges" in result.output
    assert len(nodes_in(graph_dir / "graph.html")) == 6


def test_cli_html_focus_and_types(graph_dir, tmp_path):
    target = tmp_path / "ego.html"
    result = CliRunner().invoke(cli, ["html", str(graph_dir / "graph.json"), "--focus", "phi decoding", "--depth", "1",
                                      "--types", "method,paper", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(nodes_in(target)) == ["method:graph-neural-network", "method:phi-decoding", "paper:arXiv:2401.1 x/y"]
    assert "<title>kgraph: phi decoding</title>" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--focus", "no such thing"], "Error: no entity named 'no such thing'"),
     (["--types", "method,model"], "unknown node type 'model'"),
     (["--max-nodes", "0"], "Invalid value for '--max-nodes'")],
)
def test_cli_html_errors_are_one_line(graph_dir, tmp_path, args, message):
    result = CliRunner().invoke(cli, ["html", str(graph_dir), "-o", str(tmp_path / "x.html"), *args])
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.html").exists()


def test_cli_html_missing_graph(tmp_path):
    result = CliRunner().invoke(cli, ["html", str(tmp_path), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "kgraph build" in result.output


def test_cli_html_never_replaces_graph_html_without_o(graph_dir):
    page = graph_dir / "graph.html"
    page.write_text("the build's page", encoding="utf-8")
    result = CliRunner().invoke(cli, ["html", str(graph_dir)])
    assert result.exit_code == 1
    assert "graph.html exists; give -o" in result.output and "Traceback" not in result.output
    assert page.read_text(encoding="utf-8") == "the build's page"
    result = CliRunner().invoke(cli, ["html", str(graph_dir), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert len(nodes_in(page)) == 6


def test_cli_html_focus_without_o_writes_its_own_page(graph_dir):
    page = graph_dir / "graph.html"
    page.write_text("the build's page", encoding="utf-8")
    result = CliRunner().invoke(cli, ["html", str(graph_dir), "--focus", "phi decoding", "--depth", "1"])
    assert result.exit_code == 0, result.output
    assert page.read_text(encoding="utf-8") == "the build's page"
    focused = graph_dir / "focus-phi-decoding.html"
    assert str(focused) in result.output
    assert "method:phi-decoding" in nodes_in(focused)


@pytest.mark.parametrize(("args", "start"), [([], "papers"), (["--view", "map"], "map"), (["--view", "papers"], "papers")])
def test_cli_html_view(graph_dir, tmp_path, args, start):
    target = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["html", str(graph_dir), "-o", str(target), *args])
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1))
    assert data["start"] == start  # two papers: the paper graph unless asked
    block = re.search(r'<script type="application/json" id="kg-view-map">(.*?)</script>', page, re.S).group(1)
    assert {n["type"] for n in json.loads(block)["nodes"]} <= {"method", "task", "dataset"}


def test_cli_html_map_needs_entities(graph_dir, tmp_path):
    result = CliRunner().invoke(cli, ["html", str(graph_dir), "-o", str(tmp_path / "x.html"), "--view", "map",
                                      "--types", "paper"])
    assert result.exit_code == 1
    assert "no method map" in result.output
    assert not (tmp_path / "x.html").exists()
