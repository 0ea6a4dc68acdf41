"""README.md and docs/: every command they show exists as written, and every console example prints what it shows.

In a fenced block, a line that starts with ``kgraph `` (or ``$ kgraph `` in a
``console`` block) is a command: it must parse, subcommand, options and
values, as ``kgraph`` parses it. A ``console`` block is also run on the
bundled corpus, built into ``output/``, and what it prints (standard output
and error) must be the lines that follow it; an example whose answer starts
with ``Error:`` must exit with code 1, any other with 0.
"""

from __future__ import annotations

import os
import re
import shlex
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import kgraph
from kgraph.cli import cli

ROOT = Path(__file__).resolve().parents[1]
# the measurements and the model cards quote commands run elsewhere (benchmark files, training data)
NOT_CHECKED = {"BENCHMARKS.md", "MODEL_CARD.md", "NER_MODEL_CARD.md"}
DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name not in NOT_CHECKED)]
DATA = Path(__file__).resolve().parent / "data" / "e2e"


def fenced_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of each fenced block of a Markdown text; lines ending in ``\\`` joined to the next."""
    blocks: list[tuple[str, list[str]]] = []
    language, lines = None, []
    for line in text.splitlines():
        if line.startswith("```"):
            if language is None:
                language, lines = line[3:].strip(), []
            else:
                blocks.append((language, lines))
                language = None
        elif language is not None:
            if lines and lines[-1].endswith("\\"):
                lines[-1] = lines[-1][:-1] + line.strip()
            else:
                lines.append(line)
    return blocks


def shown_commands(path: Path) -> list[tuple[str, list[str], list[str]]]:
    """(language, arguments after ``kgraph``, lines printed) of each command a document shows."""
    found: list[tuple[str, list[str], list[str]]] = []
    for language, lines in fenced_blocks(path.read_text(encoding="utf-8")):
        console = language == "console"
        for line in lines:
            command = line[2:] if console and line.startswith("$ ") else None if console else line
            if command is not None and command.startswith("kgraph "):
                found.append((language, shlex.split(command, comments=True)[1:], []))
            elif console and found and found[-1][0] == "console" and not line.startswith("$ "):
                found[-1][2].append(line)
    return [(language, args, _trimmed(printed)) for language, args, printed in found]


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def parse(args: list[str]) -> None:
    """Parse ``kgraph ARGS`` as the command line does, without running it; click.UsageError if it does not parse."""
    rest = [arg for arg in args]
    while rest and rest[0] in ("-q", "--quiet"):
        rest.pop(0)
    command: click.Command = cli
    ctx = click.Context(cli, info_name="kgraph")
    while isinstance(command, click.Group):
        if not rest:
            raise click.UsageError(f"{ctx.command_path} needs a command")
        if rest[0] in ("-h", "--help"):
            return
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            raise click.UsageError(f"{ctx.command_path} has no command {rest[0]!r}")
        command, ctx, rest = sub, click.Context(sub, info_name=rest[0], parent=ctx), rest[1:]
    if "-h" in rest or "--help" in rest:
        return
    try:
        command.make_context(ctx.info_name, rest, parent=ctx.parent)
    except click.BadParameter as exc:
        if "does not exist" not in exc.format_message():  # a file of the example's own (papers.jsonl)
            raise


def _cases(language: str | None = None) -> list:
    cases = []
    for path in DOCS:
        for lang, args, printed in shown_commands(path):
            if language is None or lang == language:
                cases.append(pytest.param(args, printed, id=f"{path.name}: kgraph {shlex.join(args)}"[:120]))
    return cases


def test_docs_show_commands_and_console_examples():
    assert len(_cases()) >= 40
    readme = [args[:2] for language, args, _ in shown_commands(ROOT / "README.md") if language == "console"]
    assert readme == [["query", "methods"], ["query", "path"], ["query", "related"], ["query", "show"]]
    ontology = shown_commands(ROOT / "docs" / "ONTOLOGY.md")
    assert [args[0] for language, args, _ in ontology if language == "console"] == ["sparql", "sparql"]


@pytest.mark.parametrize(("args", "printed"), _cases())
def test_docs_command_parses(args, printed):
    parse(args)


@pytest.mark.parametrize("args", [["query", "top", "--by", "degree|pagerank"], ["stats", "--no-such-option"],
                                  ["query", "nothing"], ["build", "-o"]])
def test_docs_a_command_that_does_not_parse_is_caught(args):
    with pytest.raises(click.UsageError):
        parse(args)


@pytest.fixture(scope="module")
def corpus_folder(corpus_build, tmp_path_factory) -> Path:
    """A folder where the documents' commands run as written: output/ is the bundled corpus's build."""
    folder = tmp_path_factory.mktemp("docs")
    os.symlink(corpus_build.files[0].parent, folder / "output")
    os.symlink(ROOT / "examples", folder / "examples")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize(("args", "printed"), _cases("console"))
def test_docs_console_example_prints_what_it_shows(corpus_folder, monkeypatch, args, printed):
    monkeypatch.chdir(corpus_folder)
    result = CliRunner().invoke(cli, args)
    assert [line.rstrip() for line in result.output.splitlines()] == [line.rstrip() for line in printed]
    assert result.exit_code == (1 if printed and printed[0].startswith("Error:") else 0), result.output


# --------------------------------------------------------------------------- claims that are not commands


def readme_outputs_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Outputs\n", 1)[1].split("\n### ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| `"))


@pytest.mark.slow
def test_docs_readme_lists_every_output_file_of_a_build(tmp_path):
    from kgraph.config import OUTPUT_FORMATS

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["-q", "build", str(DATA / "papers.jsonl"), "-o", str(out), "--fast",
                                      "--outputs", ",".join(OUTPUT_FORMATS)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    table = readme_outputs_table()
    assert len(written) == len(OUTPUT_FORMATS)
    for name in written:
        assert f"`{name}`" in table, f"README.md's outputs table does not list {name}"
    for name in OUTPUT_FORMATS:
        assert re.search(rf"\(`[^)]*\b{name}\b", table), f"README.md's outputs table does not name --outputs {name}"


def test_docs_version_is_the_package_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == kgraph.__version__
    assert CliRunner().invoke(cli, ["--version"]).output == f"kgraph, version {kgraph.__version__}\n"


def test_docs_pytest_is_no_run_time_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.startswith("pytest") for d in project["dependencies"])
    assert any(d.startswith("pytest") for d in project["optional-dependencies"]["dev"])
    sources = [p for p in (ROOT / "kgraph").rglob("*.py")]
    assert not [p for p in sources if re.search(r"^\s*(import|from) pytest\b", p.read_text(encoding="utf-8"), re.M)]
