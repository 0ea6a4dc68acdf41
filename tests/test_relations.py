"""Relations: the rule patterns on hand-checked sentences, and the learned classifier."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.tokens import Doc

from kgraph.model import EntityType, Paper, RelationType
from kgraph.nlp.candidates import Candidate
from kgraph.nlp.extract import extract_paper
from kgraph.nlp.relcat import (
    CLASSES,
    DEFAULT_MODEL_PATH,
    ENTITY_SIGNATURES,
    EXTRACTOR,
    NONE,
    SCIERC_TO_KGRAPH,
    Arg,
    RelationClassifier,
    class_of,
    decode_class,
    iter_pairs,
    model_relations,
    pair_features,
)
from kgraph.nlp.relations import FoundRelation
from kgraph.resolve.entities import DOMAIN_RANGE

M, T, D = EntityType.METHOD, EntityType.TASK, EntityType.DATASET
R = RelationType


def _triples(extraction, *, entity_level=True):
    return {
        (extraction.mentions[r.head].text, r.relation, extraction.mentions[r.tail].text)
        for r in extraction.relations
        if r.head is not None or not entity_level
    }


# -------------------------------------------------------------- rule patterns, hand-checked


@pytest.fixture(scope="module")
def rules_nlp():
    """The pipeline without the trained recognizer: mention types come from the rules,
    so these tests check the relation patterns and not the recognizer's typing."""
    from kgraph.nlp.pipeline import load_pipeline

    return load_pipeline(ner=None)


@pytest.mark.parametrize(
    "abstract, expected",
    [
        ("We propose TinyNet, a variant of ResNet for image classification.",
         {("TinyNet", R.EXTENDS, "ResNet"), ("TinyNet", R.USED_FOR, "image classification")}),
        ("We introduce FooGAN, a generalization of StyleGAN to video generation.",
         {("FooGAN", R.EXTENDS, "StyleGAN"), ("FooGAN", R.USED_FOR, "video generation")}),
        ("FooNet extends the Transformer architecture to point clouds.",
         {("FooNet", R.EXTENDS, "Transformer")}),
        # "based on" builds on; the subject of "is used for" is BarNet, not the nearer U-Net
        ("BarNet is based on U-Net and is used for medical image segmentation.",
         {("BarNet", R.EXTENDS, "U-Net"), ("BarNet", R.USED_FOR, "medical image segmentation")}),
        # head-noun containment, supported by the sentence naming both
        ("We compare latent diffusion models with diffusion models on ImageNet.",
         {("latent diffusion models", R.EXTENDS, "diffusion models")}),
        # the task comes first; the method is the main clause's subject
        ("Through extensive experiments on image segmentation, FooNet demonstrates strong performance.",
         {("FooNet", R.USED_FOR, "image segmentation")}),
    ],
)
def test_relations_patterns_on_hand_checked_sentences(rules_nlp, abstract, expected):
    found = _triples(extract_paper(rules_nlp, Paper(id="x", title="A title", abstract=abstract)))
    assert expected <= found, found


@pytest.mark.parametrize(
    "abstract, absent",
    [
        ("We compare latent diffusion models with diffusion models on ImageNet.",
         ("diffusion models", R.EXTENDS, "latent diffusion models")),  # never the other way round
        ("BarNet is based on U-Net and is used for medical image segmentation.",
         ("U-Net", R.USED_FOR, "medical image segmentation")),
        ("We introduce FooGAN, a generalization of StyleGAN to video generation.",
         ("StyleGAN", R.USED_FOR, "video generation")),  # the rules already placed the task
    ],
)
def test_relations_patterns_do_not_invert_or_misattach(rules_nlp, abstract, absent):
    found = _triples(extract_paper(rules_nlp, Paper(id="x", title="A title", abstract=abstract)))
    assert absent not in found, found


def test_relations_every_relation_cites_its_sentence_and_extractor(nlp):
    paper = Paper(id="x", title="TinyNet: Small Networks for Image Classification",
                  abstract="We propose TinyNet, a variant of ResNet for image classification. "
                           "Experiments on CIFAR-10 show that TinyNet outperforms MobileNet.")
    ex = extract_paper(nlp, paper)
    assert ex.relations
    for rel in ex.relations:
        text = paper.text(rel.evidence.field)
        sentence = text[rel.evidence.start : rel.evidence.end]
        assert sentence.strip() == sentence and sentence
        assert rel.extractor
        ends = [ex.mentions[i] for i in (rel.head, rel.tail) if i is not None]
        # the evidence holds each end named in its field (a title name related across fields cites the
        # abstract sentence naming the other end)
        inside = [m for m in ends if m.field == rel.evidence.field]
        assert inside
        assert all(rel.evidence.start <= m.start and m.end <= rel.evidence.end for m in inside)


# -------------------------------------------------------------- the learned classifier


def _parsed_doc():
    """ "XNet is used for image parsing ." with a hand-made parse."""
    words = ["XNet", "is", "used", "for", "image", "parsing", "."]
    return Doc(spacy.blank("en").vocab, words=words, heads=[2, 2, 2, 2, 5, 3, 2],
               deps=["nsubjpass", "auxpass", "ROOT", "prep", "compound", "pobj", "punct"],
               pos=["PROPN", "AUX", "VERB", "ADP", "NOUN", "NOUN", "PUNCT"],
               lemmas=["XNet", "be", "use", "for", "image", "parsing", "."],
               sent_starts=[True] + [False] * 6)


def test_relations_pair_features_are_pure_and_deterministic():
    doc = _parsed_doc()
    before = doc.to_bytes()
    a, b = Arg(0, 1, "Method"), Arg(4, 6, "Task")
    feats = pair_features(doc, doc[:], a, b, [a, b])
    assert feats == pair_features(doc, doc[:], a, b, [a, b])
    assert doc.to_bytes() == before
    assert "T=Method|Task" in feats and "BS=be_use_for" in feats
    assert any(f.startswith("P=") for f in feats)


def test_relations_classes_round_trip():
    for label in ("USED-FOR", "EVALUATE-FOR", "HYPONYM-OF", "PART-OF", "FEATURE-OF"):
        for left_is_head in (True, False):
            assert decode_class(class_of(label, left_is_head)) == (label, left_is_head)
    assert decode_class(NONE) is None
    assert len(set(CLASSES)) == len(CLASSES) == 13


def test_relations_pairs_are_ordered_and_skip_identical_spans():
    args = [Arg(5, 6, "Task"), Arg(0, 2, "Method"), Arg(0, 2, "Generic"), Arg(1, 2, "Method")]
    pairs = list(iter_pairs(args))
    assert (1, 2) not in pairs and (2, 1) not in pairs
    for i, j in pairs:
        assert (args[i].start, -args[i].end) <= (args[j].start, -args[j].end)


def test_relations_schema_matches_resolution_domain_range():
    for relation, signature in ENTITY_SIGNATURES.items():
        assert DOMAIN_RANGE[relation] == signature
    assert {rel for rel, _ in SCIERC_TO_KGRAPH.values()} == set(ENTITY_SIGNATURES)


@pytest.fixture(scope="module")
def classifier():
    return RelationClassifier.from_disk()


def test_relations_bundled_model_is_small_and_loads(classifier):
    assert DEFAULT_MODEL_PATH.stat().st_size < 5 * 1024 * 1024
    assert classifier.labels == CLASSES
    assert classifier.meta["trained_on"]["train"]["file"] == "train.json"
    assert classifier.meta["trained_on"]["dev"]["file"] == "dev.json"
    assert "test" not in classifier.meta["trained_on"]


def test_relations_model_round_trips_through_bytes(classifier):
    doc = _parsed_doc()
    feats = [pair_features(doc, doc[:], Arg(0, 1, "Method"), Arg(4, 6, "Task"))]
    again = RelationClassifier.from_bytes(classifier.to_bytes())
    assert numpy.allclose(again.scores(feats), classifier.scores(feats))
    assert again.none_bias == classifier.none_bias


class _Always:
    """A stand-in classifier that gives every pair the same class."""

    def __init__(self, name: str, score: float = 0.9):
        self.row = [score if c == name else (1 - score) / (len(CLASSES) - 1) for c in CLASSES]
        self.labels = CLASSES

    def scores(self, features):
        return [self.row for _ in features]

    def decide(self, row):
        best = max(range(len(row)), key=row.__getitem__)
        return CLASSES[best], row[best]


@pytest.mark.parametrize(
    "name, types, expected",
    [
        ("USED-FOR>", (M, T), [(0, R.USED_FOR, 1)]),
        ("USED-FOR<", (M, T), []),  # task used for method: outside the schema
        ("EVALUATE-FOR<", (M, D), [(0, R.EVALUATED_ON, 1)]),  # "D EVALUATE-FOR M": M evaluated_on D
        ("HYPONYM-OF>", (M, M), [(0, R.EXTENDS, 1)]),
        ("CONJUNCTION", (M, M), []),  # no kgraph counterpart
        ("USED-FOR>", (T, T), []),
    ],
)
def test_relations_model_relations_obey_the_schema(name, types, expected):
    doc = _parsed_doc()
    mentions = [Candidate(0, 1, types[0], "test"), Candidate(4, 6, types[1], "test")]
    found = model_relations(doc, mentions, _Always(name))
    assert [(r.head, r.relation, r.tail) for r in found] == expected
    for r in found:
        assert r.extractor == EXTRACTOR
        assert doc.text[r.sent_start : r.sent_end] == doc.text.strip()


def test_relations_model_leaves_rule_pairs_and_weak_scores_alone():
    doc = _parsed_doc()
    mentions = [Candidate(0, 1, M, "test"), Candidate(4, 6, T, "test")]
    rule = FoundRelation(0, R.USED_FOR, 1, 0, len(doc.text), "pattern:purpose")
    assert model_relations(doc, mentions, _Always("USED-FOR>"), existing=[rule]) == []
    assert model_relations(doc, mentions, _Always("USED-FOR>", score=0.4), min_score=0.5) == []


def test_relations_pipeline_runs_the_classifier_after_the_rules():
    from kgraph.nlp.pipeline import load_pipeline

    names = load_pipeline(relations="rules").pipe_names
    assert names.index("kgraph_relations_v1") < names.index("kgraph_relcat_v1")
    assert "kgraph_pairs_v1" not in names


def test_relations_stats_shows_counts_by_type_and_support(tmp_path):
    import networkx as nx
    from click.testing import CliRunner

    from kgraph.cli import cli
    from kgraph.export.json import write_graph_json

    graph = nx.MultiDiGraph()
    for node, kind in (("method:a", "method"), ("method:b", "method"), ("task:t", "task")):
        graph.add_node(node, type=kind, label=node, papers=[])
    evidence = {"paper": "p", "field": "abstract", "start": 0, "end": 1, "sentence": "x"}
    graph.add_edge("method:a", "task:t", key="used_for", relation="used_for", support=3,
                   evidence=[{**evidence, "extractor": "pattern:purpose"}], extractors=["pattern:purpose"])
    graph.add_edge("method:b", "task:t", key="used_for", relation="used_for", support=1,
                   evidence=[{**evidence, "extractor": EXTRACTOR}], extractors=[EXTRACTOR])
    graph.add_edge("method:a", "method:b", key="extends", relation="extends", support=1,
                   evidence=[{**evidence, "extractor": "pattern:extends"}], extractors=["pattern:extends"])
    write_graph_json(graph, tmp_path / "graph.json")
    result = CliRunner().invoke(cli, ["stats", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.startswith("  ")}
    assert rows["used_for"] == ["2", "1", "0", "1", "3", "1"]
    assert rows["extends"] == ["1", "1", "0", "0", "1", "0"]
