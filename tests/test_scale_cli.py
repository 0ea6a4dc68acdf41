"""The scale options of `kgraph build`: documented, validated, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.cli import cli

SNAPSHOT = Path(__file__).parent / "data" / "scale" / "arxiv_snapshot.json"
SCRAPED = Path(__file__).parent / "data" / "ingest" / "scraped_small.txt"


@pytest.fixture()
def runner():
    return CliRunner()


def test_scale_cli_build_help_documents_every_option(runner):
    result = runner.invoke(cli, ["build", "--help"])
    assert result.exit_code == 0
    for option in ("--processes", "--engine", "--scheduler", "--no-cache", "--categories", "--since", "--until"):
        assert option in result.output
    assert "every core" in result.output
    assert "[local|dask]" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:1"], "Error: a scheduler address needs the dask engine"),
        (["--categories", "cs"], "not to scraped files"),
        (["--since", "2021-01-01", "--until", "2020-01-01"], "Error: since (2021-01-01) is after until"),
    ],
)
def test_scale_cli_bad_settings_are_one_line_errors(runner, tmp_path, args, message):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(SCRAPED), "-o", str(out), *args])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert message in result.output
    assert not out.exists() or not any(out.iterdir())


def test_scale_cli_bad_date_is_a_usage_error(runner):
    result = runner.invoke(cli, ["build", str(SNAPSHOT), "--since", "2020-31-01"])
    assert result.exit_code == 2
    assert "--since" in result.output


def test_scale_cli_filters_report_what_they_dropped(runner, tmp_path, monkeypatch):
    """A filter that keeps nothing: the build still ends cleanly, with the count."""
    from kgraph.engine import local

    monkeypatch.setattr(local.InProcessEngine, "submit", lambda self, papers: pytest.fail("nothing to extract"))
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(SNAPSHOT), "-o", str(out), "--categories", "astro-ph",
                                 "--processes", "1", "--outputs", "report"])
    assert result.exit_code == 0, result.output
    assert "filtered:  5 records" in result.output


def test_scale_cli_build_fast_uses_the_fast_pipeline(runner, tmp_path):
    import json

    result = runner.invoke(cli, ["build", str(SCRAPED), "-o", str(tmp_path), "--fast", "-j", "1",
                                 "--outputs", "json,report"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["pipeline"].endswith("-fast")
    assert "--fast" in runner.invoke(cli, ["build", "--help"]).output
