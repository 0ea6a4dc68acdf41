"""The command line: every command works, errors are one line, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.cli import cli

DATA = Path(__file__).resolve().parent / "data" / "e2e"


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.mark.parametrize("command", [[], ["build"], ["extract"], ["stats"]])
def test_cli_help_for_every_command(runner, command):
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_cli_build_jsonl_and_csv(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(DATA / "papers.jsonl"), str(DATA / "papers.csv"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "papers:    5 read, 5 in the graph" in result.output
    assert "graph.html" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["papers"]["in_graph"] == 5
    graph = json.loads((out / "graph.json").read_text())
    labels = {n["label"] for n in graph["nodes"]}
    assert "Deep Equilibrium Models" in labels


def test_cli_bad_record_is_one_line_error_naming_file_and_line(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(DATA / "broken.jsonl"), "-o", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    assert "broken.jsonl:2" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_cli_skip_bad_reports_the_skipped_record(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(DATA / "broken.jsonl"), "--skip-bad", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["papers"] == {"read": 3, "in_graph": 2, "skipped": 1, "duplicates_merged": 0, "title_only": 0}
    assert [p["line"] for p in report["problems"] if p["severity"] == "error"] == [2]


def test_cli_missing_input_is_an_error(runner, tmp_path):
    result = runner.invoke(cli, ["build", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Error:" in result.output and "nope.jsonl" in result.output


def test_cli_extract_writes_mentions(runner, tmp_path):
    target = tmp_path / "mentions.jsonl"
    result = runner.invoke(cli, ["extract", str(DATA / "papers.jsonl"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in records] == ["fast3r", "deq", "deq-fast"]
    texts = {m["text"] for m in records[0]["mentions"]}
    assert {"Fast3R", "DUSt3R", "camera pose estimation"} <= texts
    for r in records:
        for m in r["mentions"]:
            assert r[m["field"]][m["start"] : m["end"]] == m["text"]


def test_cli_stats_prints_counts(runner, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(cli, ["build", str(DATA / "papers.jsonl"), "-o", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["stats", str(out)])
    assert result.exit_code == 0, result.output
    assert "paper" in result.output and "method" in result.output and "proposes" in result.output


def test_cli_stats_without_graph_is_an_error(runner, tmp_path):
    result = runner.invoke(cli, ["stats", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error:" in result.output


# --------------------------------------------------------------------------- one of each at the edges

ROOT = Path(__file__).resolve().parents[1]
# every command that reads a built graph, and every one of them that prints a table
READS_A_GRAPH = [["stats"], ["html"], ["sparql"], ["validate"], ["serve"], ["store", "load"],
                 *(["query", name] for name in ("methods", "papers", "cited", "related", "path", "top",
                                                "communities", "trends", "emerging", "neighbors", "show"))]
PRINTS_A_TABLE = [["stats"], ["sparql"], ["store", "query"], *(c for c in READS_A_GRAPH if c[0] == "query")]


def every_command(group=cli, path=()):
    import click

    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield [*path, name], command


def test_cli_every_command_is_listed_here_and_documented():
    names = [path for path, _ in every_command()]
    assert set(map(tuple, READS_A_GRAPH + PRINTS_A_TABLE)) <= set(map(tuple, names))
    for path, command in every_command():
        assert command.help, f"kgraph {' '.join(path)} has no help text"


@pytest.mark.parametrize("command", READS_A_GRAPH, ids=" ".join)
def test_cli_every_command_reading_a_graph_takes_graph_g(runner, command):
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "-g, --graph" in result.output


@pytest.mark.parametrize("command", PRINTS_A_TABLE, ids=" ".join)
def test_cli_every_command_printing_a_table_takes_format_f(runner, command):
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "-f, --format" in result.output
    assert "table" in result.output and "json" in result.output and "csv" in result.output


def test_cli_has_one_error_boundary():
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "kgraph" / "cli").glob("*.py")}
    assert [name for name, text in sources.items() if "except KGraphError" in text] == ["common.py"]
    assert [name for name, text in sources.items() if re.search(r"def _?eval_group\b", text)] == ["eval.py"]
    assert "ner_eval.py" not in sources


def test_cli_library_errors_of_every_command_are_one_line(runner, tmp_path):
    for args in (["stats", str(tmp_path)], ["html", "-g", str(tmp_path)], ["query", "show", "x", "-g", str(tmp_path)],
                 ["validate", "-g", str(tmp_path / "none.ttl")], ["eval", "tdmsci", str(DATA / "papers.csv"), "--fast",
                                                                  "--rules"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1, (args, result.output)


@pytest.fixture()
def graph_dir(tmp_path):
    from kgraph.export.json import write_graph_json
    from kgraph.query import example_graph

    write_graph_json(example_graph(), tmp_path / "graph.json")
    return tmp_path


def test_cli_graph_as_argument_or_option(runner, graph_dir, tmp_path):
    by_argument = runner.invoke(cli, ["stats", str(graph_dir)])
    by_option = runner.invoke(cli, ["stats", "-g", str(graph_dir)])
    by_long_option = runner.invoke(cli, ["stats", "--graph", str(graph_dir / "graph.json")])
    assert by_argument.exit_code == 0, by_argument.output
    assert by_argument.output == by_option.output == by_long_option.output
    both = runner.invoke(cli, ["stats", str(graph_dir), "-g", str(tmp_path / "other")])
    assert both.exit_code == 2 and "two graphs given" in both.output


def test_cli_stats_formats(runner, graph_dir):
    from kgraph.query import example_graph

    table = runner.invoke(cli, ["stats", "-g", str(graph_dir)]).output
    data = json.loads(runner.invoke(cli, ["stats", "-g", str(graph_dir), "-f", "json"]).output)
    assert table.startswith(f"{data['nodes']} nodes, {data['edges']} edges\n")
    extends = sum(1 for _, _, key in example_graph().edges(keys=True) if key == "extends")
    assert data["relations"]["extends"]["edges"] == extends
    assert data["top"]["method"][0]["label"] in table
    rows = list(csv.DictReader(io.StringIO(runner.invoke(cli, ["stats", "-g", str(graph_dir), "-f", "csv"]).output)))
    assert {"section": "relations", "name": "extends", "count": str(extends)}.items() <= rows[
        [r["name"] for r in rows].index("extends")].items()
    assert {r["section"] for r in rows} == {"nodes", "relations", "top methods", "top tasks", "top datasets"}


def test_cli_quiet_keeps_answers_and_errors_only(runner, graph_dir, tmp_path):
    loud = runner.invoke(cli, ["html", "-g", str(graph_dir), "-o", str(tmp_path / "a.html")])
    quiet = runner.invoke(cli, ["-q", "html", "-g", str(graph_dir), "-o", str(tmp_path / "b.html")])
    assert loud.exit_code == quiet.exit_code == 0
    assert "-> " in loud.output and quiet.output == ""
    assert runner.invoke(cli, ["-q", "query", "show", "DUSt3R", "-g", str(graph_dir)]).output.startswith("DUSt3R")
    error = runner.invoke(cli, ["--quiet", "query", "show", "Fsat3R", "-g", str(graph_dir)])
    assert error.exit_code == 1 and error.output.startswith("Error: no entity named 'Fsat3R'")


@pytest.mark.parametrize(("command", "where"), [(["sparql"], "-g"), (["store", "query"], "--store")])
def test_cli_canned_query_without_its_binding_is_an_error(runner, tmp_path, command, where):
    query = ROOT / "examples" / "queries" / "datasets-for-method.rq"
    result = runner.invoke(cli, [*command, str(query), where, str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output == f"Error: {query} needs a value for ?method_name: give -b method_name=VALUE\n"
    optional = ROOT / "examples" / "queries" / "most-supported-relations.rq"  # binds `relation` only if given
    result = runner.invoke(cli, [*command, str(optional), where, str(tmp_path / "none")])
    assert result.exit_code == 1 and "needs a value" not in result.output  # on to the missing graph


def test_cli_build_progress_bar_counts_the_papers_and_quiet_prints_nothing(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(DATA / "papers.jsonl"), "-o", str(out), "--progress"])
    assert result.exit_code == 0, result.output
    assert "3/3" in result.stderr  # the bar has its total: three papers
    assert "papers:    3 read" in result.stdout
    again = runner.invoke(cli, ["-q", "build", str(DATA / "papers.jsonl"), "-o", str(out), "--progress"])
    assert again.exit_code == 0 and again.output == ""


@pytest.mark.parametrize("name", ["kgraph.cli.common", "kgraph.rdf.canned", "kgraph.graph.schema"])
def test_cli_docstring_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
