"""kgraph.export.rdf and kgraph.rdf.vocab: valid IRIs, exact literals, reified evidence, stable bytes."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, PROV, VOID

from kgraph.errors import ConfigError, ExportError
from kgraph.export.rdf import dumps_ontology, dumps_rdf, write_ontology, write_rdf
from kgraph.graph import schema
from kgraph.rdf.vocab import (
    BIBO,
    CITO,
    KG,
    KG_NAMESPACE,
    NODE_CLASSES,
    RELATION_PROPERTIES,
    SKOSXL,
    authors_iri,
    label_iri,
    member_property,
    mint_iri,
    node_id_from_iri,
    node_iri,
    statement_iri,
)
from rdf_reference import build_rdf, write_graph

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
BASE = "https://example.org/kg/"
HOSTILE_PAPER = "paper:arXiv:2401.1 x/y"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
SAFE_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def parse(text: str, format: str = "turtle") -> Graph:
    graph = Graph()
    graph.parse(data=text, format=format)
    return graph


def test_rdf_turtle_parses_back_isomorphic():
    G = load_fixture()
    built = build_rdf(G, BASE)
    back = parse(dumps_rdf(G, BASE))
    assert len(back) == len(built)
    assert isomorphic(back, built)


def test_rdf_counts_match_the_graph():
    G = load_fixture()
    rdf = build_rdf(G, BASE)
    edges = list(G.edges(keys=True, data=True))
    evidence_items = sum(len(d["evidence"]) for *_, d in edges)
    aliases = sum(len(d.get("aliases", [])) for _, d in G.nodes(data=True))
    assert len(set(rdf.subjects(RDF.type, RDF.Statement))) == len(edges)
    assert len(set(rdf.subjects(RDF.type, KG.Evidence))) == evidence_items
    assert len(list(rdf.triples((None, KG.evidence, None)))) == evidence_items
    assert len(set(rdf.subjects(RDF.type, SKOSXL.Label))) == aliases
    assert len(set(rdf.subjects(RDF.type, KG.Paper))) == 2
    assert {len(set(rdf.subjects(RDF.type, c))) for c in (KG.Method,)} == {2}
    for head, tail, key, _ in edges:
        assert (node_iri(head, BASE), KG[key], node_iri(tail, BASE)) in rdf
    # the whole graph, counted by hand from the fixture:
    dataset = 4  # void:Dataset: type, uriSpace, conformsTo, title
    papers = 14 + 5  # p1: type, id, title, abstract, date, 2 creators, authorList, Seq type + 2 members,
    #                  page, url (not an IRI as given), source; p2: type, id, title, abstract, source
    labels = 4 * aliases  # each skosxl:Label: type, literalForm, rank, alias_count
    entities = (3 + 2 + 3 + 1 + 1 + 1) + (3 + 1 + 2 + 2 + 1 + 1) + (3 + 1 + 2 + 1 + 1) + (3 + 1 + 1 + 1 + 1)
    #           type, id, prefLabel + altLabels + skosxl links + mentioned_in + proposed_in + count + known_id
    lookup_keys = 4 + 3 + 3 + 2  # distinct lower-cased id, label and aliases: "φ-decoding" / "phi-decoding" / ...
    statements = 9 * 8 + (5 + 2 + 2 + 2) + 5  # type, s, p, o, support + extractors + evidence + papers
    evidence = 7 * evidence_items
    assert len(rdf) == dataset + papers + labels + entities + lookup_keys + len(edges) + statements + evidence == 279


def test_rdf_hostile_literals_round_trip_exactly():
    G = load_fixture()
    back = parse(dumps_rdf(G, BASE))
    paper = node_iri(HOSTILE_PAPER, BASE)
    assert back.value(paper, DCTERMS.title) == Literal(HOSTILE_TITLE)
    assert str(back.value(paper, DCTERMS.abstract)) == G.nodes[HOSTILE_PAPER]["abstract"]
    assert str(back.value(paper, DCTERMS.identifier)) == "arXiv:2401.1 x/y"
    assert set(map(str, back.objects(paper, DCTERMS.creator))) == {"Erwin Schrödinger", 'Ada "Quote" Lovelace'}
    assert str(back.value(node_iri("paper:p2", BASE), DCTERMS.abstract)) == "Plain abstract.\r\nSecond line\twith a tab."
    assert str(back.value(node_iri("dataset:qm9", BASE), SKOS.prefLabel)) == 'QM9 ]]> "set" & </b>'
    sentences = {str(s) for s in back.objects(None, KG.sentence)}
    expected = {e["sentence"] for *_, d in G.edges(data=True) for e in d["evidence"]}
    assert sentences == expected


def test_rdf_iris_are_valid_and_minted_under_the_base():
    back = parse(dumps_rdf(load_fixture(), BASE))
    iris = {term for triple in back for term in triple if isinstance(term, URIRef)}
    assert iris
    for iri in iris:
        assert SAFE_IRI.fullmatch(str(iri)), iri
    data_iris = {i for i in iris if str(i).startswith(BASE)}
    assert node_iri(HOSTILE_PAPER, BASE) in data_iris
    assert str(node_iri(HOSTILE_PAPER, BASE)) == BASE + "paper/arXiv%3A2401.1%20x%2Fy"
    assert {str(i)[len(BASE):].split("/")[0] for i in data_iris} == {
        "", "paper", "method", "task", "dataset", "statement", "evidence"
    }
    # labels and author lists hang below their node, numbered, never named after text
    below = {str(i)[len(BASE):] for i in data_iris if str(i)[len(BASE):].count("/") > 1}
    assert below and all(re.fullmatch(r"(paper/[^/]+/authors|[a-z]+/[^/]+/label/[0-9]+)", i) for i in below)
    page = back.value(node_iri(HOSTILE_PAPER, BASE), FOAF.page)
    assert str(page) == "https://arxiv.org/abs/2401.1%20x?a=1&b=%3C2%3E"
    assert str(back.value(node_iri(HOSTILE_PAPER, BASE), KG.url)) == "https://arxiv.org/abs/2401.1 x?a=1&b=<2>"


def test_rdf_entities_use_skos_labels_without_repeating_the_pref_label():
    rdf = build_rdf(load_fixture(), BASE)
    phi = node_iri("method:phi-decoding", BASE)
    assert rdf.value(phi, SKOS.prefLabel) == Literal("φ-Decoding")
    assert set(rdf.objects(phi, SKOS.altLabel)) == {Literal("phi decoding"), Literal("<script>alert(1)</script>")}
    assert (phi, RDF.type, KG.Method) in rdf
    gnn = node_iri("method:graph-neural-network", BASE)
    assert rdf.value(gnn, KG.known_id) == Literal("graph-neural-network")
    assert rdf.value(gnn, KG.mention_count).toPython() == 6
    assert set(rdf.objects(gnn, KG.mentioned_in)) == {node_iri(HOSTILE_PAPER, BASE), node_iri("paper:p2", BASE)}
    assert set(rdf.objects(phi, KG.proposed_in)) == {node_iri(HOSTILE_PAPER, BASE)}


def test_rdf_aliases_are_skosxl_labels_with_rank_and_count():
    rdf = build_rdf(load_fixture(), BASE)
    gnn = node_iri("method:graph-neural-network", BASE)
    first, second = label_iri(gnn, 1), label_iri(gnn, 2)
    assert rdf.value(gnn, SKOSXL.prefLabel) == first
    assert set(rdf.objects(gnn, SKOSXL.altLabel)) == {second}
    assert [(str(rdf.value(x, SKOSXL.literalForm)), rdf.value(x, KG.rank).toPython(),
             rdf.value(x, KG.alias_count).toPython()) for x in (first, second)] == [
        ("graph neural network", 1, 2), ("GNN", 2, 4)]
    assert (first, RDF.type, SKOSXL.Label) in rdf


def test_rdf_authors_keep_their_order():
    rdf = build_rdf(load_fixture(), BASE)
    paper = node_iri(HOSTILE_PAPER, BASE)
    seq = rdf.value(paper, BIBO.authorList)
    assert seq == authors_iri(paper) and (seq, RDF.type, RDF.Seq) in rdf
    assert [str(rdf.value(seq, member_property(i))) for i in (1, 2)] == ["Erwin Schrödinger", 'Ada "Quote" Lovelace']
    assert rdf.value(seq, member_property(3)) is None
    assert rdf.value(node_iri("paper:p2", BASE), BIBO.authorList) is None


def test_rdf_graph_is_described_as_a_void_dataset():
    rdf = build_rdf(load_fixture(), BASE)
    dataset = URIRef(BASE)
    assert (dataset, RDF.type, VOID.Dataset) in rdf
    assert rdf.value(dataset, VOID.uriSpace) == Literal(BASE)
    assert rdf.value(dataset, DCTERMS.title) == Literal("export fixture <b>&</b>")


def test_rdf_reified_statement_carries_support_and_evidence():
    G = load_fixture()
    rdf = build_rdf(G, BASE)
    head, tail = "method:phi-decoding", "task:schrodinger-equation"
    statement = statement_iri(head, "used_for", tail, BASE)
    assert (statement, RDF.type, RDF.Statement) in rdf
    assert rdf.value(statement, RDF.subject) == node_iri(head, BASE)
    assert rdf.value(statement, RDF.predicate) == KG.used_for
    assert rdf.value(statement, RDF.object) == node_iri(tail, BASE)
    assert rdf.value(statement, KG.support).toPython() == 2
    evidence = sorted(rdf.objects(statement, KG.evidence))
    assert len(evidence) == 2
    papers = {rdf.value(e, PROV.wasDerivedFrom) for e in evidence}
    assert papers == {node_iri(HOSTILE_PAPER, BASE), node_iri("paper:p2", BASE)}
    for item in evidence:
        assert (rdf.value(item, PROV.wasDerivedFrom), RDF.type, KG.Paper) in rdf
        assert {"abstract"} == {str(rdf.value(item, KG.field))}
        assert isinstance(rdf.value(item, KG.start).toPython(), int)
        assert rdf.value(item, KG.extractor) is not None


def test_rdf_has_no_blank_nodes():
    rdf = build_rdf(load_fixture(), BASE)
    assert all(isinstance(term, (URIRef, Literal)) for triple in rdf for term in triple)


def reversed_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    H = nx.MultiDiGraph(**G.graph)
    for node in reversed(list(G)):
        H.add_node(node, **G.nodes[node])
    for u, v, k, d in reversed(list(G.edges(keys=True, data=True))):
        H.add_edge(u, v, key=k, **{**d, "evidence": list(reversed(d["evidence"]))})
    return H


@pytest.mark.parametrize("format", ["turtle", "nt", "json-ld"])
def test_rdf_serialization_is_byte_deterministic(format):
    G = load_fixture()
    first = dumps_rdf(G, BASE, format=format)
    assert dumps_rdf(G, BASE, format=format) == first
    assert dumps_rdf(reversed_copy(G), BASE, format=format) == first
    assert isomorphic(build_rdf(G, BASE), build_rdf(reversed_copy(G), BASE))


@pytest.mark.parametrize("format", ["turtle", "nt", "json-ld"])
def test_rdf_every_format_parses_back_isomorphic(format):
    G = load_fixture()
    back = parse(dumps_rdf(G, BASE, format=format), format)
    assert isomorphic(back, build_rdf(G, BASE))


def test_rdf_jsonld_is_compacted_with_an_inline_context():
    data = json.loads(dumps_rdf(load_fixture(), BASE, format="json-ld"))
    assert set(data) == {"@context", "@graph"}
    assert data["@context"]["kg"] == KG_NAMESPACE and data["@context"]["method"] == BASE + "method/"
    first, more = {}, []
    for node in data["@graph"]:
        (more if node["@id"] in first else first.setdefault(node["@id"], [])).append(node)
    # one object per subject, but for an entity's kg:mentioned_in blocks and a node's community, written apart
    assert more and all(set(node) - {"@id"} <= {"kg:mentioned_in", "kg:community"} for node in more)
    assert all("kg:mentioned_in" not in objects[0] for objects in first.values())
    assert any(node.get("@type") == "kg:Method" for node in data["@graph"])


@pytest.mark.parametrize("format", ["xml", "rdf/xml", "trig"])
def test_rdf_unknown_format_is_a_config_error(format):
    with pytest.raises(ConfigError, match="unknown RDF format"):
        dumps_rdf(load_fixture(), BASE, format=format)


def test_rdf_ntriples_each_once_and_parse_back():
    G = load_fixture()
    text = dumps_rdf(G, BASE, format="nt")
    lines = text.splitlines()
    assert len(lines) == len(set(lines))
    assert isomorphic(parse(text, "nt"), build_rdf(G, BASE))


def test_rdf_write_file(tmp_path):
    G = load_fixture()
    path = tmp_path / "graph.ttl"
    write_rdf(G, path, BASE)
    assert path.read_text(encoding="utf-8") == dumps_rdf(G, BASE)
    assert isomorphic(Graph().parse(path, format="turtle"), build_rdf(G, BASE))


def test_rdf_write_a_built_graph_in_several_formats(tmp_path):
    G = load_fixture()
    rdf = build_rdf(G, BASE)
    for format, name in (("turtle", "graph.ttl"), ("nt", "graph.nt"), ("json-ld", "graph.jsonld")):
        write_graph(rdf, tmp_path / name, format=format)
        assert isomorphic(parse((tmp_path / name).read_text(encoding="utf-8"), format), build_rdf(G, BASE))
    nt = (tmp_path / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert nt == sorted(dumps_rdf(G, BASE, format="nt").splitlines())  # an rdflib graph's lines are sorted


def test_rdf_write_ontology_copies_the_shipped_file(tmp_path):
    write_ontology(tmp_path / "ontology.ttl")
    shipped = resources.files("kgraph").joinpath("resources/ontology.ttl").read_bytes()
    assert (tmp_path / "ontology.ttl").read_bytes() == shipped
    assert dumps_ontology() == shipped.decode("utf-8")


def test_rdf_hash_base_iri():
    rdf = build_rdf(load_fixture(), "https://example.org/kg#")
    assert (URIRef("https://example.org/kg#task/schrodinger-equation"), RDF.type, KG.Task) in rdf


@pytest.mark.parametrize(
    "base", ["https://example.org/kg", "ftp://example.org/", "https://exa mple.org/", "https:///x/", "urn:x/"]
)
def test_rdf_bad_base_iri_is_a_config_error(base):
    with pytest.raises(ConfigError, match="base IRI"):
        build_rdf(load_fixture(), base)


@pytest.mark.parametrize(
    ("node", "attrs"),
    [
        ("task:a", {"type": "task", "label": "a", "colour": "red"}),
        ("paper:p", {"type": "paper", "label": "p", "aliases": ["p"]}),
    ],
)
def test_rdf_attribute_without_a_property_is_an_export_error(node, attrs):
    G = nx.MultiDiGraph()
    G.add_node(node, **attrs)
    with pytest.raises(ExportError, match="which RDF has no property for"):
        build_rdf(G, BASE)


def test_rdf_edge_attribute_without_a_property_is_an_export_error():
    G = nx.MultiDiGraph()
    G.add_node("task:a", type="task", label="a")
    G.add_node("method:m", type="method", label="m")
    G.add_edge("method:m", "task:a", key="used_for", relation="used_for", weight=3)
    with pytest.raises(ExportError, match="'weight'"):
        build_rdf(G, BASE)


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"aliases": ["a", "b"], "alias_counts": [1]}, "2 aliases but 1 alias counts"),
        ({"mentions": "many"}, "mentions must be an integer"),
        ({"mentions": True}, "mentions must be an integer"),
    ],
)
def test_rdf_malformed_entity_attributes_are_export_errors(attrs, message):
    G = nx.MultiDiGraph()
    G.add_node("task:a", type="task", label="a", **attrs)
    with pytest.raises(ExportError, match=message):
        build_rdf(G, BASE)


def test_rdf_unknown_relation_is_an_export_error():
    G = nx.MultiDiGraph()
    G.add_node("task:a", type="task", label="a")
    G.add_edge("task:a", "task:a", key="likes", relation="likes")
    with pytest.raises(ExportError, match="relation 'likes'; expected one of proposes"):
        build_rdf(G, BASE)


@pytest.mark.parametrize(
    ("node", "attrs", "message"),
    [
        ("task:a", {}, "has type None"),
        ("task:a", {"type": "person"}, "has type 'person'"),
        ("method:a", {"type": "task"}, "not starting with 'task:'"),
        ("task:", {"type": "task"}, "empty id"),
    ],
)
def test_rdf_malformed_node_is_an_export_error(node, attrs, message):
    G = nx.MultiDiGraph()
    G.add_node(node, **attrs)
    with pytest.raises(ExportError, match=message):
        build_rdf(G, BASE)


def test_rdf_vocabulary_rejects_misspelt_terms():
    assert KG.used_for == URIRef(KG_NAMESPACE + "used_for")
    with pytest.raises(AttributeError):
        KG.usedFor  # noqa: B018
    with pytest.raises(AttributeError):
        KG["evaluatedOn"]


def test_rdf_ontology_declares_exactly_the_vocabulary():
    ontology = Graph().parse(data=dumps_ontology(), format="turtle")
    declared = {
        s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(KG_NAMESPACE)
    }
    assert declared == {KG[name] for name in KG.__annotations__}
    rdf = build_rdf(load_fixture(), BASE)
    used = {term for triple in rdf for term in triple if str(term).startswith(KG_NAMESPACE)}
    assert used <= declared
    assert (KG.Method, RDF.type, OWL.Class) in ontology


def test_rdf_every_node_type_and_relation_has_a_term():
    assert set(NODE_CLASSES) == set(schema.NODE_TYPES)
    assert set(RELATION_PROPERTIES) == set(schema.RELATIONS)
    ontology = Graph().parse(data=dumps_ontology(), format="turtle")
    for cls in NODE_CLASSES.values():
        assert (cls, RDF.type, OWL.Class) in ontology
    for prop in RELATION_PROPERTIES.values():
        if not prop.startswith(KG_NAMESPACE):
            assert prop == CITO.cites  # reused as CiTO defines it: the ontology says nothing more about it
            continue
        assert (prop, RDF.type, OWL.ObjectProperty) in ontology
        assert ontology.value(prop, RDFS.domain) is not None and ontology.value(prop, RDFS.range) is not None


@pytest.mark.parametrize(
    ("node_id", "expected"),
    [
        ("paper:arXiv:2401.1 x/y", BASE + "paper/arXiv%3A2401.1%20x%2Fy"),
        ("method:φ-decoding", BASE + "method/%CF%86-decoding"),
        ('task:<a href="x">', BASE + "task/%3Ca%20href%3D%22x%22%3E"),
        ("dataset:..", BASE + "dataset/%2E%2E"),
        ("dataset:a~b_c.d-e", BASE + "dataset/a~b_c.d-e"),
    ],
)
def test_rdf_node_iri_percent_encodes(node_id, expected):
    assert str(node_iri(node_id, BASE)) == expected
    assert node_id_from_iri(expected, BASE) == node_id


@pytest.mark.parametrize("node_id", ["person:x", "no-prefix", ""])
def test_rdf_node_iri_needs_a_node_type(node_id):
    with pytest.raises(ExportError, match="does not start with a node type"):
        node_iri(node_id, BASE)


@settings(max_examples=300, deadline=None)
@given(
    node_type=st.sampled_from(["paper", "method", "task", "dataset"]),
    local=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
)
def test_rdf_node_iri_property(node_type, local):
    node_id = f"{node_type}:{local}"
    iri = str(node_iri(node_id, BASE))
    assert SAFE_IRI.fullmatch(iri)
    assert iri.startswith(f"{BASE}{node_type}/") and "/" not in iri[len(f"{BASE}{node_type}/"):]
    assert node_id_from_iri(iri, BASE) == node_id


@settings(max_examples=60, deadline=None)
@given(
    ids=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=15), min_size=1,
                 max_size=4, unique=True),
    text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
)
def test_rdf_turtle_round_trip_property(ids, text):
    G = nx.MultiDiGraph()
    for index, local in enumerate(ids):
        G.add_node(f"paper:{local}", type="paper", label=text, abstract=text + str(index), authors=[text])
    G.add_node("task:t", type="task", label=text or "t", aliases=[text, "x"])
    first = f"paper:{ids[0]}"
    G.add_edge(first, "task:t", key="addresses", relation="addresses", support=1, evidence=[
        {"paper": ids[0], "field": "title", "start": 0, "end": len(text), "sentence": text, "extractor": "x"}
    ])
    built = build_rdf(G, BASE)
    assert isomorphic(parse(dumps_rdf(G, BASE)), built)
    assert isomorphic(parse(dumps_rdf(G, BASE, format="nt"), "nt"), built)
    assert isomorphic(parse(dumps_rdf(G, BASE, format="json-ld"), "json-ld"), built)


def test_mint_iri_rejects_unencodable_text():
    with pytest.raises(ExportError, match="cannot mint"):
        mint_iri(BASE, "task", "\ud800")


def test_rdf_lookup_keys_are_the_lower_cased_names():
    G = load_fixture()
    rdf = build_rdf(G, BASE)
    keys = {str(o) for o in rdf.objects(node_iri("method:graph-neural-network", BASE), KG.lookup_key)}
    assert keys == {"graph neural network", "gnn", "graph-neural-network"}
    assert {str(o) for o in rdf.objects(node_iri("dataset:qm9", BASE), KG.lookup_key)} == {"qm9", 'qm9 ]]> "set" & </b>'}
    # papers have none: they are looked up by identifier and title
    assert not list(rdf.triples((node_iri(HOSTILE_PAPER, BASE), KG.lookup_key, None)))
