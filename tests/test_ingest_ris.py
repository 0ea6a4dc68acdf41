"""kgraph.ingest.ris: RIS reference files, read line by line."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.config import Config
from kgraph.ingest import detect_format, iter_file, iter_records, iter_string, list_input_files
from kgraph.model import Paper, Problem
from kgraph.run import build

DATA = Path(__file__).resolve().parent / "data" / "ingest" / "mixed"
REFS = DATA / "refs.ris"


def split(records) -> tuple[list[Paper], list[Problem]]:
    records = list(records)
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Problem)]


def ris(text: str) -> tuple[list[Paper], list[Problem]]:
    return split(iter_string(text, "ris", name="x.ris"))


def test_ingest_ris_reads_fields() -> None:
    papers, problems = split(iter_file(REFS, "ris"))
    bert, adam = papers
    assert bert.title == "BERT: Pretraining of deep bidirectional transformers for language understanding"
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert (bert.year, bert.doi, bert.url, bert.source.line) == (2019, "10.18653/v1/n19-1423",
                                                                 "https://aclanthology.org/N19-1423", 1)
    assert adam.title == "Adam: A Method for Stochastic Optimization"
    # N2 holds the abstract; its wrapped lines are joined
    assert adam.abstract == ("We introduce Adam, an algorithm for first-order gradient-based optimization of "
                             "stochastic objective functions, based on adaptive estimates of lower-order moments. "
                             "The method is straightforward to implement and is computationally efficient.")
    assert (adam.year, adam.authors, adam.arxiv_id, adam.source.line) == (2014, ("Diederik P. Kingma", "Jimmy Ba"),
                                                                          "1412.6980", 15)
    assert [(p.source.line, p.reason) for p in problems] == [(1, "title with no abstract")]


@pytest.mark.parametrize(
    ("text", "attribute", "value"),
    [
        ("TY  - JOUR\nT1  - Primary Title\nY1  - 2003/05/01/\nER  - \n", "year", 2003),
        ("TY  - JOUR\nTI  - T\nAB  - First.\nN2  - Second.\nER  - \n", "abstract", "First."),
        ("TY  - JOUR\nTI  - T\nA1  - Smith, John, Jr.\nER  - \n", "authors", ("John Smith Jr.",)),
        ("TY  - JOUR\nTI  - T\nAU  - Plato\nER  - \n", "authors", ("Plato",)),
        ("TY  - JOUR\nTI  - T\nDO  - https://doi.org/10.1145/3292500.3330701\nER  - \n", "doi",
         "10.1145/3292500.3330701"),
        ("TY  - JOUR\nTI  - T\nDO  - 10.48550/arXiv.2101.00001\nER  - \n", "arxiv_id", "2101.00001"),
        ("TY  - JOUR\nTI  - T\nAN  - arXiv:1810.04805\nER  - \n", "arxiv_id", "1810.04805"),
        ("TY - JOUR\nTI - One Space\nER -\n", "title", "One Space"),  # exporters that write one space
        ("\ufeffTY  - JOUR\r\nTI  - Caf\\'e Networks\r\nER  - \r\n", "title", "Café Networks"),
    ],
)
def test_ingest_ris_fields(text: str, attribute: str, value) -> None:
    papers, _ = ris(text)
    assert getattr(papers[0], attribute) == value


@pytest.mark.parametrize(
    ("text", "titles", "problems"),
    [
        ("TY  - JOUR\nTI  - A\nAB  - x\nTY  - JOUR\nTI  - B\nAB  - y\nER  - \n", ["A", "B"],
         [(1, "warning", "record has no ER line; it ends at line 4, where the next one starts")]),
        ("TY  - JOUR\nTI  - A\nAB  - x\n", ["A"],
         [(1, "warning", "record has no ER line; it ends at the end of the file")]),
        ("TY  - JOUR\nAU  - Doe, Jane\nER  - \n", [], [(1, "error", "missing 'title'")]),
        ("TY  - JOUR\nTI  - A\nAB  - x\nER  - \nTI  - Stray\n", ["A"],
         [(5, "error", "line outside a record (no TY line before it): 'TI  - Stray'")]),
        ("TY  - JOUR\nTI  - A\nAB  - x\nPY  - someday\nER  - \n", ["A"],
         [(1, "warning", "'PY' must be a date such as '2019-08-19', got 'someday'")]),
        ("Attention Is All You Need\nThe dominant sequence transduction models.\n", [],
         [(1, "error", "no RIS records found (a record starts with a line 'TY  - JOUR'): this is not a RIS file")]),
    ],
)
def test_ingest_ris_problems(text: str, titles: list[str], problems: list[tuple]) -> None:
    papers, found = ris(text)
    assert [p.title for p in papers] == titles
    assert [(p.source.line, p.severity, p.reason) for p in found] == problems


def test_ingest_ris_undecodable_line_skips_its_record(tmp_path: Path) -> None:
    path = tmp_path / "refs.ris"
    path.write_bytes(b"TY  - JOUR\nTI  - Caf\xe9\nER  - \nTY  - JOUR\nTI  - Good\nAB  - x\nER  - \n")
    papers, problems = split(iter_file(path, "ris"))
    assert [p.title for p in papers] == ["Good"]
    assert [(p.source.line, p.reason) for p in problems] == [
        (1, "bytes are not valid UTF-8 (byte 0xe9 at column 10); record skipped")]


def test_ingest_ris_is_detected_by_extension_and_content(tmp_path: Path) -> None:
    text = REFS.read_text()
    assert detect_format(Path("refs.ris"), b"") == "ris"
    assert detect_format(Path("export"), text.encode()) == "ris"
    (tmp_path / "refs.ris.bz2").write_bytes(bz2.compress(text.encode()))
    (tmp_path / "export").write_text(text)
    files, _ = list_input_files([tmp_path])
    assert files == [(tmp_path / "refs.ris.bz2", "ris")]  # "export" has no extension: not read from a directory
    papers, _ = split(iter_records([tmp_path / "refs.ris.bz2", tmp_path / "export"]))
    assert len(papers) == 4
    (tmp_path / "refs.txt").write_text(text)
    _, problems = split(iter_records([tmp_path / "refs.txt"]))
    assert [p.reason for p in problems] == [
        "this is RIS, not a scraped listing of titles and abstracts (give it the extension of its format, or use "
        "--format ris); file skipped"]


def test_ingest_ris_builds_a_graph(rules_nlp, tmp_path: Path) -> None:
    config = Config(inputs=(REFS,), output_dir=tmp_path / "out", outputs=("json", "report"), processes=1,
                    use_cache=False)
    result = build(config=config, nlp=rules_nlp)
    assert result.report["papers"]["in_graph"] == 2
    assert result.report["inputs"]["files"] == [{"path": str(REFS), "format": "ris"}]
    adam = next(node for node, data in result.graph.nodes(data=True) if data["label"].startswith("Adam"))
    assert result.graph.nodes[adam]["year"] == 2014
    assert "method:adam" in {tail for _, tail in result.graph.out_edges(adam)}


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["TY  - JOUR", "TI  - T", "AU  - A, B", "AB  - x", "PY  - 2020", "DO  - 10.1/x",
                              "ER  - ", "ER  -", "continued", "", "TI  -", "XX  - y"]),
             max_size=15).map("\n".join),
))
def test_ingest_ris_never_raises(text: str) -> None:
    for record in iter_string(text, "ris", name="x.ris"):
        assert isinstance(record, (Paper, Problem))
        if isinstance(record, Problem):
            assert record.source.line >= 1 and "\n" not in record.reason
        else:
            assert record.title and record.id
