"""Training-corpus conversion: partial annotation stays partial (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from kgraph.eval.ner_corpora import NerSentence, guess_spaces, iter_scierc_ner, iter_tdmsci
from kgraph.eval.scierc import GoldEntity
from kgraph.training.corpus import (
    flat_spans,
    scierc_spans,
    sentence_doc,
    split_acronym_spans,
    tdmsci_spans,
    write_docbin,
)
from kgraph.training.pwc_silver import parse_description, silver_doc

NER_DATA = Path(__file__).resolve().parent / "data" / "ner"


def _sentence(text: str, *entities: tuple[int, int, str]) -> NerSentence:
    words = tuple(text.split())
    return NerSentence(words, guess_spaces(words), tuple(GoldEntity(*e) for e in entities))


def _iob(doc):
    return [t.ent_iob_ or "-" for t in doc]


def test_ner_training_flat_spans_prefer_scored_labels_then_longer():
    sent = _sentence("a b c d e", (0, 4, "OtherScientificTerm"), (1, 3, "Method"), (3, 5, "Task"))
    assert flat_spans(sent, {"Method": "METHOD", "Task": "TASK"}) == [(1, 3, "METHOD"), (3, 5, "TASK")]


@pytest.mark.parametrize(
    "policy, expected",
    [
        ("label", [(0, 2, "MATERIAL"), (4, 6, "MATERIAL")]),
        ("mask-names", [(0, 2, "MATERIAL"), (4, 6, None)]),
        ("outside", []),
    ],
)
def test_ner_training_scierc_material_policy(policy, expected):
    sent = _sentence("raw text and the Penn Treebank .", (0, 2, "Material"), (4, 6, "Material"))
    assert scierc_spans(sent, material=policy) == expected


def test_ner_training_scierc_reads_tiny_file():
    (doc, _) = list(iter_scierc_ner(NER_DATA / "scierc_tiny.json"))
    spans = scierc_spans(doc.sentences[1])
    # "web images" (Material, lowercase) is taught as MATERIAL; OtherScientificTerm nested in it is dropped
    assert (5, 7, "MATERIAL") in spans and (1, 2, "METHOD") in spans and (10, 11, "METRIC") in spans


def test_ner_training_splits_acronym_definitions():
    words = "a convolutional neural network ( CNN ) works".split()
    assert split_acronym_spans(words, [(1, 7, "METHOD")]) == [(1, 4, "METHOD"), (5, 6, "METHOD")]
    # brackets that hold no acronym stay one span
    words = "the model ( with attention ) works".split()
    assert split_acronym_spans(words, [(0, 6, "METHOD")]) == [(0, 6, "METHOD")]


def test_ner_training_tdmsci_unannotated_methods_become_missing():
    (first, _) = list(iter_tdmsci(NER_DATA / "tdmsci_tiny.conll"))
    sent = first.sentences[0]  # "Results on the WMT 14 benchmark for machine translation reach 30 BLEU ."
    predicted = [(0, 1, "METHOD"), (3, 5, "METHOD"), (10, 11, "TASK")]  # the 2nd overlaps gold, the 3rd is a task
    spans = tdmsci_spans(sent, unannotated=predicted)
    assert (0, 1, None) in spans
    assert (3, 5, "DATASET") in spans and (3, 5, None) not in spans
    assert (10, 11, None) not in spans  # TDMSci annotates tasks: its O stays O
    doc = sentence_doc(spacy.blank("en").vocab, sent, spans)
    assert _iob(doc)[:6] == ["-", "O", "O", "B", "I", "O"]
    assert [(e.text, e.label_) for e in doc.ents] == [("WMT 14", "DATASET"), ("machine translation", "TASK"),
                                                      ("BLEU", "METRIC")]


def test_ner_training_docbin_keeps_missing_tokens(tmp_path):
    vocab = spacy.blank("en").vocab
    sent = _sentence("we use BERT for parsing .", (4, 5, "Task"))
    doc = sentence_doc(vocab, sent, [(2, 3, None), (4, 5, "TASK")])
    stats = write_docbin([doc], tmp_path / "x.spacy")
    assert stats.missing_tokens == 1 and stats.entities == {"TASK": 1}
    from spacy.tokens import DocBin

    (back,) = DocBin().from_disk(tmp_path / "x.spacy").get_docs(vocab)
    assert _iob(back) == ["O", "O", "-", "O", "B", "O"]


def test_ner_training_pwc_silver_labels_marked_names_and_masks_others():
    text, spans = parse_description(
        "**FooNet** improves [BarNet](https://paperswithcode.com/method/barnet) on "
        "[object detection](https://paperswithcode.com/task/object-detection) unlike BazNet. FooNet is fast."
    )
    assert text == "FooNet improves BarNet on object detection unlike BazNet. FooNet is fast."
    assert [(text[s:e], label) for s, e, label in spans] == [
        ("FooNet", "METHOD"), ("BarNet", "METHOD"), ("object detection", "TASK"), ("FooNet", "METHOD"),
    ]
    nlp = spacy.blank("en")
    # only function words, punctuation and numbers are known non-entities
    doc = silver_doc(nlp.vocab, nlp.make_doc, text, spans)
    assert [t.text for t in doc if t.ent_iob == 0] == ["improves", "unlike", "BazNet", "fast"]
    assert [t.text for t in doc if t.ent_iob_ == "O"] == ["on", ".", "is", "."]
    # "content": ordinary words are non-entities too, an unmarked name is unknown
    doc = silver_doc(nlp.vocab, nlp.make_doc, text, spans, negatives="content")
    assert [t.text for t in doc if t.ent_iob == 0] == ["BazNet"]



def test_ner_training_installed_fast_model_names_no_training_files(tmp_path):
    """The shipped model's config names no corpus of the machine that trained it, and clearing those
    paths leaves a model that loads and runs."""
    import shutil

    from thinc.api import Config

    from kgraph.nlp.ner import MODEL_DIR
    from kgraph.training.fast import forget_corpora

    shipped = Config().from_disk(MODEL_DIR / "fast" / "config.cfg", interpolate=False)
    assert shipped["paths"]["train"] is None and shipped["paths"]["dev"] is None
    model = tmp_path / "fast"
    shutil.copytree(MODEL_DIR / "fast", model)
    config = Config().from_disk(model / "config.cfg", interpolate=False)
    config["paths"]["train"], config["paths"]["dev"] = "/tmp/w/train.spacy", "/tmp/w/dev.spacy"
    config.to_disk(model / "config.cfg")
    forget_corpora(model / "config.cfg")
    assert "/tmp/w" not in (model / "config.cfg").read_text(encoding="utf-8")
    assert [e.text for e in spacy.load(model)("We fine-tune RoBERTa on SQuAD .").ents]
