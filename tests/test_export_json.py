"""kgraph.export.json: deterministic node-link JSON that reads back equal."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.errors import CorpusFormatError, ExportError
from kgraph.export.json import dumps_graph_json, loads_graph_json, read_graph_json, write_graph_json

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def reversed_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The same graph, built in the opposite order."""
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for node in reversed(list(G.nodes)):
        H.add_node(node, **dict(reversed(list(G.nodes[node].items()))))
    for head, tail, key, data in reversed(list(G.edges(keys=True, data=True))):
        H.add_edge(head, tail, key=key, **data)
    return H


def assert_same_graph(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    assert isinstance(H, nx.MultiDiGraph)
    assert H.graph == G.graph
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    edges = lambda g: sorted((u, v, k, json.dumps(d, sort_keys=True)) for u, v, k, d in g.edges(keys=True, data=True))
    assert edges(H) == edges(G)


def test_json_round_trip_gives_an_equal_graph():
    G = load_fixture()
    assert_same_graph(G, loads_graph_json(dumps_graph_json(G)))


def test_json_file_round_trip(tmp_path):
    G = load_fixture()
    path = tmp_path / "graph.json"
    write_graph_json(G, path)
    assert_same_graph(G, read_graph_json(path))
    assert path.read_text(encoding="utf-8") == dumps_graph_json(G)


def test_json_is_deterministic_whatever_the_insertion_order():
    G = load_fixture()
    assert dumps_graph_json(G) == dumps_graph_json(reversed_copy(G))


def test_json_sorts_nodes_and_edges_and_keeps_unicode():
    text = dumps_graph_json(load_fixture())
    data = json.loads(text)
    ids = [node["id"] for node in data["nodes"]]
    assert ids == sorted(ids)
    triples = [(e["source"], e["target"], e["key"]) for e in data["edges"]]
    assert triples == sorted(triples)
    assert "Schrödinger" in text and "φ-Decoding" in text
    assert text.endswith("}\n")


def test_json_does_not_change_the_graph():
    G = load_fixture()
    before = dumps_graph_json(G)
    dumps_graph_json(G)
    assert dumps_graph_json(G) == before
    assert_same_graph(load_fixture(), G)


@pytest.mark.parametrize("value", [{"a", "b"}, float("nan"), Path("x")])
def test_json_unserializable_attribute_is_an_export_error(value):
    G = nx.MultiDiGraph()
    G.add_node("task:x", type="task", bad=value)
    with pytest.raises(ExportError, match="cannot be written as JSON"):
        dumps_graph_json(G)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"nodes": [', "not valid JSON"),
        ("[]", "no 'nodes' list"),
        ('{"nodes": [], "edges": [], "directed": false, "multigraph": true}', "directed multigraph"),
        ('{"nodes": [{}], "edges": [], "directed": true, "multigraph": true}', "not a node-link graph"),
    ],
)
def test_json_malformed_input_is_a_corpus_format_error(text, reason):
    with pytest.raises(CorpusFormatError, match=reason):
        loads_graph_json(text)


def test_json_read_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n "nodes": [\n')
    with pytest.raises(CorpusFormatError) as info:
        read_graph_json(path)
    assert info.value.path == str(path) and info.value.line == 3


_text = st.text(max_size=30)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), _text)
_value = st.one_of(_scalar, st.lists(_text, max_size=3), st.dictionaries(_text, _scalar, max_size=3))
_attrs = st.dictionaries(st.text(min_size=1, max_size=10).filter(lambda k: k not in ("id", "source", "target", "key")), _value, max_size=4)


@st.composite
def graphs(draw) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    nodes = draw(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=6, unique=True))
    for node in nodes:
        G.add_node(node, **draw(_attrs))
    for _ in range(draw(st.integers(0, 8))):
        head, tail = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        G.add_edge(head, tail, key=draw(st.sampled_from(["uses", "proposes", "part_of"])), **draw(_attrs))
    return G


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_json_round_trip_property(G):
    text = dumps_graph_json(G)
    H = loads_graph_json(text)
    assert_same_graph(G, H)
    assert dumps_graph_json(H) == text


def test_json_read_shares_equal_strings_and_keeps_the_graph_equal():
    G = nx.MultiDiGraph()
    G.add_node("paper:p1", type="paper", label="A paper")
    G.add_node("method:a", type="method", label="A", papers=["paper:p1"])
    G.add_node("task:t", type="task", label="T", papers=["paper:p1"])
    sentence = "A is used for T, and A is compared with nothing."
    evidence = [{"paper": "p1", "field": "abstract", "start": 0, "end": len(sentence), "sentence": sentence}]
    G.add_edge("method:a", "task:t", key="used_for", relation="used_for", support=1, evidence=evidence)
    G.add_edge("paper:p1", "method:a", key="proposes", relation="proposes", support=1, evidence=evidence)
    back = loads_graph_json(dumps_graph_json(G))
    assert nx.utils.graphs_equal(back, G)
    first = back.edges["method:a", "task:t", "used_for"]["evidence"][0]
    second = back.edges["paper:p1", "method:a", "proposes"]["evidence"][0]
    assert first is not second
    assert first["sentence"] is second["sentence"] and first["field"] is second["field"]
    assert back.nodes["method:a"]["papers"][0] is back.nodes["task:t"]["papers"][0]
