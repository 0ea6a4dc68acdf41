"""kgraph's trained entity recognizer: the bundled models, the component, token-space runs."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner
from spacy.tokens import Doc, Span

from kgraph.errors import PipelineError
from kgraph.model import EntityType
from kgraph.nlp.ner import (
    MODEL_DIR,
    bare_pipeline,
    doc_from_sentences,
    iter_model_candidates,
    load_recognizer,
    predict_documents,
    recognizer_labels,
)

NER_DATA = Path(__file__).resolve().parent / "data" / "ner"
MODELS = ("default", "fast")


@pytest.fixture(scope="module")
def recognizers():
    return {name: bare_pipeline(name) for name in MODELS}


@pytest.fixture(scope="module")
def fast_nlp():
    from kgraph.nlp.pipeline import load_pipeline

    return load_pipeline(fast=True)


# ---------------------------------------------------------------- the models
@pytest.mark.parametrize("name", MODELS)
def test_ner_model_is_bundled_small_and_self_describing(name):
    path = MODEL_DIR / name
    assert ((path / "config.cfg").is_file() or (path / "model.onnx").is_file()) and (path / "meta.json").is_file()
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    assert size < 40_000_000, f"{name}: {size} bytes"
    # both learned from the annotated abstracts: the guideline's three kinds of node
    assert set(recognizer_labels(bare_pipeline(name))) == {"METHOD", "TASK", "DATASET"}


def test_ner_bundled_models_stay_under_100_mb_in_all():
    assert sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file()) < 100_000_000


def test_ner_default_model_is_the_encoder_tagger_and_fast_the_cnn():
    assert (MODEL_DIR / "default" / "model.onnx").is_file()
    assert (MODEL_DIR / "fast" / "config.cfg").is_file()


def test_ner_model_loads_with_the_network_off(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    from kgraph.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    doc = nlp("FooNet: Fast Detection\n\nWe propose FooNet for object detection.")
    assert doc._.kgraph_mentions


def test_ner_unknown_model_names_the_bundled_ones():
    with pytest.raises(PipelineError, match=r"'default', 'fast'"):
        load_recognizer("no-such-model")


# Hand-checked: what a reader labels in each sentence, and kgraph's pipelines find
# (the trained recognizer with the rules; a metric from the recognizer's doc.ents).
# Names marked "unseen" occur in no training corpus (SciERC, TDMSci, PwC descriptions).
# An item is (accepted texts, type): where conventions differ, either reading counts.
HAND_CHECKED = [
    ("We evaluate our parser on the Penn Treebank and report labeled attachment scores .",
     [("Penn Treebank", "dataset")]),
    ("Statistical machine translation systems translate text from one language to another .",
     [(("Statistical machine translation", "Statistical machine translation systems"), ("task", "method"))]),
    ("Our approach improves named entity recognition on the CoNLL-2003 dataset .",
     [("named entity recognition", "task"), (("CoNLL-2003", "CoNLL-2003 dataset"), "dataset")]),
    ("We train a support vector machine on bag-of-words features .",
     [("support vector machine", "method")]),
    # an acronym definition: long and short form apart (kgraph's and SciER's convention)
    ("We compare support vector machines ( SVMs ) with logistic regression for sentiment classification .",
     [("support vector machines", "method"), ("SVMs", "method"), ("logistic regression", "method"),
      ("sentiment classification", "task")]),
    ("We fine-tune RoBERTa on SQuAD for extractive question answering .",
     [("RoBERTa", "method"), ("SQuAD", "dataset"), ("extractive question answering", "task")]),
    # unseen: "Glarfnet" is made up ("a convolutional network" describes it: no node of its own)
    ("We introduce Glarfnet , a convolutional network for semantic segmentation .",
     [("Glarfnet", "method"), ("semantic segmentation", "task")]),
    # unseen: "Quibble-7K" is made up; a dataset by its context ("experiments on")
    ("Experiments on Quibble-7K show that BERT outperforms the LSTM baseline in accuracy .",
     [("Quibble-7K", "dataset"), ("BERT", "method"), ("LSTM", "method")]),
    # unseen task phrase and an unseen name
    ("Trained on Florbex-3D , our model improves point cloud completion .",
     [("point cloud completion", "task")]),
]


# What each pipeline is known to miss (asserted missed, so a fix shows). The fast pipeline: a plural
# short form in parentheses ("support vector machines ( SVMs )"), which its CNN leaves out and the
# acronym reader does not pair. The default: older names the 2019-2026 training abstracts rarely
# give, in a sentence read without a title ("Penn Treebank": its tagger marks "Treebank" alone;
# "support vector machine", left out at the O bias chosen on the development split).
MISSES = {"fast": {"SVMs"}, "default": {"Penn Treebank", "support vector machine"}}


@pytest.fixture(scope="module")
def pipelines(nlp, fast_nlp):
    return {"default": nlp, "fast": fast_nlp}


def _accepts(expected: str | tuple[str, ...], found: str) -> bool:
    return found in ((expected,) if isinstance(expected, str) else expected)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("text, expected", HAND_CHECKED)
def test_ner_pipeline_on_hand_checked_sentences(pipelines, name, text, expected):
    doc = pipelines[name](text)
    found = [(doc[m.start : m.end].text, m.type.value) for m in doc._.kgraph_mentions]
    for texts, kinds in expected:
        if texts in MISSES[name]:
            assert not any(_accepts(texts, t) for t, _ in found), f"{name} finds {texts!r} now: {found}"
            continue
        assert any(_accepts(texts, t) and _accepts(kinds, k) for t, k in found), f"{name}: {found}"


@pytest.mark.parametrize("name", MODELS)
def test_ner_recognizer_alone_finds_names_and_tasks_not_metrics(recognizers, name):
    doc = recognizers[name]("We introduce Glarfnet , a convolutional network for semantic segmentation , "
                            "and report its accuracy .")
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("semantic segmentation", "TASK") in found, found
    # both follow the guideline: a metric is no entity
    assert not any(e.text == "accuracy" for e in doc.ents), found


# ---------------------------------------------------------------- the component
def test_ner_candidates_come_from_method_task_dataset_ents():
    doc = Doc(spacy.blank("en").vocab, words=["We", "use", "BERT", "for", "NER", "with", "F1", "\n\n", "x"])
    doc.ents = [Span(doc, 2, 3, "METHOD"), Span(doc, 4, 5, "TASK"), Span(doc, 6, 7, "METRIC")]
    found = [(c.start, c.end, c.type, c.extractor) for c in iter_model_candidates(doc)]
    assert found == [(2, 3, EntityType.METHOD, "model"), (4, 5, EntityType.TASK, "model")]


def test_ner_component_sits_before_mention_selection(nlp, fast_nlp):
    for pipeline in (nlp, fast_nlp):
        names = pipeline.pipe_names
        assert names.index("kgraph_gazetteer_v1") < names.index("kgraph_ner_v1") < names.index("kgraph_mentions_v1")
    assert "parser" not in nlp.pipe_names and "parser" not in fast_nlp.pipe_names  # both read words
    assert nlp.get_pipe_config("kgraph_ner_v1")["model"] == "default"
    assert fast_nlp.get_pipe_config("kgraph_ner_v1")["model"] == "fast"


def test_ner_model_mentions_reach_the_extraction(fast_nlp):
    from kgraph.model import Paper
    from kgraph.nlp.extract import extract_paper

    paper = Paper(id="p", title="A study of parsers",
                  abstract="We improve dependency parsing of English text with a neural network.")
    mentions = {(m.text, m.type.value) for m in extract_paper(fast_nlp, paper).mentions}
    assert any(text.startswith("dependency parsing") and kind == "task" for text, kind in mentions)


# ---------------------------------------------------------------- token-space runs
def test_ner_doc_from_sentences_keeps_each_token():
    doc, starts = doc_from_sentences(spacy.blank("en").vocab,
                                     [(("A", "B", "."), (True, False, False)), (("C", "."), (False, False))])
    assert starts == [0, 4]
    assert doc.text == "A B.\n\nC."
    assert [t.text for t in doc] == ["A", "B", ".", "\n\n", "C", "."]


def test_ner_predict_documents_reports_sentence_local_spans(fast_nlp):
    sentences = [(("We", "study", "parsing", "."), (True, True, False, False)),
                 (("We", "improve", "dependency", "parsing", "of", "English", "."),
                  (True, True, True, True, True, False, False))]
    (spans,) = predict_documents(fast_nlp, [sentences])
    assert all(0 <= s.start < s.end <= len(sentences[s.sentence][0]) for s in spans)
    # a task starting at "dependency parsing" (the model may include "of English")
    assert any(s.sentence == 1 and s.start == 2 and s.end >= 4 and s.type == "task" for s in spans)


# ---------------------------------------------------------------- the command
@pytest.mark.parametrize(
    "benchmark, path",
    [("tdmsci", "tdmsci_tiny.conll"), ("scier", "scier_tiny.jsonl"), ("scierc", "scierc_tiny.json")],
)
def test_ner_eval_command_prints_scores(benchmark, path):
    import json

    from kgraph.cli import cli

    result = CliRunner().invoke(cli, ["eval", benchmark, str(NER_DATA / path), "--fast", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["benchmark"] == benchmark and report["pipeline"] == "fast"
    assert {"overall"} <= set(report["scores"])
    assert set(report["scores"]["overall"]) == {"strict", "overlap"}


def test_ner_eval_command_rejects_a_bad_file(tmp_path):
    from kgraph.cli import cli

    bad = tmp_path / "bad.conll"
    bad.write_text("only two\tcolumns\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "tdmsci", str(bad), "--fast"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "bad.conll:1" in result.output


def test_ner_default_entities_of_a_doc_do_not_depend_on_its_batch(nlp):
    texts = ["FooNet: Fast Detection\n\nWe propose FooNet for object detection on COCO.",
             "A study of parsers\n\nWe improve dependency parsing of English text with a neural network and "
             "report labeled attachment scores on the Penn Treebank, beating BERT and a support vector machine."]
    alone = [[(e.start, e.end, e.label_) for e in nlp(t).ents] for t in texts]
    together = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts, batch_size=8)]
    assert together == alone and all(alone)


def test_ner_module_examples_run():
    import doctest

    import kgraph.nlp.ner as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted and not result.failed


def test_ner_spans_inside_a_hyphenated_word_are_no_candidates():
    doc = spacy.blank("en")("fine-grained estimation with energy-based models")
    doc.ents = [Span(doc, 0, 1, "TASK"), Span(doc, 3, 4, "TASK"), Span(doc, 5, 6, "METHOD")]
    assert [doc[c.start : c.end].text for c in iter_model_candidates(doc)] == ["estimation"]
    doc.ents = [Span(doc, 5, 9, "METHOD")]
    assert [doc[c.start : c.end].text for c in iter_model_candidates(doc)] == ["energy-based models"]


def test_ner_fast_cnn_multiplies_with_numpys_blas_and_leaves_the_current_ops():
    from thinc.api import get_current_ops

    before = get_current_ops()
    ner = load_recognizer("fast").get_pipe("ner")
    assert get_current_ops() is before
    tok2vec = ner.model.get_ref("tok2vec")
    assert all(node.ops.use_blis is False for node in tok2vec.walk())
