"""kgraph.export.gexf: GEXF that networkx (and so Gephi) reads back, with types, colours and communities."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest

from kgraph.config import Config
from kgraph.export.gexf import dumps_gexf, gexf_graph, write_gexf
from kgraph.export.html import NODE_STYLES, RELATION_STYLES
from kgraph.graph.analytics import compute_communities
from kgraph.run import build

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "export" / "graph.json"
WORKS = DATA / "citations" / "openalex_works.jsonl"
GEXF = "http://www.gexf.net/1.2draft"
VIZ = "http://www.gexf.net/1.2draft/viz"


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def read_back(text: str) -> nx.Graph:
    return nx.read_gexf(io.BytesIO(text.encode("utf-8")))


def rgb(colour: str) -> dict:
    value = int(colour[1:], 16)
    return {"r": value >> 16, "g": (value >> 8) & 255, "b": value & 255, "a": 1.0}


def test_gexf_reads_back_with_types_labels_colours_and_communities() -> None:
    G = load_fixture()
    H = read_back(dumps_gexf(G))
    assert set(H.nodes) == set(G.nodes)
    assert H.number_of_edges() == G.number_of_edges()
    communities = compute_communities(G, seed=0)  # the fixture has none stored: computed as `kgraph query` would
    for node, attrs in G.nodes(data=True):
        back = H.nodes[node]
        assert back["label"] == attrs["label"]  # hostile text included: <img ...>, ]]>, quotes
        assert back["type"] == attrs["type"]
        assert back["viz"]["color"] == rgb(NODE_STYLES[attrs["type"]][0])
        assert back["viz"]["size"] > 0
        assert back["community"] == communities[node]
    assert json.loads(H.nodes["method:phi-decoding"]["aliases"]) == G.nodes["method:phi-decoding"]["aliases"]
    assert H.graph["name"] == G.graph["name"]


def test_gexf_edges_keep_relation_support_and_colour() -> None:
    G = load_fixture()
    H = read_back(dumps_gexf(G))
    expected = sorted((u, v, d["relation"], d["support"]) for u, v, d in G.edges(data=True))
    found = sorted((u, v, d["label"], d["weight"]) for u, v, d in H.edges(data=True))
    assert found == expected
    for _, _, data in H.edges(data=True):
        assert data["relation"] == data["label"]
    # networkx reads no edge colours back: read them from the XML
    root = ElementTree.fromstring(dumps_gexf(G).encode("utf-8"))
    edges = root.findall(f".//{{{GEXF}}}edge")
    assert len(edges) == G.number_of_edges()
    for edge in edges:
        colour = edge.find(f"{{{VIZ}}}color")
        assert {k: float(v) if k == "a" else int(v) for k, v in colour.attrib.items()} == rgb(
            RELATION_STYLES[edge.get("label")][0])


def test_gexf_keeps_stored_communities() -> None:
    G = load_fixture()
    nx.set_node_attributes(G, {node: 7 for node in G}, "community")
    H = read_back(dumps_gexf(G))
    assert {H.nodes[node]["community"] for node in H} == {7}


def test_gexf_is_deterministic_and_undated() -> None:
    G = load_fixture()
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for node in reversed(list(G)):
        H.add_node(node, **dict(reversed(list(G.nodes[node].items()))))
    for u, v, k, d in reversed(list(G.edges(keys=True, data=True))):
        H.add_edge(u, v, key=k, **d)
    text = dumps_gexf(G)
    assert text == dumps_gexf(G) == dumps_gexf(H)
    assert "lastmodifieddate" not in text
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<gexf")


def test_gexf_does_not_change_the_graph() -> None:
    G = load_fixture()
    before = copy.deepcopy(dict(G.nodes(data=True))), copy.deepcopy(list(G.edges(keys=True, data=True)))
    dumps_gexf(G)
    gexf_graph(G)
    assert (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True))) == before


def test_gexf_replaces_characters_xml_cannot_hold() -> None:
    G = nx.MultiDiGraph()
    G.add_node("task:x", type="task", label="a\x00b\x1bc", note="tab\tnewline\n")
    H = read_back(dumps_gexf(G))
    assert H.nodes["task:x"]["label"] == "a\ufffdb\ufffdc"
    assert H.nodes["task:x"]["note"] == "tab\tnewline\n"


def test_gexf_write_file(tmp_path) -> None:
    G = load_fixture()
    path = tmp_path / "graph.gexf"
    write_gexf(G, path)
    assert [p.name for p in tmp_path.iterdir()] == ["graph.gexf"]
    assert path.read_text(encoding="utf-8") == dumps_gexf(G)
    assert nx.read_gexf(path).number_of_nodes() == G.number_of_nodes()


def test_gexf_of_a_build_keeps_parallel_edges_and_keys(rules_nlp, tmp_path) -> None:
    config = Config(inputs=(WORKS,), output_dir=tmp_path, outputs=("gexf",), processes=1, use_cache=False)
    result = build(config=config, nlp=rules_nlp)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["graph.gexf"]
    G = result.graph
    H = nx.read_gexf(tmp_path / "graph.gexf")
    assert set(H.nodes) == set(G.nodes) and H.number_of_edges() == G.number_of_edges()
    for node, attrs in G.nodes(data=True):
        assert H.nodes[node]["community"] == attrs["community"]  # as `kgraph build` numbered them
    if H.is_multigraph():
        assert set(H.edges(keys=True)) == set(G.edges(keys=True))
    assert {(u, v) for u, v, d in H.edges(data=True) if d["label"] == "cites"} == {
        (u, v) for u, v, k in G.edges(keys=True) if k == "cites"}
    assert H.nodes["paper:W2963403868"]["openalex_id"] == "W2963403868"


@pytest.mark.parametrize("node_type", sorted(NODE_STYLES))
def test_gexf_one_colour_per_type(node_type) -> None:
    G = nx.MultiDiGraph()
    G.add_node(f"{node_type}:a", type=node_type, label="a")
    assert gexf_graph(G).nodes[f"{node_type}:a"]["viz"]["color"] == rgb(NODE_STYLES[node_type][0])
