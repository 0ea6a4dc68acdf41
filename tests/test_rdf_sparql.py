"""kgraph.rdf.sparql: the canned queries' answers on the bundled corpus, both engines, bound values."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from kgraph.errors import ConfigError
from kgraph.rdf.vocab import KG, node_iri
from rdf_reference import build_rdf
from kgraph.rdf import QueryError, QueryResult, parse_binding, read_oxigraph, read_query, read_rdf, sparql
from kgraph.rdf.sparql import _projected_variables, _substitute

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "examples" / "queries"
ENGINES = ("oxigraph", "rdflib")
BASE = "https://w3id.org/kgraph/"


def query_text(name: str) -> str:
    return (QUERIES / name).read_text(encoding="utf-8")


# ---- expected answers, computed from the NetworkX graph -------------------------------------


def find(G: nx.MultiDiGraph, kind: str, name: str) -> set[str]:
    """Nodes of a type whose label, alias or identifier is ``name``, in any case (as the queries match)."""
    name = name.lower()
    return {
        n for n, d in G.nodes(data=True)
        if d["type"] == kind
        and name in {str(v).lower() for v in [d["label"], n.partition(":")[2], *(d.get("aliases") or [])]}
    }


def iri(node: str) -> str:
    return str(node_iri(node, BASE))


def expected_methods_for_task(G, name):
    found: dict[str, list] = {}
    for task in find(G, "task", name):
        for head, _, key, data in G.in_edges(task, keys=True, data=True):
            if key == "used_for":
                entry = found.setdefault(head, [0, set()])
                entry[0] = max(entry[0], data["support"])
            elif key == "addresses":
                for _, method, relation in G.out_edges(head, keys=True):
                    if relation in ("proposes", "uses") and G.nodes[method]["type"] == "method":
                        found.setdefault(method, [0, set()])[1].add(head)
    rows = [(iri(m), G.nodes[m]["label"], support, len(papers)) for m, (support, papers) in found.items()]
    return sorted(rows, key=lambda r: (-r[2], -r[3], r[1], r[0]))


def expected_datasets_for_method(G, name):
    rows = []
    for method in find(G, "method", name):
        for _, dataset, key, data in G.out_edges(method, keys=True, data=True):
            if key == "evaluated_on" and data["evidence"]:
                rows.append((iri(method), iri(dataset), G.nodes[dataset]["label"], data["support"],
                             len({json.dumps(e, sort_keys=True) for e in data["evidence"]})))
    return sorted(rows, key=lambda r: (-r[3], -r[4], r[2], r[1]))


def expected_extensions(G, name):
    extends = nx.DiGraph([(u, v) for u, v, k in G.edges(keys=True) if k == "extends"])
    rows = set()
    for base in find(G, "method", name):
        if base in extends:
            for method in nx.ancestors(extends, base):
                rows.add((iri(method), G.nodes[method]["label"], extends.has_edge(method, base)))
    return sorted(rows, key=lambda r: (not r[2], r[1], r[0]))


def expected_most_supported(G, relation=None):
    rows = []
    for head, tail, key, data in G.edges(keys=True, data=True):
        if not data["evidence"] or (relation is not None and key != relation):
            continue
        rows.append((iri(head), G.nodes[head]["label"], str(KG[key]), iri(tail), G.nodes[tail]["label"],
                     data["support"], len({json.dumps(e, sort_keys=True) for e in data["evidence"]})))
    return sorted(rows, key=lambda r: (-r[5], -r[6], r[0], r[2], r[3]))[:20]


def rows_of(result: QueryResult) -> list[tuple]:
    return [tuple(row.values()) for row in result.as_dicts()]


# ---- the bundled corpus ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_dir(corpus_build) -> Path:
    return corpus_build.files[0].parent


@pytest.fixture(scope="module")
def corpus_engines(corpus_dir):
    """The corpus graph loaded once per engine: an rdflib Graph and a pyoxigraph Store."""
    return {"rdflib": read_rdf(corpus_dir), "oxigraph": read_oxigraph(corpus_dir)}


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_methods_for_task_include_fast3r(corpus_build, corpus_engines, engine):
    result = sparql(query_text("methods-for-task.rq"), corpus_engines[engine],
                    bindings={"task_name": "camera pose estimation"})
    assert result.variables == ("method", "label", "used_for_support", "papers")
    rows = rows_of(result)
    assert rows == expected_methods_for_task(corpus_build.graph, "camera pose estimation")
    fast3r = iri("method:fast-3d-reconstruction")
    assert (fast3r, "Fast 3D Reconstruction") in [row[:2] for row in rows]
    assert "Fast3R" in corpus_build.graph.nodes["method:fast-3d-reconstruction"]["aliases"]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["CAMERA POSE ESTIMATION", "camera-pose-estimation"])
def test_rdf_sparql_task_found_by_identifier_or_any_case(corpus_build, corpus_engines, engine, name):
    rows = rows_of(sparql(query_text("methods-for-task.rq"), corpus_engines[engine], bindings={"task_name": name}))
    assert rows == expected_methods_for_task(corpus_build.graph, "camera pose estimation")


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_extensions_of_dust3r_include_fast3r(corpus_build, corpus_engines, engine):
    result = sparql(query_text("extensions.rq"), corpus_engines[engine], bindings={"method_name": "DUSt3R"})
    rows = rows_of(result)
    assert rows == expected_extensions(corpus_build.graph, "DUSt3R")
    assert (iri("method:fast-3d-reconstruction"), "Fast 3D Reconstruction", True) in rows


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["f-BRS", "BRS", "MF", "EGC"])
def test_rdf_sparql_datasets_a_method_was_evaluated_on(corpus_build, corpus_engines, engine, name):
    rows = rows_of(sparql(query_text("datasets-for-method.rq"), corpus_engines[engine],
                          bindings={"method_name": name}))
    assert rows  # a method the corpus evaluates on datasets: two empty answers would prove nothing
    assert rows == expected_datasets_for_method(corpus_build.graph, name)


@pytest.mark.slow
def test_rdf_sparql_datasets_for_method_no_dataset_is_no_row(corpus_build, corpus_engines):
    assert "Fast3R" in corpus_build.graph.nodes["method:fast-3d-reconstruction"]["aliases"]
    assert expected_datasets_for_method(corpus_build.graph, "Fast3R") == []
    assert not sparql(query_text("datasets-for-method.rq"), corpus_engines["oxigraph"], bindings={"method_name": "Fast3R"})


def ontology_examples() -> dict[str, tuple[str, list[str]]]:
    """The examples of docs/ONTOLOGY.md's canned-queries table: query -> (bound value, the answers it names)."""
    examples = {}
    for line in (ROOT / "docs" / "ONTOLOGY.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and ".rq`" in cells[0] and " → " in cells[2]:
            value, answer = cells[2].split(" → ", 1)
            examples[cells[0][1:].split("`", 1)[0]] = (value.strip("`"), [a.strip() for a in answer.split(",")])
    return examples


@pytest.mark.slow
def test_rdf_sparql_datasets_for_method_as_the_ontology_doc_says(corpus_build, corpus_engines):
    name, documented = ontology_examples()["datasets-for-method.rq"]
    graph = corpus_build.graph
    (method,) = find(graph, "method", name)
    expected = sorted(graph.nodes[v]["label"] for _, v, k in graph.out_edges(method, keys=True) if k == "evaluated_on")
    for engine in ENGINES:
        result = sparql(query_text("datasets-for-method.rq"), corpus_engines[engine], bindings={"method_name": name})
        assert sorted(result.column("label")) == expected == sorted(documented)
    assert len(expected) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_most_supported_relations(corpus_build, corpus_engines, engine):
    result = sparql(query_text("most-supported-relations.rq"), corpus_engines[engine])
    assert len(result) == 20
    assert rows_of(result) == expected_most_supported(corpus_build.graph)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_most_supported_of_one_relation(corpus_build, corpus_engines, engine):
    result = sparql(query_text("most-supported-relations.rq"), corpus_engines[engine],
                    bindings={"relation": KG.extends})
    rows = rows_of(result)
    assert rows and rows == expected_most_supported(corpus_build.graph, "extends")


@pytest.mark.slow
def test_rdf_sparql_engines_agree_on_a_directory(corpus_dir):
    text = query_text("extensions.rq")
    by_engine = [sparql(text, corpus_dir, bindings={"method_name": "dust3r"}, engine=e) for e in ENGINES]
    assert by_engine[0].rows == by_engine[1].rows and by_engine[0].rows


def test_rdf_sparql_every_canned_query_is_documented():
    names = sorted(p.name for p in QUERIES.glob("*.rq"))
    assert names == ["datasets-for-method.rq", "extensions.rq", "methods-for-task.rq",
                     "most-supported-relations.rq"]
    for name in names:
        text = query_text(name)
        assert text.startswith("# ") and "# Columns:" in text and "kgraph sparql examples/queries/" + name in text


# ---- bound values are terms, never query text ------------------------------------------------------

HOSTILE = 'x" } UNION { ?s ?p ?o } # \\ \n """ <http://evil> $task_name'


@pytest.fixture(scope="module")
def hostile_engines():
    G = nx.MultiDiGraph()
    for node, label in (("task:a", HOSTILE), ("task:b", "camera")):
        G.add_node(node, type="task", label=label)
    G.add_node("method:m", type="method", label="m")
    G.add_node("method:n", type="method", label="n")
    G.add_node("paper:p", type="paper", label="P")
    evidence = [{"paper": "p", "field": "title", "start": 0, "end": 1, "sentence": "P", "extractor": "x"}]
    G.add_edge("method:m", "task:a", key="used_for", relation="used_for", support=1, evidence=evidence)
    G.add_edge("method:n", "task:b", key="used_for", relation="used_for", support=1, evidence=evidence)
    rdf = build_rdf(G, BASE)
    store = pyoxigraph.Store()
    store.load(rdf.serialize(format="nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return {"rdflib": rdf, "oxigraph": store}


@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_hostile_value_matches_only_itself(hostile_engines, engine):
    result = sparql(query_text("methods-for-task.rq"), hostile_engines[engine], bindings={"task_name": HOSTILE})
    assert result.column("method") == [iri("method:m")]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("value", [
    'camera") || true || ("',
    "camera' || true || '",
    'x" } UNION { ?method ?p ?o } #',
    "camera\\",
    '"""',
])
def test_rdf_sparql_injection_attempts_find_nothing(hostile_engines, engine, value):
    result = sparql(query_text("methods-for-task.rq"), hostile_engines[engine], bindings={"task_name": value})
    assert result.rows == ()


@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_projected_variable_is_bound_too(hostile_engines, engine):
    query = "SELECT ?name ?task WHERE { ?task skos:prefLabel ?name }"
    result = sparql(query, hostile_engines[engine], bindings={"name": HOSTILE})
    assert rows_of(result) == [(HOSTILE, iri("task:a"))]


def test_rdf_sparql_substitution_leaves_strings_iris_and_comments_alone():
    query = ('SELECT ?x WHERE { ?x <http://e/?name> "?name" . # ?name\n'
             ' FILTER(?x != $name && STR(?x) != """?name\n""") }')
    out = _substitute(query, {"name": Literal('a"b')})
    assert out == ('SELECT ?x WHERE { ?x <http://e/?name> "?name" . # ?name\n'
                   ' FILTER(?x !=  "a\\"b"  && STR(?x) != """?name\n""") }')
    assert _projected_variables("SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b }") == {"a", "b", "n"}
    assert _projected_variables("ASK { ?a ?p ?b }") == set()


@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_iri_binding(hostile_engines, engine):
    query = "SELECT ?m WHERE { ?m kg:used_for ?task } ORDER BY ?m"
    result = sparql(query, hostile_engines[engine], bindings={"task": URIRef(iri("task:b"))})
    assert result.column("m") == [iri("method:n")]


@pytest.mark.parametrize("value", ["http://x> } <y", "no scheme", "http://a b"])
def test_rdf_sparql_bad_iri_binding_is_refused(hostile_engines, value):
    with pytest.raises(QueryError, match="not a valid absolute IRI"):
        sparql("SELECT ?m WHERE { ?m kg:used_for ?task }", hostile_engines["rdflib"], bindings={"task": URIRef(value)})
    with pytest.raises(QueryError, match="not a valid absolute IRI"):
        parse_binding(f"task=<{value}>")


# ---- errors, formats, the API around a query ------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_syntax_error_is_a_query_error(hostile_engines, engine):
    with pytest.raises(QueryError, match=f"query failed \\({engine}\\)"):
        sparql("SELECT ?x WHERE { ?x ", hostile_engines[engine])


def test_rdf_sparql_unknown_variable_is_named(hostile_engines):
    with pytest.raises(QueryError, match=r"no variable \?tsk to bind; its variables: \?m, \?task"):
        sparql("SELECT ?m WHERE { ?m kg:used_for ?task }", hostile_engines["oxigraph"], bindings={"tsk": "x"})


def test_rdf_sparql_unknown_engine_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown SPARQL engine 'jena'"):
        sparql("ASK {}", tmp_path, engine="jena")


@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_ask_and_construct(hostile_engines, engine):
    ask = sparql("ASK { ?m kg:used_for ?t }", hostile_engines[engine])
    assert ask.kind == "ask" and ask.boolean is True and ask.rows == ()
    graph = sparql("CONSTRUCT { ?m kg:used_for ?t } WHERE { ?m kg:used_for ?t }", hostile_engines[engine])
    assert graph.kind == "graph" and graph.variables == ("subject", "predicate", "object")
    assert [row[0] for row in graph.rows] == [URIRef(iri("method:m")), URIRef(iri("method:n"))]


def test_rdf_sparql_result_formats():
    result = QueryResult(("a", "b", "c"), ((URIRef("https://w3id.org/kgraph/ontology#x"), Literal(3), None),
                                           (BNode("b0"), Literal("é, \"q\"", lang="fr"), Literal("t"))))
    assert list(csv.reader(io.StringIO(result.to_csv()))) == [
        ["a", "b", "c"], ["https://w3id.org/kgraph/ontology#x", "3", ""], ["_:b0", 'é, "q"', "t"]]
    assert json.loads(result.to_json()) == {"head": {"vars": ["a", "b", "c"]}, "results": {"bindings": [
        {"a": {"type": "uri", "value": "https://w3id.org/kgraph/ontology#x"},
         "b": {"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
        {"a": {"type": "bnode", "value": "b0"}, "b": {"type": "literal", "value": 'é, "q"', "xml:lang": "fr"},
         "c": {"type": "literal", "value": "t"}}]}}
    table = result.to_table().splitlines()
    assert table[0].split() == ["a", "b", "c"] and table[2].startswith("kg:x") and table[-1] == "(2 rows)"
    assert result.as_dicts()[0] == {"a": "https://w3id.org/kgraph/ontology#x", "b": 3, "c": None}
    ask = QueryResult((), (), kind="ask", boolean=False)
    assert (ask.to_table(), json.loads(ask.to_json()), ask.to_csv()) == (
        "false\n", {"head": {}, "boolean": False}, "boolean\r\ntrue\r\n".replace("true", "false"))
    with pytest.raises(ConfigError, match="unknown output format 'xml'"):
        result.format("xml")


def test_rdf_sparql_table_shortens_iris_with_the_graph_base(hostile_engines):
    result = sparql("SELECT ?m WHERE { ?m kg:used_for ?t } ORDER BY ?m", hostile_engines["rdflib"])
    assert result.to_table().splitlines()[2:4] == ["method:m", "method:n"]


def test_rdf_sparql_read_query(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("ASK {}", encoding="utf-8")
    assert read_query(str(path)) == "ASK {}"
    assert read_query("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"
    with pytest.raises(ConfigError, match="no such query file"):
        read_query(str(tmp_path / "missing.rq"))


@pytest.mark.parametrize(("text", "expected"), [
    ("task_name=camera pose estimation", ("task_name", Literal("camera pose estimation"))),
    ("?x=", ("x", Literal(""))),
    ("x=a=b", ("x", Literal("a=b"))),
    ("r=<https://w3id.org/kgraph/ontology#extends>", ("r", URIRef("https://w3id.org/kgraph/ontology#extends"))),
])
def test_rdf_sparql_parse_binding(text, expected):
    assert parse_binding(text) == expected


@pytest.mark.parametrize("text", ["novalue", "1x=a", "a b=c", "=c"])
def test_rdf_sparql_parse_binding_rejects_bad_names(text):
    with pytest.raises(ConfigError, match="is not NAME=VALUE"):
        parse_binding(text)


def test_rdf_sparql_python_values_are_bound_as_typed_literals(hostile_engines):
    result = sparql("SELECT ?n WHERE { ?s kg:support ?n }", hostile_engines["oxigraph"], bindings={"n": 1})
    assert result.column("n") == [1, 1]
    with pytest.raises(QueryError, match="cannot bind"):
        sparql("SELECT ?n WHERE { ?s kg:support ?n }", hostile_engines["oxigraph"], bindings={"n": [1]})


def test_rdf_sparql_rdflib_graph_of_a_file(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("task:qa", type="task", label="question answering")
    (tmp_path / "graph.ttl").write_text(build_rdf(G, BASE).serialize(format="turtle"), encoding="utf-8")
    for engine in ENGINES:
        result = sparql("SELECT ?l WHERE { ?t a kg:Task ; skos:prefLabel ?l }", tmp_path, engine=engine)
        assert result.column("l") == ["question answering"]
    assert isinstance(read_rdf(tmp_path), Graph)


@pytest.mark.parametrize("engine", ENGINES)
def test_rdf_sparql_row_limit_cuts_and_says_so(hostile_engines, engine):
    every = sparql("SELECT * WHERE { ?s ?p ?o }", hostile_engines[engine])
    cut = sparql("SELECT * WHERE { ?s ?p ?o }", hostile_engines[engine], limit=3)
    assert len(cut) == 3 and cut.truncated and not every.truncated and len(every) > 3
    assert not sparql("SELECT * WHERE { ?s ?p ?o }", hostile_engines[engine], limit=len(every)).truncated
    graph = sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", hostile_engines[engine], limit=2)
    assert graph.kind == "graph" and len(graph) == 2 and graph.truncated
    with pytest.raises(QueryError, match="row limit"):
        sparql("ASK {}", hostile_engines[engine], limit=-1)


def test_rdf_sparql_tsv_writes_terms_in_ntriples_syntax():
    result = QueryResult(("a", "b", "c"), ((URIRef("https://w3id.org/kgraph/ontology#x"), Literal(3), None),
                                           (BNode("b0"), Literal('é\t"q"\n', lang="fr"), Literal("t"))))
    assert result.to_tsv().split("\n") == [
        "?a\t?b\t?c",
        '<https://w3id.org/kgraph/ontology#x>\t"3"^^<http://www.w3.org/2001/XMLSchema#integer>\t',
        '_:b0\t"é\\t\\"q\\"\\n"@fr\t"t"', ""]
    assert result.format("tsv") == result.to_tsv()
    assert QueryResult((), (), kind="ask", boolean=True).to_tsv() == "boolean\ntrue\n"
