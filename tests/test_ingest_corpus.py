"""kgraph.ingest: listing input files, detecting formats, reading a corpus, merging duplicates."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgraph.errors import ConfigError, CorpusFormatError
from kgraph.ingest import dedupe, detect_format, iter_file, iter_records, list_input_files
from kgraph.ingest.corpus import Ignored
from kgraph.ingest.formats import UNKNOWN
from kgraph.model import Paper, Problem, SourceRef

DATA = Path(__file__).resolve().parent / "data" / "ingest"
CORPUS_DIR = DATA / "corpus_dir"


def test_ingest_corpus_list_input_files_walks_directories() -> None:
    files, ignored = list_input_files([CORPUS_DIR])
    assert files == [
        (CORPUS_DIR / "a.jsonl", "jsonl"),
        (CORPUS_DIR / "b.csv", "csv"),
        (CORPUS_DIR / "sub" / "c.txt", "scraped"),
    ]
    assert ignored == [Ignored(CORPUS_DIR / ".cache", "hidden"), Ignored(CORPUS_DIR / ".hidden.jsonl", "hidden"),
                       Ignored(CORPUS_DIR / "README.md", "unknown file type")]


def test_ingest_corpus_list_input_files_explicit_files_are_sniffed() -> None:
    names = ["sniff_json", "sniff_csv", "sniff_scraped", "papers.tsv"]
    files, ignored = list_input_files([DATA / name for name in names])
    assert [(path.name, fmt) for path, fmt in files] == [
        ("sniff_json", "jsonl"),
        ("sniff_csv", "csv"),
        ("sniff_scraped", "scraped"),
        ("papers.tsv", "csv"),
    ]
    assert ignored == []


def test_ingest_corpus_list_input_files_format_override_and_dedup() -> None:
    files, _ = list_input_files([CORPUS_DIR / "a.jsonl", CORPUS_DIR, DATA / "sniff_json"], input_format="jsonl")
    assert [(path.name, fmt) for path, fmt in files] == [
        ("a.jsonl", "jsonl"),
        ("b.csv", "jsonl"),
        ("c.txt", "jsonl"),
        ("sniff_json", "jsonl"),
    ]


def test_ingest_corpus_list_input_files_missing_path_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(CorpusFormatError) as raised:
        list_input_files([CORPUS_DIR, missing])
    assert (raised.value.path, raised.value.line, raised.value.reason) == (str(missing), None, "no such file or directory")
    assert str(raised.value) == f"{missing}: no such file or directory"


def test_ingest_corpus_unknown_format_raises() -> None:
    with pytest.raises(ConfigError, match="unknown input format 'xml'; expected one of scraped, jsonl, csv"):
        list_input_files([CORPUS_DIR], input_format="xml")


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.jsonl", b"", "jsonl"),
        ("a.NDJSON", b"", "jsonl"),
        ("a.json", b"", "jsonl"),
        ("a.csv", b"{}", "csv"),
        ("a.TSV", b"", "csv"),
        ("a.txt", b'{"title": 1}', "scraped"),
        ("a", b'  \n{"title": "x"}', "jsonl"),
        ("a", b"[\n", "jsonl"),
        ("a.dat", b"id,Title,abstract\n", "csv"),
        ("a.dat", b'"title"\t"abstract"\n', "csv"),
        ("a.dat", b"Title;Abstract\n", "csv"),
        ("a.dat", codecs.BOM_UTF16_LE + "title,abstract\n".encode("utf-16-le"), "csv"),
        ("a", b"A title, with a comma\nAn abstract.\n", "scraped"),
        ("a.dat", b"A title, with a comma\nAn abstract.\n", UNKNOWN),  # a guess, refused for an unknown extension
        ("a.dat", b"", "scraped"),
        ("a.dat", b"\x00\x01\x02", UNKNOWN),
    ],
)
def test_ingest_corpus_detect_format(name: str, head: bytes, expected: str) -> None:
    assert detect_format(Path(name), head) == expected


def test_ingest_corpus_iter_records_reads_files_in_order() -> None:
    records = list(iter_records([CORPUS_DIR]))
    assert [r.title for r in records if isinstance(r, Paper)] == [
        "Dir JSONL Paper",
        "Dir CSV Paper",
        "Dir Scraped Paper",
    ]
    assert [r for r in records if isinstance(r, Problem)] == []


def test_ingest_corpus_iter_records_raises_missing_paths_when_called(tmp_path: Path) -> None:
    with pytest.raises(CorpusFormatError):
        iter_records([tmp_path / "missing"])


def test_ingest_corpus_iter_records_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(f'{{"title": "Paper {i}", "abstract": "x"}}\n' for i in range(1000)))
    records = iter_records([path])
    first = next(records)
    assert first.title == "Paper 0"


def test_ingest_corpus_file_with_nothing_in_it_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "only_boilerplate.txt"
    path.write_text("Get trending papers in your email inbox!\nSubscribe\n")
    assert [(r.severity, r.reason) for r in iter_records([path])] == [("warning", "no records found")]


def _paper(paper_id: str, title: str, line: int) -> Paper:
    return Paper(id=paper_id, title=title, abstract="x", source=SourceRef("f.jsonl", line))


def test_ingest_corpus_dedupe_keeps_first_and_warns() -> None:
    problem = Problem(SourceRef("f.jsonl", 9), "missing 'title'")
    records = [
        _paper("a", "Deep Residual Learning", 1),
        _paper("b", "deep  residual LEARNING", 2),  # same title, other case and spacing
        problem,
        _paper("a", "Something Else Entirely", 3),  # same id, other title
        _paper("c", "A Third Paper", 4),
        _paper("a", "Deep Residual Learning", 5),  # the same record twice
    ]
    out = list(dedupe(records))
    assert [r.id for r in out if isinstance(r, Paper)] == ["a", "c"]
    assert problem in out
    warnings = [r for r in out if isinstance(r, Problem) and r.severity == "warning"]
    assert [(w.source.line, w.reason, w.paper_id) for w in warnings] == [
        (2, "duplicate of a first read at f.jsonl:1; merged", "b"),
        (3, "duplicate id 'a' first read at f.jsonl:1 with a different title; dropped", "a"),
        (5, "duplicate of a first read at f.jsonl:1; merged", "a"),
    ]
    assert all(w.reason.startswith("duplicate") for w in warnings)


def test_ingest_corpus_dedupe_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"title": "Same Paper", "abstract": "first"}\n')
    (tmp_path / "b.csv").write_text("title,abstract\nsame   paper,second\n")
    out = list(dedupe(iter_records([tmp_path])))
    assert [r.abstract for r in out if isinstance(r, Paper)] == ["first"]
    assert [r.reason for r in out if isinstance(r, Problem)] == [
        f"duplicate of same-paper-{out[0].id.rsplit('-', 1)[1]} first read at {tmp_path / 'a.jsonl'}:1; merged"
    ]


def test_ingest_corpus_bundled_corpus_has_no_duplicates(corpus_path) -> None:
    out = list(dedupe(iter_records([corpus_path])))
    assert len(out) == 119
    assert all(isinstance(r, Paper) for r in out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, b""]).flatmap(
            lambda bom: st.binary(max_size=200).map(lambda body: bom + body)
        ),
        st.lists(
            st.sampled_from([b"{", b"}", b"[", b"]", b'"title"', b":", b",", b'"', b"\n", b"\r\n", b"\xe9", b"\x00", b"a", b" "]),
            max_size=60,
        ).map(b"".join),
    ),
    input_format=st.sampled_from(["scraped", "jsonl", "csv", None]),
    suffix=st.sampled_from(["", ".txt", ".json", ".jsonl", ".csv", ".tsv"]),
)
def test_ingest_corpus_arbitrary_bytes_never_raise(tmp_path: Path, data: bytes, input_format, suffix: str) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    records = list(dedupe(iter_records([path], input_format=input_format)))
    assert records, "every file yields at least a paper or a problem"
    for record in records:
        assert isinstance(record, (Paper, Problem))
        if isinstance(record, Paper):
            assert record.title and record.id
            assert record.source.line >= 1
        else:
            assert record.severity in ("error", "warning")
            assert record.source.path == str(path)
            assert record.source.line >= 1


def test_ingest_corpus_iter_file_by_format() -> None:
    assert [r.title for r in iter_file(DATA / "sniff_json", "jsonl")] == ["Sniffed JSON Paper"]
