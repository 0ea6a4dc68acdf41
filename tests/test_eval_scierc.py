"""SciERC reader, relation mapping and scorers, on hand-made gold (tests/data/eval)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kgraph.errors import CorpusFormatError
from kgraph.eval.relations import gold_items, to_kgraph, typable_gold_items
from kgraph.eval.scierc import detokenize, parse_scierc_line, read_scierc, token_spaces
from kgraph.eval.score import score_triples

TINY = Path(__file__).resolve().parent / "data" / "eval" / "scierc_tiny.json"


@pytest.fixture(scope="module")
def tiny():
    return read_scierc(TINY)


def test_eval_scierc_reader_makes_offsets_sentence_local_and_half_open(tiny):
    first, second = tiny[0].sentences
    assert first.words[3:6] == ("hidden", "Markov", "model")
    assert (first.entities[0].start, first.entities[0].end) == (3, 6)
    # the second sentence starts at global token 13
    assert [(e.start, e.end, e.label) for e in second.entities] == [(1, 2, "Generic"), (4, 6, "Method"), (8, 10, "Material")]
    assert second.relations[1].head == (8, 10) and second.relations[1].tail == (1, 2)


def test_eval_scierc_reader_unescapes_ptb_tokens(tiny):
    assert tiny[0].sentences[0].words[6:9] == ("(", "HMM", ")")
    assert tiny[1].sentences[0].words[15:18] == ('"', "bag-of-words", '"')
    assert len(tiny[1].sentences[0].words) == 20  # token i stays token i


def test_eval_scierc_reader_keeps_nested_entities(tiny):
    spans = [(e.start, e.end) for e in tiny[1].sentences[0].entities]
    assert (6, 8) in spans and (6, 7) in spans


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "not a SciERC document"),
        ('{"doc_key": "d", "sentences": [["A"]], "ner": [[]], "relations": []}', "differ in length"),
        ('{"doc_key": "d", "sentences": [["A"]], "ner": [[[0, 3, "Method"]]], "relations": [[]]}', "outside its sentence"),
        ('{"doc_key": "d", "sentences": [["A"]], "ner": [[[0, 0, "Person"]]], "relations": [[]]}', "'Person' not one of"),
    ],
)
def test_eval_scierc_reader_names_bad_input(line, message):
    with pytest.raises(CorpusFormatError, match=message) as info:
        parse_scierc_line(line, path="x.json", line_no=7)
    assert str(info.value).startswith("x.json:7:")


def test_eval_scierc_detokenize_text_and_offsets(tiny):
    words = tiny[0].sentences[0].words
    text, spans = detokenize(words)
    assert text == "We use a hidden Markov model (HMM) for part-of-speech tagging."
    assert [text[a:b] for a, b in spans] == list(words)
    text, _ = detokenize(tiny[1].sentences[0].words)
    assert 'with "bag-of-words" features.' in text


@given(st.lists(st.sampled_from(["a", "B", "(", ")", '"', ".", ",", "n't", "x-y", "%"]), max_size=12))
def test_eval_scierc_detokenize_spans_index_the_text(words):
    text, spans = detokenize(words)
    assert [text[a:b] for a, b in spans] == words
    assert len(token_spaces(words)) == len(words)


@pytest.mark.parametrize(
    "label, expected",
    [
        ("USED-FOR", ((0, 1), "used_for", (3, 4))),
        ("EVALUATE-FOR", ((3, 4), "evaluated_on", (0, 1))),  # "X EVALUATE-FOR Y": Y evaluated_on X
        ("COMPARE", ((0, 1), "compared_with", (3, 4))),
        ("HYPONYM-OF", ((0, 1), "extends", (3, 4))),
        ("PART-OF", ((0, 1), "part_of", (3, 4))),
        ("CONJUNCTION", None),
        ("FEATURE-OF", None),
    ],
)
def test_eval_scierc_label_mapping(label, expected):
    assert to_kgraph(label, (0, 1), (3, 4)) == expected


def test_eval_scierc_gold_items_are_the_mapped_subset(tiny):
    assert gold_items(tiny) == {
        ("tiny-1", (3, 6), "used_for", (10, 12)),
        ("tiny-1", (14, 15), "compared_with", (17, 19)),
        ("tiny-1", (14, 15), "evaluated_on", (21, 23)),
        ("tiny-2", (0, 2), "extends", (6, 8)),
        ("tiny-2", (16, 17), "part_of", (10, 12)),
    }
    # Generic and OtherScientificTerm arguments: no kgraph type reaches them
    assert typable_gold_items(tiny) == {("tiny-1", (3, 6), "used_for", (10, 12)), ("tiny-2", (0, 2), "extends", (6, 8))}


def test_eval_score_strict_direction_and_symmetric_labels():
    gold = {("d", (0, 1), "used_for", (2, 3)), ("d", (4, 5), "compared_with", (6, 7))}
    predicted = {("d", (2, 3), "used_for", (0, 1)), ("d", (6, 7), "compared_with", (4, 5)), ("d", (0, 2), "used_for", (2, 3))}
    scores = score_triples(gold, predicted, symmetric=frozenset({"compared_with"}))
    assert (scores["compared_with"].tp, scores["compared_with"].fp) == (1, 0)
    assert (scores["used_for"].tp, scores["used_for"].fp, scores["used_for"].fn) == (0, 2, 1)
    assert scores["micro"].as_dict()["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert scores["micro"].recall == 0.5


def test_eval_score_perfect_and_empty():
    gold = {("d", (0, 1), "part_of", (2, 3))}
    assert score_triples(gold, gold)["micro"].f1 == 1.0
    empty = score_triples(set(), set(), labels=["used_for"])
    assert empty["used_for"].f1 == empty["micro"].f1 == 0.0


@pytest.mark.parametrize("extractor, what", [("pipeline", "pair model"), ("rules", "sentence rules")])
def test_eval_cli_scierc_relations_given_gold_entities(extractor, what):
    from kgraph.cli import cli

    result = CliRunner().invoke(cli, ["eval", "scierc", str(TINY), "--relations", "--gold-entities", "--json",
                                      "--extractor", extractor])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert what in report["what"]
    assert report["documents"] == 2
    assert report["scores"]["micro"]["gold"] == 5
    assert report["gold_by_label"]["CONJUNCTION"] == 1
    assert set(report["scores"]) == {"USED-FOR -> used_for", "EVALUATE-FOR -> evaluated_on", "COMPARE -> compared_with",
                                     "HYPONYM-OF -> extends", "PART-OF -> part_of", "micro"}
    row = report["scores"]["micro"]
    assert 0 <= row["correct"] <= min(row["gold"], row["predicted"])


# -------------------------------------------------------------- the pair model given gold entities

DIM = 4


class _OnesTagger:
    """A stand-in tagger: no entities, every word's vector all ones."""

    def tag_with_vectors(self, sentences):
        return [[] for _ in sentences], [np.ones((len(words), DIM), np.float32) for words in sentences]


def _pair_model(path, bias):
    """A relation model whose scores ignore the input: every pair gets softmax(bias) (within its types' classes)."""
    from kgraph.nlp.pairs import CLASSES, PairModel

    width = 2 * (DIM + 6) + 2 * DIM + 6
    arrays = {}
    for prefix, n_in, n_out, b in (("rel", width, len(CLASSES), bias), ("prop", DIM + 6, 1, [0.0])):
        arrays |= {f"{prefix}_mean": np.zeros(n_in, np.float32), f"{prefix}_scale": np.ones(n_in, np.float32),
                   f"{prefix}_w1": np.zeros((n_in, 3), np.float32), f"{prefix}_b1": np.ones(3, np.float32),
                   f"{prefix}_w2": np.zeros((3, n_out), np.float32), f"{prefix}_b2": np.array(b, np.float32)}
    np.savez(path / "pairs.npz", **arrays)
    (path / "pairs.json").write_text(json.dumps({"classes": list(CLASSES), "min_score": 0.5, "min_proposed": 0.5}))
    return PairModel(path)


def test_eval_scierc_pair_model_relates_the_typed_gold_mentions(tiny, tmp_path):
    from kgraph.eval.relations import pair_model_items

    #                                   none used_for evaluated_on compared_with extends part_of
    model = _pair_model(tmp_path, [0.0, 2.0, -5.0, -5.0, -5.0, -5.0])
    found = pair_model_items(tiny, _OnesTagger(), model)
    # every method -> task pair in a sentence is used_for, in document-global spans; the Generic, the
    # OtherScientificTerms and the Material (a dataset: no evaluated_on here) take no part
    assert found.items == {("tiny-1", (3, 6), "used_for", (10, 12)), ("tiny-1", (7, 8), "used_for", (10, 12))}
    # "the Collins parser" (second sentence) used for the first sentence's task: not scored
    assert found.cross_sentence == 1


def test_eval_scierc_gold_entities_report_scores_the_pair_model(tmp_path):
    from kgraph.eval.relations import evaluate_scierc

    model = _pair_model(tmp_path, [0.0, -5.0, 2.0, -5.0, 2.0, -5.0])  # evaluated_on and extends
    reports = [evaluate_scierc(TINY, relations=True, gold_entities=True, extractor=extractor, tagger=_OnesTagger(),
                               pair_model=model) for extractor in ("model", "pipeline")]
    assert reports[0]["scores"] == reports[1]["scores"]  # the default pipeline relates entities by the model alone
    scores = reports[0]["scores"]
    # Collins parser evaluated_on Penn Treebank (gold relates the Generic "parser" instead); in tiny-2
    # each method extends each other, one direction per pair: "Tree kernels" extends "kernel method" is gold
    assert (scores["EVALUATE-FOR -> evaluated_on"]["predicted"], scores["EVALUATE-FOR -> evaluated_on"]["correct"]) == (1, 0)
    assert (scores["HYPONYM-OF -> extends"]["predicted"], scores["HYPONYM-OF -> extends"]["correct"]) == (4, 1)
    # the first sentence's two methods with the second's method (extends) and dataset (evaluated_on)
    assert reports[0]["cross_sentence"] == 4
    assert any("different sentences" in note for note in reports[0]["notes"])


def test_eval_cli_gold_entities_needs_relations():
    from kgraph.cli import cli

    result = CliRunner().invoke(cli, ["eval", "scierc", str(TINY), "--gold-entities"])
    assert result.exit_code == 1
    assert "--gold-entities needs --relations" in result.output


def test_eval_scierc_end_to_end_spans_land_on_gold_tokens(nlp, tiny):
    from kgraph.eval.relations import document_paper, run_end_to_end

    e2e = run_end_to_end(nlp, tiny)
    assert e2e.mentions
    for doc_key, span, _ in e2e.mentions:
        if span[0] == "chars":
            continue  # boundaries that are not SciERC token boundaries
        doc = next(d for d in tiny if d.key == doc_key)
        paper, spans = document_paper(doc)
        words = [w for s in doc.sentences for w in s.words]
        start, end = spans[span[0]][0], spans[span[1] - 1][1]
        assert paper.abstract[start:end].replace(" ", "") == "".join(words[span[0]:span[1]])
    assert set(e2e.relations) == {"pipeline", "rules", "model"}
    assert e2e.relations["pipeline"] == e2e.relations["rules"] | e2e.relations["model"]
