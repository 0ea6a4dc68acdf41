"""kgraph.ingest.jsonl: JSON Lines and JSON arrays."""

from __future__ import annotations

import json
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
        (2, "error", "line is not valid JSON (Expecting ':' delimiter at column 32)"),
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
        ('{"title": "T", "abstract": "A",}', "line is not valid JSON (Expecting property name enclosed in double quotes at column 32)"),
        ('{"title": "T"', "line is not valid JSON (Expecting ',' delimiter at column 14)"),
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
         ["not valid JSON (Expecting ',' delimiter at column 12); rest of file skipped"]),
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


@pytest.mark.parametrize(
    ("fields", "year", "warning"),
    [
        ('"year": 20240101', None, "'year' must be between 1000 and 2100, got 20240101"),
        ('"year": -5', None, "'year' must be between 1000 and 2100, got -5"),
        ('"year": "0"', None, "'year' must be between 1000 and 2100, got '0'"),
        ('"year": 1e300', None, "'year' must be between 1000 and 2100, got 1e+300"),
        ('"year": 1000', 1000, None),
        ('"year": 2100', 2100, None),
        ('"year": 2101', None, "'year' must be between 1000 and 2100, got 2101"),
        ('"update_date": "0999-01-01"', None, "'update_date' must have a year between 1000 and 2100, got '0999-01-01'"),
        ('"year": "' + "9" * 5000 + '"', None, "'year' must be between 1000 and 2100, got '" + "9" * 36 + "..."),
    ],
)
def test_ingest_jsonl_year_outside_the_range_is_dropped_with_a_warning(fields: str, year, warning) -> None:
    records = list(iter_string(f'{{"title": "T", "abstract": "A", {fields}}}\n', "jsonl", name="x.jsonl"))
    papers, problems = split(records)
    assert [p.year for p in papers] == [year]
    assert [(str(p.source), p.severity, p.reason) for p in problems] == ([("x.jsonl:1", "warning", warning)] if warning else [])


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://arxiv.org/abs/2101.00001", "https://arxiv.org/abs/2101.00001"),
        ("https://x.org/a b", "https://x.org/a%20b"),
        ("https://x.org/[1]", "https://x.org/%5B1%5D"),
        ("https://x.org/100%", "https://x.org/100%25"),
        ("https://x.org/%zz%4", "https://x.org/%25zz%254"),
        ("https://x.org/%41", "https://x.org/%41"),
        ("https://x.org/p#a#b", "https://x.org/p#a%23b"),
        ('https://x.org/"q"<>{}|\\^`', "https://x.org/%22q%22%3C%3E%7B%7D%7C%5C%5E%60"),
        ("https://x.org/\u00e9t\u00e9?q=\ue000", "https://x.org/\u00e9t\u00e9?q=\ue000"),  # IRIs hold Unicode
        ("https://x.org/\ue000\u202e", "https://x.org/%EE%80%80%E2%80%AE"),  # private use outside the query; bidi
        ("https://x.org/a\u0001\tb\n", "https://x.org/a%01b"),
        ("HTTPS://[2001:db8::1]:8080/x", "HTTPS://[2001:db8::1]:8080/x"),
        ("https://user name@x.org/", "https://user%20name@x.org/"),
    ],
)
def test_ingest_jsonl_url_is_made_a_valid_iri(url: str, kept: str) -> None:
    papers, problems = split(iter_string(json.dumps({"title": "T", "abstract": "A", "url": url}), "jsonl"))
    assert [p.url for p in papers] == [kept]
    assert problems == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("arxiv.org/abs/1", "not a URL (no scheme such as https://)"),
        ("javascript:alert(1)", "not an http(s) URL (scheme 'javascript')"),
        ("ftp://x.org/file", "not an http(s) URL (scheme 'ftp')"),
        ("http:/x.org", "not a URL (no '//' and host after the scheme)"),
        ("https://", "not a URL (no host)"),
        ("https://x.org:80a/", "not a URL (bad port '80a')"),
        ("https://x y.org/", "not a URL (bad character in the host 'x y.org')"),
        ("https://[not-ipv6]/", "not a URL (bad IPv6 host 'not-ipv6')"),
        ("https://x.org/\ud800", "not a URL (not valid Unicode)"),
    ],
)
def test_ingest_jsonl_what_is_no_url_is_dropped_with_a_warning(url: str, reason: str) -> None:
    text = json.dumps({"title": "T", "abstract": "A", "url": url})
    papers, problems = split(iter_string(text, "jsonl", name="x.jsonl"))
    assert [(p.title, p.url) for p in papers] == [("T", None)]
    assert [(str(p.source), p.severity) for p in problems] == [("x.jsonl:1", "warning")]
    assert problems[0].reason.startswith(f"'url' is {reason}: ")
    assert problems[0].reason.endswith("; dropped")


@pytest.mark.parametrize("document", [False, True])
def test_ingest_jsonl_integer_of_thousands_of_digits_is_a_problem_of_its_record(tmp_path: Path, document: bool) -> None:
    huge = "9" * 5000  # Python refuses to read an int of more than 4,300 digits
    lines = [
        f'{{"title": "Huge Id", "abstract": "A", "id": {huge}}}',
        f'{{"title": "Huge Year", "abstract": "A", "year": -{huge}}}',
        f'{{"title": "Huge Unknown Field", "abstract": "A", "citations": {huge}}}',
        huge,
        '{"title": "After", "abstract": "A"}',
    ]
    text = "[" + ",\n".join(lines) + "]\n" if document else "\n".join(lines) + "\n"
    path = tmp_path / ("x.json" if document else "x.jsonl")
    path.write_text(text)
    papers, problems = split(iter_file(path, "jsonl"))
    assert [(p.title, p.year, p.source.line) for p in papers] == [
        ("Huge Year", None, 2), ("Huge Unknown Field", None, 3), ("After", None, 5),
    ]
    assert [(p.source.line, p.severity, p.reason) for p in problems] == [
        (1, "error", "'id' must be a string, got a number of 5,000 digits"),
        (2, "warning", "'year' must be an integer, got a number of 5,000 digits"),
        (4, "error", "expected a JSON object, got a number"),
    ]
