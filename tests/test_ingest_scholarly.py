"""Scholarly APIs: OpenAlex works, Semantic Scholar papers (kgraph.ingest.openalex / .semanticscholar through
the JSON reader) and arXiv API Atom feeds (kgraph.ingest.atom); and files of no known format."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.cli import cli
from kgraph.config import INPUT_FORMATS, Config
from kgraph.ingest import detect_format, iter_file, iter_records, iter_string, list_input_files
from kgraph.ingest.arxiv import iter_arxiv
from kgraph.ingest.formats import UNKNOWN, formats_help
from kgraph.model import Paper, Problem
from kgraph.run import build

DATA = Path(__file__).resolve().parent / "data" / "ingest" / "mixed"
WORKS = DATA / "openalex_works.jsonl"
S2_PAGE = DATA / "s2_papers.json"
FEED = DATA / "arxiv_feed.xml"


def split(records) -> tuple[list[Paper], list[Problem]]:
    records = list(records)
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Problem)]


def build_graph(rules_nlp, out: Path, *inputs: Path):
    config = Config(inputs=inputs, output_dir=out, outputs=("json", "report"), processes=1, use_cache=False)
    return build(config=config, nlp=rules_nlp)


# ---------------------------------------------------------------- OpenAlex


def test_ingest_openalex_snapshot_lines() -> None:
    papers, problems = split(iter_file(WORKS, "jsonl"))
    assert problems == []
    attention, gat = papers
    assert (attention.id, attention.title, attention.year) == ("W2963403868", "Attention Is All You Need", 2017)
    # abstract_inverted_index turned back into text
    assert attention.abstract.startswith("The dominant sequence transduction models are based on complex recurrent")
    assert attention.abstract.endswith("while being more parallelizable.")
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Illia Polosukhin")
    assert (attention.doi, attention.arxiv_id, attention.url) == ("10.48550/arxiv.1706.03762", "1706.03762",
                                                                  "https://arxiv.org/abs/1706.03762")
    assert attention.references == ("W1902237438", "W2130942839")  # kept for citations
    assert gat.references == ("W2963403868",) and gat.authors == ("Petar Veličković", "Yoshua Bengio")
    assert [p.source.line for p in papers] == [1, 2]
    assert list(iter_file(WORKS, "openalex")) == papers  # the format forced reads the same


def _work(**fields) -> dict:
    return {"id": "https://openalex.org/W1", "display_name": "A Work", **fields}


def test_ingest_openalex_api_page_one_line_and_pretty(tmp_path: Path) -> None:
    works = [json.loads(line) for line in WORKS.read_text().splitlines()]
    page = {"meta": {"count": 2, "db_response_time_ms": 24, "page": 1, "per_page": 25}, "results": works,
            "group_by": []}
    pretty = tmp_path / "page.json"
    pretty.write_text(json.dumps(page, indent=2))
    papers, problems = split(iter_file(pretty, "jsonl"))
    assert problems == [] and [p.id for p in papers] == ["W2963403868", "W2766453196"]
    lines = pretty.read_text().splitlines()
    assert [lines[p.source.line - 1].strip() for p in papers] == ["{", "{"]  # each work at its own line
    assert lines[papers[1].source.line].strip() == '"id": "https://openalex.org/W2766453196",'
    # saved by curl: the page on one line; a bad work says which it is
    works[1]["display_name"] = works[1]["title"] = None
    one_line = tmp_path / "page1.json"
    one_line.write_text(json.dumps({**page, "results": works}))
    for records in (iter_file(one_line, "jsonl"), iter_arxiv(one_line)):
        papers, problems = split(records)
        assert [p.id for p in papers] == ["W2963403868"]
        assert [(p.source.line, p.reason) for p in problems] == [(1, "results[1]: missing 'title'")]


@pytest.mark.parametrize(
    ("work", "attribute", "value", "warning"),
    [
        (_work(title="Own Title"), "title", "Own Title", "title with no abstract"),
        (_work(title=None), "title", "A Work", "title with no abstract"),
        (_work(abstract_inverted_index={"b": [1], "a": [0, 2]}), "abstract", "a b a", None),
        (_work(abstract_inverted_index=None), "abstract", "", "title with no abstract"),
        (_work(abstract_inverted_index={"a": ["x"]}, abstract="fallback"), "abstract", "fallback", None),
        (_work(abstract_inverted_index={"a": [-1]}), "abstract", "",
         ["'abstract_inverted_index' must map words to lists of positions, got 'a': [-1]; no abstract read",
          "title with no abstract"]),
        (_work(publication_date="2020-05-01", abstract="x"), "year", 2020, None),
        (_work(publication_year=2019, abstract="x"), "year", 2019, None),
        (_work(doi=None, ids={"doi": "https://doi.org/10.1234/ABC"}, abstract="x"), "doi", "10.1234/abc", None),
        (_work(authorships=[{"author": {}, "raw_author_name": "Raw Name"}], abstract="x"), "authors",
         ("Raw Name",), None),
        (_work(authorships=[{"author": None}], abstract="x"), "authors", (),
         "'authorships' has an entry with no author name: {'author': None}; skipped"),
        (_work(locations=[{"landing_page_url": "https://arxiv.org/abs/2101.00001v1"}], abstract="x"), "arxiv_id",
         "2101.00001", None),
        (_work(referenced_works="W2", abstract="x"), "references", (),
         "'references' must be a list of strings, got 'W2'"),
    ],
)
def test_ingest_openalex_fields(work: dict, attribute: str, value, warning: str | list | None) -> None:
    papers, problems = split(iter_string(json.dumps(work), "jsonl"))
    assert getattr(papers[0], attribute) == value
    assert [p.reason for p in problems] == (warning if isinstance(warning, list) else [warning] if warning else [])


def test_ingest_openalex_builds_a_graph(rules_nlp, tmp_path: Path) -> None:
    result = build_graph(rules_nlp, tmp_path / "out", WORKS)
    assert result.report["papers"]["in_graph"] == 2
    assert {"paper:W2963403868", "paper:W2766453196", "method:transformer", "dataset:cora"} <= set(result.graph)


# ---------------------------------------------------------------- Semantic Scholar


def test_ingest_s2_graph_api_page() -> None:
    papers, problems = split(iter_file(S2_PAGE, "jsonl"))
    adam, bert = papers
    assert (adam.id, adam.title, adam.year) == ("a6cb366736791bcccc5c8639de5a8f9636bf87e8",
                                                "Adam: A Method for Stochastic Optimization", 2014)
    assert adam.abstract.startswith("We introduce Adam, an algorithm for first-order gradient-based optimization")
    assert (adam.authors, adam.arxiv_id, adam.doi) == (("Diederik P. Kingma", "Jimmy Ba"), "1412.6980", None)
    assert adam.references == ("413c1142de9d91804d6d11c67ff3fed59c9fc279",)  # the unresolved one has no id
    assert adam.url == "https://www.semanticscholar.org/paper/a6cb366736791bcccc5c8639de5a8f9636bf87e8"
    assert (bert.doi, bert.arxiv_id, bert.references) == ("10.18653/v1/n19-1423", "1810.04805", ())
    assert problems == []
    assert [p.source.line for p in papers] == [6, 40]


@pytest.mark.parametrize("shape", ["object", "list", "data", "lines"])
def test_ingest_s2_shapes(shape: str) -> None:
    paper = {"paperId": "abc", "title": "T", "abstract": "A", "year": 2020,
             "externalIds": {"DOI": "10.1234/X", "ArXiv": "2001.00001", "CorpusId": 1},
             "authors": [{"authorId": "1", "name": "A. Author"}]}
    text = {"object": json.dumps(paper, indent=1), "list": json.dumps([paper, paper | {"paperId": "def",
                                                                                           "title": "U"}]),
            "data": json.dumps({"total": 1, "data": [paper]}), "lines": json.dumps(paper) + "\n"}[shape]
    papers, problems = split(iter_string(text, "jsonl"))
    assert problems == []
    assert (papers[0].id, papers[0].doi, papers[0].arxiv_id, papers[0].authors) == (
        "abc", "10.1234/x", "2001.00001", ("A. Author",))
    assert [p.id for p in split(iter_string(text, "s2"))[0]] == [p.id for p in papers]


@pytest.mark.parametrize(
    ("record", "expected_id", "reasons"),
    [
        # the datasets' papers: lower-case keys, the paper id at the end of the url
        ({"corpusid": 13756489, "externalids": {"ArXiv": "1706.03762", "DOI": None, "CorpusId": "13756489"},
          "url": "https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776",
          "title": "Attention is All you Need", "authors": [{"authorId": "40348417", "name": "Ashish Vaswani"}],
          "year": 2017, "publicationdate": "2017-06-12"},
         "204e3073870fae3d05bcbc2f6a8e263d9b72e776", ["title with no abstract"]),
        ({"corpusid": 42, "title": "Only A Corpus Id", "abstract": "x"}, "CorpusId:42", []),
        # the abstracts dataset holds no titles: such a record is reported
        ({"corpusid": 42, "abstract": "An abstract alone.", "openaccessinfo": {}}, None, ["missing 'title'"]),
        # a page of references: each paper inside "citedPaper"
        ({"contexts": [], "isInfluential": False, "citedPaper": {"paperId": "c1", "title": "Cited", "abstract": "x"}},
         "c1", []),
        ({"paperId": "p", "title": "T", "abstract": "x", "externalIds": "bad"}, "p",
         ["'externalIds' must be an object, got 'bad'; ignored"]),
    ],
)
def test_ingest_s2_dataset_records(record: dict, expected_id: str | None, reasons: list[str]) -> None:
    papers, problems = split(iter_string(json.dumps(record), "jsonl"))
    assert [p.id for p in papers] == ([expected_id] if expected_id else [])
    assert [p.reason for p in problems] == reasons


def test_ingest_s2_builds_a_graph(rules_nlp, tmp_path: Path) -> None:
    result = build_graph(rules_nlp, tmp_path / "out", S2_PAGE)
    assert result.report["papers"]["in_graph"] == 2
    assert {"paper:a6cb366736791bcccc5c8639de5a8f9636bf87e8", "method:adam", "method:bert"} <= set(result.graph)


# ---------------------------------------------------------------- arXiv Atom feeds


def test_ingest_atom_reads_fields() -> None:
    papers, problems = split(iter_file(FEED, "atom"))
    assert problems == []
    resnet, gat = papers
    assert (resnet.id, resnet.arxiv_id, resnet.title, resnet.year) == (
        "1512.03385", "1512.03385", "Deep Residual Learning for Image Recognition", 2015)
    assert resnet.abstract.startswith("Deeper neural networks are more difficult to train. We present a residual "
                                      "learning framework")
    assert resnet.authors == ("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun")
    assert (resnet.url, resnet.categories, resnet.source.line) == ("http://arxiv.org/abs/1512.03385v1", ("cs.CV",),
                                                                   10)
    assert gat.authors[0] == "Petar Veličković"  # LaTeX cleaned
    assert (gat.doi, gat.categories) == ("10.48550/arxiv.1710.10903", ("stat.ML", "cs.AI", "cs.LG", "cs.SI"))
    assert (gat.year, gat.source.line) == (2017, 39)


ATOM = '<feed xmlns="http://www.w3.org/2005/Atom">\n{}\n</feed>\n'
ENTRY = "<entry><id>http://arxiv.org/abs/{0}</id><title>Paper {0}</title><summary>About {0}.</summary></entry>"


@pytest.mark.parametrize(
    ("text", "ids", "problems"),
    [
        (ATOM.format(ENTRY.format("2101.00001") + "\n" + ENTRY.format("2101.00002")), ["2101.00001", "2101.00002"],
         []),
        # the API reports a bad query as an entry
        (ATOM.format("<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><title>Error</title>"
                     "<summary>incorrect id format for 1234</summary></entry>"), [],
         [(2, "error", "the feed reports an arXiv API error: incorrect id format for 1234")]),
        (ATOM.format("<entry><id>http://arxiv.org/abs/2101.00001</id><title>T</title><published>soon</published>"
                     "<summary>x</summary></entry>"), ["2101.00001"],
         [(2, "warning", "'published' must be a date such as '2019-08-19', got 'soon'")]),
        (ATOM.format("<entry><id>http://arxiv.org/abs/2101.00001</id><summary>no title</summary></entry>"), [],
         [(2, "error", "missing 'title'")]),
        # malformed XML: the entries before it are kept
        (ATOM.format(ENTRY.format("2101.00001") + "\n<entry><title>cut</entry>"), ["2101.00001"],
         [(3, "error", "not valid XML: mismatched tag at column 20; rest of file skipped")]),
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n', [],
         [(2, "error", "not an Atom feed: the document is <rss>, not an Atom <feed>; kgraph reads arXiv API feeds "
                       "as the atom format; rest of file skipped")]),
    ],
)
def test_ingest_atom_problems(text: str, ids: list[str], problems: list[tuple]) -> None:
    papers, found = split(iter_string(text, "atom", name="feed.xml"))
    assert [p.id for p in papers] == ids
    assert [(p.source.line, p.severity, p.reason) for p in found] == problems


@pytest.mark.parametrize(
    "doctype",
    [
        # billion laughs
        '<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
        # an external entity (a local file)
        '<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE feed SYSTEM "http://example.org/feed.dtd">',
    ],
)
def test_ingest_atom_never_reads_a_doctype(doctype: str) -> None:
    text = f'<?xml version="1.0"?>\n{doctype}\n' + ATOM.format(
        "<entry><id>http://arxiv.org/abs/2101.00001</id><title>&c;&secret;</title></entry>")
    records = list(iter_string(text, "atom", name="feed.xml"))
    assert [(r.source.line, r.severity, r.reason) for r in records] == [
        (2, "error", "the feed has a DOCTYPE declaration, which kgraph does not read (its entities could expand "
                     "without bound or reach outside the file); rest of file skipped")]


def test_ingest_atom_compressed_and_detected(tmp_path: Path) -> None:
    (tmp_path / "feed.atom.gz").write_bytes(gzip.compress(FEED.read_bytes()))
    (tmp_path / "query").write_bytes(FEED.read_bytes())
    assert detect_format(tmp_path / "query", FEED.read_bytes()) == "atom"
    files, _ = list_input_files([tmp_path / "feed.atom.gz", tmp_path / "query"])
    assert [f for _, f in files] == ["atom", "atom"]
    papers, problems = split(iter_records([tmp_path / "feed.atom.gz"]))
    assert [p.id for p in papers] == ["1512.03385", "1710.10903"] and problems == []


def test_ingest_atom_builds_a_graph(rules_nlp, tmp_path: Path) -> None:
    result = build_graph(rules_nlp, tmp_path / "out", FEED)
    assert result.report["papers"]["in_graph"] == 2
    assert result.report["inputs"]["files"] == [{"path": str(FEED), "format": "atom"}]
    assert {"paper:1512.03385", "paper:1710.10903", "dataset:imagenet", "dataset:cora"} <= set(result.graph)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(['<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "<entry>", "</entry>",
                              "<id>http://arxiv.org/abs/2101.00001</id>", "<title>", "</title>", "T", "&amp;",
                              "&x;", "<summary>S</summary>", "<author><name>A</name></author>", "\n", "<!DOCTYPE x>",
                              "<published>2020</published>", "<?xml version='1.0'?>", "<"]),
             max_size=25).map("".join),
))
def test_ingest_atom_never_raises(text: str) -> None:
    for record in iter_string(text, "atom", name="feed.xml"):
        assert isinstance(record, (Paper, Problem))
        if isinstance(record, Problem):
            assert record.source.line >= 1 and "\n" not in record.reason
        else:
            assert record.title and record.id


# ---------------------------------------------------------------- detection and unknown files


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("works.jsonl", WORKS.read_bytes()[:2000], "openalex"),
        ("works.json", b'{\n  "meta": {"count": 1},\n  "results": [\n    {"id": "https://openalex.org/W1"', "openalex"),
        ("papers.json", S2_PAGE.read_bytes()[:500], "s2"),
        ("papers.jsonl", b'{"corpusid": 1, "title": "T"}\n', "s2"),
        ("papers.jsonl", b'{"title": "T", "abstract": "A"}\n', "jsonl"),
        ("works", WORKS.read_bytes()[:2000], "openalex"),
        ("refs", b"\n\n@article{k,\n title={T}}", "bibtex"),
        ("refs", b"TY  - JOUR\r\nTI  - T\r\nER  - \r\n", "ris"),
        ("feed", FEED.read_bytes()[:500], "atom"),
        ("feed.XML", b"", "atom"),
        ("notes", b'<?xml version="1.0"?>\n<html><body>Notes</body></html>', UNKNOWN),
        ("notes", b"Just one line of notes", UNKNOWN),
        ("notes", b"# Heading\n\nSome markdown text.\n", UNKNOWN),
        # lines of text are only a guess: taken without an extension, never for an extension kgraph does not read
        ("notes", b"Title: A talk\nDate: 2024\n", "scraped"),
        ("notes.md", b"Title: A talk\nDate: 2024\n", UNKNOWN),
        ("conf.yaml", b"key: value\nother: thing\n", UNKNOWN),
        ("conf.yaml.gz", gzip.compress(b"key: value\nother: thing\n", mtime=0), UNKNOWN),
        ("listing.TXT", b"key: value\nother: thing\n", "scraped"),
        # what only one format has is recognised whatever the extension
        ("refs.bibtex", b"@article{k,\n title={T}}\n", "bibtex"),
        ("refs.txt.bak", b"TY  - JOUR\nTI  - T\nER  - \n", "ris"),
        ("feed.rss", FEED.read_bytes()[:500], "atom"),
        ("dump.data", b'{"title": "T", "abstract": "A"}\n', "jsonl"),
        # a binary file shows no format: with no known extension, it is unknown
        ("report.docx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", UNKNOWN),
        ("report", b"\x00\x01\x02", UNKNOWN),
    ],
)
def test_ingest_scholarly_detect_format(name: str, head: bytes, expected: str) -> None:
    assert detect_format(Path(name), head) == expected


def test_ingest_scholarly_formats_are_choices() -> None:
    assert INPUT_FORMATS == ("scraped", "jsonl", "csv", "bibtex", "ris", "openalex", "s2", "atom")
    assert formats_help() == ("scraped (.txt); jsonl (.jsonl .ndjson .json); csv (.csv .tsv); bibtex (.bib); "
                              "ris (.ris); openalex (.jsonl .ndjson .json); s2 (.jsonl .ndjson .json); "
                              "atom (.atom .xml)")


def test_ingest_scholarly_unknown_file_is_one_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.write_text('<?xml version="1.0"?>\n<html><body>Notes</body></html>\n')
    files, _ = list_input_files([notes])
    assert files == [(notes, UNKNOWN)]
    assert [(r.source.line, r.severity, r.reason) for r in iter_records([notes])] == [
        (1, "error", f"cannot tell the format of this file (it is XML, but not an Atom feed): kgraph reads "
                     f"{formats_help()}; use --format to read it as one of them")]
    forced = list(iter_records([notes], input_format="atom"))
    assert [r.reason for r in forced] == [
        "not an Atom feed: the document is <html>, not an Atom <feed>; kgraph reads arXiv API feeds as the atom "
        "format; rest of file skipped"]


def test_ingest_scholarly_kgraph_build_unknown_file_is_one_line(rules_nlp, monkeypatch, tmp_path: Path) -> None:
    import kgraph.nlp.pipeline

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", lambda **options: rules_nlp)
    notes = tmp_path / "notes"
    notes.write_text("Just one line of notes\n")
    result = CliRunner().invoke(cli, ["build", str(notes), "-o", str(tmp_path / "out"), "--outputs", "json,report",
                                      "-j", "1", "--no-cache"])
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: {notes}:1: cannot tell the format of this file (one line of text): kgraph reads "
                           "scraped (.txt); jsonl")
    assert "use --format to read it as one of them" in line
    result = CliRunner().invoke(cli, ["build", str(notes), "--format", "scraped", "-o", str(tmp_path / "out"),
                                      "--outputs", "json,report", "-j", "1", "--no-cache"])
    assert result.exit_code == 0, result.output  # forced: a title-only paper, as asked


@pytest.mark.parametrize(
    ("name", "text"),
    [("conf.yaml", "key: value\nother: thing\n"), ("notes.md", "Title: A talk on graphs\nDate: 2024\n")],
)
def test_ingest_scholarly_kgraph_build_unknown_extension_is_one_line(rules_nlp, monkeypatch, tmp_path: Path,
                                                                     name: str, text: str) -> None:
    """Two short lines look like a scraped listing, but a file named .yaml or .md is not read as one unasked."""
    import kgraph.nlp.pipeline

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", lambda **options: rules_nlp)
    path = tmp_path / name
    path.write_text(text)
    options = ["-o", str(tmp_path / "out"), "--outputs", "json,report", "-j", "1", "--no-cache"]
    result = CliRunner().invoke(cli, ["build", str(path), *options])
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    suffix = Path(name).suffix
    assert line.startswith(f"Error: {path}:1: cannot tell the format of this file ({suffix} is not an extension "
                           f"kgraph reads; its lines of text could be a scraped listing): kgraph reads {formats_help()}; "
                           "use --format to read it as one of them")
    result = CliRunner().invoke(cli, ["build", str(path), "--format", "scraped", *options])
    assert result.exit_code == 0, result.output  # forced: read as the listing it looks like
    assert json.loads((tmp_path / "out" / "report.json").read_text())["papers"]["read"] == 1


def test_ingest_scholarly_binary_file_is_one_line(rules_nlp, monkeypatch, tmp_path: Path) -> None:
    """A .docx named on the command line: the error names the file, the formats kgraph reads and --format."""
    import kgraph.nlp.pipeline

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", lambda **options: rules_nlp)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    docx = corpus / "papers.docx"
    docx.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 8)
    (corpus / "papers.txt").write_text("A Listed Paper\nIts abstract, a sentence.\n")
    options = ["-o", str(tmp_path / "out"), "--outputs", "json,report", "-j", "1", "--no-cache"]
    result = CliRunner().invoke(cli, ["build", str(docx), *options])
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: {docx}:1: binary file (NUL bytes): kgraph reads {formats_help()}; "
                           "use --format to read it as one of them")
    # in a directory, it is listed as not read, as before
    result = CliRunner().invoke(cli, ["build", str(corpus), *options])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [(entry["path"], entry["reason"]) for entry in report["inputs"]["ignored"]] == [
        (str(docx), "unknown file type")]
