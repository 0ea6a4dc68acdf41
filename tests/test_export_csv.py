"""kgraph.export.csv: node and edge tables that load back into the same graph, with Neo4j's import headers."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kgraph.config import DEFAULT_OUTPUTS, OUTPUT_FORMATS, Config
from kgraph.errors import ConfigError, CorpusFormatError, ExportError
from kgraph.export.csv import (
    FORMULA_START,
    dumps_csv_edges,
    dumps_csv_nodes,
    loads_csv_tables,
    read_csv_tables,
    write_csv_edges,
    write_csv_nodes,
)
from kgraph.ingest.corpus import OUTPUT_MARK
from kgraph.run import OUTPUT_FILES, build

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "export" / "graph.json"
WORKS = DATA / "citations" / "openalex_works.jsonl"
# A Neo4j import header: the id/label/type columns, then name:type with one of the types kgraph writes.
NEO4J_COLUMN = re.compile(r"[^:,\"\s]+:(int|long|double|boolean|string|string\[\]|int\[\]|long\[\])")


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def round_trip(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    return loads_csv_tables(dumps_csv_nodes(G), dumps_csv_edges(G), name=G.graph.get("name"))


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_fixture_loads_back_into_the_same_graph() -> None:
    G = load_fixture()
    assert nx.utils.graphs_equal(round_trip(G), G)


def test_csv_built_graph_loads_back_into_the_same_graph(rules_nlp, tmp_path) -> None:
    config = Config(inputs=(WORKS,), output_dir=tmp_path, outputs=("csv", "json"), processes=1, use_cache=False)
    result = build(config=config, nlp=rules_nlp)
    assert sorted(p.name for p in tmp_path.iterdir()) == [OUTPUT_MARK, "edges.csv", "graph.json", "nodes.csv"]
    back = read_csv_tables(tmp_path / "nodes.csv", tmp_path / "edges.csv", name="kgraph")
    assert nx.utils.graphs_equal(back, result.graph)  # nodes, edges, keys and every attribute
    assert any(key == "cites" for _, _, key in back.edges(keys=True))


def test_csv_headers_fit_neo4j_admin_import() -> None:
    G = load_fixture()
    nodes, edges = cells(dumps_csv_nodes(G)), cells(dumps_csv_edges(G))
    assert nodes[0][:2] == [":ID", ":LABEL"] and edges[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    for column in nodes[0][2:] + edges[0][3:]:
        assert NEO4J_COLUMN.fullmatch(column), column
    assert "alias_counts:int[]" in nodes[0] and "aliases:string[]" in nodes[0] and "year:int" in nodes[0]
    assert "support:int" in edges[0] and "evidence_json:string" in edges[0]
    labels = {row[0]: row[1] for row in nodes[1:]}
    assert labels["paper:p2"] == "Paper" and labels["method:phi-decoding"] == "Method;Entity"
    assert {row[2] for row in edges[1:]} <= {"proposes", "addresses", "uses", "mentions", "used_for",
                                            "evaluated_on", "compared_with", "extends", "part_of", "cites"}
    assert len(nodes) == G.number_of_nodes() + 1 and len(edges) == G.number_of_edges() + 1


def test_csv_no_cell_starts_a_formula() -> None:
    G = load_fixture()
    G.add_node("task:=cmd", type="task", label="=HYPERLINK(\"x\")", aliases=["+1", "-a", "@b", "'quoted"],
               alias_counts=[1, 1, 1, 1], papers=[], proposed_in=[], mentions=4, known_id="\tx")
    for text in (dumps_csv_nodes(G), dumps_csv_edges(G)):
        assert [cell for row in cells(text) for cell in row if cell.startswith(FORMULA_START)] == []
    back = round_trip(G)
    assert back.nodes["task:=cmd"]["aliases"] == ["+1", "-a", "@b", "'quoted"]
    assert back.nodes["task:=cmd"]["known_id"] == "\tx"
    assert nx.utils.graphs_equal(back, G)


def test_csv_none_empty_text_and_empty_list_stay_apart() -> None:
    G = nx.MultiDiGraph()
    G.add_node("paper:1", type="paper", label="T", abstract="", year=None, authors=[], url=None, source=None)
    G.add_node("method:m", type="method", label="M", aliases=["a;b", "c\\d", ""], alias_counts=[1, 2, 3],
               papers=["paper:1"], proposed_in=[], mentions=6, known_id=None)
    text = dumps_csv_nodes(G)
    assert '\n"paper:1","Paper","",,,"",,"T",,,,,"paper",,\n' in text  # "" for empty text or list, nothing for None
    back = round_trip(G)
    assert back.nodes["paper:1"] == G.nodes["paper:1"]
    assert back.nodes["method:m"]["aliases"] == ["a;b", "c\\d", ""]
    assert nx.utils.graphs_equal(back, G)


def test_csv_column_types_follow_the_values() -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", flag=True, score=0.25, big=2**40, mixed=1, nested={"k": [1]}, note_json="plain", ints=[2**40])
    G.add_node("b", flag=False, score=1.0, big=3, mixed="x", nested=None, note_json=None, ints=[])
    header = cells(dumps_csv_nodes(G))[0]
    assert header == [":ID", ":LABEL", "big:long", "flag:boolean", "ints:long[]", "mixed_json:string",
                      "nested_json:string", "note_json_json:string", "score:double"]
    back = round_trip(G)
    assert back.nodes["a"] == G.nodes["a"]
    assert back.nodes["b"] == {name: value for name, value in G.nodes["b"].items() if value is not None}


def test_csv_is_deterministic_whatever_the_insertion_order() -> None:
    G = load_fixture()
    H = nx.MultiDiGraph()
    for node in reversed(list(G)):
        H.add_node(node, **dict(reversed(list(G.nodes[node].items()))))
    for u, v, k, d in reversed(list(G.edges(keys=True, data=True))):
        H.add_edge(u, v, key=k, **d)
    assert (dumps_csv_nodes(G), dumps_csv_edges(G)) == (dumps_csv_nodes(H), dumps_csv_edges(H))


def test_csv_does_not_change_the_graph() -> None:
    G = load_fixture()
    before = copy.deepcopy(dict(G.nodes(data=True))), copy.deepcopy(list(G.edges(keys=True, data=True)))
    dumps_csv_nodes(G), dumps_csv_edges(G)
    assert (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True))) == before


def test_csv_write_files(tmp_path) -> None:
    G = load_fixture()
    write_csv_nodes(G, tmp_path / "nodes.csv")
    write_csv_edges(G, tmp_path / "edges.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edges.csv", "nodes.csv"]  # no temporary file left
    assert (tmp_path / "nodes.csv").read_bytes() == dumps_csv_nodes(G).encode("utf-8")
    assert (tmp_path / "edges.csv").read_bytes() == dumps_csv_edges(G).encode("utf-8")
    assert nx.utils.graphs_equal(read_csv_tables(tmp_path / "nodes.csv", tmp_path / "edges.csv",
                                                 name=G.graph["name"]), G)


@pytest.mark.parametrize(("nodes", "edges", "message"), [
    ("", ":START_ID,:END_ID,:TYPE\n", "empty table"),
    ("id,label\n", ":START_ID,:END_ID,:TYPE\n", "the header must start with :ID,:LABEL"),
    (":ID,:LABEL,label\n", ":START_ID,:END_ID,:TYPE\n", "is not name:type"),
    (':ID,:LABEL,n:int\n"a","A","x"\n', ":START_ID,:END_ID,:TYPE\n", "'x' is not int"),
    (':ID,:LABEL\n"a","A","extra"\n', ":START_ID,:END_ID,:TYPE\n", "3 fields, the header has 2"),
    (':ID,:LABEL\n"a","A"\n', ':START_ID,:END_ID,:TYPE\n"a","b","uses"\n', "edge end 'b' is not in the node table"),
    (':ID,:LABEL\n"a,"A"\n', ":START_ID,:END_ID,:TYPE\n", "malformed CSV field"),
])
def test_csv_malformed_tables_are_corpus_format_errors(nodes, edges, message) -> None:
    with pytest.raises(CorpusFormatError, match=re.escape(message)):
        loads_csv_tables(nodes, edges)


def test_csv_attribute_name_that_is_no_column_is_an_export_error() -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", **{"bad:name": 1})
    with pytest.raises(ExportError, match="cannot be a CSV column"):
        dumps_csv_nodes(G)


def test_csv_outputs_are_chosen_with_outputs() -> None:
    assert Config(outputs=("csv",)).outputs == ("csv_nodes", "csv_edges")
    assert Config(outputs=("json", "csv", "csv_nodes")).outputs == ("json", "csv_nodes", "csv_edges")
    assert Config().outputs == DEFAULT_OUTPUTS and "gexf" not in DEFAULT_OUTPUTS
    assert {OUTPUT_FILES[name] for name in ("csv_nodes", "csv_edges", "gexf")} == {"nodes.csv", "edges.csv",
                                                                                  "graph.gexf"}
    assert set(OUTPUT_FILES) == set(OUTPUT_FORMATS)
    with pytest.raises(ConfigError, match="expected one of .*gexf.*csv"):
        Config(outputs=("xlsx",))


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(labels=st.lists(_text, min_size=1, max_size=4), aliases=st.lists(_text, max_size=4))
def test_csv_text_round_trip_property(labels, aliases) -> None:
    assume(aliases != [""])  # one empty item reads back as an empty list: the one list the tables cannot tell apart
    G = nx.MultiDiGraph()
    for index, label in enumerate(labels):
        G.add_node(f"method:{index}", type="method", label=label, aliases=aliases, alias_counts=[1] * len(aliases),
                   papers=[], proposed_in=[], mentions=len(aliases), known_id=label or None)
    G.add_edge("method:0", f"method:{len(labels) - 1}", key="extends", relation="extends", support=1,
               extractors=[*labels, "x"], evidence=[{"sentence": label} for label in labels])
    assert nx.utils.graphs_equal(round_trip(G), G)
