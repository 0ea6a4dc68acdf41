"""kgraph.ingest.jsonl: JSON Lines and JSON arrays."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgraph.ingest import iter_file, iter_string, paper_id_from_title
from kgraph.model import Paper, Problem

DATA = Path(__file__).resolve().parent / "data" / "ingest"


def split(records) -> tuple[list[Paper], list[Problem]]:
    records = list(records)
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Problem)]


def test_ingest_jsonl_reads_fields() -> None:
    papers, problems = split(iter_file(DATA / "papers.jsonl", "jsonl"))
    assert problems == []
    first, second, arxiv = papers
    assert first.id == "p1"
    assert first.year == 2021
    assert first.authors == ("Ada Lovelace", "Alan Turing")
    assert first.url == "https://example.org/p1"
    assert first.source.line == 1
    # blank line 2 skipped; a string year, "A and B" authors, no id
    assert second.source.line == 3
    assert second.title == "Transformers for Tables"
    assert second.id == paper_id_from_title("Transformers for Tables")
    assert second.year == 2020
    assert second.authors == ("Grace Hopper", "Edsger Dijkstra")
    # arXiv metadata snapshot fields
    assert arxiv.id == "0704.0001"
    assert arxiv.year == 2008
    assert arxiv.abstract == "A fully differential calculation in perturbative QCD is presented."
    assert arxiv.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan")


def test_ingest_jsonl_bad_lines_become_problems() -> None:
    papers, problems = split(iter_file(DATA / "papers_bad.jsonl", "jsonl"))
    assert [p.title for p in papers] == ["A Good Paper", "Bad Year", "No Abstract Here", "Empty Id", "Another Good Paper"]
    assert [(p.source.line, p.severity, p.reason) for p in problems] == [
        (2, "error", "line is not valid JSON: Expecting ':' delimiter at column 32"),
        (3, "error", "missing 'title'"),
        (4, "warning", "'year' must be an integer, got 'abc'"),
        (5, "error", "expected a JSON object, got an array"),
        (6, "error", "'title' must be a string, got 42"),
        (7, "warning", "title with no abstract"),
        (8, "warning", "'id' is empty; an id was made from the title"),
        (9, "error", "empty 'title'"),
    ]
    assert problems[2].paper_id == papers[1].id


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"title": "T", "abstract": "A",}', "line is not valid JSON: Expecting property name enclosed in double quotes at column 32"),
        ('{"title": "T"', "line is not valid JSON: Expecting ',' delimiter at column 14"),
        ('"just a string"', "expected a JSON object, got a string"),
        ("null", "expected a JSON object, got null"),
        ('{"title": "T", "abstract": ["A"]}', "'abstract' must be a string, got ['A']"),
        ('{"id": 1.5, "title": "T", "abstract": "A"}', "'id' must be a string, got 1.5"),
        ('{"id": "a\\u0000b", "title": "T", "abstract": "A"}', "'id' contains control characters: 'a\\x00b'"),
        ('{"title": "{}", "abstract": "A"}', "'title' is empty after cleaning: '{}'"),
        ('{"a":' * 5000 + "1" + "}" * 5000, "line is not valid JSON: nested too deeply"),
        ("[" * 5000 + "]" * 5000, "not valid JSON: nested too deeply; rest of file skipped"),
    ],
)
def test_ingest_jsonl_error_reasons(line: str, reason: str) -> None:
    records = list(iter_string(line + "\n", "jsonl", name="x.jsonl"))
    assert [(r.reason, r.severity) for r in records if isinstance(r, Problem)][0] == (reason, "error")
    assert not any(isinstance(r, Paper) for r in records)


@pytest.mark.parametrize(
    ("fields", "attribute", "value", "warning"),
    [
        ('"year": 2020', "year", 2020, None),
        ('"year": " 2020 "', "year", 2020, None),
        ('"year": 2020.0', "year", 2020, None),
        ('"year": true', "year", None, "'year' must be an integer, got True"),
        ('"year": "20-20"', "year", None, "'year' must be an integer, got '20-20'"),
        ('"update_date": "2019-08-19"', "year", 2019, None),
        ('"year": 2001, "update_date": "2019-08-19"', "year", 2001, None),
        ('"update_date": "yesterday"', "year", None, "'update_date' must be a date such as '2019-08-19', got 'yesterday'"),
        ('"authors": "A, B and C"', "authors", ("A", "B", "C"), None),
        ('"authors": "A; B"', "authors", ("A", "B"), None),
        ('"authors": ["A", " ", "B"]', "authors", ("A", "B"), None),
        ('"authors": [1, 2]', "authors", (), "'authors' must be a list of strings or a string, got [1, 2]"),
        ('"url": " https://x.org "', "url", "https://x.org", None),
        ('"url": 5', "url", None, "'url' must be a string, got 5"),
        ('"id": 1234', "id", "1234", None),
        ('"id": "  arXiv:1  "', "id", "arXiv:1", None),
    ],
)
def test_ingest_jsonl_optional_fields(fields: str, attribute: str, value, warning: str | None) -> None:
    records = list(iter_string('{"title": "T", "abstract": "A", %s}\n' % fields, "jsonl"))
    papers, problems = split(records)
    assert len(papers) == 1
    assert getattr(papers[0], attribute) == value
    assert [p.reason for p in problems] == ([warning] if warning else [])
    assert all(p.severity == "warning" for p in problems)


def test_ingest_jsonl_field_names_ignore_case_and_spaces() -> None:
    papers, _ = split(iter_string('{" TITLE ": "T", "Abstract": "A", "YEAR": 1999}', "jsonl"))
    assert (papers[0].title, papers[0].abstract, papers[0].year) == ("T", "A", 1999)


def test_ingest_jsonl_array_file() -> None:
    papers, problems = split(iter_file(DATA / "papers_array.json", "jsonl"))
    assert problems == []
    assert [(p.id, p.source.line) for p in papers] == [("a1", 2), ("a2", 4)]
    assert papers[0].abstract == "Spans two lines."


@pytest.mark.parametrize(
    ("text", "ids", "reasons"),
    [
        ('[{"id": "a", "title": "A"}, 3, {"id": "b", "title": "B", "abstract": "x"}]', ["a", "b"],
         ["title with no abstract", "expected a JSON object, got a number"]),
        ('[\n{"id": "a", "title": "A", "abstract": "x"},\n{"id": "b" "title": "B"}\n]', ["a"],
         ["not valid JSON: Expecting ',' delimiter at column 12; rest of file skipped"]),
        ('[{"id": "a", "title": "A", "abstract": "x"} {"id": "b"}]', ["a"],
         ["not valid JSON: expected ',' or ']' after an array element, got '{'; rest of file skipped"]),
        ('[{"id": "a", "title": "A", "abstract": "x"},]', ["a"], []),
        ("[]", [], []),
        ('{"id": "a",\n "title": "A", "abstract": "x"}\n{"id": "b", "title": "B", "abstract": "y"}', ["a", "b"], []),
    ],
)
def test_ingest_jsonl_document(tmp_path: Path, text: str, ids: list[str], reasons: list[str]) -> None:
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    papers, problems = split(iter_file(path, "jsonl"))
    assert [p.id for p in papers] == ids
    assert [p.reason for p in problems] == reasons


def test_ingest_jsonl_array_detected_without_json_extension() -> None:
    papers, _ = split(iter_string('  [{"title": "A", "abstract": "B"}]', "jsonl"))
    assert [p.title for p in papers] == ["A"]
