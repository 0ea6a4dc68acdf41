"""kgraph.export.html: one offline file, corpus text inert, stable bytes."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import networkx as nx
import pytest

from kgraph.errors import ConfigError
from kgraph.export.html import (
    LARGE_GRAPH,
    NODE_STYLES,
    RELATION_STYLES,
    dumps_html,
    script_json,
    write_html,
)

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
HOSTILE_PAPER = "paper:arXiv:2401.1 x/y"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
# vis-network, four JSON blocks (the page's, two views', the options), the viewer's script
SCRIPT_ELEMENTS = 6


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def papers_view(page: str) -> dict:
    """The paper graph's data in a page."""
    return json_block(page, "kg-view-papers")


def json_block(page: str, block_id: str):
    match = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert match, block_id
    return json.loads(match.group(1))


def star(n: int) -> nx.MultiDiGraph:
    """``task:hub`` linked from n methods."""
    G = nx.MultiDiGraph()
    G.add_node("task:hub", type="task", label="hub")
    for i in range(n):
        G.add_node(f"method:m{i:03d}", type="method", label=f"m{i}")
        G.add_edge(f"method:m{i:03d}", "task:hub", key="used_for", relation="used_for", support=1)
    return G


@pytest.fixture(scope="module")
def page() -> str:
    return dumps_html(load_fixture(), title="Corpus <b>&</b>")


@pytest.fixture(scope="module")
def data(page) -> dict:
    return papers_view(page)


def test_html_has_no_external_resources(page):
    assert not re.search(r"<script[^>]*\ssrc\s*=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"@import|url\(\s*[\"']?\s*(https?:)?//", page, re.I)
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page  # pyvis's Bootstrap/vis links


def test_html_is_one_page_with_vis_network_and_viewer_inline(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "vis.Network" in page and "vis-network" in page
    assert page.count("<style>") == 2
    assert "window.kgraph = " in page and 'id="kg-search"' in page


def test_html_corpus_text_cannot_close_the_script_elements(page):
    assert page.lower().count("</script") == SCRIPT_ELEMENTS
    assert "<img" not in page
    assert HOSTILE_TITLE not in page
    assert "<script>alert(1)" not in page
    assert "]]>" not in page.split("<body>", 1)[1]


def test_html_corpus_text_is_embedded_as_escaped_json(page, data):
    G = load_fixture()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == set(G.nodes)
    assert nodes[HOSTILE_PAPER]["label"] == HOSTILE_TITLE
    assert "</script><script>alert(1)</script>" in nodes[HOSTILE_PAPER]["abstract"]
    assert nodes["method:phi-decoding"]["label"] == "φ-Decoding"
    assert ["<script>alert(1)</script>", 1] in nodes["method:phi-decoding"]["aliases"]
    assert nodes["task:schrodinger-equation"]["label"] == "Schrödinger equation"
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page


def test_html_viewer_puts_text_into_the_page_only_as_text():
    script = (Path(__file__).parents[1] / "kgraph" / "resources" / "viewer.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink


def test_html_title_and_legend_are_escaped(page, data):
    assert "<title>Corpus &lt;b&gt;&amp;&lt;/b&gt;</title>" in page
    assert "<h1>Corpus &lt;b&gt;&amp;&lt;/b&gt;</h1>" in page
    # the legend is drawn by the page's script from the data, as text
    assert [t["name"] for t in data["types"]] == list(NODE_STYLES)
    assert {r["name"] for r in data["relations"]} == {e["relation"] for e in data["edges"]}


def test_html_styles_nodes_by_type_and_edges_by_relation(data):
    G = load_fixture()
    types = {t["name"]: t for t in data["types"]}
    for name, (colour, shape) in NODE_STYLES.items():
        assert (types[name]["color"], types[name]["shape"]) == (colour, shape)
        assert types[name]["count"] == sum(1 for _, t in G.nodes(data="type") if t == name)
    relations = {r["name"]: r for r in data["relations"]}
    assert set(relations) == {k for _, _, k in G.edges(keys=True)}
    for name, entry in relations.items():
        assert (entry["color"], entry["dashes"], entry["arrows"]) == RELATION_STYLES[name]
    sizes = {n["id"]: n["size"] for n in data["nodes"]}
    assert sizes["method:graph-neural-network"] > sizes["paper:p2"]  # degree 5 > 2
    assert len(data["edges"]) == G.number_of_edges()
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"])
    # the two parallel edges phi-decoding -> gnn are bent apart
    parallel = [e for e in data["edges"] if (e["from"], e["to"]) == ("method:phi-decoding", "method:graph-neural-network")]
    assert len(parallel) == 2 and sum("bend" in e for e in parallel) == 1


def test_html_size_by_support():
    G = load_fixture()
    by_support = {n["id"]: n for n in papers_view(dumps_html(G, size_by="support"))["nodes"]}
    by_degree = {n["id"]: n for n in papers_view(dumps_html(G))["nodes"]}
    gnn = "method:graph-neural-network"
    assert by_support[gnn]["size"] < by_degree[gnn]["size"]  # 2 papers, degree 5
    with pytest.raises(ConfigError, match="size_by"):
        dumps_html(G, size_by="colour")


def test_html_edges_carry_their_evidence(data):
    evidence = {(e["from"], e["relation"], e["to"]): e for e in data["edges"]}
    proposes = evidence[(HOSTILE_PAPER, "proposes", "method:phi-decoding")]
    assert proposes["support"] == 1
    assert proposes["evidence"][0]["paper"] == HOSTILE_PAPER  # the evidence's paper id, as a node id
    assert "alert(1)" in proposes["evidence"][0]["sentence"]
    assert proposes["extractors"] == ["pattern"]


def test_html_layout_is_precomputed_and_physics_off(page, data):
    options = json_block(page, "kg-options")["papers"]
    assert json_block(page, "kg-options")["map"]["physics"] == {"enabled": False}
    assert options["physics"] == {"enabled": False}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])
    assert "stabiliz" not in page.rsplit("<script>", 1)[1]  # the viewer never waits for physics


def test_html_large_graph_is_drawn_cheaply():
    small = json_block(dumps_html(star(20)), "kg-options")["papers"]
    assert small["edges"]["arrows"]["to"]["enabled"] is True and small["edges"]["smooth"]["enabled"] is True
    page = dumps_html(star(LARGE_GRAPH + 50))
    data, options = papers_view(page), json_block(page, "kg-options")["papers"]
    assert data["large"] is True
    assert options["edges"]["arrows"]["to"]["enabled"] is False  # turned on when zoomed in
    assert options["edges"]["smooth"]["enabled"] is False
    assert options["interaction"]["hideEdgesOnDrag"] is True
    assert all(r["dashes"] is None for r in data["relations"])
    assert len(data["nodes"]) == LARGE_GRAPH + 51


def test_html_is_deterministic():
    G = load_fixture()
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for node in reversed(list(G)):
        H.add_node(node, **G.nodes[node])
    for u, v, k, d in reversed(list(G.edges(keys=True, data=True))):
        H.add_edge(u, v, key=k, **d)
    assert dumps_html(G) == dumps_html(G) == dumps_html(H)
    big = star(LARGE_GRAPH + 10)
    assert dumps_html(big) == dumps_html(big)


def test_html_does_not_change_the_graph():
    G = load_fixture()
    before = copy.deepcopy(dict(G.nodes(data=True))), copy.deepcopy(list(G.edges(keys=True, data=True)))
    dumps_html(G, focus="φ-Decoding", depth=1, types=["paper", "method"], min_support=1, max_nodes=3)
    assert (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True))) == before


def test_html_says_what_it_left_out():
    page = dumps_html(star(30), max_nodes=4)
    assert "Showing 4 of 31 nodes (the highest-degree ones) and 3 of 30 edges." in page
    assert len(papers_view(page)["nodes"]) == 4
    page = dumps_html(load_fixture(), focus="phi decoding", depth=1)
    assert "within 1 hop of phi decoding" in page
    assert json_block(page, "kg-data")["focus"] == "method:phi-decoding"


def test_html_cites_papers_it_does_not_draw_by_title():
    page = dumps_html(load_fixture(), types=["method"])
    data = papers_view(page)
    assert {n["type"] for n in data["nodes"]} == {"method"}
    assert data["papers"][HOSTILE_PAPER]["title"] == HOSTILE_TITLE


def test_html_empty_graph():
    page = dumps_html(nx.MultiDiGraph())
    assert papers_view(page)["nodes"] == [] and json_block(page, "kg-view-map")["nodes"] == []
    assert json_block(page, "kg-data") == {"focus": None, "start": "papers", "views": ["map", "papers"]}


def test_html_write_creates_only_the_target(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    write_html(load_fixture(), out / "graph.html", max_nodes=3, title="t")
    assert os.listdir(tmp_path) == ["out"]
    assert os.listdir(out) == ["graph.html"]
    assert not (tmp_path / "lib").exists()
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert page == dumps_html(load_fixture(), max_nodes=3, title="t")


@pytest.mark.parametrize("text", ["</script>", "<!--", "&amp;", "]]>", "\u2028", "'\"", "</SCRIPT >"])
def test_script_json_is_inert_inside_a_script_element(text):
    encoded = script_json({"label": text})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"label": text}
