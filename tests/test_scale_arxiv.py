"""The arXiv metadata snapshot as input: streamed, filtered by category and date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kgraph.config import Config
from kgraph.errors import ConfigError
from kgraph.ingest.arxiv import FilterCounts, RecordFilter, is_json_lines, iter_arxiv, iter_filtered_records
from kgraph.model import Paper, Problem
from kgraph.run import read_papers

SNAPSHOT = Path(__file__).parent / "data" / "scale" / "arxiv_snapshot.json"
INGEST = Path(__file__).parent / "data" / "ingest"


def _ids(records):
    return [r.id for r in records if isinstance(r, Paper)]


@pytest.mark.parametrize(
    ("record_filter", "expected"),
    [
        (RecordFilter(), ["0704.0001", "1706.03762", "1512.03385", "1810.04805", "2001.00001"]),
        (RecordFilter(categories=("cs.CL",)), ["1706.03762", "1810.04805"]),
        (RecordFilter(categories=("cs",)), ["1706.03762", "1512.03385", "1810.04805", "2001.00001"]),
        (RecordFilter(categories=("hep-ph", "cs.CV")), ["0704.0001", "1512.03385"]),
        (RecordFilter(categories=("hep",)), []),  # an archive is matched whole, not as a prefix
        (RecordFilter(since=date(2019, 1, 1)), ["1706.03762", "1810.04805"]),
        (RecordFilter(until=date(2015, 12, 10)), ["0704.0001", "1512.03385"]),
        (RecordFilter(categories=("cs",), since=date(2016, 1, 1), until=date(2020, 1, 1)), ["1810.04805"]),
    ],
)
def test_scale_arxiv_filters(record_filter, expected):
    counts = FilterCounts()
    assert _ids(iter_arxiv(SNAPSHOT, record_filter, counts)) == expected
    assert (counts.kept, counts.dropped) == (len(expected), 5 - len(expected))


def test_scale_arxiv_snapshot_fields_become_papers():
    papers = {p.id: p for p in iter_arxiv(SNAPSHOT) if isinstance(p, Paper)}
    first = papers["0704.0001"]
    assert first.title == "Calculation of prompt diphoton production cross sections"
    assert first.abstract.startswith("A fully differential calculation")
    assert first.year == 2008
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky")


def test_scale_arxiv_json_snapshot_is_read_as_json_lines():
    assert is_json_lines(SNAPSHOT)
    assert not is_json_lines(INGEST / "papers_array.json")
    problems: list[Problem] = []
    papers = list(read_papers(Config(inputs=(SNAPSHOT,)), problems))
    assert len(papers) == 5


def test_scale_arxiv_bad_lines_are_problems(tmp_path):
    path = tmp_path / "snap.jsonl"
    path.write_text('{"title": "A", "abstract": "x", "categories": "cs.LG"}\nnot json\n[1]\n', encoding="utf-8")
    records = list(iter_arxiv(path, RecordFilter(categories=("cs",))))
    assert [str(r) for r in records if isinstance(r, Problem)] == [
        f"{path}:2: line is not valid JSON (Expecting value at column 1)",
        f"{path}:3: expected a JSON object",
    ]


def test_scale_arxiv_filters_refuse_other_formats():
    with pytest.raises(ConfigError, match="scraped"):
        iter_filtered_records([INGEST / "scraped_small.txt"], record_filter=RecordFilter(categories=("cs",)))


def test_scale_arxiv_filters_count_in_read_papers():
    counts = FilterCounts()
    config = Config(inputs=(SNAPSHOT,), categories=("cs.CL",), since="2019-01-01")
    assert [p.id for p in read_papers(config, [], counts)] == ["1706.03762", "1810.04805"]
    assert counts.dropped == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"since": "2020-13-01"}, "since must be a date"),
        ({"since": "2021-01-01", "until": "2020-01-01"}, "is after until"),
        ({"engine": "spark"}, "unknown engine 'spark'; expected one of local, dask"),
        ({"scheduler": "tcp://x:8786"}, "needs the dask engine"),
        ({"processes": -1}, "processes must be"),
    ],
)
def test_scale_config_rejects_bad_settings(changes, message):
    with pytest.raises(ConfigError, match=message):
        Config(**changes)


def test_scale_config_categories_from_a_string():
    assert Config(categories="cs.CL, cs.LG").categories == ("cs.CL", "cs.LG")
