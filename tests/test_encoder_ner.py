"""The encoder tagger's pieces that need no model: shapes, BIO decoding, spans, the sentence split."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc

from kgraph.nlp.encoder_ner import TAGS, EncoderTagger, shape_features, tags_to_spans
from kgraph.nlp.ner import _sentence_tokens

T = {tag: i for i, tag in enumerate(TAGS)}


def one_hot(tags: list[str], *, strength: float = 5.0) -> np.ndarray:
    logits = np.zeros((len(tags), len(TAGS)))
    for i, tag in enumerate(tags):
        logits[i, T[tag]] = strength
    return logits


def test_decode_keeps_a_valid_sequence():
    tags = ["O", "B-METHOD", "I-METHOD", "O", "B-TASK"]
    assert [TAGS[t] for t in EncoderTagger.decode(one_hot(tags))] == tags


def test_decode_never_starts_an_entity_with_i():
    logits = one_hot(["I-METHOD", "I-METHOD", "O"])
    logits[0, T["B-METHOD"]] = 4.0  # second best
    assert [TAGS[t] for t in EncoderTagger.decode(logits)] == ["B-METHOD", "I-METHOD", "O"]


def test_decode_never_continues_another_type():
    logits = one_hot(["B-TASK", "I-METHOD"])
    logits[1, T["I-TASK"]] = 4.0
    assert [TAGS[t] for t in EncoderTagger.decode(logits)] == ["B-TASK", "I-TASK"]


def test_decode_of_nothing_is_nothing():
    assert EncoderTagger.decode(np.zeros((0, len(TAGS)))) == []


@pytest.mark.parametrize("tags, spans", [
    (["O"], []),
    (["B-METHOD", "I-METHOD", "B-METHOD"], [(0, 2, "METHOD"), (2, 3, "METHOD")]),
    (["O", "B-TASK", "I-TASK", "I-TASK"], [(1, 4, "TASK")]),
    (["B-DATASET", "O", "B-METRIC"], [(0, 1, "DATASET"), (2, 3, "METRIC")]),
])
def test_tags_to_spans(tags, spans):
    assert tags_to_spans([T[t] for t in tags]) == spans


def test_shape_features_mark_names():
    rows = shape_features(["Fast3R", "uses", "BERT", "and", "ResNet", "x"]).tolist()
    assert rows[0] == [1.0, 0.0, 1.0, 1.0]  # capital, digit, mixed case
    assert rows[1] == [0.0, 0.0, 0.0, 0.0]
    assert rows[2] == [1.0, 1.0, 0.0, 0.0]
    assert rows[4] == [1.0, 0.0, 0.0, 1.0]
    assert shape_features([]).shape == (0, 4)


def test_sentences_split_at_line_breaks_without_sentence_boundaries():
    doc = Doc(spacy.blank("en").vocab, words=["A", "b", "\n\n", "C", " ", "d", "\n"])
    assert list(_sentence_tokens(doc)) == [[0, 1], [3, 5]]


def test_encoder_module_examples_run():
    import doctest

    import kgraph.nlp.encoder_ner as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted and not result.failed


def test_training_examples_keep_missing_annotation_missing(tmp_path):
    from spacy.tokens import DocBin, Span

    from kgraph.nlp.training.encoder import IGNORE, read_examples, spans_of

    doc = Doc(spacy.blank("en").vocab, words=["We", "use", "BERT", "for", "parsing", "trees", "."])
    doc.set_ents([Span(doc, 2, 3, "METHOD"), Span(doc, 4, 5, "TASK")], missing=[doc[5:6]], default="outside")
    DocBin(docs=[doc]).to_disk(tmp_path / "train.spacy")
    (example,) = read_examples(tmp_path / "train.spacy", max_words=120)
    assert example.words == ("We", "use", "BERT", "for", "parsing", "trees", ".")
    assert [TAGS[t] if t != IGNORE else None for t in example.tags] == [
        "O", "O", "B-METHOD", "O", "B-TASK", None, "O"]
    assert spans_of(example.tags) == {(2, 3, "METHOD"), (4, 5, "TASK")}


def test_training_examples_cut_long_sentences(tmp_path):
    from spacy.tokens import DocBin

    from kgraph.nlp.training.encoder import read_examples

    doc = Doc(spacy.blank("en").vocab, words=[f"w{i}" for i in range(250)])
    doc.set_ents([], default="outside")
    DocBin(docs=[doc]).to_disk(tmp_path / "train.spacy")
    assert [len(e.words) for e in read_examples(tmp_path / "train.spacy", max_words=120)] == [120, 120, 10]
