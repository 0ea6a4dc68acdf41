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
    (["B-DATASET", "O", "B-TASK"], [(0, 1, "DATASET"), (2, 3, "TASK")]),
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


def _silver_paper(title, abstract, entities, relations=()):
    from kgraph.eval.silver import SilverEntity, SilverMention, SilverPaper, SilverRelation

    def mentions(name):
        out = []
        for field, text in (("title", title), ("abstract", abstract)):
            start = text.find(name)
            while start >= 0:
                out.append(SilverMention(field, start, start + len(name), name))
                start = text.find(name, start + 1)
        return tuple(out)

    return SilverPaper(
        n=1, title=title, abstract=abstract,
        entities=tuple(SilverEntity(t, name, (), proposed, mentions(name)) for t, name, proposed in entities),
        relations=tuple(SilverRelation(h, r, t, ()) for h, r, t in relations),
    )


def test_silver_paper_on_kgraph_tokens():
    from kgraph.training.silver import IGNORE, token_papers

    paper = _silver_paper(
        "Multi-view Fast3R", "We extend DUSt3R with a feed-forward transformer. Fast3R beats DUSt3R on CO3D.",
        [("method", "Fast3R", True), ("method", "DUSt3R", False), ("method", "feed-forward transformer", False),
         ("method", "transformer", False), ("dataset", "CO3D", False), ("task", "ward", False)],
        [("Fast3R", "extends", "DUSt3R"), ("Fast3R", "evaluated_on", "CO3D")],
    )
    (tp,) = token_papers([paper])
    names = ("O", "B-METHOD", "B-TASK", "B-DATASET", "I-METHOD", "I-TASK", "I-DATASET")
    tagged = [[(w, names[t] if t != IGNORE else None) for w, t in zip(ws, ts)] for ws, ts in zip(tp.sentences, tp.tags)]
    assert tagged[0] == [("Multi", "O"), ("-", "O"), ("view", "O"), ("Fast3R", "B-METHOD")]
    # the hyphenated name is one span; the nested "transformer" yields to it; "ward" (inside "forward") carries no loss
    assert tagged[1][5:9] == [("feed", "B-METHOD"), ("-", "I-METHOD"), ("forward", None), ("transformer", "I-METHOD")]
    assert len(tp.sentences) == 3  # title, then two sentences
    by_name = {e.name: e for e in tp.entities}
    assert by_name["Fast3R"].spans == ((0, 3, 4), (2, 0, 1)) and by_name["Fast3R"].proposed
    assert by_name["CO3D"].spans == ((2, 4, 5),)
    assert {(tp.entities[h].name, r, tp.entities[t].name) for h, r, t in tp.relations} == {
        ("Fast3R", "extends", "DUSt3R"), ("Fast3R", "evaluated_on", "CO3D")}


def test_silver_paper_becomes_sentence_docs_for_the_fast_cnn():
    """The annotated abstracts train the fast CNN on kgraph's tokens: whole hyphenated names, every
    other word outside, and a mention whose words the annotation leaves unclear missing as a whole."""
    from kgraph.nlp.encoder_ner import tags_for
    from kgraph.training.corpus import annotated_sentence_docs
    from kgraph.training.silver import IGNORE, LABELS, token_papers

    paper = _silver_paper(
        "Multi-view Fast3R", "We extend DUSt3R with a feed-forward transformer. Fast3R beats DUSt3R on CO3D.",
        [("method", "Fast3R", False), ("method", "DUSt3R", False), ("method", "feed-forward transformer", False),
         ("task", "ward", False), ("dataset", "CO3D", False)],
    )
    docs = list(annotated_sentence_docs(spacy.blank("en").vocab, token_papers([paper]), tags_for(LABELS),
                                        ignore=IGNORE))
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [
        [("Fast3R", "METHOD")], [("DUSt3R", "METHOD")], [("Fast3R", "METHOD"), ("DUSt3R", "METHOD"),
                                                         ("CO3D", "DATASET")]]
    second = docs[1]
    assert [t.text for t in second if t.ent_iob == 0] == ["feed", "-", "forward", "transformer"]
    assert [t.ent_iob_ or "-" for t in second][:3] == ["O", "O", "B"]


def test_training_examples_cut_long_sentences():
    from kgraph.training.encoder import examples
    from kgraph.training.silver import TokenPaper

    words = tuple(f"w{i}" for i in range(250))
    paper = TokenPaper(1, (words,), ((0,) * 250,), (), ())
    assert [len(e.words) for e in examples([paper], max_words=120)] == [120, 120, 10]


def test_shipped_tagger_weights_keep_to_seven_bits():
    """uint8 x int8 products are summed in pairs into 16 bits on x86 CPUs without VNNI: weights
    in -64..64 cannot overflow there, so every CPU computes the same tags (kgraph.training.encoder)."""
    import onnx
    from onnx import numpy_helper

    from kgraph.nlp.ner import MODEL_DIR

    model = onnx.load(str(MODEL_DIR / "default" / "model.onnx"))
    weights = {i.name: i for i in model.graph.initializer}
    products = [n for n in model.graph.node if n.op_type == "MatMulInteger"]
    assert len(products) >= 36  # 6 layers x (q, k, v, output, 2 feed-forward) and the head
    for node in products:
        w = numpy_helper.to_array(weights[node.input[1]])
        assert w.dtype == np.int8 and int(np.abs(w.astype(np.int16)).max()) <= 64, node.name
