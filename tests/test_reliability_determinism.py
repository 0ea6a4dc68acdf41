"""The same input gives byte-identical outputs: across runs, hash seeds and numbers of processes.

The in-process test is quick; the others run `kgraph build` in fresh Python
processes, each with its own ``PYTHONHASHSEED`` (so any output that follows
set or dict-of-set order would differ), one of them with ``--processes 2``
when the option exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kgraph.cli import cli
from kgraph.config import Config
from kgraph.run import build

TESTS = Path(__file__).resolve().parent
INPUTS = (
    TESTS / "data" / "reliability" / "hostile.jsonl",
    TESTS / "data" / "reliability" / "good.jsonl",
    TESTS / "data" / "e2e" / "papers.jsonl",
    TESTS / "data" / "e2e" / "papers.csv",
)


def outputs(directory: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and not p.name.startswith(".")}
    assert "graph.json" in files and "report.json" in files, sorted(files)
    return files


def assert_same_bytes(first: dict[str, bytes], second: dict[str, bytes]) -> None:
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, f"outputs differ between runs: {differ}"


def test_reliability_same_input_same_bytes(nlp, tmp_path: Path) -> None:
    runs = []
    for name in ("first", "second"):
        build(config=Config(inputs=INPUTS, output_dir=tmp_path / name), nlp=nlp)
        runs.append(outputs(tmp_path / name))
    assert_same_bytes(*runs)


def _build_options() -> set[str]:
    return {opt for param in cli.commands["build"].params for opt in param.opts}


def run_cli_build(out: Path, seed: int, *options: str) -> dict[str, bytes]:
    """`kgraph build` in a fresh interpreter with a given hash seed."""
    no_cache = ["--no-cache"] if "--no-cache" in _build_options() else []
    command = [sys.executable, "-c", "from kgraph.cli import main; main()", "build", *map(str, INPUTS), "-o", str(out), *options, *no_cache]
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, cwd=TESTS.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    return outputs(out)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict[str, bytes]:
    single = ["--processes", "1"] if "--processes" in _build_options() else []
    return run_cli_build(tmp_path_factory.mktemp("baseline"), 1, *single)


@pytest.mark.slow
def test_reliability_same_bytes_across_hash_seeds(baseline, tmp_path: Path) -> None:
    single = ["--processes", "1"] if "--processes" in _build_options() else []
    assert_same_bytes(baseline, run_cli_build(tmp_path / "out", 2, *single))


@pytest.mark.slow
def test_reliability_same_bytes_with_two_processes(baseline, tmp_path: Path) -> None:
    if "--processes" not in _build_options():
        pytest.skip("kgraph build has no --processes option yet")
    assert_same_bytes(baseline, run_cli_build(tmp_path / "out", 3, "--processes", "2"))
