"""Bad input through `kgraph build`: a one-line error, or (--skip-bad) skipped and reported; nothing lost.

Every case is built twice through the command line. Without ``--skip-bad``: if
the input has a bad record, exit code 1, one line ``Error: <file>:<line>: ...``,
no traceback, and the outputs of a previous run untouched; otherwise the build
succeeds. With ``--skip-bad``: exit code 0, the bad records listed in
``report.json``, the rest built. On every case the accounting holds: papers
read = in the graph + skipped + duplicates merged, and the papers in the graph
are exactly the readable ones.

Input files are made byte by byte here (not stored) so that no checkout
setting (``core.autocrlf``) can change them. Every case also reads
``tests/data/reliability/good.jsonl`` (two papers), which must always be built.
The pipeline is the session's (``nlp`` fixture), so no case loads it again.
"""

from __future__ import annotations

import builtins
import codecs
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.cli import cli
from kgraph.run import OUTPUT_FILES

DATA = Path(__file__).resolve().parent / "data" / "reliability"
GOOD = DATA / "good.jsonl"
GOOD_TITLES = {"Graph Attention Networks", "Deep Residual Learning for Image Recognition"}
ABSTRACT = "We propose a graph neural network for node classification and evaluate it on the Cora dataset."
PREVIOUS = "previous run\n"


def jsonl(*records: object) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


@dataclass(frozen=True)
class Case:
    """Input files (name -> bytes, or a callable that makes the path) and what a build must report."""

    id: str
    files: dict
    titles: set[str]  # titles of the case's papers that must be in the graph (besides GOOD's)
    read: int  # papers read from the case's files (GOOD's two not counted)
    skipped: int = 0
    duplicates: int = 0
    error: str | None = None  # "<file>:<line>: <reason start>" of the first bad record, strict mode
    problems: list[tuple[str, int, str, str]] = field(default_factory=list)  # (file, line, severity, reason part)
    directory: bool = False  # give the files' directory as the input instead of the files


def _fifo(path: Path) -> None:
    os.mkfifo(path)


CASES = [
    Case("empty-jsonl", {"empty.jsonl": b""}, set(), read=1, skipped=1,
         error="empty.jsonl:1: empty file", problems=[("empty.jsonl", 1, "error", "empty file")]),
    Case("blank-csv", {"blank.csv": b"\r\n   \n\n"}, set(), read=1, skipped=1,
         error="blank.csv:1: empty file"),
    Case("empty-scraped", {"empty.txt": b""}, set(), read=1, skipped=1, error="empty.txt:1: empty file"),
    Case("binary", {"image.jsonl": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64}, set(), read=1, skipped=1,
         error="image.jsonl:1: binary file", problems=[("image.jsonl", 1, "error", "binary file (NUL bytes)")]),
    Case("latin-1", {"latin1.txt": ("Schrödinger Bridges for Generative Modelling\nWe study Schrödinger bridges.\n"
                                    f"Plain Title Without Accents\n{ABSTRACT}\n").encode("latin-1")},
         {"Plain Title Without Accents"}, read=2, skipped=1,
         error="latin1.txt:1: bytes are not valid UTF-8 (byte 0xf6",
         problems=[("latin1.txt", 1, "error", "bytes are not valid UTF-8")]),
    Case("utf-16-bom", {"utf16.csv": f"title,abstract\nSchrödinger Bridges,{ABSTRACT}\n".encode("utf-16")},
         {"Schrödinger Bridges"}, read=1),
    Case("utf-16-be-bom", {"utf16be.jsonl": codecs.BOM_UTF16_BE
                           + jsonl({"title": "Fréchet Distances", "abstract": ABSTRACT}).decode().encode("utf-16-be")},
         {"Fréchet Distances"}, read=1),
    Case("utf-16-without-bom", {"utf16.jsonl": jsonl({"title": "T", "abstract": ABSTRACT}).decode().encode("utf-16-le")},
         set(), read=1, skipped=1, error="utf16.jsonl:1: binary file (NUL bytes); it looks like UTF-16"),
    Case("crlf", {"crlf.jsonl": jsonl({"title": "Windows Lines", "abstract": ABSTRACT},
                                      {"title": "More Windows Lines", "abstract": ABSTRACT}).replace(b"\n", b"\r\n"),
                  "crlf.csv": f'title,abstract\r\n"Quoted\r\nTitle","{ABSTRACT}"\r\n'.encode(),
                  "crlf.txt": f"Scraped Windows Title\r\n{ABSTRACT}\r\n".encode()},
         {"Windows Lines", "More Windows Lines", "Quoted Title", "Scraped Windows Title"}, read=4),
    Case("utf-8-bom", {"bom.jsonl": codecs.BOM_UTF8 + jsonl({"title": "BOM JSON Lines", "abstract": ABSTRACT}),
                       "bom.csv": codecs.BOM_UTF8 + f"Title,Abstract\nBOM CSV,{ABSTRACT}\n".encode(),
                       "bom.txt": codecs.BOM_UTF8 + f"BOM Scraped\n{ABSTRACT}\n".encode()},
         {"BOM JSON Lines", "BOM CSV", "BOM Scraped"}, read=3),
    Case("scraped-title-without-abstract-at-end",
         {"listing.txt": f"Get trending papers in your email inbox!\nSubscribeFirst Title\n{ABSTRACT}\nLast Title\n".encode()},
         {"First Title", "Last Title"}, read=2,
         problems=[("listing.txt", 4, "warning", "title with no abstract")]),
    Case("jsonl-broken-line", {"broken.jsonl": jsonl({"title": "Before", "abstract": ABSTRACT})
                               + b'{"title": "Broken", "abstract": \n' + jsonl({"title": "After", "abstract": ABSTRACT})},
         {"Before", "After"}, read=3, skipped=1, error="broken.jsonl:2: line is not valid JSON",
         problems=[("broken.jsonl", 2, "error", "line is not valid JSON")]),
    Case("jsonl-missing-field", {"missing.jsonl": jsonl({"title": "Kept", "abstract": ABSTRACT}, {"abstract": ABSTRACT})},
         {"Kept"}, read=2, skipped=1, error="missing.jsonl:2: missing 'title'"),
    Case("jsonl-wrong-type", {"types.jsonl": jsonl({"title": ["A", "list"], "abstract": ABSTRACT},
                                                   {"title": "Number Abstract", "abstract": 42},
                                                   {"title": "Bad Year Kept", "abstract": ABSTRACT, "year": "soon"},
                                                   ["not", "an", "object"])},
         {"Bad Year Kept"}, read=4, skipped=3, error="types.jsonl:1: 'title' must be a string, got ['A', 'list']",
         problems=[("types.jsonl", 2, "error", "'abstract' must be a string, got 42"),
                   ("types.jsonl", 3, "warning", "'year' must be an integer"),
                   ("types.jsonl", 4, "error", "expected a JSON object, got an array")]),
    Case("csv-quoted-newlines", {"quoted.csv": ('id,title,abstract\n'
                                               f'q1,"A Title\nOver Two Lines","{ABSTRACT}\n\nSecond paragraph, with ""quotes""."\n'
                                               f'q2,Next Row,{ABSTRACT}\n').encode()},
         {"A Title Over Two Lines", "Next Row"}, read=2),
    Case("nul-bytes", {"nul.jsonl": jsonl({"title": "NUL\x00 Bytes", "abstract": ABSTRACT}).replace(b"\\u0000", b"\x00")},
         {"NUL Bytes"}, read=1, problems=[("nul.jsonl", 1, "warning", "NUL bytes removed")]),
    Case("duplicates", {"dups.jsonl": jsonl({"id": "good-1", "title": "Graph Attention Networks", "abstract": ABSTRACT},
                                            {"id": "other", "title": "graph  attention NETWORKS", "abstract": ABSTRACT},
                                            {"id": "good-2", "title": "A Different Title, Same Id", "abstract": ABSTRACT},
                                            {"title": "Unique", "abstract": ABSTRACT},
                                            {"title": "Unique", "abstract": "Twice in one file."})},
         {"Unique"}, read=5, duplicates=4,
         problems=[("dups.jsonl", 1, "warning", "duplicate of good-1"), ("dups.jsonl", 2, "warning", "duplicate of good-1"),
                   ("dups.jsonl", 3, "warning", "duplicate id 'good-2'"), ("dups.jsonl", 5, "warning", "duplicate of unique-")]),
    Case("directory-with-unreadable-files",
         {"a.jsonl": jsonl({"title": "Readable In Directory", "abstract": ABSTRACT}),
          "locked.jsonl": jsonl({"title": "Locked", "abstract": ABSTRACT}),  # made unreadable by `unreadable`
          "pipe.jsonl": _fifo, "notes.md": b"# not a corpus file\n"},
         {"Readable In Directory"}, read=3, skipped=2, directory=True,
         error="locked.jsonl:1: cannot read file: permission denied",
         problems=[("locked.jsonl", 1, "error", "permission denied"),
                   ("pipe.jsonl", 1, "error", "not a regular file (FIFO)")]),
]


@pytest.fixture()
def unreadable(monkeypatch):
    """Files named ``locked.*`` cannot be opened (root could read a chmod 000 file)."""
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and Path(file).name.startswith("locked."):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)


@pytest.fixture()
def cli_build(nlp, monkeypatch):
    """Run `kgraph build` in this process with the session's pipeline; returns (result, report)."""
    import kgraph.nlp.pipeline

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", lambda **options: nlp)
    names = {opt for param in cli.commands["build"].params for opt in param.opts}
    extra = [opt for opt in (["--processes", "1"], ["--no-cache"]) if opt[0] in names]

    def run(inputs, out: Path, *options: str):
        args = ["build", *map(str, inputs), "-o", str(out), "--outputs", "json,report", *options]
        result = CliRunner().invoke(cli, args + [a for opt in extra for a in opt])
        report_path = out / "report.json"
        report = json.loads(report_path.read_text()) if result.exit_code == 0 else None
        return result, report

    return run


def make_inputs(case: Case, root: Path) -> list[Path]:
    root.mkdir()
    for name, content in case.files.items():
        if callable(content):
            content(root / name)
        else:
            (root / name).write_bytes(content)
    if case.directory:
        (root / "good.jsonl").write_bytes(GOOD.read_bytes())
        return [root]
    return [GOOD, *(root / name for name in case.files)]


def previous_outputs(out: Path) -> dict[str, str]:
    out.mkdir()
    for name in OUTPUT_FILES.values():
        (out / name).write_text(PREVIOUS)
    return visible_files(out)


def visible_files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(directory.iterdir()) if not p.name.startswith(".")}


def graph_titles(out: Path) -> list[str]:
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    return [node["label"] for node in graph["nodes"] if node.get("type") == "paper"]


def check_accounting(report: dict, out: Path) -> None:
    """Papers read = in the graph + skipped + duplicates merged; the graph has them all."""
    papers = report["papers"]
    assert papers["read"] == papers["in_graph"] + papers["skipped"] + papers["duplicates_merged"]
    assert papers["in_graph"] == len(graph_titles(out))
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    duplicates = [p for p in report["problems"] if p["reason"].startswith("duplicate")]
    assert len(errors) == papers["skipped"]
    assert len(duplicates) == papers["duplicates_merged"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reliability_bad_input_strict_then_skip_bad(case: Case, cli_build, unreadable, tmp_path: Path) -> None:
    inputs = make_inputs(case, tmp_path / "in")
    out = tmp_path / "out"
    before = previous_outputs(out)

    result, report = cli_build(inputs, out)
    if case.error is not None:
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
        assert f"{case.error}" in lines[0] and "--skip-bad" in lines[0]
        assert visible_files(out) == before, "a failed build touched the previous outputs"
        result, report = cli_build(inputs, out, "--skip-bad")
    assert result.exit_code == 0, result.output

    papers = {k: v for k, v in report["papers"].items() if k != "title_only"}
    assert papers == {"read": case.read + 2, "in_graph": len(case.titles) + 2,
                      "skipped": case.skipped, "duplicates_merged": case.duplicates}
    check_accounting(report, out)
    assert set(graph_titles(out)) == case.titles | GOOD_TITLES
    found = [(Path(p["file"]).name, p["line"], p["severity"], p["reason"]) for p in report["problems"]]
    for name, line, severity, reason in case.problems:
        assert any(f == name and n == line and s == severity and reason in r for f, n, s, r in found), found


def test_reliability_text_arrives_clean(cli_build, tmp_path: Path) -> None:
    """CR, BOM and NUL never reach the graph, and non-ASCII text survives UTF-16 and CSV quoting."""
    case = next(c for c in CASES if c.id == "crlf")
    other = [c for c in CASES if c.id in ("utf-8-bom", "nul-bytes", "utf-16-bom", "csv-quoted-newlines")]
    root = tmp_path / "in"
    inputs = make_inputs(case, root)
    for extra in other:
        for name, content in extra.files.items():
            (root / f"{extra.id}-{name}").write_bytes(content)
            inputs.append(root / f"{extra.id}-{name}")
    result, report = cli_build(inputs, tmp_path / "out")
    assert result.exit_code == 0, result.output
    graph = json.loads((tmp_path / "out" / "graph.json").read_text(encoding="utf-8"))
    texts = [node[key] for node in graph["nodes"] if node.get("type") == "paper" for key in ("label", "abstract")]
    assert texts and not any(ch in text for text in texts for ch in "\r\n\ufeff\x00")
    assert "Schrödinger Bridges" in graph_titles(tmp_path / "out")
    check_accounting(report, tmp_path / "out")


def test_reliability_only_bad_files_with_skip_bad_builds_an_empty_graph(cli_build, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"{not json\n")
    out = tmp_path / "out"
    result, report = cli_build([bad], out, "--skip-bad")
    assert result.exit_code == 0, result.output
    assert report["papers"] == {"read": 1, "in_graph": 0, "skipped": 1, "duplicates_merged": 0,
                                "title_only": 0}
    check_accounting(report, out)


def test_reliability_error_naming_a_file_with_a_newline_stays_one_line(cli_build, tmp_path: Path) -> None:
    bad = tmp_path / "two\nlines.jsonl"
    bad.write_bytes(b"{not json\n")
    result, _ = cli_build([bad], tmp_path / "out")
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith("Error: ") and "two\\nlines.jsonl:1: line is not valid JSON" in result.output


def _long_text(chars: int) -> str:
    """Real abstracts (the bundled corpus, LaTeX and all) repeated to ``chars`` characters."""
    corpus = (Path(__file__).resolve().parents[1] / "data" / "000_6f416096fe93fe6b.txt").read_text(encoding="utf-8")
    text = " ".join(corpus.split())
    return (text + " ") * (chars // (len(text) + 1)) + text[: chars % (len(text) + 1)]


@pytest.mark.parametrize("name, content", [
    ("big.csv", lambda big: 'title,abstract\nFive Megabytes in CSV,"' + big.replace('"', '""') + '"\n'),
    ("big.txt", lambda big: f"Five Megabytes Scraped\n{big}\n"),
    ("big.jsonl", lambda big: json.dumps({"title": "Five Megabytes in JSON Lines", "abstract": big}) + "\n"),
], ids=["csv", "scraped", "jsonl"])
def test_reliability_5mb_abstract_is_read_whole(name, content, tmp_path: Path) -> None:
    import time

    from kgraph.ingest import iter_file
    from kgraph.ingest.formats import format_from_extension
    from kgraph.model import Paper

    big = _long_text(5_000_000)
    path = tmp_path / name
    path.write_text(content(big), encoding="utf-8")
    start = time.perf_counter()
    records = list(iter_file(path, format_from_extension(path)))
    assert time.perf_counter() - start < 60
    assert [type(r) for r in records] == [Paper], records
    assert len(records[0].abstract) > 4_900_000


@pytest.mark.slow
def test_reliability_5mb_abstract_is_kept_whole_and_extracted_in_part(nlp, tmp_path: Path) -> None:
    """A 5 MB abstract, and a title over spaCy's 1,000,000-character limit, through a whole build."""
    import time

    from kgraph.config import Config
    from kgraph.ingest.limits import MAX_EXTRACTION_CHARS, MAX_TITLE_CHARS
    from kgraph.run import build

    big = _long_text(5_000_000)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "big.jsonl").write_text(json.dumps({"title": "Five Megabytes in JSON Lines", "abstract": big}) + "\n")
    (inputs / "title.jsonl").write_text(json.dumps({"title": big[:1_200_000], "abstract": "Short."}) + "\n")
    out = tmp_path / "out"
    start = time.perf_counter()
    result = build(config=Config(inputs=(inputs, GOOD), output_dir=out), nlp=nlp)
    elapsed = time.perf_counter() - start
    assert elapsed < 180, f"a 5 MB abstract took {elapsed:.0f} s"

    report = result.report
    assert report["papers"] == {"read": 4, "in_graph": 4, "skipped": 0, "duplicates_merged": 0,
                                "title_only": 0}
    check_accounting(report, out)
    capped = [p for p in report["problems"] if "extraction read its first" in p["reason"]]
    assert sorted((Path(p["file"]).name, p["severity"]) for p in capped) == [("big.jsonl", "warning"),
                                                                              ("title.jsonl", "warning")]
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    papers = {n["id"]: n for n in graph["nodes"] if n.get("type") == "paper"}
    assert max(len(n.get("abstract", "")) for n in papers.values()) > 4_900_000, "the abstract was not kept whole"
    assert max(len(n["label"]) for n in papers.values()) > 1_100_000, "the title was not kept whole"
    for line in (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for entity in record["entities"]:
            for mention in entity["mentions"]:
                assert record[mention["field"]][mention["start"] : mention["end"]] == mention["text"]
                assert mention["end"] <= (MAX_TITLE_CHARS if mention["field"] == "title" else MAX_EXTRACTION_CHARS)
