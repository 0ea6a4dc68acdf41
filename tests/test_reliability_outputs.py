"""Outputs are all written or none: unwritable directories, failures and kills part-way.

A build writes each output to a hidden staging file and renames them into
place only when all are written (``kgraph.export.outputs``). So a build
that fails, or is killed, leaves the previous outputs byte for byte, and no
file under a final name is partial; what a killed build leaves behind has a
hidden temporary name, and the next build removes it once it is stale.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.cli import cli
from kgraph.config import Config
from kgraph.errors import ExportError
from kgraph.export.outputs import OUTPUTS
from kgraph.ingest.corpus import OUTPUT_MARK
from kgraph.run import OUTPUT_FILES, build

DATA = Path(__file__).resolve().parent / "data" / "reliability"
GOOD = DATA / "good.jsonl"
HOSTILE = DATA / "hostile.jsonl"
# What atomic writes may leave behind: hidden temporary and staging names, and the extraction cache.
TEMP_NAME = re.compile(r"\.\.?[\w.-]+\.[0-9a-f]{12}\.(?:tmp|staged(?:\.[0-9a-f]{12}\.tmp)?)")


def snapshot(directory: Path) -> dict[str, bytes]:
    """The files under their final (visible) names, with their bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if not p.name.startswith(".")}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".") and p.name not in (".cache", OUTPUT_MARK))


@pytest.fixture(scope="module")
def previous(nlp, tmp_path_factory) -> dict[str, bytes]:
    """The outputs of an earlier, successful build of good.jsonl."""
    out = tmp_path_factory.mktemp("previous")
    build(config=Config(inputs=(GOOD,), output_dir=out), nlp=nlp)
    return snapshot(out)


def restore(out: Path, files: dict[str, bytes]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)


@pytest.fixture()
def cli_build(nlp, monkeypatch):
    """Run `kgraph build` in this process with the session's pipeline."""
    import kgraph.nlp.pipeline

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", lambda **options: nlp)

    def run(*args: str):
        return CliRunner().invoke(cli, ["build", *args, *_in_process_options()])

    return run


def _in_process_options() -> list[str]:
    names = {opt for param in cli.commands["build"].params for opt in param.opts}
    return [a for opt in (["--processes", "1"], ["--no-cache"]) if opt[0] in names for a in opt]


def assert_one_line_error(result, *parts: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for part in parts:
        assert part in lines[0]


# --------------------------------------------------------------------------- unwritable output


@pytest.mark.parametrize("where", ["output-is-a-file", "output-under-a-file"])
def test_reliability_unwritable_output_fails_before_extraction(where, monkeypatch, tmp_path: Path) -> None:
    import kgraph.nlp.pipeline

    def no_pipeline(**options):
        raise AssertionError("the pipeline was loaded before the output directory was checked")

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", no_pipeline)
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file\n")
    out = blocker if where == "output-is-a-file" else blocker / "out"
    result = CliRunner().invoke(cli, ["build", str(GOOD), "-o", str(out), *_in_process_options()])
    assert_one_line_error(result, f"cannot write outputs to {out}", f"{blocker} is not a directory")
    assert blocker.read_text() == "a regular file\n"
    with pytest.raises(ExportError):
        build(config=Config(inputs=(GOOD,), output_dir=out))


def test_reliability_unwritable_directory_at_write_time_leaves_previous_outputs(
    cli_build, previous, monkeypatch, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    restore(out, previous)
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if Path(path).parent == out and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    result = cli_build(str(HOSTILE), "-o", str(out))
    assert_one_line_error(result, f"cannot write {out / 'extractions.jsonl'}", "not writable")
    assert snapshot(out) == previous
    assert leftovers(out) == []


@pytest.mark.parametrize("failing", ["graphml", "html", "report"])
def test_reliability_failure_part_way_through_export_leaves_previous_outputs(
    failing, cli_build, previous, monkeypatch, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    restore(out, previous)

    def fail(*args, **kwargs):
        raise ExportError(f"{failing} cannot be written (simulated)")

    monkeypatch.setitem(OUTPUTS, failing, dataclasses.replace(OUTPUTS[failing], write=fail, fragments=None))
    result = cli_build(str(HOSTILE), "-o", str(out))
    assert_one_line_error(result, "(simulated)")
    assert snapshot(out) == previous, "some outputs were replaced although the build failed"
    assert leftovers(out) == []


# --------------------------------------------------------------------------- killed during export


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_reliability_build_killed_during_export_leaves_previous_outputs(
    signum, nlp, previous, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    restore(out, previous)
    ready = tmp_path / "ready"
    command = [sys.executable, str(DATA / "killed_build.py"), str(ready),
               "build", str(HOSTILE), str(GOOD), "-o", str(out), *_in_process_options()]
    # The child gets Ctrl-C's default meaning even where this run's parent ignores SIGINT
    # (a background job does), as it would in a terminal.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=_default_sigint)
    try:
        deadline = time.monotonic() + 240
        while not ready.exists():
            if process.poll() is not None:
                pytest.fail(f"the build ended before export: {process.stdout.read()}")
            if time.monotonic() > deadline:
                pytest.fail("the build did not reach export in 240 s")
            time.sleep(0.1)
        staged = leftovers(out)
        os.kill(process.pid, signum)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    # It was stopped with extractions.jsonl and graph.json staged, graph.graphml half written.
    assert any(name.startswith(".extractions.jsonl.") and name.endswith(".staged") for name in staged), staged
    assert any(name.startswith("..graph.graphml.") and name.endswith(".tmp") for name in staged), staged
    assert snapshot(out) == previous, "a stopped build changed files under their final names"

    if signum == signal.SIGINT:  # Ctrl-C: one line, no traceback, and it cleans up after itself
        assert process.returncode == 130, output
        assert output.strip().splitlines()[-1] == "Error: interrupted" and "Traceback" not in output, output
        assert leftovers(out) == []
        return
    assert process.returncode == -signal.SIGKILL
    left = leftovers(out)
    assert left and all(TEMP_NAME.fullmatch(name) for name in left), left
    # The next build removes what a killed build left, once it is stale (an hour old).
    stale = time.time() - 2 * 3600
    for name in left:
        os.utime(out / name, (stale, stale))
    build(config=Config(inputs=(GOOD,), output_dir=out), nlp=nlp)
    assert leftovers(out) == []
    assert snapshot(out) == previous


def test_reliability_fresh_temporary_files_are_left_alone(nlp, tmp_path: Path) -> None:
    """A temporary file less than an hour old may belong to a build still running: not removed."""
    out = tmp_path / "out"
    out.mkdir()
    live = out / ".graph.json.0123456789ab.tmp"
    live.write_text("being written by another build")
    unrelated = out / ".notes.0123456789ab.tmp"
    unrelated.write_text("not kgraph's")
    old = time.time() - 2 * 3600
    os.utime(unrelated, (old, old))
    build(config=Config(inputs=(GOOD,), output_dir=out, outputs=("json", "report")), nlp=nlp)
    assert live.exists() and unrelated.exists()
    assert json.loads((out / "report.json").read_text())["papers"]["in_graph"] == 2
