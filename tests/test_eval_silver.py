"""The annotated abstracts: reading, the fixed splits, the paper-level scorer on tiny hand-made gold."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kgraph.cli import cli
from kgraph.errors import CorpusFormatError
from kgraph.eval.silver import as_guideline, iter_silver, norm, score_papers, split_of

PAPER = {
    "n": 30,
    "title": "Fast3R: Fast 3D Reconstruction",
    "abstract": "We extend DUSt3R to many views and test it on CO3D and ScanNet.",
    "entities": [
        {"type": "method", "name": "Fast3R", "aliases": [], "proposed": True,
         "mentions": [{"field": "title", "start": 0, "end": 6, "text": "Fast3R"}]},
        {"type": "method", "name": "DUSt3R", "aliases": ["Dust3r"], "proposed": False,
         "mentions": [{"field": "abstract", "start": 10, "end": 16, "text": "DUSt3R"}]},
        {"type": "task", "name": "3D Reconstruction", "aliases": [], "proposed": False,
         "mentions": [{"field": "title", "start": 13, "end": 30, "text": "3D Reconstruction"}]},
        {"type": "dataset", "name": "CO3D", "aliases": [], "proposed": False,
         "mentions": [{"field": "abstract", "start": 48, "end": 52, "text": "CO3D"}]},
    ],
    "relations": [
        {"head": "Fast3R", "relation": "extends", "tail": "DUSt3R", "evidence": [{"field": "abstract", "start": 0, "end": 66}]},
        {"head": "Fast3R", "relation": "compared_with", "tail": "DUSt3R", "evidence": []},
        {"head": "Fast3R", "relation": "evaluated_on", "tail": "CO3D", "evidence": []},
    ],
}


def entity(id_, type_, label, *texts):
    return {"id": id_, "type": type_, "label": label, "mentions": [{"text": t} for t in texts]}


def prediction(entities, relations):
    return {"title": PAPER["title"], "entities": entities,
            "relations": [{"head": h, "relation": r, "tail": t} for h, r, t in relations]}


@pytest.fixture
def silver_file(tmp_path):
    path = tmp_path / "silver.jsonl"
    other = dict(PAPER, n=31, title="Another paper")
    path.write_text(json.dumps(PAPER) + "\n" + json.dumps(other) + "\n", encoding="utf-8")
    return path


def gold():
    papers = list(iter_silver_from(PAPER))
    return [as_guideline(p) for p in papers]


def iter_silver_from(obj, tmp=None):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "silver.jsonl"
        path.write_text(json.dumps(obj) + "\n", encoding="utf-8")
        return list(iter_silver(path))


@pytest.mark.parametrize("text, expected", [
    ("The Diffusion-Models", "diffusion model"), ("an LLMs", "llm"), ("CIFAR-10", "cifar 10"),
    ("loss", "loss"), ("Schrödinger bridge", "schrodinger bridge"),
])
def test_norm_folds_case_hyphens_articles_and_plural(text, expected):
    assert norm(text) == expected
    assert norm(norm(text)) == norm(text)


def test_split_is_fixed_by_the_paper_number(silver_file):
    assert split_of(30) == "dev" and split_of(31) == "train"
    assert [p.n for p in iter_silver(silver_file, split="dev")] == [30]
    assert [p.n for p in iter_silver(silver_file.parent, split="train")] == [31]


def test_a_broken_line_names_file_and_line(tmp_path):
    path = tmp_path / "silver.jsonl"
    path.write_text(json.dumps(PAPER) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=r"silver.jsonl:2"):
        list(iter_silver(path))


def test_perfect_prediction_scores_one():
    pred = prediction(
        [entity("a", "method", "Fast3R", "Fast3R"), entity("b", "method", "Dust3r", "Dust3r"),
         entity("c", "task", "3D reconstruction"), entity("d", "dataset", "CO3D")],
        [("a", "extends", "b"), ("b", "compared_with", "a"), ("a", "evaluated_on", "d")],
    )
    s = score_papers([pred], gold())
    assert s["any.strict"]["f1"] == 1.0
    assert s["relations.strict"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 3, "pred": 3, "gold": 3}
    assert s["relations.compared_with.strict"]["tp"] == 1


def test_proposed_entities_are_scored_apart():
    pred = prediction([dict(entity("a", "method", "Fast3R"), proposed=True), dict(entity("b", "method", "DUSt3R"), proposed=True)], [])
    s = score_papers([pred], gold())
    assert s["proposed.strict"] == {"p": 0.5, "r": 1.0, "f1": 0.667, "tp": 1, "pred": 2, "gold": 1}


def test_wrong_type_and_extra_entities_cost_precision():
    pred = prediction([entity("a", "method", "Fast3R"), entity("d", "method", "CO3D"), entity("x", "method", "views")], [])
    s = score_papers([pred], gold())
    assert s["method.strict"] == {"p": 0.333, "r": 0.5, "f1": 0.4, "tp": 1, "pred": 3, "gold": 2}
    assert s["dataset.strict"]["tp"] == 0
    assert s["any.strict"]["tp"] == 2  # "any" pools the types: CO3D found, whatever its type


def test_relations_need_both_ends_and_the_type():
    pred = prediction(
        [entity("a", "method", "Fast3R"), entity("b", "method", "DUSt3R"), entity("z", "method", "ScanNet")],
        [("a", "part_of", "b"), ("a", "evaluated_on", "z"), ("b", "extends", "a")],
    )
    s = score_papers([pred], gold())
    assert s["relations.strict"]["tp"] == 0 and s["relations.strict"]["pred"] == 3


def test_a_relation_listed_twice_counts_twice_in_predictions():
    """As score_papers.py: one record per (relation, sentence) in extractions.jsonl."""
    pred = prediction([entity("a", "method", "Fast3R"), entity("b", "method", "DUSt3R")],
                      [("a", "extends", "b"), ("a", "extends", "b")])
    s = score_papers([pred], gold())
    assert (s["relations.strict"]["tp"], s["relations.strict"]["pred"]) == (1, 2)


def test_lenient_accepts_half_the_content_words():
    pred = prediction([entity("c", "task", "multi-view 3D reconstruction")], [])
    s = score_papers([pred], gold())
    assert s["task.strict"]["tp"] == 0 and s["task.lenient"]["tp"] == 1


def test_missing_paper_counts_as_empty():
    s = score_papers([], gold())
    assert s["papers_missing"] == 1 and s["any.strict"]["gold"] == 4 and s["any.strict"]["tp"] == 0


def test_cli_scores_saved_predictions(silver_file, tmp_path):
    pred = prediction([entity("a", "method", "Fast3R"), entity("b", "method", "DUSt3R")], [("a", "extends", "b")])
    preds = tmp_path / "extractions.jsonl"
    preds.write_text(json.dumps(pred) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "silver", str(silver_file), "--predictions", str(preds), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["papers"] == 1 and scores["method.strict"]["f1"] == 1.0
    assert scores["relations.strict"]["tp"] == 1 and scores["relations.strict"]["gold"] == 3


def test_relation_errors_name_the_cause_of_each_miss_and_spurious_relation():
    from kgraph.eval.silver import relation_errors

    # DUSt3R found as a dataset (wrong type); Fast3R-CO3D found and not related; an unannotated end
    pred = prediction(
        [entity("a", "method", "Fast3R"), entity("b", "dataset", "DUSt3R"), entity("d", "dataset", "CO3D"),
         entity("x", "method", "views")],
        [("a", "used_for", "x")],
    )
    errors = relation_errors([pred], gold())
    assert errors["missed"] == {"end not found": 0, "end found with another type": 2,
                                "ends found, not related": 1, "ends found, related otherwise": 0}
    assert errors["spurious"] == {"end not annotated": 1, "ends annotated, not related": 0,
                                  "ends annotated, related otherwise": 0}


def test_relation_errors_tell_another_type_or_direction_from_no_relation():
    from kgraph.eval.silver import relation_errors

    pred = prediction([entity("a", "method", "Fast3R"), entity("b", "method", "Dust3r")],
                      [("b", "extends", "a")])
    errors = relation_errors([pred], gold())
    # extends in the other direction; compared_with not predicted for that pair; CO3D not found
    assert errors["missed"] == {"end not found": 1, "end found with another type": 0,
                                "ends found, not related": 0, "ends found, related otherwise": 2}
    assert errors["spurious"] == {"end not annotated": 0, "ends annotated, not related": 0,
                                  "ends annotated, related otherwise": 1}


def test_relation_errors_bench_reads_saved_predictions(silver_file, tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "bench" / "relation_errors.py"
    spec = importlib.util.spec_from_file_location("relation_errors_bench", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    saved = tmp_path / "extractions.jsonl"
    pred = prediction([entity("a", "method", "Fast3R"), entity("b", "method", "DUSt3R")], [("a", "extends", "b")])
    saved.write_text(json.dumps(pred) + "\n", encoding="utf-8")
    assert bench.main([str(silver_file), "--predictions", str(saved), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["relations"]["tp"] == 1 and out["relations"]["gold"] == 3
    assert out["missed"]["end not found"] == 1 and out["missed"]["ends found, related otherwise"] == 1
