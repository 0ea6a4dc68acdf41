"""The command line: every command works, errors are one line, never a traceback."""

from __future__ import annotations

import json
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
