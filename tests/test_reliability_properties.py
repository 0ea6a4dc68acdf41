"""Property-based tests: no text or bytes make a reader or the cleaner raise anything but a KGraphError.

Every reader is tried at the string level (``iter_string``) on arbitrary and
format-shaped text, and at the file level (``iter_file``, ``iter_arxiv``,
``read_lines``) on arbitrary bytes. What comes out must be well-formed
Papers and Problems (``check_records`` in ``bench/fuzz_readers.py``, shared
with the longer fuzzing run). A short run of that fuzzer is the last test.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kgraph.errors import KGraphError
from kgraph.ingest import clean_text, iter_file, iter_string
from kgraph.ingest.arxiv import RecordFilter, iter_arxiv
from kgraph.ingest.limits import MAX_EXTRACTION_CHARS, capped_paper
from kgraph.ingest.textfile import Line, read_lines
from kgraph.model import Paper, Problem

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "bench" / "fuzz_readers.py"
_spec = importlib.util.spec_from_file_location("fuzz_readers", FUZZ)
fuzz_readers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz_readers)
check_records = fuzz_readers.check_records

FORMATS = ("scraped", "jsonl", "csv")
SUFFIXES = {"scraped": ".txt", "jsonl": ".jsonl", "csv": ".csv", "json": ".json"}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_kgraph_error(make_records) -> list:
    """The records, or [] when the reader raised a KGraphError; anything else propagates (a bug)."""
    try:
        return list(make_records())
    except KGraphError:
        return []


# Text shaped like the inputs, so that generated examples get past the first line.
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)
_KEYS = st.sampled_from(["title", "abstract", "id", "year", "authors", "url", "update_date", "categories", " Title "])
JSON_LINES = st.lists(
    st.one_of(st.dictionaries(_KEYS, _JSON_VALUES, max_size=6).map(json.dumps), st.text(max_size=30)), max_size=6
).map("\n".join)
CSV_TEXT = st.tuples(
    st.sampled_from(["title,abstract", "id;Title;abstract", "title\tabstract\tyear", "abstract", ""]),
    st.lists(st.lists(st.text(max_size=12), max_size=4), max_size=5),
    st.sampled_from(["\n", "\r\n"]),
).map(lambda t: t[2].join([t[0], *(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in t[1])]))
SCRAPED = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(["", "Subscribe", "Get trending papers in your "
                                                                    "email inbox!"])), max_size=8).map("\n".join)
ANY_TEXT = st.one_of(st.text(), JSON_LINES, CSV_TEXT, SCRAPED)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


@pytest.mark.parametrize("input_format", FORMATS)
@PROPERTY
@given(text=ANY_TEXT)
@example(text="title,abstract\n\"unclosed")
@example(text='[{"title": "A"}, ')
@example(text="\ufeffT\r\n\x00\r\nA")
def test_reliability_string_readers_never_raise(input_format: str, text: str) -> None:
    records = read_or_kgraph_error(lambda: iter_string(text, input_format, name="t"))
    check_records(records)


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
@PROPERTY
@given(data=st.one_of(st.binary(), ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
                      ANY_TEXT.map(lambda t: t.encode("utf-16"))))
@example(data=b"\xff\xfe\x00")  # UTF-16 BOM, then half a character
@example(data=b"\x00\x00\xfe\xff\x00\x11\x00\x00")  # UTF-32 BOM, then a code point beyond Unicode
@example(data=b'{"title": "\xe9"}\n')  # Latin-1 inside JSON
def test_reliability_file_readers_never_raise(suffix: str, data: bytes, scratch: Path) -> None:
    path = scratch / f"input{SUFFIXES[suffix]}"
    path.write_bytes(data)
    input_format = "scraped" if suffix == "scraped" else ("jsonl" if suffix in ("jsonl", "json") else "csv")
    check_records(read_or_kgraph_error(lambda: iter_file(path, input_format)))
    if suffix == "jsonl":
        check_records(read_or_kgraph_error(lambda: iter_arxiv(path)))
        check_records(read_or_kgraph_error(lambda: iter_arxiv(path, RecordFilter(categories=("cs",)))))
    for item in read_or_kgraph_error(lambda: read_lines(path)):
        assert isinstance(item, (Line, Problem))


@PROPERTY
@given(text=st.one_of(st.text(), st.text(alphabet=st.sampled_from(list("ab \\{}$~%^_&'\"\n\u0301")), max_size=200)))
@example(text="{" * 3000)
@example(text="\\" + "a" * 5000)
def test_reliability_cleaner_is_total_and_idempotent(text: str) -> None:
    cleaned = clean_text(text)  # clean_text raises nothing at all
    assert isinstance(cleaned, str)
    assert clean_text(cleaned) == cleaned


@PROPERTY
@given(title=st.text(min_size=1, max_size=300), abstract=st.text(max_size=3000), limit=st.integers(1, 2000),
       title_limit=st.integers(1, 400))
def test_reliability_extraction_cap_keeps_a_prefix(title: str, abstract: str, limit: int, title_limit: int) -> None:
    paper = Paper("p", title, abstract)
    capped = capped_paper(paper, limit, title_limit)
    if capped is None:
        assert len(title) <= title_limit and len(title) + (2 + len(abstract) if abstract else 0) <= limit
        return
    assert paper.title.startswith(capped.title) and paper.abstract.startswith(capped.abstract)
    assert len(capped.title) <= title_limit
    assert len(capped.title) + (2 + len(capped.abstract) if capped.abstract else 0) <= limit
    assert (capped.id, capped.source) == (paper.id, paper.source)


def test_reliability_extraction_cap_fits_spacy() -> None:
    from kgraph.ingest.limits import FIELD_SEPARATOR_CHARS
    from kgraph.nlp.extract import paper_text

    assert len(paper_text(Paper("p", "t", "a"))) == 1 + FIELD_SEPARATOR_CHARS + 1
    assert MAX_EXTRACTION_CHARS < 1_000_000  # spaCy's default nlp.max_length


@pytest.mark.slow
def test_reliability_fuzz_readers_short_run(tmp_path: Path) -> None:
    """bench/fuzz_readers.py for a few seconds (atheris when installed, else Hypothesis)."""
    result = subprocess.run([sys.executable, str(FUZZ), "--seconds", "8", "--artifacts", str(tmp_path)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
