"""Benchmark readers and the entity scorer, on tiny hand-made gold (tests/data/ner)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgraph.errors import CorpusFormatError
from kgraph.eval.ner_corpora import guess_spaces, iter_benchmark, iter_scier, iter_scierc_ner, iter_tdmsci
from kgraph.eval.ner_eval import gold_entities
from kgraph.eval.ner_score import score_entities

NER_DATA = Path(__file__).resolve().parent / "data" / "ner"


def _texts(document):
    return [(" ".join(s.words[e.start:e.end]), e.label) for s in document.sentences for e in s.entities]


def test_eval_ner_reads_scierc_with_local_half_open_offsets():
    first, second = iter_scierc_ner(NER_DATA / "scierc_tiny.json")
    assert first.key == "hand-1"
    assert _texts(first) == [
        ("convolutional neural network", "Method"), ("CNN", "Method"), ("image classification", "Task"),
        ("CNN", "Method"), ("web images", "Material"), ("accuracy", "Metric"), ("web", "OtherScientificTerm"),
    ]
    assert first.sentences[0].words[6] == "("  # PTB escapes undone, token count kept
    assert _texts(second) == [("approach", "Generic")]


def test_eval_ner_reads_scier_global_inclusive_offsets():
    (doc,) = iter_scier(NER_DATA / "scier_tiny.jsonl")
    assert _texts(doc) == [("BERT", "Method"), ("SQuAD", "Dataset"), ("question answering", "Task"), ("LSTM", "Method")]
    text = "".join(w + (" " if s else "") for w, s in zip(doc.sentences[0].words, doc.sentences[0].spaces))
    assert text == "We fine-tune BERT on SQuAD for question answering."


def test_eval_ner_reads_tdmsci_bio_and_spacing_from_offsets():
    docs = list(iter_tdmsci(NER_DATA / "tdmsci_tiny.conll"))
    assert [_texts(d) for d in docs] == [
        [("WMT 14", "DATASET"), ("machine translation", "TASK"), ("BLEU", "METRIC")],
        [("F - measure", "METRIC")],
    ]
    sent = docs[1].sentences[0]
    assert "".join(w + (" " if s else "") for w, s in zip(sent.words, sent.spaces)) == "We study F-measure."


def test_eval_ner_tdmsci_rejects_unknown_tags(tmp_path):
    bad = tmp_path / "bad.conll"
    bad.write_text("A\t0\tB-METHOD\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="bad.conll:1"):
        list(iter_tdmsci(bad))


def test_eval_ner_scier_rejects_spans_outside_their_sentence(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "x", "sentences": [["A", "B"], ["C"]], "ner": [[[1, 2, "Method"]], []]}\n')
    with pytest.raises(CorpusFormatError, match="outside its sentence"):
        list(iter_scier(bad))


def test_eval_ner_gold_keeps_only_scored_labels():
    docs = list(iter_benchmark("scierc", NER_DATA / "scierc_tiny.json"))
    gold = gold_entities("scierc", docs)
    assert ("hand-1", 1, 5, 7, "material") in gold
    assert all(g[4] in {"method", "task", "material", "metric"} for g in gold)
    assert len(gold) == 6  # OtherScientificTerm and Generic are not scored


@pytest.mark.parametrize(
    "pred, strict, overlap",
    [
        ([("d", 0, 0, 2, "method"), ("d", 0, 5, 6, "task")], (1.0, 1.0), (1.0, 1.0)),
        ([("d", 0, 0, 3, "method")], (0.0, 0.0), (1.0, 0.5)),  # one token too long
        ([("d", 0, 0, 2, "task")], (0.0, 0.0), (0.0, 0.0)),  # right span, wrong type
        ([("d", 1, 0, 2, "method")], (0.0, 0.0), (0.0, 0.0)),  # another sentence
        ([], (0.0, 0.0), (0.0, 0.0)),
    ],
)
def test_eval_ner_score_strict_and_overlap(pred, strict, overlap):
    gold = [("d", 0, 0, 2, "method"), ("d", 0, 5, 6, "task")]
    s = score_entities(gold, pred, types=("method", "task"))["overall"]
    assert (s.strict.precision, s.strict.recall) == strict
    assert (s.overlap.precision, s.overlap.recall) == overlap


def test_eval_ner_score_per_type_and_extra_types():
    gold = [("d", 0, 0, 1, "method"), ("d", 0, 2, 3, "metric")]
    pred = [("d", 0, 0, 1, "method"), ("d", 0, 2, 3, "metric"), ("d", 0, 4, 5, "material")]
    scores = score_entities(gold, pred, types=("method",), extra_types=("metric", "material"))
    assert scores["overall"].strict.f1 == 1.0  # extra types stay out of the headline
    assert scores["metric"].strict.tp == 1
    assert scores["material"].strict.fp == 1


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 8), st.integers(1, 3), st.sampled_from(["method", "task"])),
                max_size=12))
def test_eval_ner_score_perfect_prediction_is_perfect(items):
    gold = [("d", s, a, a + n, t) for s, a, n, t in items]
    scores = score_entities(gold, gold, types=("method", "task"))
    if gold:
        assert scores["overall"].strict.f1 == 1.0 == scores["overall"].overlap.f1


@pytest.mark.parametrize(
    "words, text",
    [
        (["state", "-", "of", "-", "the", "-", "art"], "state-of-the-art"),
        (["a", "model", "(", "BERT", ")", ",", "too", "."], "a model (BERT), too."),
        (["-", "x"], "- x"),
    ],
)
def test_eval_ner_guess_spaces(words, text):
    spaces = guess_spaces(words)
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces)) == text
