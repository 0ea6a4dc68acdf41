"""kgraph.rdf: every RDF file a build writes parses with rdflib and pyoxigraph and reads back the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from kgraph.config import Config
from kgraph.errors import ConfigError, CorpusFormatError
from kgraph.export.rdf import dumps_rdf
from kgraph.rdf import locate_graph, read_oxigraph, read_rdf, to_networkx
from kgraph.export.outputs import OUTPUT_FILES, write_outputs
from kgraph.rdf.vocab import KG, node_iri
from rdf_reference import build_rdf, dumps_graph

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
BASE = "https://example.org/kg/"
FORMATS = {"graph.ttl": ("turtle", pyoxigraph.RdfFormat.TURTLE),
           "graph.nt": ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
           "graph.jsonld": ("json-ld", pyoxigraph.RdfFormat.JSON_LD)}


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def ntriples(graph: Graph) -> set[str]:
    """The triples as N-Triples lines: equal sets mean equal graphs (kgraph writes no blank nodes)."""
    return {f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph}


def oxigraph_ntriples(path: Path, format) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object} ." for q in pyoxigraph.parse(path=str(path), format=format)}


def canonical(lines: set[str]) -> set[str]:
    """N-Triples lines as rdflib writes them, whoever parsed them."""
    graph = Graph()
    graph.parse(data="\n".join(lines), format="nt")
    return ntriples(graph)


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rdf_fixture")
    rdf = build_rdf(load_fixture(), BASE)
    for name, (format, _) in FORMATS.items():
        (out / name).write_text(dumps_graph(rdf, format=format), encoding="utf-8")
    return out


@pytest.mark.parametrize("name", FORMATS)
def test_rdf_roundtrip_fixture_file_reads_back_the_same_graph(fixture_dir, name):
    G = load_fixture()
    H = to_networkx(fixture_dir / name)
    assert nx.utils.graphs_equal(H, G)
    assert H.graph == {"name": "export fixture <b>&</b>"}


@pytest.mark.parametrize("name", FORMATS)
def test_rdf_roundtrip_fixture_parses_the_same_with_pyoxigraph(fixture_dir, name):
    rdflib_format, ox_format = FORMATS[name]
    expected = ntriples(build_rdf(load_fixture(), BASE))
    assert ntriples(Graph().parse(fixture_dir / name, format=rdflib_format)) == expected
    assert canonical(oxigraph_ntriples(fixture_dir / name, ox_format)) == expected


def test_rdf_roundtrip_keeps_author_and_alias_order():
    G = load_fixture()
    G.nodes["paper:arXiv:2401.1 x/y"]["authors"] = ["Z", "A", "Z"]  # order and repeats kept
    G.nodes["method:graph-neural-network"]["aliases"] = ["GNN", "graph neural network"]
    H = to_networkx(build_rdf(G, BASE))
    assert H.nodes["paper:arXiv:2401.1 x/y"]["authors"] == ["Z", "A", "Z"]
    assert H.nodes["method:graph-neural-network"]["aliases"] == ["GNN", "graph neural network"]
    assert H.nodes["method:graph-neural-network"]["alias_counts"] == [2, 4]


def test_rdf_roundtrip_reads_the_base_iri_from_the_graph():
    rdf = build_rdf(load_fixture(), "https://example.org/other#")
    H = to_networkx(rdf)
    assert nx.utils.graphs_equal(H, load_fixture())


def test_rdf_roundtrip_without_a_dataset_description_needs_the_base():
    rdf = build_rdf(load_fixture(), BASE)
    rdf.remove((URIRef(BASE), None, None))
    with pytest.raises(CorpusFormatError, match="cannot tell the base IRI"):
        to_networkx(rdf)
    H = to_networkx(rdf, base_iri=BASE)
    assert H.graph == {}
    assert set(H.edges(keys=True)) == set(load_fixture().edges(keys=True))


def test_rdf_roundtrip_statement_without_its_triple_is_an_error():
    G = load_fixture()
    rdf = build_rdf(G, BASE)
    rdf.remove((node_iri("method:phi-decoding", BASE), KG.extends, None))
    with pytest.raises(CorpusFormatError, match="not in the graph"):
        to_networkx(rdf)


def test_rdf_roundtrip_malformed_number_is_an_error():
    rdf = build_rdf(load_fixture(), BASE)
    gnn = node_iri("method:graph-neural-network", BASE)
    rdf.set((gnn, KG.mention_count, Literal("many")))
    with pytest.raises(CorpusFormatError, match="expected an integer"):
        to_networkx(rdf)


def test_rdf_roundtrip_node_outside_the_base_is_an_error():
    rdf = build_rdf(load_fixture(), BASE)
    rdf.add((URIRef("https://elsewhere.org/method/x"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
             KG.Method))
    with pytest.raises(CorpusFormatError, match="not a node IRI"):
        to_networkx(rdf)


def test_rdf_locate_graph_prefers_ntriples(fixture_dir, tmp_path):
    assert locate_graph(fixture_dir) == fixture_dir / "graph.nt"
    with pytest.raises(ConfigError, match="no RDF graph here"):
        locate_graph(tmp_path)
    (tmp_path / "graph.xml").write_text("<rdf/>")
    with pytest.raises(ConfigError, match="unknown RDF file type"):
        locate_graph(tmp_path / "graph.xml")


@pytest.mark.parametrize(("name", "text"), [("graph.ttl", "<a> <b> ."), ("graph.nt", "<x> <y> <z>"),
                                            ("graph.jsonld", "{\"@id\": ")])
def test_rdf_broken_file_is_a_corpus_format_error(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    with pytest.raises(CorpusFormatError, match=name):
        read_rdf(tmp_path / name)
    with pytest.raises(CorpusFormatError, match=name):
        read_oxigraph(tmp_path / name)


def test_rdf_write_outputs_writes_every_rdf_format_and_the_ontology(tmp_path):
    config = Config(output_dir=tmp_path, outputs=("ttl", "nt", "jsonld", "ontology"), base_iri=BASE)
    files = write_outputs(config, load_fixture(), [], None, {})
    assert sorted(p.name for p in files) == ["graph.jsonld", "graph.nt", "graph.ttl", "ontology.ttl"]
    for name in FORMATS:
        assert nx.utils.graphs_equal(to_networkx(tmp_path / name), load_fixture())


def test_rdf_format_option_restricts_the_rdf_outputs(tmp_path):
    config = Config(output_dir=tmp_path, outputs=("json", "ttl", "nt", "jsonld", "ontology"), rdf_format="nt")
    assert config.outputs == ("json", "nt", "ontology")
    assert Config(rdf_format="ttl").outputs == tuple(o for o in Config().outputs if o not in ("nt", "jsonld"))
    with pytest.raises(ConfigError, match="unknown RDF format 'xml'"):
        Config(rdf_format="xml")
    assert {OUTPUT_FILES[o] for o in ("ttl", "nt", "jsonld", "ontology")} == {
        "graph.ttl", "graph.nt", "graph.jsonld", "ontology.ttl"}


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None)
@given(
    locals_=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
                     min_size=2, max_size=4, unique=True),
    text=_text,
    authors=st.lists(_text, max_size=3),
    year=st.one_of(st.none(), st.integers(0, 9999)),
    counts=st.lists(st.integers(1, 50), min_size=1, max_size=3),
    url=st.one_of(st.none(), _text, st.just("https://example.org/a b")),
)
def test_rdf_roundtrip_property(locals_, text, authors, year, counts, url):
    G = nx.MultiDiGraph(name=text)
    papers = [f"paper:{local}" for local in locals_]
    for paper in papers:
        G.add_node(paper, type="paper", label=text, abstract=text, year=year, authors=authors, url=url,
                   source=None, community=0)
    aliases = [f"{text}{i}" for i in range(len(counts))]
    G.add_node("method:m", type="method", label=aliases[0], aliases=aliases, alias_counts=counts,
               papers=sorted(papers), proposed_in=sorted(papers[:1]), mentions=sum(counts), known_id=None)
    G.add_node("task:t", type="task", label=text, aliases=[], alias_counts=[], papers=[], proposed_in=[],
               mentions=0, known_id=text)
    evidence = sorted(({"paper": p[len("paper:"):], "field": "title", "start": 0, "end": len(text),
                        "sentence": text, "extractor": "x"} for p in papers),
                      key=lambda e: (e["paper"], e["field"], e["start"], e["end"], e["extractor"]))
    G.add_edge("method:m", "task:t", key="used_for", relation="used_for", support=len(papers),
               evidence=evidence, extractors=["x"])
    G.add_edge(papers[0], "method:m", key="proposes", relation="proposes", support=1,
               evidence=evidence[:1], extractors=["x"])
    rdf = build_rdf(G, BASE)
    assert nx.utils.graphs_equal(to_networkx(rdf), G)
    for format in ("turtle", "nt", "json-ld"):
        back = Graph().parse(data=dumps_graph(rdf, format=format), format=format)
        assert nx.utils.graphs_equal(to_networkx(back), G)


# ---- the bundled corpus ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_dir(corpus_build) -> Path:
    return corpus_build.files[0].parent


@pytest.mark.slow
@pytest.mark.parametrize("name", FORMATS)
def test_rdf_roundtrip_corpus_file_reads_back_the_built_graph(corpus_build, corpus_dir, name):
    H = to_networkx(corpus_dir / name)
    G = corpus_build.graph
    assert set(H.nodes) == set(G.nodes)
    assert set(H.edges(keys=True)) == set(G.edges(keys=True))
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    assert nx.utils.graphs_equal(H, G)


@pytest.mark.slow
@pytest.mark.parametrize("name", FORMATS)
def test_rdf_roundtrip_corpus_parses_the_same_with_rdflib_and_pyoxigraph(corpus_dir, name):
    rdflib_format, ox_format = FORMATS[name]
    by_rdflib = ntriples(Graph().parse(corpus_dir / name, format=rdflib_format))
    assert len(by_rdflib) > 10_000
    assert canonical(oxigraph_ntriples(corpus_dir / name, ox_format)) == by_rdflib
    assert by_rdflib == ntriples(Graph().parse(corpus_dir / "graph.nt", format="nt"))


@pytest.mark.slow
def test_rdf_roundtrip_corpus_writes_the_ontology_beside_the_graph(corpus_dir):
    from kgraph.export.rdf import dumps_ontology

    assert (corpus_dir / "ontology.ttl").read_text(encoding="utf-8") == dumps_ontology()
