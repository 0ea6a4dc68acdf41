"""kgraph.ingest.textfile and the readers on it: encodings, BOMs, CRLF, NUL, empty and unreadable files."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from kgraph.ingest import iter_file
from kgraph.ingest.textfile import Line, read_lines
from kgraph.model import Paper, Problem

SCRAPED = "Get trending papers in your email inbox!\nSubscribeCaf\u00e9 Networks\nAn abstract about caf\u00e9s.\n"
JSONL = '{"title": "Caf\u00e9 Networks", "abstract": "An abstract about caf\u00e9s."}\n'
CSV = 'title,abstract\n"Caf\u00e9 Networks","An abstract\nabout caf\u00e9s."\n'
TEXTS = {"scraped": SCRAPED, "jsonl": JSONL, "csv": CSV}


def split(records) -> tuple[list[Paper], list[Problem]]:
    records = list(records)
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Problem)]


def write(tmp_path: Path, data: bytes, name: str = "input") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("input_format", ["scraped", "jsonl", "csv"])
@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"), id="bom-crlf"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16"),
        pytest.param(lambda t: codecs.BOM_UTF16_BE + t.replace("\n", "\r\n").encode("utf-16-be"), id="utf-16-be-crlf"),
        pytest.param(lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"), id="utf-32-le"),
        pytest.param(lambda t: t.rstrip("\n").encode("utf-8"), id="no-final-newline"),
    ],
)
def test_ingest_textfile_encodings_give_the_same_paper(tmp_path: Path, input_format: str, encode) -> None:
    path = write(tmp_path, encode(TEXTS[input_format]))
    papers, problems = split(iter_file(path, input_format))
    assert problems == []
    assert [(p.title, p.abstract) for p in papers] == [("Caf\u00e9 Networks", "An abstract about caf\u00e9s.")]
    assert papers[0].source.line == 2 if input_format != "jsonl" else 1


@pytest.mark.parametrize(
    ("input_format", "data", "good_titles", "bad_line", "column"),
    [
        ("jsonl", b'{"title": "Good"}\n{"title": "Caf\xe9"}\n{"title": "Also good"}\n', ["Good", "Also good"], 2, 15),
        ("csv", b'title,abstract\nGood,x\n"Caf\xe9\nmulti",y\nAlso good,z\n', ["Good", "Also good"], 3, 5),
        ("scraped", b"Good\nAbstract one.\nCaf\xe9 Title\nAbstract two.\nAlso good\nAbstract three.\n",
         ["Good", "Also good"], 3, 4),
        ("scraped", b"Good\nAbstract one.\nTitle\nAbstract \xff two.\nAlso good\nAbstract three.\n",
         ["Good", "Also good"], 4, 10),
    ],
)
def test_ingest_textfile_invalid_utf8_skips_only_the_affected_record(
    tmp_path: Path, input_format: str, data: bytes, good_titles: list[str], bad_line: int, column: int
) -> None:
    path = write(tmp_path, data)
    papers, problems = split(iter_file(path, input_format))
    assert [p.title for p in papers] == good_titles
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1
    assert errors[0].source.path == str(path)
    assert errors[0].source.line == bad_line
    byte = data.splitlines()[bad_line - 1][column - 1]
    assert f"bytes are not valid UTF-8 (byte 0x{byte:02x} at column {column})" in errors[0].reason


@pytest.mark.parametrize("input_format", ["scraped", "jsonl", "csv"])
@pytest.mark.parametrize("data", [b"", b"   \n\n\t\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_ingest_textfile_empty_file(tmp_path: Path, input_format: str, data: bytes) -> None:
    path = write(tmp_path, data)
    records = list(iter_file(path, input_format))
    assert [(type(r), r.source.line, r.severity, r.reason) for r in records] == [(Problem, 1, "error", "empty file")]


@pytest.mark.parametrize("input_format", ["scraped", "jsonl", "csv"])
def test_ingest_textfile_binary_file(tmp_path: Path, input_format: str) -> None:
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    records = list(iter_file(path, input_format))
    assert [(r.source.line, r.severity, r.reason) for r in records] == [(1, "error", "binary file (NUL bytes)")]


def test_ingest_textfile_utf16_without_bom_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, JSONL.encode("utf-16-le"))
    [problem] = iter_file(path, "jsonl")
    assert problem.reason.startswith("binary file (NUL bytes); it looks like UTF-16 without a byte-order mark")


def test_ingest_textfile_stray_nul_bytes_are_removed_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, b'{"title": "A"}\n{"title": "B\x00C", "abstract": "x\x00"}\n{"title": "D\x00"}\n')
    papers, problems = split(iter_file(path, "jsonl"))
    assert [p.title for p in papers] == ["A", "BC", "D"]
    nul = [p for p in problems if "NUL" in p.reason]
    assert [(p.source.line, p.severity, p.reason) for p in nul] == [(2, "warning", "NUL bytes removed (first on this line)")]


@pytest.mark.parametrize("input_format", ["scraped", "jsonl", "csv"])
def test_ingest_textfile_unreadable_directory_is_a_problem(tmp_path: Path, input_format: str) -> None:
    records = list(iter_file(tmp_path, input_format))
    assert [(r.source.line, r.severity, r.reason) for r in records] == [(1, "error", "cannot read file: is a directory")]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_ingest_textfile_permission_denied_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, JSONL.encode(), "locked.jsonl")
    path.chmod(0)
    try:
        records = list(iter_file(path, "jsonl"))
    finally:
        path.chmod(0o644)
    assert [(r.source.line, r.severity, r.reason) for r in records] == [(1, "error", "cannot read file: permission denied")]


def test_ingest_textfile_read_lines_yields_numbered_lines(tmp_path: Path) -> None:
    path = write(tmp_path, b"a\r\n\r\nb\xff\nc")
    assert list(read_lines(path)) == [
        Line(1, "a"),
        Line(2, ""),
        Line(3, "b\ufffd", "bytes are not valid UTF-8 (byte 0xff at column 2)"),
        Line(4, "c"),
    ]


def test_ingest_textfile_invalid_utf16_is_reported_per_line(tmp_path: Path) -> None:
    good = '{"title": "A"}\n'.encode("utf-16-le")
    bad = '{"title": "B'.encode("utf-16-le") + b"\x00\xd8" + '"}\n'.encode("utf-16-le")
    data = codecs.BOM_UTF16_LE + good + bad + good + b"\x00"  # and a truncated last character
    papers, problems = split(iter_file(write(tmp_path, data), "jsonl"))
    assert [p.title for p in papers] == ["A", "A"]
    assert [(p.source.line, p.severity, p.reason) for p in problems if p.severity == "error"] == [
        (2, "error", "bytes are not valid UTF-16 (unpaired surrogate at column 13)"),
        (4, "error", "bytes are not valid UTF-16 (truncated data)"),
    ]


def test_ingest_textfile_permission_error_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the same check as above, where the tests run as root
    from kgraph.ingest import textfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(textfile, "open", refuse, raising=False)
    path = write(tmp_path, JSONL.encode(), "locked.jsonl")
    records = list(iter_file(path, "jsonl"))
    assert [(r.source.path, r.source.line, r.severity, r.reason) for r in records] == [
        (str(path), 1, "error", "cannot read file: permission denied")
    ]
