"""kgraph.ingest.tabular: CSV and TSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgraph.ingest import iter_file, iter_string
from kgraph.model import Paper, Problem

DATA = Path(__file__).resolve().parent / "data" / "ingest"


def split(records) -> tuple[list[Paper], list[Problem]]:
    records = list(records)
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Problem)]


def test_ingest_csv_reads_fields_and_header_case() -> None:
    papers, problems = split(iter_file(DATA / "papers.csv", "csv"))
    assert problems == []
    assert [p.id for p in papers] == ["c1", "c2", "c3", "c4"]
    assert papers[0].authors == ("Ada Lovelace", "Alan Turing")
    assert papers[0].year == 2019
    assert papers[1].title == 'Quoted "Title" Row'
    assert papers[1].abstract == "An abstract that spans three lines."
    assert papers[2].year is None
    assert papers[2].abstract == "Comma, inside."


def test_ingest_csv_quoted_newlines_keep_start_lines() -> None:
    papers, _ = split(iter_file(DATA / "papers.csv", "csv"))
    # c2 starts on line 3 and ends on line 5; a blank line 7 precedes c4
    assert [p.source.line for p in papers] == [2, 3, 6, 8]


def test_ingest_csv_problem_lines_point_at_record_start() -> None:
    text = 'title,abstract,year\n"Multi\nline",ok,2020\n"Also\nmulti\nline",bad year,abc\n,no title,2021\n'
    papers, problems = split(iter_string(text, "csv", name="x.csv"))
    assert [p.source.line for p in papers] == [2, 4]
    assert [(str(p.source), p.severity, p.reason) for p in problems] == [
        ("x.csv:4", "warning", "'year' must be an integer, got 'abc'"),
        ("x.csv:7", "error", "missing 'title'"),
    ]


def test_ingest_csv_tsv_file() -> None:
    papers, problems = split(iter_file(DATA / "papers.tsv", "csv"))
    assert problems == []
    assert [(p.title, p.abstract, p.year) for p in papers] == [
        ("Tab Separated Title", "A tab separated abstract.", 2018)
    ]


def test_ingest_csv_missing_title_column_is_one_error() -> None:
    papers, problems = split(iter_file(DATA / "no_title_column.csv", "csv"))
    assert papers == []
    assert [(p.source.line, p.severity, p.reason) for p in problems] == [
        (1, "error", "no 'title' column in the header (found 'name', 'summary'); file skipped")
    ]


@pytest.mark.parametrize(
    ("text", "titles", "reasons"),
    [
        ("title;abstract\nSemicolon;Separated.\n", ["Semicolon"], []),
        ("Title|Abstract\nPipe|Separated.\n", ["Pipe"], []),
        ("title\nOnly A Title\n", ["Only A Title"], ["title with no abstract"]),
        ("title,abstract\nA,B,extra\n", ["A"], ["row has 3 fields but the header has 2; extra fields ignored"]),
        ("title,abstract\n,,\nA,B\n", ["A"], []),
        ("title,abstract\n", [], []),
        ("\n\ntitle,abstract\nA,B\n", ["A"], []),
    ],
)
def test_ingest_csv_variants(text: str, titles: list[str], reasons: list[str]) -> None:
    papers, problems = split(iter_string(text, "csv"))
    assert [p.title for p in papers] == titles
    assert [p.reason for p in problems] == reasons


def test_ingest_csv_quote_closed_far_below_is_flagged() -> None:
    text = 'title,abstract\n"Unclosed quote,x\n' + "more text\n" * 60 + 'closed here",y\n'
    papers, problems = split(iter_string(text, "csv", name="x.csv"))
    assert len(papers) == 1
    assert [(str(p.source), p.reason) for p in problems] == [
        ("x.csv:2", "record spans lines 2-63; check for an unclosed quote"),
    ]


def test_ingest_csv_unclosed_quote_is_an_error_and_later_rows_are_read() -> None:
    # csv reads a quote never closed to the end of the file, as one field: rows C and D used to vanish.
    text = 'title,abstract\nA,one\n"B,two\nC,three\nD,four\n'
    records = list(iter_string(text, "csv", name="x.csv"))
    papers, problems = split(records)
    assert [(p.title, p.source.line) for p in papers] == [("A", 2), ("C", 4), ("D", 5)]
    assert [(str(p.source), p.severity, p.reason) for p in problems] == [
        ("x.csv:3", "error",
         "quote opened on this line is never closed; record skipped, the lines after it are read as rows"),
    ]


@pytest.mark.parametrize(
    ("text", "titles", "errors"),
    [
        ('title,abstract\nA,"one\nmore"\nB,"x\n', ["A"], [4]),  # a closed multi-line field, then an unclosed one
        ('title,abstract\nA,B\n"', ["A"], [3]),  # a lone quote on the last line
        ('title,abstract\n"x\n"y\n"z\nD,E\n', ["x y", "D"], [4]),  # the second quote closes the first
        ('title,abstract\n"a\n"b\n', ["a b"], []),
        ('title,abstract\n' + '"x\n' * 3 + "A,B\n", ["x x", "A"], [4]),
    ],
)
def test_ingest_csv_unclosed_quote_variants(text: str, titles: list[str], errors: list[int]) -> None:
    papers, problems = split(iter_string(text, "csv", name="x.csv"))
    assert [p.title for p in papers] == titles
    assert [p.source.line for p in problems if p.severity == "error"] == errors


def test_ingest_csv_unclosed_quote_in_the_header_skips_the_file() -> None:
    papers, problems = split(iter_string('"title,abstract\nA,B\n', "csv", name="x.csv"))
    assert papers == []
    assert [(str(p.source), p.reason) for p in problems] == [
        ("x.csv:1", "header: quote opened on this line is never closed; file skipped")
    ]


def test_ingest_csv_unclosed_quote_rest_is_read_once() -> None:
    # What an unclosed quote swallows has its quotes in pairs: read again, it closes every field it opens.
    text = 'title,abstract\n"A,x\n' + 'B,""quoted"" and "",""\n' * 2000
    papers, problems = split(iter_string(text, "csv", name="x.csv"))
    assert [p.source.line for p in problems if p.severity == "error"] == [2]
    assert len(papers) == 2000


def test_ingest_csv_year_with_thousands_of_digits_is_a_warning() -> None:
    papers, problems = split(iter_string("title,abstract,year\nA,B," + "9" * 5000 + "\n", "csv", name="x.csv"))
    assert [p.year for p in papers] == [None]
    assert [(p.severity, p.reason[:38]) for p in problems] == [("warning", "'year' must be between 1000 and 2100, ")]


def test_ingest_csv_bad_csv_line_is_reported_and_reading_goes_on() -> None:
    text = 'title,abstract\nA,"x"y\rz\nB,C\n'
    papers, problems = split(iter_string(text, "csv", name="x.csv"))
    assert [p.title for p in papers] == ["B"]
    assert problems[0].source.line == 2
    assert problems[0].reason.startswith("not valid CSV: ")
