"""`kgraph sparql` (and the help of every RDF command): output formats, bound values, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kgraph.cli import cli
from kgraph.export.rdf import dumps_rdf

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
QUERIES = ROOT / "examples" / "queries"
BASE = "https://w3id.org/kgraph/"


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rdf_cli")
    G = nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")
    (out / "graph.ttl").write_text(dumps_rdf(G, BASE), encoding="utf-8")
    return out


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_rdf_cli_sparql_table(graph_dir, engine):
    result = run("sparql", str(QUERIES / "extensions.rq"), "-g", str(graph_dir), "-b", "method_name=GNN",
                 "--engine", engine)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "method               label       direct",
        "-------------------  ----------  ------",
        "method:phi-decoding  φ-Decoding  true",
        "(1 row)",
    ]


def test_rdf_cli_sparql_csv_and_json(graph_dir):
    query = "SELECT ?label WHERE { ?d a kg:Dataset ; skos:prefLabel ?label }"
    csv_out = run("sparql", query, "-g", str(graph_dir / "graph.ttl"), "-f", "csv")
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.output.splitlines() == ["label", '"QM9 ]]> ""set"" & </b>"']
    json_out = run("sparql", query, "-g", str(graph_dir), "--format", "json")
    assert json.loads(json_out.output)["results"]["bindings"] == [
        {"label": {"type": "literal", "value": 'QM9 ]]> "set" & </b>'}}]


def test_rdf_cli_sparql_binds_a_hostile_value_as_a_literal(graph_dir):
    result = run("sparql", str(QUERIES / "methods-for-task.rq"), "-g", str(graph_dir),
                 "-b", 'task_name=x") || true || ("', "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["method,label,used_for_support,papers"]


@pytest.mark.parametrize(("args", "message"), [
    (["SELECT ?x WHERE {"], "Error: query failed (oxigraph): "),
    (["ASK {}", "-b", "novalue"], "Error: binding 'novalue' is not NAME=VALUE"),
    (["ASK { ?s ?p ?o }", "-b", "x=1"], "Error: the query has no variable ?x to bind"),
    (["missing.rq"], "Error: missing.rq: no such query file"),
    (["ASK {}", "-b", "s=<not an iri>"], "Error: 'not an iri' is not a valid absolute IRI"),
])
def test_rdf_cli_sparql_errors_are_one_line(graph_dir, args, message):
    result = run("sparql", *args, "-g", str(graph_dir))
    assert result.exit_code == 1
    assert result.output.startswith(message) and result.output.count("\n") == 1, result.output


def test_rdf_cli_sparql_without_a_graph(tmp_path):
    result = run("sparql", "ASK {}", "-g", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path}: no RDF graph here (graph.nt, graph.ttl, graph.jsonld); "
                             f"run `kgraph build -o {tmp_path}` first\n")


@pytest.mark.parametrize("command", [["sparql"], ["validate"], ["store"], ["store", "load"], ["store", "query"]])
def test_rdf_cli_commands_have_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 20, result.output
    options = result.output.partition("Options:")[2].partition("Commands:")[0]
    for line in options.splitlines():
        if line.strip().startswith("-") and "--help" not in line:
            assert len(line.strip().split("  ", 1)) == 2, f"option without help: {line}"


def test_rdf_cli_build_has_the_rdf_format_option():
    result = run("build", "--help")
    assert "--rdf-format [ttl|nt|jsonld]" in result.output
    assert "graph.jsonld" in result.output
