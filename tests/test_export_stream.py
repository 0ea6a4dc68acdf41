"""The streaming writers: the same documents as the whole-document writers they replace, in bounded memory.

``graph.json``, ``graph.graphml``, ``graph.nt`` and ``graph.jsonld`` are
written node by node and edge by edge. Each is compared here with a
reference that builds the whole document in memory, as kgraph's writers did
before they streamed: the node-link dict through ``json.dumps`` and
networkx's ``GraphMLWriter`` tree (the same bytes), an rdflib graph
serialized (the same N-Triples lines, in graph order rather than sorted;
the same JSON-LD node objects, in graph order rather than by ``@id``).
Turtle changed form (kgraph writes it from the triples rather than through
rdflib), so it is compared as a graph.
"""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from networkx.readwrite.graphml import GraphMLWriter
from rdflib.compare import isomorphic

from kgraph.config import Config
from kgraph.export import splice
from kgraph.export.graphml import dumps_graphml, flatten_for_graphml, write_graphml
from kgraph.export.json import dumps_graph_json, iter_graph_json, loads_graph_json, write_graph_json
from kgraph.export.outputs import write_outputs
from kgraph.export.rdf import dumps_rdf, iter_ntriples, write_rdf, write_rdf_files
from kgraph.export.rdf_syntax import iter_turtle
from kgraph.rdf import to_networkx
from kgraph.rdf.vocab import node_iri
from rdf_reference import build_rdf, dumps_jsonld

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
BASE = "https://example.org/kg/"


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


# --- the whole-document writers, as they were -------------------------------------------------------


def _order(value):
    return (type(value).__name__, str(value))


def reference_json(G: nx.MultiDiGraph) -> str:
    data = nx.node_link_data(G, edges="edges")
    data["nodes"].sort(key=lambda node: _order(node["id"]))
    data["edges"].sort(key=lambda edge: (_order(edge["source"]), _order(edge["target"]), _order(edge.get("key"))))
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False) + "\n"


def reference_graphml(G: nx.MultiDiGraph) -> str:
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True, edge_id_from_attribute="id")
    buffer = io.BytesIO()
    writer.add_graph_element(flatten_for_graphml(G))
    writer.dump(buffer)
    return buffer.getvalue().decode("utf-8").rstrip("\n").replace("\r", "&#13;") + "\n"


def reference_ntriples(G: nx.MultiDiGraph, base: str = BASE) -> str:
    text = build_rdf(G, base).serialize(format="nt")
    return "\n".join(sorted(line for line in text.split("\n") if line.strip())) + "\n"


def reference_jsonld(G: nx.MultiDiGraph, base: str = BASE) -> str:
    return dumps_jsonld(build_rdf(G, base))


def assert_same_ntriples(text: str, reference: str) -> None:
    """The same lines, each once (kgraph writes them element by element, rdflib's are sorted)."""
    lines = [line + "\n" for line in text.split("\n")[:-1]]  # not splitlines: literals hold \x0c, \x1c, ...
    assert len(set(lines)) == len(lines)
    assert "".join(sorted(lines)) == reference


def assert_same_jsonld(text: str, reference: str) -> None:
    """The same node objects once a node's community object and its ``kg:mentioned_in`` blocks are merged into it;
    the text that of ``json.dumps``."""
    data = json.loads(text)
    assert json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n" == text
    merged: dict[str, dict] = {}
    for node in data["@graph"]:
        into = merged.setdefault(node["@id"], {})
        if into:
            assert set(node) in ({"@id", "kg:community"}, {"@id", "kg:mentioned_in"})
            assert "kg:community" not in into
        if "kg:mentioned_in" in node and "kg:mentioned_in" in into:
            into["kg:mentioned_in"] = _values(into["kg:mentioned_in"]) + _values(node.pop("kg:mentioned_in"))
        into.update(node)
    expected = json.loads(reference)
    for graph in (merged.values(), expected["@graph"]):
        for node in graph:
            if isinstance(node.get("kg:mentioned_in"), list):
                node["kg:mentioned_in"] = sorted(node["kg:mentioned_in"], key=lambda value: value["@id"])
    data["@graph"] = sorted(merged.values(), key=lambda node: node["@id"])
    for node in data["@graph"]:
        node.update(sorted(node.items()))
    assert data == expected


def _values(value) -> list:
    return value if isinstance(value, list) else [value]


# --- kgraph-shaped graphs with hostile text ---------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=25)
_slug = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12)


@st.composite
def kgraph_graphs(draw) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(name=draw(_text))
    papers = [f"paper:{slug}" for slug in draw(st.lists(_slug, min_size=1, max_size=4, unique=True))]
    for paper in papers:
        G.add_node(paper, type="paper", label=draw(_text), abstract=draw(_text),
                   year=draw(st.none() | st.integers(0, 9999)), authors=draw(st.lists(_text, max_size=3)),
                   url=draw(st.none() | st.sampled_from(["https://arxiv.org/abs/1 x", "not a url"])),
                   source=draw(st.none() | _text))
    entities = []
    for kind, slug in draw(st.lists(st.tuples(st.sampled_from(["method", "task", "dataset"]), _slug),
                                    min_size=1, max_size=5, unique=True)):
        node = f"{kind}:{slug}"
        aliases = draw(st.lists(_text, min_size=1, max_size=3, unique=True))
        G.add_node(node, type=kind, label=aliases[0], aliases=aliases,
                   alias_counts=[draw(st.integers(1, 9)) for _ in aliases],
                   papers=draw(st.lists(st.sampled_from(papers), max_size=3)), proposed_in=[],
                   mentions=draw(st.integers(0, 50)), known_id=draw(st.none() | _text))
        entities.append(node)
    for _ in range(draw(st.integers(0, 6))):
        head = draw(st.sampled_from(papers + entities))
        relation = draw(st.sampled_from(["mentions", "uses"] if head.startswith("paper:") else ["used_for", "part_of"]))
        evidence = [{"paper": draw(st.sampled_from(papers)).partition(":")[2], "field": "abstract",
                     "start": draw(st.integers(0, 99)), "end": draw(st.integers(0, 99)),
                     "sentence": draw(_text), "extractor": draw(st.sampled_from(["pattern", "ruler"]))}
                    for _ in range(draw(st.integers(0, 2)))]
        G.add_edge(head, draw(st.sampled_from(entities)), key=relation, relation=relation,
                   support=max(1, len(evidence)), evidence=evidence, extractors=["pattern"])
    for node in G.nodes:
        G.nodes[node]["community"] = draw(st.none() | st.integers(0, 3))
    return G


# --- same bytes as before -----------------------------------------------------------------------------


def test_stream_json_same_bytes_as_the_whole_document_writer():
    G = load_fixture()
    assert dumps_graph_json(G) == reference_json(G)
    assert dumps_graph_json(nx.MultiDiGraph()) == reference_json(nx.MultiDiGraph())


def test_stream_graphml_same_bytes_as_the_whole_document_writer():
    G = load_fixture()
    assert dumps_graphml(G) == reference_graphml(G)
    assert dumps_graphml(nx.MultiDiGraph()) == reference_graphml(nx.MultiDiGraph())


def test_stream_graphml_odd_attributes_same_bytes():
    """Several types under one name, empty values, a graph id, an edge's own id and label, a cleaned node id."""
    G = nx.MultiDiGraph(name="x\r\ny", id="graph-1")
    G.add_node(1, label="one\u2028x\r\n<&>\"'\t", flag=True, weight=1.5, empty="", missing=None)
    G.add_node("1", label=2)
    G.add_node("z\x00", **{"id": "other", "source": "s", 'we"ird\nname': "v"})
    G.add_edge(1, "1", key=0, w=[])
    G.add_edge(1, "1", key="a", relation="uses", support=3)
    G.add_edge("z\x00", 1, key="k", id="zz", label="L")
    assert dumps_graphml(G) == reference_graphml(G)


def test_stream_ntriples_same_lines_as_rdflib():
    G = load_fixture()
    assert_same_ntriples(dumps_rdf(G, BASE, format="nt"), reference_ntriples(G))


@pytest.mark.parametrize("base", [BASE, "https://example.org/kg#"])
def test_stream_jsonld_same_objects_as_from_an_rdflib_graph(base):
    G = load_fixture()
    assert_same_jsonld(dumps_rdf(G, base, format="json-ld"), reference_jsonld(G, base))


def test_stream_rdf_in_graph_order():
    """The dataset, then each node (with its out-edges' direct triples), each edge's statement, the communities."""
    G = load_fixture()
    subjects = list(dict.fromkeys(line.split(" ", 1)[0] for line in dumps_rdf(G, BASE, format="nt").split("\n")[:-1]))
    assert subjects[0] == f"<{BASE}>"
    nodes = [node_iri(node, BASE) for node in sorted(G.nodes)]
    node_subjects = [s for s in subjects if s[1:-1] in {str(n) for n in nodes}]
    assert node_subjects == [f"<{n}>" for n in nodes]
    assert subjects.index(f"<{nodes[-1]}>") < min(i for i, s in enumerate(subjects) if "/statement/" in s)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(G=kgraph_graphs())
def test_stream_every_writer_same_bytes_property(G):
    assert dumps_graph_json(G) == reference_json(G)
    assert dumps_graphml(G) == reference_graphml(G)
    nt = dumps_rdf(G, BASE, format="nt")
    assert_same_ntriples(nt, reference_ntriples(G))
    assert "".join(iter_ntriples(G, BASE)) == nt
    assert_same_jsonld(dumps_rdf(G, BASE, format="json-ld"), reference_jsonld(G))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(G=kgraph_graphs())
def test_stream_turtle_is_the_same_graph_property(G):
    text = dumps_rdf(G, BASE)
    expected = build_rdf(G, BASE)
    assert isomorphic(rdflib.Graph().parse(data=text, format="turtle"), expected)
    store = pyoxigraph.Store()
    store.load(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(expected)


def test_stream_turtle_reads_back_as_the_graph(tmp_path):
    G = load_fixture()
    write_rdf(G, tmp_path / "graph.ttl", BASE)
    back = to_networkx(tmp_path / "graph.ttl", base_iri=BASE)
    assert set(back.nodes) == set(G.nodes)
    assert sorted(back.edges(keys=True)) == sorted(G.edges(keys=True))


def test_stream_turtle_prefixes_only_plain_local_names():
    lines = [
        f"<{BASE}paper/a.> <{BASE}x> <{BASE}method/gnn> .\n",
        f"<{BASE}paper/arXiv%3A1> <http://purl.org/dc/terms/date> \"0042\"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n",
        f"<{BASE}statement/0f3a> <https://w3id.org/kgraph/ontology#support> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n",
    ]
    prefixes = {"paper": f"{BASE}paper/", "method": f"{BASE}method/", "statement": f"{BASE}statement/",
                "kg": "https://w3id.org/kgraph/ontology#", "xsd": "http://www.w3.org/2001/XMLSchema#",
                "dcterms": "http://purl.org/dc/terms/"}
    text = "".join(iter_turtle(lines, prefixes))
    assert f"<{BASE}paper/a.> <{BASE}x> method:gnn ." in text  # a local name ending in "." stays whole
    assert f"<{BASE}paper/arXiv%3A1> dcterms:date \"0042\"^^xsd:gYear ." in text
    assert "statement:0f3a kg:support 7 ." in text
    assert len(rdflib.Graph().parse(data=text, format="turtle")) == 3


# --- streamed, not built whole ------------------------------------------------------------------------


def test_stream_json_yields_one_piece_per_node_and_edge():
    G = load_fixture()
    pieces = list(iter_graph_json(G))
    assert len(pieces) >= G.number_of_nodes() + G.number_of_edges()
    assert max(map(len, pieces)) < len("".join(pieces)) / 4


def test_stream_graphml_writes_element_by_element(tmp_path, monkeypatch):
    """The graph element goes to the scratch file one node or edge at a time; the file is the same."""
    G = load_fixture()
    writes = []
    real = splice._scratch_file

    def spy(path):
        body = real(path)
        write = body.write
        body.write = lambda text: writes.append(len(text)) or write(text)
        return body

    monkeypatch.setattr(splice, "_scratch_file", spy)
    write_graphml(G, tmp_path / "graph.graphml")
    assert (tmp_path / "graph.graphml").read_text(encoding="utf-8") == reference_graphml(G)
    assert len(writes) >= G.number_of_nodes() + G.number_of_edges()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.graphml"]  # the scratch file is gone


def _large_graph(papers: int) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(name="large")
    for i in range(papers):
        paper = f"paper:p{i:05d}"
        G.add_node(paper, type="paper", label=f"Paper {i}", abstract="word " * 80, year=2020, authors=["A. B."],
                   url=None, source=f"corpus.jsonl:{i}")
        method = f"method:m{i % 97}"
        if method not in G:
            G.add_node(method, type="method", label=f"m{i % 97}", aliases=[f"m{i % 97}"], alias_counts=[1],
                       papers=[], proposed_in=[], mentions=1, known_id=None)
        evidence = [{"paper": f"p{i:05d}", "field": "abstract", "start": 0, "end": 4, "sentence": "word " * 20,
                     "extractor": "pattern"}]
        G.add_edge(paper, method, key="uses", relation="uses", support=1, evidence=evidence, extractors=["pattern"])
    return G


@pytest.mark.parametrize("name", ["json", "graphml", "nt", "jsonld"])
def test_stream_large_graph_written_in_a_fraction_of_its_size(tmp_path, monkeypatch, name):
    """Memory while writing stays far below the size of the file (the old writers needed several times it)."""
    G = _large_graph(3000)
    path = tmp_path / f"graph.{name}"
    write = {"json": write_graph_json, "graphml": write_graphml,
             "nt": lambda G, path: write_rdf(G, path, BASE, format="nt"),
             "jsonld": lambda G, path: write_rdf(G, path, BASE, format="json-ld")}[name]
    tracemalloc.start()
    try:
        write(G, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert size > 2_000_000
    # RDF holds one element's triples (of 12 MB of N-Triples here, some 100k triples, for which an
    # rdflib graph takes over 100 MB)
    limit = 4_000_000 if name in ("nt", "jsonld") else size / 4
    assert peak < limit, f"peak {peak} bytes for a {size}-byte file"
    if name == "json":
        assert loads_graph_json(path.read_text(encoding="utf-8")).number_of_edges() == 3000
    if name == "graphml":
        assert nx.read_graphml(path).number_of_edges() == 3000


def test_stream_nt_lines_stay_small(tmp_path):
    G = _large_graph(3000)
    tracemalloc.start()
    try:
        with open(tmp_path / "graph.nt", "w", encoding="utf-8", newline="") as handle:
            handle.writelines(iter_ntriples(G, BASE))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = (tmp_path / "graph.nt").stat().st_size
    assert peak < 4_000_000, f"peak {peak} bytes for a {size}-byte file"
    assert_same_ntriples((tmp_path / "graph.nt").read_text(encoding="utf-8"), reference_ntriples(G))


# --- the build writes N-Triples and Turtle in one pass --------------------------------------------------


def test_stream_rdf_files_one_pass_for_several_formats(tmp_path):
    G = load_fixture()
    write_rdf_files(G, {"nt": tmp_path / "graph.nt", "ttl": tmp_path / "graph.ttl",
                        "jsonld": tmp_path / "graph.jsonld"}, BASE)
    assert (tmp_path / "graph.nt").read_text(encoding="utf-8") == dumps_rdf(G, BASE, format="nt")
    assert_same_ntriples((tmp_path / "graph.nt").read_text(encoding="utf-8"), reference_ntriples(G))
    assert (tmp_path / "graph.ttl").read_text(encoding="utf-8") == dumps_rdf(G, BASE)
    assert_same_jsonld((tmp_path / "graph.jsonld").read_text(encoding="utf-8"), reference_jsonld(G))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.jsonld", "graph.nt", "graph.ttl"]


def test_stream_build_outputs_equal_the_references(tmp_path):
    G = load_fixture()
    config = Config(output_dir=tmp_path, outputs=("json", "graphml", "ttl", "nt", "jsonld"), base_iri=BASE)
    write_outputs(config, G, [], None, {})
    assert (tmp_path / "graph.json").read_text(encoding="utf-8") == reference_json(G)
    assert (tmp_path / "graph.graphml").read_text(encoding="utf-8") == reference_graphml(G)
    assert_same_ntriples((tmp_path / "graph.nt").read_text(encoding="utf-8"), reference_ntriples(G))
    assert_same_jsonld((tmp_path / "graph.jsonld").read_text(encoding="utf-8"), reference_jsonld(G))
    assert isomorphic(rdflib.Graph().parse(tmp_path / "graph.ttl", format="turtle"), build_rdf(G, BASE))
