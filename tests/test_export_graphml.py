"""kgraph.export.graphml: GraphML that networkx (and so Gephi/Cytoscape) reads back."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.errors import ExportError
from kgraph.export.graphml import dumps_graphml, flatten_for_graphml, write_graphml

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
LIST_ATTRS = ("aliases", "alias_counts", "papers", "proposed_in", "authors", "evidence", "extractors")


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def read_back(text: str) -> nx.MultiDiGraph:
    return nx.read_graphml(io.StringIO(text))


def test_graphml_reads_back_with_the_same_nodes_edges_and_labels():
    G = load_fixture()
    H = read_back(dumps_graphml(G))
    assert isinstance(H, nx.MultiDiGraph)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert set(H.nodes) == set(G.nodes)
    for node in G:
        assert H.nodes[node]["label"] == G.nodes[node]["label"]
        assert H.nodes[node]["type"] == G.nodes[node]["type"]
    assert H.nodes["paper:arXiv:2401.1 x/y"]["label"] == HOSTILE_TITLE
    assert H.graph["name"] == G.graph["name"]


def test_graphml_keeps_hostile_text_exactly():
    G = load_fixture()
    H = read_back(dumps_graphml(G))
    for node in G:
        if "abstract" in G.nodes[node]:
            assert H.nodes[node]["abstract"] == G.nodes[node]["abstract"]  # quotes, ]]>, </script>, \r\n
    assert H.nodes["dataset:qm9"]["label"] == 'QM9 ]]> "set" & </b>'


def test_graphml_lists_become_json_and_none_is_dropped():
    G = load_fixture()
    H = read_back(dumps_graphml(G))
    for node, attrs in G.nodes(data=True):
        for name, value in attrs.items():
            if value is None:
                assert name not in H.nodes[node]
            elif name in LIST_ATTRS:
                assert json.loads(H.nodes[node][name]) == value
            else:
                assert H.nodes[node][name] == value


def test_graphml_edges_keep_relation_and_evidence_and_get_unique_ids():
    G = load_fixture()
    H = read_back(dumps_graphml(G))
    original = sorted(
        (u, v, d["relation"], d["support"], json.dumps(d["evidence"], sort_keys=True))
        for u, v, d in G.edges(data=True)
    )
    back = sorted(
        (u, v, d["relation"], d["support"], json.dumps(json.loads(d["evidence"]), sort_keys=True))
        for u, v, d in H.edges(data=True)
    )
    assert back == original
    keys = [k for _, _, k in H.edges(keys=True)]
    assert len(keys) == len(set(keys))
    assert all(d["label"] == d["relation"] and d["weight"] == d["support"] for _, _, d in H.edges(data=True))


def test_graphml_is_deterministic_whatever_the_insertion_order():
    G = load_fixture()
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for node in reversed(list(G)):
        H.add_node(node, **dict(reversed(list(G.nodes[node].items()))))
    for u, v, k, d in reversed(list(G.edges(keys=True, data=True))):
        H.add_edge(u, v, key=k, **d)
    assert dumps_graphml(G) == dumps_graphml(H)
    assert dumps_graphml(G).startswith("<?xml version='1.0' encoding='utf-8'?>\n<graphml")


def test_graphml_does_not_change_the_graph():
    G = load_fixture()
    before = copy.deepcopy(dict(G.nodes(data=True))), copy.deepcopy(list(G.edges(keys=True, data=True)))
    dumps_graphml(G)
    flatten_for_graphml(G)
    assert (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True))) == before


def test_graphml_replaces_characters_xml_cannot_hold():
    G = nx.MultiDiGraph()
    G.add_node("task:x", type="task", label="a\x00b\x1bc\ufffed", note="line\u2028sep\x85nel\tt")
    H = read_back(dumps_graphml(G))
    assert H.nodes["task:x"]["label"] == "a\ufffdb\ufffdc\ufffdd"
    assert H.nodes["task:x"]["note"] == "line\u2028sep\x85nel\tt"


def test_graphml_unknown_attribute_type_is_an_export_error():
    G = nx.MultiDiGraph()
    G.add_node("task:x", type="task", bad={1, 2})
    with pytest.raises(ExportError, match="cannot be written as GraphML"):
        dumps_graphml(G)


def test_graphml_write_file(tmp_path):
    G = load_fixture()
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    H = nx.read_graphml(path)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert path.read_text(encoding="utf-8") == dumps_graphml(G)


# XML 1.0 characters; CR included (written as &#13;).
_xml_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff").filter(
        lambda c: c in "\t\n\r" or c >= " "
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(labels=st.lists(_xml_text, min_size=1, max_size=5), aliases=st.lists(_xml_text, max_size=3))
def test_graphml_text_round_trip_property(labels, aliases):
    G = nx.MultiDiGraph()
    for index, label in enumerate(labels):
        G.add_node(f"method:{index}", type="method", label=label, aliases=aliases)
    H = read_back(dumps_graphml(G))
    for index, label in enumerate(labels):
        # GraphML readers give an empty element back as None
        assert (H.nodes[f"method:{index}"].get("label") or "") == label
        assert json.loads(H.nodes[f"method:{index}"]["aliases"]) == aliases
