"""kgraph.rdf.store and `kgraph store load|query`: a persistent pyoxigraph store answers as the files do."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kgraph.cli import cli
from kgraph.errors import ConfigError, CorpusFormatError
from kgraph.export.rdf import dumps_rdf
from kgraph.rdf.vocab import node_iri
from rdf_reference import build_rdf
from kgraph.rdf import is_store, load_store, open_store, query_store, sparql

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
QUERIES = ROOT / "examples" / "queries"
BASE = "https://example.org/kg/"
METHODS = "SELECT ?m WHERE { ?m a kg:Method } ORDER BY ?m"


def fixture_graph() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


@pytest.fixture()
def graph_dir(tmp_path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.nt").write_text(dumps_rdf(fixture_graph(), BASE, format="nt"), encoding="utf-8")
    return out


def test_rdf_store_load_and_query(graph_dir, tmp_path):
    store = tmp_path / "kg.oxigraph"
    size = load_store(graph_dir, store)
    assert size == len(build_rdf(fixture_graph(), BASE)) and is_store(store)
    result = query_store(store, METHODS)
    methods = ("method:graph-neural-network", "method:phi-decoding")
    assert result.column("m") == [str(node_iri(n, BASE)) for n in methods]
    assert result.rows == sparql(METHODS, graph_dir).rows
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_rdf_store_load_replaces_the_previous_graph(graph_dir, tmp_path):
    store = tmp_path / "kg.oxigraph"
    load_store(graph_dir, store)
    smaller = nx.MultiDiGraph()
    smaller.add_node("task:qa", type="task", label="QA")
    (graph_dir / "graph.nt").write_text(dumps_rdf(smaller, BASE, format="nt"), encoding="utf-8")
    assert load_store(graph_dir, store) == len(build_rdf(smaller, BASE))
    assert query_store(store, METHODS).rows == ()


def test_rdf_store_append_adds_to_the_store(graph_dir, tmp_path):
    store = tmp_path / "kg.oxigraph"
    first = load_store(graph_dir, store)
    other = nx.MultiDiGraph()
    other.add_node("task:qa", type="task", label="QA")
    (graph_dir / "graph.nt").write_text(dumps_rdf(other, "https://example.org/other/", format="nt"),
                                        encoding="utf-8")
    assert load_store(graph_dir, store, append=True) > first


def test_rdf_store_bindings_work_on_a_store(graph_dir, tmp_path):
    store = tmp_path / "kg.oxigraph"
    load_store(graph_dir, store)
    text = (QUERIES / "extensions.rq").read_text(encoding="utf-8")
    result = query_store(store, text, bindings={"method_name": "GNN"})
    assert result.column("method") == [str(node_iri("method:phi-decoding", BASE))]


def test_rdf_store_refuses_to_replace_a_directory_that_is_not_a_store(graph_dir, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="is not a pyoxigraph store; refusing to replace it"):
        load_store(graph_dir, precious)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_rdf_store_broken_file_leaves_the_old_store(graph_dir, tmp_path):
    store = tmp_path / "kg.oxigraph"
    load_store(graph_dir, store)
    (graph_dir / "graph.nt").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="graph.nt"):
        load_store(graph_dir, store)
    assert len(query_store(store, METHODS)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.oxigraph", "out"]


def test_rdf_store_open_missing_store_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no pyoxigraph store here"):
        open_store(tmp_path / "none")


def test_rdf_store_cli_load_and_query(graph_dir, tmp_path):
    store = tmp_path / "kg.oxigraph"
    runner = CliRunner()
    loaded = runner.invoke(cli, ["store", "load", str(graph_dir), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.output == f"{store}: {len(build_rdf(fixture_graph(), BASE))} triples\n"
    queried = runner.invoke(cli, ["store", "query", str(QUERIES / "extensions.rq"), "--store", str(store),
                                  "-b", "method_name=graph neural network", "-f", "csv"])
    assert queried.exit_code == 0, queried.output
    assert queried.output.splitlines() == ["method,label,direct", f"{BASE}method/phi-decoding,φ-Decoding,true"]


def test_rdf_store_cli_errors_are_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["store", "query", "ASK {}", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


@pytest.mark.slow
def test_rdf_store_bundled_corpus_answers_as_the_files(corpus_build, tmp_path):
    out = corpus_build.files[0].parent
    store = tmp_path / "corpus.oxigraph"
    load_store(out, store)
    text = (QUERIES / "methods-for-task.rq").read_text(encoding="utf-8")
    bindings = {"task_name": "camera pose estimation"}
    from_store = query_store(store, text, bindings=bindings)
    assert from_store.rows == sparql(text, out, bindings=bindings).rows
    assert "https://w3id.org/kgraph/method/fast-3d-reconstruction" in from_store.column("method")
