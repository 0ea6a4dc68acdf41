"""Relations: the rule patterns on hand-checked sentences, and what the schema allows."""

from __future__ import annotations

import pytest

from kgraph.model import EntityType, Paper, RelationType
from kgraph.nlp.extract import extract_paper
from kgraph.nlp.pairs import SCHEMA
from kgraph.resolve.entities import DOMAIN_RANGE

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


# -------------------------------------------------------------- the schema and the pipeline


def test_relations_learned_schema_matches_resolution_domain_range():
    """What the pair model may relate is what entity resolution keeps (method -> task, dataset, method)."""
    allowed: dict[RelationType, set] = {}
    for (head, tail), relations in SCHEMA.items():
        for relation in relations:
            allowed.setdefault(RelationType(relation), set()).add((EntityType(head), EntityType(tail)))
    for relation, pairs in allowed.items():
        domain, range_ = DOMAIN_RANGE[relation]
        assert pairs == {(h, t) for h in domain for t in range_}


def test_relations_rules_mode_runs_the_sentence_rules_alone_on_the_parse():
    from kgraph.nlp.pipeline import load_pipeline

    nlp = load_pipeline(relations="rules")
    names = nlp.pipe_names
    assert "parser" in names and names.index("parser") < names.index("kgraph_relations_v1")
    assert names[-1] == "kgraph_relations_v1" and "kgraph_pairs_v1" not in names
    assert nlp.get_pipe_config("kgraph_relations_v1")["entity_relations"] is True


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
                   evidence=[{**evidence, "extractor": "model:pairs"}], extractors=["model:pairs"])
    graph.add_edge("method:a", "method:b", key="extends", relation="extends", support=1,
                   evidence=[{**evidence, "extractor": "pattern:extends"}], extractors=["pattern:extends"])
    write_graph_json(graph, tmp_path / "graph.json")
    result = CliRunner().invoke(cli, ["stats", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.startswith("  ")}
    assert rows["used_for"] == ["2", "1", "0", "1", "3", "1"]
    assert rows["extends"] == ["1", "1", "0", "0", "1", "0"]


def test_relations_subject_rules_need_a_parse():
    """Without a parse there is no subject: spaCy's Span.root of an unparsed doc reads unset memory
    (it crashed the fast pipeline on real arXiv abstracts)."""
    import spacy

    from kgraph.nlp.candidates import Candidate
    from kgraph.nlp.relations import _clause_subject, _sentence_subject

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("Through experiments on segmentation, BarNet demonstrates strong results.")
    sent = next(doc.sents)
    task = Candidate(3, 4, EntityType.TASK, "test")
    method = Candidate(5, 6, EntityType.METHOD, "test")
    assert _sentence_subject(sent, [task, method], [1]) is None
    assert _clause_subject(doc, [task, method], [1], task) is None
