"""Bad input, second round: inputs that used to vanish silently, crash, or break the RDF outputs.

Each case is built through the command line, without and then with
``--skip-bad`` (the pattern of ``test_reliability_inputs.py``), with the
rules pipeline (the model is not the point): an unclosed CSV quote, a scraped
listing with an abstract line missing, years out of range, integers of
thousands of digits, and URLs no RDF reader accepts as they are. Every record
read ends up in the graph or in ``report.json`` with a reason, and
``graph.ttl`` and ``graph.nt`` parse in rdflib and in pyoxigraph. A
Hypothesis test builds generated hostile records and checks the same.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kgraph.cli import cli
from kgraph.config import Config
from kgraph.errors import ConfigError, ExportError
from kgraph.ingest.clean import clean_url
from kgraph.rdf.vocab import mint_iri, node_iri, web_iri
from kgraph.run import build

ABSTRACT = "We propose a graph neural network for node classification and evaluate it on the Cora dataset."
HUGE = "9" * 5000  # more digits than Python turns into an int (4,300)
OUTPUTS = "json,ttl,nt,report"
RDF_FILES = (("graph.ttl", "turtle", pyoxigraph.RdfFormat.TURTLE), ("graph.nt", "nt", pyoxigraph.RdfFormat.N_TRIPLES))


def jsonl(*records: object) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def _abstract(n: int) -> str:
    return f"We study problem {n} and propose a method for it that beats every baseline on three datasets. " * 3


HOSTILE_URLS = [
    "https://example.org/a[1]b", "https://example.org/100%", "https://example.org/%zz", "https://example.org/p#a#b",
    'https://example.org/"quoted" <tag> {x}|^`\\', "https://example.org/a b", "https://exa mple.org/",
    "javascript:alert(1)", "arxiv.org/abs/1", "ftp://example.org/f", "https://example.org:80a/",
    "https://example.org/\ue000?q=\ue000", "https://example.org/\u202e\ufffe", "HTTPS://[::1]:8080/x",
    "https://example.org/x\n", "https://[v1.fe]/", "https://example.org/%",
]


@dataclass(frozen=True)
class Case:
    """Input files (name -> bytes) and what the build must report: like test_reliability_inputs.Case."""

    id: str
    files: dict
    titles: set[str]
    read: int
    skipped: int = 0
    error: str | None = None  # "<file>:<line>: <reason start>" in strict mode
    problems: list[tuple[str, int, str, str]] = field(default_factory=list)  # (file, line, severity, reason part)


CASES = [
    Case("csv-unclosed-quote", {"unclosed.csv": b'title,abstract\nRow A,One.\n"Row B,Two.\nRow C,Three.\nRow D,Four.\n'},
         {"Row A", "Row C", "Row D"}, read=4, skipped=1,
         error="unclosed.csv:3: quote opened on this line is never closed",
         problems=[("unclosed.csv", 3, "error", "quote opened on this line is never closed")]),
    Case("scraped-missing-abstract",
         {"listing.txt": "\n".join(["Get trending papers in your email inbox!", "SubscribeTitle One", _abstract(1),
                                    "Title Two", "Title Three", _abstract(3), "Title Four", _abstract(4)]).encode()},
         {"Title One", "Title Three", "Title Four"}, read=4, skipped=1,
         error="listing.txt:4: no abstract: line 5 looks like the next title",
         problems=[("listing.txt", 4, "error", "out of step")]),
    Case("jsonl-year-out-of-range", {"years.jsonl": jsonl({"title": "Year Typo", "abstract": ABSTRACT, "year": 20240101},
                                                         {"title": "Negative Year", "abstract": ABSTRACT, "year": -5},
                                                         {"title": "Year Zero", "abstract": ABSTRACT,
                                                          "update_date": "0000-01-01"})},
         {"Year Typo", "Negative Year", "Year Zero"}, read=3,
         problems=[("years.jsonl", 1, "warning", "'year' must be between 1000 and 2100, got 20240101"),
                   ("years.jsonl", 2, "warning", "'year' must be between 1000 and 2100, got -5"),
                   ("years.jsonl", 3, "warning", "'update_date' must have a year between 1000 and 2100")]),
    Case("jsonl-huge-integer", {"huge.jsonl": b'{"title": "Huge Id", "abstract": "A.", "id": %s}\n'
                                              b'{"title": "Huge Year", "abstract": "A.", "year": %s}\n'
                                              b'{"title": "Huge Other", "abstract": "A.", "n": %s}\n'
                                              % (HUGE.encode(), HUGE.encode(), HUGE.encode())},
         {"Huge Year", "Huge Other"}, read=3, skipped=1,
         error="huge.jsonl:1: 'id' must be a string, got a number of 5,000 digits",
         problems=[("huge.jsonl", 2, "warning", "'year' must be an integer, got a number of 5,000 digits")]),
    Case("jsonl-hostile-urls", {"urls.jsonl": jsonl(*({"title": f"Hostile URL {i}", "abstract": ABSTRACT, "url": url}
                                                      for i, url in enumerate(HOSTILE_URLS)))},
         {f"Hostile URL {i}" for i in range(len(HOSTILE_URLS))}, read=len(HOSTILE_URLS),
         problems=[("urls.jsonl", 7, "warning", "'url' is not a URL (bad character in the host"),
                   ("urls.jsonl", 8, "warning", "'url' is not an http(s) URL (scheme 'javascript')"),
                   ("urls.jsonl", 9, "warning", "'url' is not a URL (no scheme such as https://)")]),
]


@pytest.fixture()
def cli_build(rules_nlp, monkeypatch):
    """Run `kgraph build` in this process with the rules pipeline; returns (result, report)."""
    import kgraph.nlp.pipeline

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", lambda **options: rules_nlp)

    def run(inputs, out: Path, *options: str):
        args = ["build", *map(str, inputs), "-o", str(out), "--outputs", OUTPUTS, "-j", "1", "--no-cache", *options]
        result = CliRunner().invoke(cli, args)
        report = json.loads((out / "report.json").read_text()) if result.exit_code == 0 else None
        return result, report

    return run


def graph_papers(out: Path) -> list[dict]:
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    return [node for node in graph["nodes"] if node.get("type") == "paper"]


def check_rdf_parses(out: Path) -> None:
    """graph.ttl and graph.nt parse in rdflib and in pyoxigraph, to the same number of triples."""
    counts = set()
    for name, rdflib_format, oxigraph_format in RDF_FILES:
        counts.add(len(rdflib.Graph().parse(out / name, format=rdflib_format)))
        counts.add(len(set(pyoxigraph.parse(path=str(out / name), format=oxigraph_format))))
    assert len(counts) == 1, counts


def check_every_record_accounted(report: dict, out: Path, lines: dict[str, int]) -> None:
    """Each record (file -> its number of records, one per line) is a paper in the graph, or an error or a
    duplicate in the report; read = in the graph + skipped + duplicates merged."""
    papers = report["papers"]
    assert papers["read"] == papers["in_graph"] + papers["skipped"] + papers["duplicates_merged"]
    in_graph = {tuple(node["source"].rsplit(":", 1)) for node in graph_papers(out)}
    reported = {(p["file"], str(p["line"])) for p in report["problems"]
                if p["severity"] == "error" or p["reason"].startswith("duplicate")}
    for name, count in lines.items():
        for line in range(1, count + 1):
            assert (name, str(line)) in in_graph | reported, (name, line, report["problems"])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reliability_round2_bad_input_strict_then_skip_bad(case: Case, cli_build, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    inputs = [tmp_path / "in" / name for name in case.files]
    for path, content in zip(inputs, case.files.values()):
        path.write_bytes(content)
    out = tmp_path / "out"

    result, report = cli_build(inputs, out)
    if case.error is not None:
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        [line] = result.output.splitlines()
        assert line.startswith("Error: ") and case.error in line and "--skip-bad" in line, line
        result, report = cli_build(inputs, out, "--skip-bad")
    assert result.exit_code == 0, result.output

    assert {k: v for k, v in report["papers"].items() if k != "title_only"} == {"read": case.read, "in_graph": len(case.titles), "skipped": case.skipped,
                                "duplicates_merged": 0}
    assert {node["label"] for node in graph_papers(out)} == case.titles
    found = [(Path(p["file"]).name, p["line"], p["severity"], p["reason"]) for p in report["problems"]]
    for name, line, severity, reason in case.problems:
        assert any(f == name and n == line and s == severity and reason in r for f, n, s, r in found), found
    check_rdf_parses(out)


def test_reliability_round2_hostile_urls_become_valid_iris_or_are_dropped(cli_build, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "jsonl-hostile-urls")
    path = tmp_path / "urls.jsonl"
    path.write_bytes(case.files["urls.jsonl"])
    result, report = cli_build([path], tmp_path / "out")
    assert result.exit_code == 0, result.output
    urls = {node["label"]: node.get("url") for node in graph_papers(tmp_path / "out")}
    kept = {f"Hostile URL {i}": clean_url(url)[0] for i, url in enumerate(HOSTILE_URLS)}
    assert urls == kept
    assert urls["Hostile URL 0"] == "https://example.org/a%5B1%5Db"
    assert urls["Hostile URL 3"] == "https://example.org/p#a%23b"
    dropped = [p["line"] for p in report["problems"] if p["reason"].startswith("'url' is ")]
    assert dropped == [i + 1 for i, url in enumerate(HOSTILE_URLS) if kept[f"Hostile URL {i}"] is None]
    pages = {str(o) for _, p, o in rdflib.Graph().parse(tmp_path / "out" / "graph.nt", format="nt")
             if str(p) == "http://xmlns.com/foaf/0.1/page"}
    assert pages == {url for url in kept.values() if url is not None}


# --- IRI minting: whatever string arrives --------------------------------------------------------

def _parses_in_both(iri: str) -> bool:
    line = f"<{iri}> <https://example.org/p> <{iri}> .\n"
    rdflib.Graph().parse(data=line, format="nt")
    rdflib.Graph().parse(data=line, format="turtle")
    return all(len(list(pyoxigraph.parse(line.encode("utf-8"), format=rdf_format))) == 1
               for rdf_format in (pyoxigraph.RdfFormat.N_TRIPLES, pyoxigraph.RdfFormat.TURTLE))


_URL_PIECES = st.sampled_from(list("[]%#?/:@ <>\"{}|\\^`'!$&()*+,;=~.-_aZ09\x00\x01\t\n\x7f\x85\xa0") +
                              ["\u00e9", "\ue000", "\u202e", "\ufffe", "\ufeff", "\U0001f600", "\U000e0001",
                               "\U000f0000", "\ud800", "%41", "%4", "::1"])
URL_SHAPED = st.builds(
    lambda scheme, host, rest: scheme + host + rest,
    st.sampled_from(["http://", "https://", "HTTP://", "https:", "javascript:", "ftp://", "", "//", "http:\\\\"]),
    st.sampled_from(["example.org", "[::1]", "[::1]:8080", "x.org:80", "u:p@x.org", "", "[v1.x]", "x.org:",
                     "bücher.de", "x%zz.org"]),
    st.lists(_URL_PIECES, max_size=12).map("".join) | st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(url=URL_SHAPED | st.text(max_size=30))
@example(url="https://example.org/%")
@example(url="https://example.org/a#b#c")
@example(url="https://[::ffff:1.2.3.4]/")
@example(url="http://example.org\xa0%")  # a Unicode space: a ucschar, but rdflib ends an IRI there
def test_reliability_round2_web_iri_parses_in_rdflib_and_pyoxigraph(url: str) -> None:
    iri = web_iri(url)
    if iri is None:
        assert clean_url(url)[0] is None
        return
    assert _parses_in_both(str(iri))
    assert web_iri(str(iri)) == iri  # valid IRIs come back unchanged


@settings(max_examples=100, deadline=None)
@given(local=st.text(min_size=1, max_size=20))
def test_reliability_round2_node_iri_parses_in_rdflib_and_pyoxigraph(local: str) -> None:
    try:
        iri = node_iri(f"paper:{local}", "https://example.org/kg/")
    except ExportError:  # a lone surrogate has no UTF-8 form: refused, never written
        assert any("\ud800" <= c <= "\udfff" for c in local)
        return
    assert _parses_in_both(str(iri))


@pytest.mark.parametrize("base", ["https://example.org/a[b]/", "https://example.org/%zz/", "https://example.org/a#b#",
                                  "https://exa mple.org/", "https://example.org:x/", "https:///"])
def test_reliability_round2_base_iri_that_a_reader_refuses_is_a_config_error(base: str) -> None:
    with pytest.raises(ConfigError, match="base IRI"):
        mint_iri(base, "task", "qa")


# --- generated hostile records, built ------------------------------------------------------------

_HOSTILE_TEXT = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["", " ", "\x00", "\u202e", "<script>alert(1)</script>", '"; DROP', "\\", "]]>", "{}", "%",
                     "#", "\ud800", "\r\n", "${x}", "\u2028"]),
)
_MARK = "@@HUGE@@"  # stands for an integer of 5,000 digits, which json.dumps cannot write
_RECORD = st.fixed_dictionaries(
    {"title": st.one_of(st.sampled_from(["Graph Attention Networks", "Deep Residual Learning", "Transformers"]),
                        _HOSTILE_TEXT)},
    optional={
        "abstract": st.one_of(st.just(ABSTRACT), _HOSTILE_TEXT),
        "url": st.one_of(URL_SHAPED, _HOSTILE_TEXT, st.integers(), st.just(_MARK)),
        "year": st.one_of(st.integers(), st.integers(900, 2200), st.floats(), _HOSTILE_TEXT, st.just(_MARK)),
        "id": st.one_of(_HOSTILE_TEXT, st.integers(), st.just(_MARK)),
        "authors": st.one_of(_HOSTILE_TEXT, st.lists(_HOSTILE_TEXT, max_size=3)),
        "update_date": st.one_of(st.sampled_from(["0000-01-01", "2019-08-19", "99999-01-01"]), _HOSTILE_TEXT),
    },
)
_build_number = itertools.count()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(_RECORD, min_size=1, max_size=5))
@example(records=[{"title": "T", "abstract": ABSTRACT, "url": "https://x.org/[a]%zz#b#c", "year": 20240101,
                   "id": _MARK}, {"title": "U", "year": _MARK, "url": "javascript:alert(1)"}])
def test_reliability_round2_hostile_records_are_built_or_reported(records: list[dict], rules_nlp,
                                                                   tmp_path_factory) -> None:
    root = tmp_path_factory.mktemp(f"hostile{next(_build_number)}")
    path = root / "papers.jsonl"
    path.write_text("".join(json.dumps(r).replace(f'"{_MARK}"', HUGE) + "\n" for r in records))
    config = Config(inputs=(path,), output_dir=root / "out", skip_bad=True, outputs=tuple(OUTPUTS.split(",")),
                    processes=1, use_cache=False)
    result = build(config=config, nlp=rules_nlp)
    check_every_record_accounted(result.report, root / "out", {str(path): len(records)})
    check_rdf_parses(root / "out")
