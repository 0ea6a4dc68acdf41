"""Compressed inputs: ``.gz``, ``.bz2`` and ``.xz`` files read as streams, in every format.

Fixtures are written here, in ``tmp_path``: the same papers in each format,
compressed with each codec of the standard library. A compressed file is read
like the file it holds (format by the extension before ``.gz``, else by the
decompressed content; problems name the file and the line of the text), and
corrupt or truncated data is a Problem naming the file, never a traceback.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.cli import cli
from kgraph.ingest import detect_format, iter_file, list_input_files
from kgraph.ingest.formats import format_from_extension
from kgraph.ingest.textfile import Line, read_lines
from kgraph.model import Paper, Problem

# bzip2 at level 1 packs 100 kB blocks (not 900 kB), so that truncated test data holds whole blocks.
CODECS = {".gz": gzip.compress, ".bz2": lambda data: bz2.compress(data, 1), ".xz": lzma.compress}
NAMES = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}
ABSTRACT = "We propose a graph neural network for node classification and evaluate it on the Cora dataset."
TITLES = ["Graph Attention Networks", "Deep Residual Learning"]
TEXTS = {
    ".jsonl": "".join(json.dumps({"title": t, "abstract": ABSTRACT}) + "\n" for t in TITLES),
    ".json": json.dumps([{"title": t, "abstract": ABSTRACT} for t in TITLES], indent=1) + "\n",
    ".csv": "title,abstract\n" + "".join(f'"{t}","{ABSTRACT}"\n' for t in TITLES),
    ".tsv": "title\tabstract\n" + "".join(f"{t}\t{ABSTRACT}\n" for t in TITLES),
    ".txt": "Get trending papers in your email inbox!\nSubscribe" + "".join(f"{t}\n{ABSTRACT}\n" for t in TITLES),
}
FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv", ".txt": "scraped"}


def split(records) -> tuple[list[Paper], list[Problem]]:
    records = list(records)
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Problem)]


def write(path: Path, text: str | bytes) -> Path:
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.write_bytes(CODECS[path.suffix](data) if path.suffix in CODECS else data)
    return path


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("inner", TEXTS)
def test_ingest_compressed_file_reads_like_the_plain_one(tmp_path: Path, codec: str, inner: str) -> None:
    plain = write(tmp_path / f"plain{inner}", TEXTS[inner])
    packed = write(tmp_path / f"papers{inner}{codec}", TEXTS[inner])
    assert format_from_extension(packed) == FORMATS[inner]
    expected, _ = split(iter_file(plain, FORMATS[inner]))
    papers, problems = split(iter_file(packed, FORMATS[inner]))
    assert problems == []
    assert [(p.title, p.abstract, p.source.line) for p in papers] == [
        (p.title, p.abstract, p.source.line) for p in expected
    ]
    assert [p.title for p in papers] == TITLES
    assert all(p.source.path == str(packed) for p in papers)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("inner", [".jsonl", ".csv", ".txt"])
def test_ingest_compressed_format_is_detected_from_the_decompressed_content(tmp_path: Path, codec: str, inner: str) -> None:
    packed = write(tmp_path / f"papers{codec}", TEXTS[inner])  # no inner extension
    assert format_from_extension(packed) is None
    assert detect_format(packed, packed.read_bytes()[:1024]) == FORMATS[inner]
    files, _ = list_input_files([packed])
    assert files == [(packed, FORMATS[inner])]
    papers, problems = split(iter_file(packed, FORMATS[inner]))
    assert [p.title for p in papers] == TITLES and problems == []


def test_ingest_compressed_files_are_found_in_directories(tmp_path: Path) -> None:
    for codec in CODECS:
        write(tmp_path / f"a{codec[1:]}.jsonl{codec}", TEXTS[".jsonl"])
    write(tmp_path / "b.csv.gz", TEXTS[".csv"])
    write(tmp_path / "notes.gz", b"not a corpus file\n")  # unknown inner type: ignored, as README.md is
    files, _ = list_input_files([tmp_path])
    assert sorted((p.name, f) for p, f in files) == [
        ("abz2.jsonl.bz2", "jsonl"), ("agz.jsonl.gz", "jsonl"), ("axz.jsonl.xz", "jsonl"), ("b.csv.gz", "csv"),
    ]


def test_ingest_compressed_gzip_without_its_extension_is_read_by_its_signature(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_bytes(gzip.compress(TEXTS[".jsonl"].encode()))
    papers, problems = split(iter_file(path, "jsonl"))
    assert [p.title for p in papers] == TITLES and problems == []


def test_ingest_compressed_utf16_text_inside_gzip(tmp_path: Path) -> None:
    path = tmp_path / "papers.csv.gz"
    path.write_bytes(gzip.compress(TEXTS[".csv"].encode("utf-16")))
    papers, problems = split(iter_file(path, "csv"))
    assert [p.title for p in papers] == TITLES and problems == []


@pytest.mark.parametrize("codec", CODECS)
def test_ingest_compressed_bad_record_names_file_and_line(tmp_path: Path, codec: str) -> None:
    text = TEXTS[".jsonl"] + '{"title": "Broken", \n' + json.dumps({"abstract": "no title"}) + "\n"
    path = write(tmp_path / f"papers.jsonl{codec}", text)
    papers, problems = split(iter_file(path, "jsonl"))
    assert [p.title for p in papers] == TITLES
    assert [(str(p.source), p.severity, p.reason.split(":")[0].split(" (")[0]) for p in problems] == [
        (f"{path}:3", "error", "line is not valid JSON"),
        (f"{path}:4", "error", "missing 'title'"),
    ]


def _big_jsonl(papers: int = 3000) -> bytes:
    """More than the 64 KiB read up front, so that damage near the end shows part-way through."""
    return "".join(json.dumps({"title": f"Paper number {i}", "abstract": ABSTRACT}) + "\n"
                   for i in range(papers)).encode()


@pytest.mark.parametrize("codec", CODECS)
def test_ingest_compressed_truncated_file_is_a_problem_after_the_lines_read(tmp_path: Path, codec: str) -> None:
    data = CODECS[codec](_big_jsonl())
    path = tmp_path / f"papers.jsonl{codec}"
    path.write_bytes(data[: len(data) * 3 // 4])
    papers, problems = split(iter_file(path, "jsonl"))
    assert len(papers) > 100
    [problem] = problems
    assert problem.source.path == str(path) and problem.source.line > len(papers)
    assert problem.severity == "error"
    assert problem.reason == f"cannot read {NAMES[codec]} data: the file ends early (truncated); rest of file skipped"


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("cut", [2, 12, 40])
def test_ingest_compressed_truncated_small_file_is_one_problem(tmp_path: Path, codec: str, cut: int) -> None:
    path = tmp_path / f"papers.jsonl{codec}"
    path.write_bytes(CODECS[codec](TEXTS[".jsonl"].encode())[:cut])
    papers, problems = split(iter_file(path, "jsonl"))
    assert papers == []
    assert [(p.source.line, p.severity) for p in problems] == [(1, "error")]
    assert problems[0].reason.startswith("cannot read ")


@pytest.mark.parametrize("codec", CODECS)
def test_ingest_compressed_corrupt_data_is_a_problem_not_a_traceback(tmp_path: Path, codec: str) -> None:
    data = bytearray(CODECS[codec](_big_jsonl()))
    for offset in range(len(data) // 2, len(data) // 2 + 64):
        data[offset] ^= 0x55
    path = tmp_path / f"papers.jsonl{codec}"
    path.write_bytes(bytes(data))
    records = list(iter_file(path, "jsonl"))
    problems = [r for r in records if isinstance(r, Problem) and r.reason.startswith("cannot read ")]
    assert len(problems) == 1
    assert problems[0].source.path == str(path) and problems[0].reason.endswith("; rest of file skipped")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("plain.jsonl.gz", TEXTS[".jsonl"].encode(), "cannot read gzip data: not a gzipped file"),
        ("plain.jsonl.bz2", TEXTS[".jsonl"].encode(), "cannot read bzip2 data: invalid data stream"),
        ("plain.jsonl.xz", TEXTS[".jsonl"].encode(), "cannot read xz data: input format not supported by decoder"),
        ("empty.jsonl.gz", b"", "empty file"),
        ("empty-inside.jsonl.xz", lzma.compress(b""), "empty file"),
    ],
)
def test_ingest_compressed_not_compressed_or_empty(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    records = list(read_lines(path))
    assert not [r for r in records if isinstance(r, Line) and r.text.strip()]
    [problem] = records
    assert problem.reason.startswith(reason) and problem.source.line == 1


@pytest.fixture()
def cli_run(rules_nlp, monkeypatch):
    """`kgraph ...` in this process with the rules pipeline (the model is not the point here)."""
    import kgraph.nlp.pipeline

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", lambda **options: rules_nlp)

    def run(*args: str):
        return CliRunner().invoke(cli, [str(a) for a in args])

    return run


def test_ingest_compressed_kgraph_build_and_extract(cli_run, tmp_path: Path) -> None:
    inputs = [write(tmp_path / "a.jsonl.gz", TEXTS[".jsonl"]), write(tmp_path / "b.csv.bz2", TEXTS[".csv"].replace(
        "Graph Attention", "Compressed Graph Attention").replace("Deep Residual", "Compressed Deep Residual"))]
    out = tmp_path / "out"
    result = cli_run("build", *inputs, "-o", out, "--outputs", "json,report", "-j", "1", "--no-cache")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["papers"]["in_graph"] == 4 and report["problems"] == []
    assert [f["format"] for f in report["inputs"]["files"]] == ["jsonl", "csv"]

    mentions = tmp_path / "mentions.jsonl"
    result = cli_run("extract", write(tmp_path / "c.txt.xz", TEXTS[".txt"]), "-o", mentions, "-j", "1")
    assert result.exit_code == 0, result.output
    assert len(mentions.read_text().splitlines()) == 2


def test_ingest_compressed_kgraph_build_on_a_truncated_file_is_one_line(cli_run, tmp_path: Path) -> None:
    data = gzip.compress(TEXTS[".jsonl"].encode())
    bad = tmp_path / "cut.jsonl.gz"
    bad.write_bytes(data[: len(data) // 2])
    result = cli_run("build", bad, "-o", tmp_path / "out", "--outputs", "json,report", "-j", "1", "--no-cache")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: {bad}:1: cannot read gzip data: the file ends early (truncated)")
