"""kgraph.export.html: one offline file, corpus text inert, stable bytes."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from kgraph.export.html import (
    NODE_STYLES,
    RELATION_COLORS,
    dumps_html,
    script_json,
    select_nodes,
    write_html,
)

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
HOSTILE_PAPER = "paper:arXiv:2401.1 x/y"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
SCRIPT_ELEMENTS = 5  # vis-network, three JSON blocks, the page's own script


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def json_block(page: str, block_id: str):
    match = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert match, block_id
    return json.loads(match.group(1))


def star(n: int) -> nx.MultiDiGraph:
    """``task:hub`` linked to n leaves; leaf i also links to the i next leaves."""
    G = nx.MultiDiGraph()
    G.add_node("task:hub", type="task", label="hub")
    for i in range(n):
        G.add_node(f"method:m{i:03d}", type="method", label=f"m{i}")
        G.add_edge(f"method:m{i:03d}", "task:hub", key="used_for", relation="used_for", support=1)
    return G


@pytest.fixture(scope="module")
def page() -> str:
    return dumps_html(load_fixture(), title="Corpus <b>&</b>")


def test_html_has_no_external_resources(page):
    assert not re.search(r"<script[^>]*\ssrc\s*=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"@import|url\(\s*[\"']?\s*(https?:)?//", page, re.I)
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page  # pyvis's Bootstrap/vis links


def test_html_is_one_page_with_vis_network_inline(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "vis.Network" in page and "vis-network" in page
    assert page.count("<style>") == 2


def test_html_corpus_text_cannot_close_the_script_elements(page):
    assert page.lower().count("</script") == SCRIPT_ELEMENTS
    assert "<img" not in page
    assert HOSTILE_TITLE not in page
    assert "<script>alert(1)" not in page
    assert "]]>" not in page.split("<body>", 1)[1]


def test_html_labels_are_embedded_as_escaped_json(page):
    G = load_fixture()
    nodes = {n["id"]: n for n in json_block(page, "kg-nodes")}
    assert set(nodes) == set(G.nodes)
    assert nodes[HOSTILE_PAPER]["label"] == HOSTILE_TITLE
    assert nodes["method:phi-decoding"]["label"] == "φ-Decoding"
    assert nodes["task:schrodinger-equation"]["label"] == "Schrödinger equation"
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page


def test_html_tooltips_escape_corpus_text(page):
    nodes = {n["id"]: n for n in json_block(page, "kg-nodes")}
    tooltip = nodes[HOSTILE_PAPER]["title"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in tooltip
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in tooltip
    assert "Schrödinger" in tooltip and "&quot;φ-Decoding&quot;" in tooltip
    assert "<img" not in tooltip and "<script" not in tooltip
    edges = json_block(page, "kg-edges")
    assert all("<script" not in e["title"] for e in edges)
    assert any("&lt;img src=x onerror=alert(1)&gt;" in e["title"] for e in edges)  # the evidence sentence


def test_html_title_and_legend_are_escaped(page):
    assert "<title>Corpus &lt;b&gt;&amp;&lt;/b&gt;</title>" in page
    assert "<h1>Corpus &lt;b&gt;&amp;&lt;/b&gt;</h1>" in page
    legend = page.split('<aside id="kg-legend">', 1)[1].split("</aside>", 1)[0]
    for node_type in NODE_STYLES:
        assert node_type in legend
    for relation in RELATION_COLORS:
        assert relation in legend


def test_html_styles_nodes_by_type_and_edges_by_relation(page):
    G = load_fixture()
    for node in json_block(page, "kg-nodes"):
        colour, shape = NODE_STYLES[G.nodes[node["id"]]["type"]]
        assert (node["color"], node["shape"]) == (colour, shape)
    sizes = {n["id"]: n["size"] for n in json_block(page, "kg-nodes")}
    assert sizes["method:graph-neural-network"] > sizes["paper:p2"]  # degree 5 > 2
    edges = json_block(page, "kg-edges")
    assert len(edges) == G.number_of_edges()
    assert len({e["id"] for e in edges}) == len(edges)
    for edge in edges:
        assert edge["arrows"] == "to"
        assert edge["color"] in {RELATION_COLORS[relation] for relation in G[edge["from"]][edge["to"]]}
    assert {e["color"] for e in edges} == {RELATION_COLORS[k] for _, _, k in G.edges(keys=True)}
    # the two parallel edges phi-decoding -> gnn are bent apart
    parallel = [e for e in edges if (e["from"], e["to"]) == ("method:phi-decoding", "method:graph-neural-network")]
    assert len(parallel) == 2 and sum("smooth" in e for e in parallel) == 1


def test_html_physics_stops_after_stabilization(page):
    options = json_block(page, "kg-options")
    assert options["layout"]["randomSeed"] == 0
    assert options["physics"]["stabilization"]["enabled"] is True
    assert "stabilizationIterationsDone" in page and "physics: {enabled: false}" in page


def test_html_is_deterministic():
    G = load_fixture()
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for node in reversed(list(G)):
        H.add_node(node, **G.nodes[node])
    for u, v, k, d in reversed(list(G.edges(keys=True, data=True))):
        H.add_edge(u, v, key=k, **d)
    assert dumps_html(G) == dumps_html(G) == dumps_html(H)


def test_html_does_not_change_the_graph():
    G = load_fixture()
    before = copy.deepcopy(dict(G.nodes(data=True))), copy.deepcopy(list(G.edges(keys=True, data=True)))
    dumps_html(G)
    assert (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True))) == before


def test_html_max_nodes_keeps_the_highest_degree_nodes():
    G = star(30)
    G.add_edge("method:m029", "method:m028", key="extends", relation="extends")
    G.add_edge("method:m027", "method:m028", key="extends", relation="extends")
    page = dumps_html(G, max_nodes=4)
    ids = [n["id"] for n in json_block(page, "kg-nodes")]
    # hub (30), m028 (3), m027 and m029 (2); the other leaves (1) are dropped
    assert ids == ["method:m027", "method:m028", "method:m029", "task:hub"]
    edges = json_block(page, "kg-edges")
    assert {e["from"] for e in edges} | {e["to"] for e in edges} <= set(ids)
    assert len(edges) == 5
    assert "Showing 4 of 31 nodes" in page


def test_html_max_nodes_breaks_ties_by_id():
    G = star(10)
    assert select_nodes(G, 3) == ["method:m000", "method:m001", "task:hub"]
    assert select_nodes(G, 100) == sorted(G.nodes)


def test_html_max_nodes_must_be_positive():
    with pytest.raises(ValueError, match="max_nodes"):
        dumps_html(star(2), max_nodes=0)


def test_html_large_graph_uses_cheap_physics():
    G = star(600)
    page = dumps_html(G, max_nodes=550)
    options = json_block(page, "kg-options")
    assert len(json_block(page, "kg-nodes")) == 550
    assert options["physics"]["solver"] == "barnesHut"
    assert options["edges"]["smooth"]["enabled"] is False


def test_html_empty_graph():
    page = dumps_html(nx.MultiDiGraph())
    assert json_block(page, "kg-nodes") == [] and json_block(page, "kg-edges") == []


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


_HARNESS = r"""
const fs = require("fs");
const page = fs.readFileSync(process.argv[2], "utf8");
function block(id) {
  const m = page.match(new RegExp('<script type="application/json" id="' + id + '">([\\s\\S]*?)</script>'));
  return m[1];
}
const glue = page.match(/<script>\s*(\(function \(\) \{[\s\S]*?\}\)\(\);)\s*<\/script>/)[1];
const blocks = {"kg-nodes": block("kg-nodes"), "kg-edges": block("kg-edges"), "kg-options": block("kg-options")};
global.document = {
  getElementById(id) {
    if (id in blocks) return {textContent: blocks[id]};
    if (id === "kg-graph") return {id: id};
    throw new Error("no element " + id);
  },
  createElement(tag) {
    const el = {tag: tag, children: [], innerHTML: "", appendChild(c) { this.children.push(c); }};
    if (tag === "template") el.content = {template: el};
    return el;
  },
};
const seen = {};
global.vis = {
  DataSet: function (items) { this.items = items; },
  Network: function (container, data, options) {
    seen.container = container.id;
    seen.nodes = data.nodes.items;
    seen.edges = data.edges.items;
    seen.options = options;
    this.once = function (event, handler) { seen.once = event; handler(); };
    this.setOptions = function (o) { seen.setOptions = o; };
  },
};
new Function(glue)();
const tooltip = (item) => item.title.children[0].template.innerHTML;
console.log(JSON.stringify({
  container: seen.container, once: seen.once, setOptions: seen.setOptions,
  physics: seen.options.physics.enabled,
  nodes: seen.nodes.map((n) => ({id: n.id, label: n.label, tooltip: tooltip(n)})),
  edges: seen.edges.map((e) => ({from: e.from, to: e.to, tooltip: tooltip(e)})),
}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_html_page_script_runs_and_feeds_vis_network(tmp_path):
    G = load_fixture()
    page_path = tmp_path / "graph.html"
    write_html(G, page_path)
    harness = tmp_path / "harness.js"
    harness.write_text(_HARNESS, encoding="utf-8")
    run = subprocess.run(["node", str(harness), str(page_path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["container"] == "kg-graph"
    assert seen["once"] == "stabilizationIterationsDone" and seen["setOptions"] == {"physics": {"enabled": False}}
    labels = {n["id"]: n["label"] for n in seen["nodes"]}
    assert labels[HOSTILE_PAPER] == HOSTILE_TITLE
    assert labels["method:phi-decoding"] == "φ-Decoding"
    tooltips = {n["id"]: n["tooltip"] for n in seen["nodes"]}
    assert "&lt;img src=x onerror=alert(1)&gt;" in tooltips[HOSTILE_PAPER]
    assert len(seen["edges"]) == G.number_of_edges()
