"""A corpus directory mixing five formats: each paper read once, duplicates merged by DOI, arXiv id or title.

``tests/data/ingest/mixed`` holds five papers spread over an arXiv API feed,
an OpenAlex snapshot file, a BibTeX and a RIS bibliography and a Semantic
Scholar API page, eleven records in all, as a researcher's folder would.
"""

from __future__ import annotations

import json
from pathlib import Path

from kgraph.config import Config
from kgraph.ingest import dedupe, iter_records, list_input_files
from kgraph.model import Paper, Problem, SourceRef
from kgraph.run import build

MIXED = Path(__file__).resolve().parent / "data" / "ingest" / "mixed"


def test_ingest_mixed_directory_lists_every_format() -> None:
    files, ignored = list_input_files([MIXED])
    assert [(path.name, fmt) for path, fmt in files] == [
        ("arxiv_feed.xml", "atom"),
        ("openalex_works.jsonl", "openalex"),  # JSON: whose, its first record's keys say
        ("refs.bib", "bibtex"),
        ("refs.ris", "ris"),
        ("s2_papers.json", "s2"),
    ]
    assert ignored == []


def test_ingest_mixed_directory_merges_duplicates_across_formats() -> None:
    records = list(dedupe(iter_records([MIXED])))
    papers = [r for r in records if isinstance(r, Paper)]
    assert [(p.id, Path(p.source.path).name) for p in papers] == [
        ("1512.03385", "arxiv_feed.xml"),
        ("1710.10903", "arxiv_feed.xml"),
        ("W2963403868", "openalex_works.jsonl"),
        ("bert-pre-training-of-deep-bidirectional-for-a495f570", "refs.bib"),
        ("adam-a-method-for-stochastic-optimization-2d2cb9c0", "refs.ris"),
    ]
    merged = [(Path(r.source.path).name, r.source.line, r.reason.split(" first read at ")[0],
               r.reason.split("; merged")[0].partition(" (")[2].rstrip(")"))
              for r in records if isinstance(r, Problem) and r.reason.startswith("duplicate")]
    assert merged == [
        ("openalex_works.jsonl", 2, "duplicate of 1710.10903", ""),  # same title (and arXiv id)
        ("refs.bib", 4, "duplicate of W2963403868", ""),
        ("refs.bib", 35, "duplicate of 1512.03385", ""),
        ("refs.ris", 1, "duplicate of bert-pre-training-of-deep-bidirectional-for-a495f570",
         "same DOI 10.18653/v1/n19-1423"),  # "Pretraining of deep ...": only the DOI says it is BERT
        ("s2_papers.json", 6, "duplicate of adam-a-method-for-stochastic-optimization-2d2cb9c0", ""),
        ("s2_papers.json", 40, "duplicate of bert-pre-training-of-deep-bidirectional-for-a495f570", ""),
    ]
    assert all(r.severity == "warning" for r in records if isinstance(r, Problem))


def test_ingest_mixed_dedupe_keys() -> None:
    def paper(paper_id: str, title: str, line: int, **ids) -> Paper:
        return Paper(paper_id, title, "x", source=SourceRef("f", line), **ids)

    records = [
        paper("a", "A Preprint Title", 1, arxiv_id="2101.00001"),
        paper("b", "The Published Title", 2, doi="10.1234/x", arxiv_id="2101.00001"),  # same arXiv id
        paper("c", "Yet Another Title", 3, doi="10.1234/x"),  # shares only the DOI the merged one brought
        paper("d", "The Published Title", 4),  # shares only the title the merged one brought
        paper("a", "A Different Paper", 5),  # a taken id, nothing else in common
        paper("e", "Unrelated", 6, doi="10.1234/y", arxiv_id="2101.00002"),
    ]
    out = list(dedupe(records))
    assert [r.id for r in out if isinstance(r, Paper)] == ["a", "e"]
    assert [r.reason for r in out if isinstance(r, Problem)] == [
        "duplicate of a first read at f:1 (same arXiv id 2101.00001); merged",
        "duplicate of a first read at f:1 (same DOI 10.1234/x); merged",
        "duplicate of a first read at f:1; merged",
        "duplicate id 'a' first read at f:1 with a different title; dropped",
    ]


def test_ingest_mixed_directory_builds_one_graph(rules_nlp, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(config=Config(inputs=(MIXED,), output_dir=out, processes=1, use_cache=False), nlp=rules_nlp)
    papers = result.report["papers"]
    assert (papers["read"], papers["in_graph"], papers["skipped"], papers["duplicates_merged"]) == (11, 5, 0, 6)
    graph = result.graph
    assert sorted(n for n, d in graph.nodes(data=True) if d["type"] == "paper") == [
        "paper:1512.03385", "paper:1710.10903", "paper:W2963403868",
        "paper:adam-a-method-for-stochastic-optimization-2d2cb9c0",
        "paper:bert-pre-training-of-deep-bidirectional-for-a495f570",
    ]
    # the title-only BibTeX entry is a paper, linked to what its title names
    assert "method:bert" in {tail for _, tail in graph.out_edges("paper:bert-pre-training-of-deep-bidirectional-"
                                                                  "for-a495f570")}
    assert {"method:transformer", "method:adam", "dataset:imagenet", "dataset:cora"} <= set(graph)
    report = json.loads((out / "report.json").read_text())
    assert [f["format"] for f in report["inputs"]["files"]] == ["atom", "openalex", "bibtex", "ris", "s2"]
    for name in ("graph.json", "graph.graphml", "graph.ttl", "graph.html", "extractions.jsonl"):
        assert (out / name).stat().st_size > 0


TITLE_VARIANTS = Path(__file__).resolve().parent / "data" / "ingest" / "title_variants"
GNN_ID = "graph-neural-networks-for-molecule-property-524f05d2"


def test_ingest_mixed_titles_merge_across_punctuation_and_unicode() -> None:
    """No DOI, no arXiv id: the BibTeX title and the RIS one with its full stop are one paper."""
    records = list(dedupe(iter_records([TITLE_VARIANTS / "a.bib", TITLE_VARIANTS / "b.ris"])))
    assert [p.title for p in records if isinstance(p, Paper)] == [
        "Graph Neural Networks for Molecule Property Prediction",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "Graph neural networks for molecule property prediction: a survey.",  # more words: another paper
    ]
    assert [(Path(r.source.path).name, r.source.line, r.reason) for r in records if isinstance(r, Problem)] == [
        ("b.ris", 1, f"duplicate of {GNN_ID} first read at {TITLE_VARIANTS / 'a.bib'}:2; merged"),
    ]


def test_ingest_mixed_title_variants_directory_builds(rules_nlp, tmp_path: Path) -> None:
    """A directory of BibTeX, RIS and JSON Lines: full-width letters, dashes and curly quotes merge too."""
    result = build(config=Config(inputs=(TITLE_VARIANTS,), output_dir=tmp_path / "out", processes=1,
                                 use_cache=False), nlp=rules_nlp)
    papers = result.report["papers"]
    assert (papers["read"], papers["in_graph"], papers["skipped"], papers["duplicates_merged"]) == (5, 3, 0, 2)
    assert sorted(n for n, d in result.graph.nodes(data=True) if d["type"] == "paper") == [
        "paper:bert-pre-training-of-deep-bidirectional-for-a495f570",
        f"paper:{GNN_ID}",
        "paper:graph-neural-networks-for-molecule-property-a-11fd2f6a",
    ]
