"""Hostile text in titles, abstracts, ids, URLs and authors stays text in every output.

``tests/data/reliability/hostile.jsonl`` carries HTML and JavaScript, Turtle
and IRI break-outs (triple quotes, ``>``, ``@prefix``), XML specials (``]]>``,
``<!DOCTYPE``, entities, characters XML cannot hold), spreadsheet formulas
(``=HYPERLINK(...)``), SPARQL fragments and bidirectional-text controls. It is
built once, with ``good.jsonl`` (harmless) beside it, and every output is
checked by parsing it back: the text must come back as the same value, and no
markup, triple, IRI or element may appear that the harmless build lacks.

The HTML check is at string level; a real browser opens the page in
``tests/test_export_html.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kgraph.cli import cli
from kgraph.config import OUTPUT_FORMATS, Config
from kgraph.run import OUTPUT_FILES, build

DATA = Path(__file__).resolve().parent / "data" / "reliability"
HOSTILE = DATA / "hostile.jsonl"
GOOD = DATA / "good.jsonl"
# Characters XML 1.0 cannot hold at all; the GraphML writer puts U+FFFD in their place.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def builds(nlp, tmp_path_factory) -> dict[str, Path]:
    """The hostile corpus and the harmless one, each built with every output."""
    out = {}
    for name, inputs in (("hostile", [HOSTILE, GOOD]), ("harmless", [GOOD])):
        directory = tmp_path_factory.mktemp(name)
        build(config=Config(inputs=tuple(inputs), output_dir=directory, outputs=OUTPUT_FORMATS), nlp=nlp)
        out[name] = directory
    return out


@pytest.fixture(scope="module")
def papers(builds) -> dict[str, dict]:
    """Paper nodes of the hostile build, from graph.json (the text as kgraph cleaned it)."""
    graph = json.loads((builds["hostile"] / "graph.json").read_text(encoding="utf-8"))
    return {node["id"]: node for node in graph["nodes"] if node.get("type") == "paper"}


def test_reliability_hostile_corpus_is_read_whole(builds, papers) -> None:
    report = json.loads((builds["hostile"] / "report.json").read_text(encoding="utf-8"))
    raw = [json.loads(line) for line in HOSTILE.read_text(encoding="utf-8").splitlines()]
    assert report["papers"]["in_graph"] == len(raw) + 2 == len(papers)
    assert {f"paper:{r['id']}" for r in raw} <= set(papers)
    assert "<script>" in papers["paper:xss"]["label"]  # kept as text, not stripped


# --------------------------------------------------------------------------- HTML

DANGEROUS = re.compile(r"<\s*/?\s*(script|img|iframe|svg|object|embed|style|link|meta|base|form)\b|<!--|<!\[CDATA\[|<\?",
                       re.IGNORECASE)


def test_reliability_html_corpus_markup_is_inert(builds) -> None:
    hostile = (builds["hostile"] / "graph.html").read_text(encoding="utf-8")
    harmless = (builds["harmless"] / "graph.html").read_text(encoding="utf-8")
    found = sorted(m.group(0).lower() for m in DANGEROUS.finditer(hostile))
    expected = sorted(m.group(0).lower() for m in DANGEROUS.finditer(harmless))
    assert found == expected, "corpus text added markup to graph.html"
    for attack in ("javascript:alert", "onerror=alert(1)", "onload=alert(6)"):
        for match in re.finditer(re.escape(attack), hostile):
            before = hostile[max(0, match.start() - 200) : match.start()]
            assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*$""", before, re.IGNORECASE)
    assert "onerror=alert(1)" in hostile  # the text is in the page, as data


# --------------------------------------------------------------------------- RDF


def test_reliability_turtle_literals_and_iris_hold(builds, papers) -> None:
    rdflib = pytest.importorskip("rdflib")
    hostile, harmless = rdflib.Graph(), rdflib.Graph()
    hostile.parse(builds["hostile"] / "graph.ttl", format="turtle")
    harmless.parse(builds["harmless"] / "graph.ttl", format="turtle")
    literals = {str(o) for o in hostile.objects() if isinstance(o, rdflib.Literal)}
    for node in papers.values():
        assert node["label"] in literals
        if node.get("abstract"):
            assert node["abstract"] in literals
    iris = {str(t) for triple in hostile for t in triple if isinstance(t, rdflib.URIRef)}
    assert not [iri for iri in iris if re.search(r"[\s<>\"{}|\\^`]", iri)], "an IRI holds a forbidden character"
    assert not [iri for iri in iris if iri.startswith("http://evil.example")], "text became an IRI"
    assert not [iri for iri in iris if iri.startswith("javascript:")]
    predicates = set(hostile.predicates())
    assert predicates <= set(harmless.predicates()) | set(_vocabulary_predicates(harmless, hostile))
    assert {prefix for prefix, _ in hostile.namespaces()} == {prefix for prefix, _ in harmless.namespaces()}


def _vocabulary_predicates(harmless, hostile):
    """Predicates of the hostile build in the same namespaces as the harmless build's (relations it lacks)."""
    namespaces = {str(p).rsplit("/", 1)[0].rsplit("#", 1)[0] for p in harmless.predicates()}
    return [p for p in hostile.predicates() if str(p).rsplit("/", 1)[0].rsplit("#", 1)[0] in namespaces]


def test_reliability_sparql_values_are_bound_not_pasted(builds, papers) -> None:
    sparql_module = pytest.importorskip("kgraph.rdf.sparql")
    rdflib = pytest.importorskip("rdflib")
    graph = rdflib.Graph().parse(builds["hostile"] / "graph.ttl", format="turtle")
    query = "SELECT ?paper WHERE { ?paper dcterms:title ?title }"
    for node in papers.values():
        rows = sparql_module.sparql(query, graph, bindings={"title": node["label"]})
        assert len(list(rows)) == 1, node["label"]
    injection = '"} UNION { ?paper ?p ?o } #'
    assert list(sparql_module.sparql(query, graph, bindings={"title": injection})) == []


# --------------------------------------------------------------------------- GraphML, JSON, JSON Lines


def test_reliability_graphml_round_trips_text(builds, papers) -> None:
    text = (builds["hostile"] / "graph.graphml").read_text(encoding="utf-8")
    assert "<!DOCTYPE" not in text and "<!ENTITY" not in text and "<![CDATA[" not in text
    graph = nx.read_graphml(builds["hostile"] / "graph.graphml")
    for node_id, node in papers.items():
        attrs = graph.nodes[NOT_XML.sub("\ufffd", node_id)]
        assert attrs["label"] == NOT_XML.sub("\ufffd", node["label"])
        assert attrs.get("abstract", "") == NOT_XML.sub("\ufffd", node.get("abstract", ""))


def test_reliability_json_outputs_round_trip_text(builds, papers) -> None:
    records = [json.loads(line) for line in
               (builds["hostile"] / "extractions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(papers)
    for record in records:
        node = papers[f"paper:{record['id']}"]
        assert record["title"] == node["label"]
        for entity in record["entities"]:
            for mention in entity["mentions"]:
                assert record[mention["field"]][mention["start"] : mention["end"]] == mention["text"]


# --------------------------------------------------------------------------- CSV


def _csv_outputs() -> list[str]:
    return [name for name in OUTPUT_FILES.values() if name.endswith((".csv", ".tsv"))]


def _formula_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if cell.startswith(FORMULA_START)]


def test_reliability_build_writes_no_formula_cells(builds) -> None:
    names = _csv_outputs()
    if not names:
        pytest.skip("kgraph build writes no CSV output")
    for name in names:
        assert _formula_cells((builds["hostile"] / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("args", [["papers", "--task", "question answering"], ["top", "--type", "paper"]])
def test_reliability_query_csv_neutralises_formulas(builds, args) -> None:
    if "query" not in cli.commands:
        pytest.skip("no `kgraph query` command")
    result = CliRunner().invoke(cli, ["query", *args, "--graph", str(builds["hostile"]), "--format", "csv",
                                      "--limit", "0"])
    assert result.exit_code == 0, result.output
    assert _formula_cells(result.output) == []
    assert "'=HYPERLINK(" in result.output  # the hostile title is there, as text
