"""kgraph.rdf.shacl and `kgraph validate`: a kgraph graph conforms to the shapes; broken ones do not."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SH, VOID

from kgraph.cli import cli
from kgraph.errors import ConfigError
from kgraph.rdf.vocab import KG, node_iri, statement_iri
from rdf_reference import build_rdf
from kgraph.rdf import load_shapes, validate

BASE = "https://example.org/kg/"
ABSTRACT = "We propose Fast3R for 3D reconstruction. It extends DUSt3R."


def evidence(start: int, end: int, extractor: str = "pattern") -> list[dict]:
    return [{"paper": "p", "field": "abstract", "start": start, "end": end,
             "sentence": ABSTRACT[start:end], "extractor": extractor}]


def small_graph() -> nx.MultiDiGraph:
    """A small graph that follows every rule of the shapes."""
    G = nx.MultiDiGraph(name="small")
    G.add_node("paper:p", type="paper", label="Fast3R", abstract=ABSTRACT, year=2025, authors=["A", "B"],
               url="https://arxiv.org/abs/1", source="papers.jsonl:1", community=0)
    G.add_node("method:fast3r", type="method", label="Fast3R", aliases=["Fast3R", "fast3r"], alias_counts=[2, 1],
               papers=["paper:p"], proposed_in=["paper:p"], mentions=3, known_id=None, community=0)
    G.add_node("method:dust3r", type="method", label="DUSt3R", aliases=["DUSt3R"], alias_counts=[1],
               papers=["paper:p"], proposed_in=[], mentions=1, known_id="pwc:method/dust3r", community=0)
    G.add_node("task:3d-reconstruction", type="task", label="3D reconstruction", aliases=["3D reconstruction"],
               alias_counts=[1], papers=["paper:p"], proposed_in=[], mentions=1, known_id=None, community=0)
    first, second = evidence(0, 40), evidence(41, 60, "dependency")
    edges = [("paper:p", "method:fast3r", "proposes", first), ("paper:p", "task:3d-reconstruction", "addresses", first),
             ("paper:p", "method:dust3r", "mentions", second),
             ("method:fast3r", "task:3d-reconstruction", "used_for", first),
             ("method:fast3r", "method:dust3r", "extends", second)]
    for head, tail, relation, items in edges:
        G.add_edge(head, tail, key=relation, relation=relation, support=1, evidence=items,
                   extractors=sorted({e["extractor"] for e in items}))
    return G


def violations_of(rdf: Graph) -> list[str]:
    report = validate(rdf)
    assert report.conforms is (not report.violations)
    return [str(v) for v in report.violations]


def test_rdf_shacl_small_graph_conforms():
    report = validate(build_rdf(small_graph(), BASE))
    assert report.violations == () and report.conforms


def test_rdf_shacl_shapes_parse_and_use_known_terms():
    shapes = load_shapes()
    assert len(set(shapes.subjects(RDF.type, SH.NodeShape))) >= 8
    assert validate(build_rdf(small_graph(), BASE), shapes=shapes).conforms


fast3r, dust3r = node_iri("method:fast3r", BASE), node_iri("method:dust3r", BASE)
task, paper = node_iri("task:3d-reconstruction", BASE), node_iri("paper:p", BASE)
extends = statement_iri("method:fast3r", "extends", "method:dust3r", BASE)


def _evidence_of(rdf: Graph, statement: URIRef) -> URIRef:
    return next(iter(rdf.objects(statement, KG.evidence)))


BREAKAGES = {
    "no preferred label": (lambda g: g.remove((fast3r, SKOS.prefLabel, None)),
                           "skos/core#prefLabel: Less than 1 values"),
    "support not the papers": (lambda g: g.set((extends, KG.support, Literal(2))),
                               "support (2) is not the number of distinct papers"),
    "support not an integer": (lambda g: g.set((extends, KG.support, Literal("one"))), "support"),
    "statement without its triple": (lambda g: g.remove((fast3r, KG.extends, dust3r)),
                                     "describes a triple that is not in the graph"),
    "triple without its statement": (lambda g: g.remove((extends, None, None)),
                                      "has no statement (rdf:Statement)"),
    "evidence text not in the paper": (
        lambda g: g.set((_evidence_of(g, extends), KG.sentence, Literal("It extends nothing."))),
        "evidence sentence is not the text of its paper's abstract"),
    "evidence offsets reversed": (lambda g: g.set((_evidence_of(g, extends), KG.start, Literal(99))),
                                  "ontology#start"),
    "evidence field unknown": (lambda g: g.set((_evidence_of(g, extends), KG.field, Literal("body"))),
                               "ontology#field"),
    "task used for something": (lambda g: g.add((task, KG.used_for, task)), "is closed"),
    "paper proposes a task": (lambda g: g.add((paper, KG.proposes, task)), "A paper proposes a method or a dataset"),
    "method extends a task": (lambda g: g.add((fast3r, KG.extends, task)), "ontology#extends"),
    "unexpected property": (lambda g: g.add((fast3r, URIRef("http://example.org/colour"), Literal("red"))),
                            "is closed"),
    "mention count not the sum": (lambda g: g.set((fast3r, KG.mention_count, Literal(7))),
                                  "mention count (7) is not the sum"),
    "IRI not minted from the identifier": (lambda g: g.set((dust3r, DCTERMS.identifier, Literal("DUSt3R"))),
                                           "percent-encoded identifier (DUSt3R)"),
    "relation that kgraph does not have": (
        lambda g: g.set((extends, RDF.predicate, SKOS.related)), "Value skos:related not in list"),
    "year that is no year": (lambda g: g.set((paper, DCTERMS.date, Literal("2025", datatype=XSD.string))),
                             "terms/date"),
    "no base IRI": (lambda g: g.remove((URIRef(BASE), VOID.uriSpace, None)), "void#uriSpace"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_rdf_shacl_broken_graph_fails(breakage):
    rdf = build_rdf(small_graph(), BASE)
    change, expected = BREAKAGES[breakage]
    change(rdf)
    found = violations_of(rdf)
    assert found, f"{breakage}: no violation"
    assert any(expected in v for v in found), found


def test_rdf_shacl_violation_names_node_path_and_value():
    rdf = build_rdf(small_graph(), BASE)
    rdf.set((extends, KG.support, Literal(2)))
    [violation] = validate(rdf).violations
    assert violation.focus == BASE and violation.value == str(extends) and violation.severity == "Violation"
    assert str(violation).startswith(f"Violation: {BASE}: The statement's support (2)")


def test_rdf_shacl_missing_shapes_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such shapes file"):
        load_shapes(tmp_path / "missing.ttl")


# ---- the command line ----------------------------------------------------------------------------


def write_graph(directory: Path, rdf: Graph) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "graph.ttl").write_text(rdf.serialize(format="turtle"), encoding="utf-8")
    return directory


def test_rdf_shacl_cli_valid_graph(tmp_path):
    out = write_graph(tmp_path / "out", build_rdf(small_graph(), BASE))
    result = CliRunner().invoke(cli, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{out}: conforms to the kgraph shapes (")


def test_rdf_shacl_cli_broken_graph_exits_1_with_one_error_line(tmp_path):
    rdf = build_rdf(small_graph(), BASE)
    rdf.remove((fast3r, SKOS.prefLabel, None))
    rdf.set((extends, KG.support, Literal(2)))
    out = write_graph(tmp_path / "out", rdf)
    result = CliRunner().invoke(cli, ["validate", str(out), "--max-shown", "1"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("Violation: ") and lines[1] == "... 1 more"
    assert lines[-1] == f"Error: {out} does not conform to the shapes: 2 violations"


def test_rdf_shacl_cli_no_graph_is_an_error(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path}: no RDF graph here") and result.output.count("\n") == 1


@pytest.mark.slow
def test_rdf_shacl_bundled_corpus_conforms(corpus_build):
    out = corpus_build.files[0].parent
    report = validate(out / "graph.ttl")
    assert report.violations == ()
    assert report.conforms and report.triples > 10_000
