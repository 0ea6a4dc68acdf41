"""kgraph.ingest.scraped: the bundled corpus and scraped listings."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgraph.ingest import iter_file, iter_records, iter_string, paper_id_from_title
from kgraph.ingest.scraped import is_boilerplate, looks_out_of_step
from kgraph.model import Paper, Problem

DATA = Path(__file__).resolve().parent / "data" / "ingest"


def papers_and_problems(records) -> tuple[list[Paper], list[Problem]]:
    records = list(records)
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Problem)]


@pytest.fixture(scope="module")
def corpus(corpus_path) -> list[Paper | Problem]:
    return list(iter_records([corpus_path]))


def test_ingest_scraped_corpus_has_119_papers_and_no_problems(corpus) -> None:
    papers, problems = papers_and_problems(corpus)
    assert len(papers) == 119
    assert problems == []
    assert len({p.id for p in papers}) == 119


def test_ingest_scraped_corpus_first_and_last_paper(corpus, corpus_path) -> None:
    papers, _ = papers_and_problems(corpus)
    first, last = papers[0], papers[-1]
    assert first.title == "Fast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass"
    assert first.abstract.startswith("Multi-view 3D reconstruction")
    assert first.id == paper_id_from_title(first.title)
    assert first.id.startswith("fast3r-towards-3d-reconstruction")
    assert (first.source.path, first.source.line) == (str(corpus_path), 3)
    assert last.title == "Group equivariant neural posterior estimation"
    assert last.abstract.endswith("reducing inference times by three orders of magnitude.")
    assert last.source.line == 239


def test_ingest_scraped_corpus_line_numbers_point_at_titles(corpus, corpus_path) -> None:
    papers, _ = papers_and_problems(corpus)
    lines = corpus_path.read_text(encoding="utf-8").splitlines()
    assert [p.source.line for p in papers] == list(range(3, 240, 2))
    for paper in papers[1:]:
        assert " ".join(lines[paper.source.line - 1].split()).startswith(paper.title[:10])


@pytest.mark.parametrize(
    ("title_start", "fragment"),
    [
        ("Fast Differentiable Matrix Square Root", "Matrix Padé Approximants (MPA)"),
        ("Unpaired Image-to-Image Translation", "Schrödinger Bridge (SB)"),
        ("Score identity Distillation", "Fréchet inception distance"),
        ("Fast Forward", "87% reduction in FLOPs"),
    ],
)
def test_ingest_scraped_corpus_latex_is_decoded(corpus, title_start: str, fragment: str) -> None:
    papers, _ = papers_and_problems(corpus)
    matching = [p for p in papers if p.title.startswith(title_start)]
    assert matching, title_start
    assert fragment in matching[0].abstract
    assert all("\\" not in p.abstract and "\\" not in p.title for p in papers)


def test_ingest_scraped_small_fixture() -> None:
    papers, problems = papers_and_problems(iter_file(DATA / "scraped_small.txt", "scraped"))
    assert problems == []
    assert [(p.title, p.source.line) for p in papers] == [
        ("Schrödinger Bridges for Unpaired Translation", 3),
        ("Fast Matrix Square Roots", 5),
        ("Distilling Diffusion Models", 7),
    ]
    assert papers[0].abstract.endswith("improving FID by 5% on horse2zebra.")
    assert "Padé Approximants and report an 87% reduction" in papers[1].abstract
    assert papers[2].abstract == "A reduction in Fréchet inception distance with modelname, e.g. on CIFAR-10."


def test_ingest_scraped_blank_lines_between_records() -> None:
    papers, problems = papers_and_problems(iter_file(DATA / "scraped_blank_lines.txt", "scraped"))
    assert [(p.title, p.source.line, bool(p.abstract)) for p in papers] == [
        ("First Title", 1, True),
        ("Second Title", 4, True),
        ("Title Without Abstract", 8, False),
        ("Fourth Title", 10, True),
    ]
    assert [(p.source.line, p.severity, p.reason) for p in problems] == [(8, "warning", "title with no abstract")]
    assert problems[0].paper_id == papers[2].id


def test_ingest_scraped_double_spaced_lines_still_pair() -> None:
    text = "Title One\n\nA longer abstract for title one.\n\nTitle Two\n\nA longer abstract for title two.\n"
    papers, problems = papers_and_problems(iter_string(text, "scraped"))
    assert [(p.title, p.abstract, p.source.line) for p in papers] == [
        ("Title One", "A longer abstract for title one.", 1),
        ("Title Two", "A longer abstract for title two.", 5),
    ]
    assert problems == []


def test_ingest_scraped_title_only_at_end_without_newline() -> None:
    papers, problems = papers_and_problems(iter_file(DATA / "scraped_title_only_end.txt", "scraped"))
    assert [p.title for p in papers] == ["A Title", "A Last Title With No Abstract"]
    assert papers[1].abstract == ""
    assert [(str(p.source), p.severity, p.reason) for p in problems] == [
        (f"{DATA / 'scraped_title_only_end.txt'}:3", "warning", "title with no abstract")
    ]


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("Subscribe\nSubscribeNet: A Title\nAbstract text here.\n", ["Net: A Title"]),
        ("Get trending papers in your email inbox!\nSubscriber Churn Models\nAbstract.\n", ["Subscriber Churn Models"]),
        ("SubscribeNet: Not After Boilerplate\nAbstract.\n", ["SubscribeNet: Not After Boilerplate"]),
        ("GET TRENDING PAPERS IN YOUR EMAIL INBOX ONCE A DAY\nTitle\nAbstract.\n", ["Title"]),
        ("Title A\nAbstract A.\nGet trending papers in your email inbox!\nTitle B\nAbstract B.\n", ["Title A", "Title B"]),
    ],
)
def test_ingest_scraped_boilerplate(text: str, titles: list[str]) -> None:
    papers, _ = papers_and_problems(iter_string(text, "scraped"))
    assert [p.title for p in papers] == titles


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Get trending papers in your email inbox once a day!", True),
        ("  get trending papers in your  email inbox! ", True),
        ("Subscribe", True),
        ("Get trending papers about cats", False),
        ("Subscribe to our newsletter", False),
    ],
)
def test_ingest_scraped_is_boilerplate(line: str, expected: bool) -> None:
    assert is_boilerplate(line) is expected


def test_ingest_scraped_long_title_warns_lines_out_of_step() -> None:
    long_line = " ".join(["word"] * 80)
    papers, problems = papers_and_problems(iter_string(f"{long_line}\nShort title\n", "scraped"))
    assert len(papers) == 1
    assert any("out of step" in p.reason and p.severity == "warning" for p in problems)


def _abstract(n: int) -> str:
    return f"We study problem {n} and propose a method that works well on it. " * 6


def test_ingest_scraped_missing_abstract_is_an_error_and_reading_goes_on_in_step() -> None:
    # "Title Two" has no abstract: without the check, "Title Three" became its abstract and every
    # later title the abstract before it.
    lines = ["Get trending papers in your email inbox!", "SubscribeTitle One", _abstract(1), "Title Two",
             "Title Three", _abstract(3), "Title Four", _abstract(4)]
    papers, problems = papers_and_problems(iter_string("\n".join(lines) + "\n", "scraped", name="x.txt"))
    assert [(p.title, p.abstract.split(" ")[3], p.source.line) for p in papers] == [
        ("Title One", "1", 2), ("Title Three", "3", 5), ("Title Four", "4", 7),
    ]
    [problem] = problems
    assert (str(problem.source), problem.severity) == ("x.txt:4", "error")
    assert problem.reason.startswith("no abstract: line 5 looks like the next title")
    assert "out of step" in problem.reason


def test_ingest_scraped_extra_line_is_an_error_and_reading_goes_on_in_step() -> None:
    lines = ["Title One", _abstract(1), "A stray second paragraph.", "Title Two", _abstract(2), "Title Three", _abstract(3)]
    papers, problems = papers_and_problems(iter_string("\n".join(lines) + "\n", "scraped", name="x.txt"))
    assert [p.title for p in papers] == ["Title One", "Title Two", "Title Three"]
    assert [(str(p.source), p.severity) for p in problems] == [("x.txt:3", "error")]


@pytest.mark.parametrize(
    ("abstract", "following", "expected"),
    [
        ("Attention Is All You Need", _abstract(1), True),
        ("A short abstract that ends with a full stop.", _abstract(1), False),  # a sentence, not a title
        ("A Title", "Another Title", False),  # the next line is no abstract
        (_abstract(1), _abstract(2), False),
        (" ".join(["word"] * 31), " ".join(["word"] * 200), False),  # too long for a title
        ("Short", " ".join(["word"] * 39), False),
    ],
)
def test_ingest_scraped_looks_out_of_step(abstract: str, following: str, expected: bool) -> None:
    assert looks_out_of_step(abstract, following) is expected
