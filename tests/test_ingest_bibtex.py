"""kgraph.ingest.bibtex: BibTeX files, parsed by bibtexparser, never read as anything else."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.cli import cli
from kgraph.config import Config
from kgraph.ingest import detect_format, iter_file, iter_records, iter_string, list_input_files
from kgraph.ingest.formats import format_from_extension
from kgraph.model import Paper, Problem
from kgraph.run import build

DATA = Path(__file__).resolve().parent / "data" / "ingest" / "mixed"
REFS = DATA / "refs.bib"


def split(records) -> tuple[list[Paper], list[Problem]]:
    records = list(records)
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Problem)]


def bib(text: str) -> tuple[list[Paper], list[Problem]]:
    return split(iter_string(text, "bibtex", name="x.bib"))


def test_ingest_bibtex_reads_fields() -> None:
    papers, problems = split(iter_file(REFS, "bibtex"))
    attention, bert, resnet = papers
    assert attention.title == "Attention is All you Need"  # {N}eed: LaTeX braces cleaned
    assert attention.abstract.startswith("The dominant sequence transduction models are based on complex recurrent or "
                                         "convolutional neural networks")
    assert attention.year == 2017
    assert attention.authors[:2] == ("Ashish Vaswani", "Noam Shazeer")
    assert "Łukasz Kaiser" in attention.authors and "Aidan N. Gomez" in attention.authors
    assert (attention.arxiv_id, attention.doi, attention.source.line) == ("1706.03762", None, 4)
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert (bert.abstract, bert.doi, bert.url) == ("", "10.18653/v1/n19-1423", "https://aclanthology.org/N19-1423")
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert resnet.arxiv_id == "1512.03385"  # from journal = {arXiv preprint arXiv:1512.03385}
    # entries without an abstract are papers with their title, and say so
    assert [(p.source.line, p.severity, p.reason, p.paper_id) for p in problems] == [
        (20, "warning", "title with no abstract", bert.id),
        (35, "warning", "title with no abstract", resnet.id),
    ]


@pytest.mark.parametrize(
    ("text", "attribute", "value"),
    [
        ("@article{k, title={T}, date={2021-03-04}}", "year", 2021),  # BibLaTeX
        ("@article{k, title={T}, eprint={2101.00001v2}, eprinttype={arxiv}}", "arxiv_id", "2101.00001"),
        ("@article{k, title={T}, arxivId={hep-th/9901001}}", "arxiv_id", "hep-th/9901001"),  # Mendeley
        ("@article{k, title={T}, eprint={hal-0123}, eprinttype={HAL}}", "arxiv_id", None),
        ("@article{k, title={T}, doi={10.48550/arXiv.1706.03762}}", "arxiv_id", "1706.03762"),
        ("@article{k, title={T}, url={https://arxiv.org/abs/1810.04805v2}}", "arxiv_id", "1810.04805"),
        ("@article{k, title={T}, doi={https://doi.org/10.1145/3292500.3330701}}", "doi", "10.1145/3292500.3330701"),
        ("@article{k, title={T}, author={von Neumann, John and Smith, Jr., John and others}}", "authors",
         ("John von Neumann", "John Smith, Jr.")),
        ("@article{k, title={T}, author={{Barnes and Noble, Inc.} and Schr{\\\"o}der, Jan}}", "authors",
         ("Barnes and Noble, Inc.", "Jan Schröder")),
        ('@string{t = "Macro Title"}\n@article{k, title=t}', "title", "Macro Title"),
        ("@Article{k, Title={Mixed Case Keys}, YEAR={1999}}", "year", 1999),
        ("@article{k, title = {$\\alpha$-Nets for {GAN}s}, abstract={We use \\emph{alpha}.}}", "title",
         "α-Nets for GANs"),
    ],
)
def test_ingest_bibtex_fields(text: str, attribute: str, value) -> None:
    papers, _ = bib(text)
    assert getattr(papers[0], attribute) == value


@pytest.mark.parametrize(
    ("text", "titles", "problems"),
    [
        # a broken entry is an error at its line; reading goes on with the next one
        ("@article{a, title={Good}, abstract={A}}\n\n@article{b,\n  title = {Broken\n}\n@article{c, title={Next}, "
         "abstract={C}}\n", ["Good", "Next"],
         [(3, "error", "not valid BibTeX: Unexpected block start: `@article`. Was still looking for field-value "
                       "closing `,` or `}`; entry skipped")]),
        ("@misc{a, author={Nobody}, howpublished={online}}", [], [(1, "error", "missing 'title'")]),
        ("@article{a, title={One}, abstract={x}}\n@article{a, title={Two}, abstract={y}}", ["One", "Two"],
         [(2, "warning", "citation key 'a' is used by an earlier entry too; both are read")]),
        ("@article{a,\n title={One},\n title={Two},\n abstract={x}}", ["Two"],
         [(1, "warning", "Duplicate field keys on entry: 'title'. Note: The entry (containing duplicates) is "
                         "available as `failed_block.ignore_error_block`; the last value of each is read")]),
        ("@article{a, title={T}, abstract={x}, year={MMXX}}", ["T"],
         [(1, "warning", "'year' must be an integer, got 'MMXX'")]),
        ("@article{a, title={T}, abstract={x}, eprint={nope}, archivePrefix={arXiv}}", ["T"],
         [(1, "warning", "'arxiv_id' is not an arXiv identifier (2101.00001, hep-th/9901001): 'nope'; dropped")]),
        ("% only a comment\n@comment{nothing here}\n", [],
         [(1, "error", "no BibTeX entries found (such as @article{key, title = {...}}): this is not a BibTeX file")]),
        ("Attention Is All You Need\nThe dominant sequence transduction models ...\n", [],
         [(1, "error", "no BibTeX entries found (such as @article{key, title = {...}}): this is not a BibTeX file")]),
    ],
)
def test_ingest_bibtex_problems(text: str, titles: list[str], problems: list[tuple]) -> None:
    papers, found = bib(text)
    assert [p.title for p in papers] == titles
    assert [(p.source.line, p.severity, p.reason) for p in found] == problems


def test_ingest_bibtex_undecodable_line_skips_its_entry(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@article{a, title={Good}, abstract={x}}\n@article{b,\n title={Caf\xe9}}\n")
    papers, problems = split(iter_file(path, "bibtex"))
    assert [p.title for p in papers] == ["Good"]
    assert [(p.source.line, p.reason) for p in problems] == [
        (2, "bytes are not valid UTF-8 (byte 0xe9 at column 12); entry skipped")]


def test_ingest_bibtex_is_detected_and_never_read_as_a_listing(tmp_path: Path) -> None:
    text = REFS.read_text()
    assert format_from_extension(Path("refs.bib")) == "bibtex"
    assert detect_format(Path("refs"), text.encode()) == "bibtex"  # no extension: by content
    (tmp_path / "refs.bib.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "refs").write_text(text)
    files, _ = list_input_files([tmp_path / "refs.bib.gz", tmp_path / "refs"])
    assert [f for _, f in files] == ["bibtex", "bibtex"]
    papers, _ = split(iter_records([tmp_path / "refs.bib.gz"]))
    assert len(papers) == 3  # three entries, three papers: no "title" made of "@inproceedings{..."
    # saved as .txt: the listing reader refuses it, in one error, instead of making papers of its lines
    (tmp_path / "refs.txt").write_text(text)
    papers, problems = split(iter_records([tmp_path / "refs.txt"]))
    assert papers == []
    assert [(p.source.line, p.reason) for p in problems] == [
        (1, "this is BibTeX, not a scraped listing of titles and abstracts (give it the extension of its format, "
            "or use --format bibtex); file skipped")]


def test_ingest_bibtex_builds_a_graph(rules_nlp, tmp_path: Path) -> None:
    config = Config(inputs=(REFS,), output_dir=tmp_path / "out", outputs=("json", "report"), processes=1,
                    use_cache=False)
    result = build(config=config, nlp=rules_nlp)
    papers = result.report["papers"]
    assert (papers["read"], papers["in_graph"], papers["skipped"], papers["duplicates_merged"]) == (3, 3, 0, 0)
    assert result.report["inputs"]["files"] == [{"path": str(REFS), "format": "bibtex"}]
    graph = result.graph
    bert = next(node for node, data in graph.nodes(data=True) if data["label"].startswith("BERT: Pre-training"))
    assert graph.nodes[bert]["abstract"] == ""
    assert any(tail == "method:bert" for _, tail in graph.out_edges(bert))  # read from the title alone


def test_ingest_bibtex_kgraph_build_reads_a_bib_file(rules_nlp, monkeypatch, tmp_path: Path) -> None:
    """The trap: `kgraph build refs.bib` made three junk papers of one entry and exited 0."""
    import kgraph.nlp.pipeline

    monkeypatch.setattr(kgraph.nlp.pipeline, "load_pipeline", lambda **options: rules_nlp)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(REFS), "-o", str(out), "--outputs", "json,report", "-j", "1",
                                      "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "papers:" in result.output
    listing = tmp_path / "refs.txt"
    listing.write_text(REFS.read_text())
    result = CliRunner().invoke(cli, ["build", str(listing), "-o", str(out), "--outputs", "json,report", "-j", "1",
                                      "--no-cache"])
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: {listing}:1: this is BibTeX, not a scraped listing")


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["@article{k,", "@string{s = {x}}", " title = {", "T}", "abstract", "=", "\"", "{", "}",
                              ",", "#", "s", "\n", "author = {A and B, C}", "year = 2020", "@comment{", "%"]),
             max_size=40).map("".join),
))
def test_ingest_bibtex_never_raises(text: str) -> None:
    for record in iter_string(text, "bibtex", name="x.bib"):
        assert isinstance(record, (Paper, Problem))
        if isinstance(record, Problem):
            assert record.source.line >= 1 and "\n" not in record.reason
        else:
            assert record.title and record.id
