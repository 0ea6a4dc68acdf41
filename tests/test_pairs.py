"""The learned relation/proposal model's run-time parts, on a synthetic model and hand-built docs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc

from kgraph.model import EntityType, RelationType
from kgraph.nlp.candidates import Candidate
from kgraph.nlp.components import PairComponent, local_entities
from kgraph.nlp.pairs import CLASSES, PairEntity, PairModel, candidate_pairs, entity_features, pair_features

DIM = 4


def write_model(path, bias, proposal_bias=0.0):
    """A model whose scores ignore the input: every pair gets softmax(bias) (within what its types allow)."""
    width = 2 * (DIM + 6) + 2 * DIM + 6
    arrays = {}
    for prefix, n_in, n_out, b in (("rel", width, len(CLASSES), bias), ("prop", DIM + 6, 1, [proposal_bias])):
        arrays |= {f"{prefix}_mean": np.zeros(n_in, np.float32), f"{prefix}_scale": np.ones(n_in, np.float32),
                   f"{prefix}_w1": np.zeros((n_in, 3), np.float32), f"{prefix}_b1": np.ones(3, np.float32),
                   f"{prefix}_w2": np.zeros((3, n_out), np.float32), f"{prefix}_b2": np.array(b, np.float32)}
    np.savez(path / "pairs.npz", **arrays)
    (path / "pairs.json").write_text(json.dumps({"classes": list(CLASSES), "min_score": 0.5, "min_proposed": 0.5}))
    return PairModel(path)


def test_candidate_pairs_follow_the_schema():
    ents = [PairEntity("method", ()), PairEntity("task", ()), PairEntity("dataset", ()), PairEntity("method", ())]
    assert candidate_pairs(ents) == [(0, 1), (0, 2), (0, 3), (3, 0), (3, 1), (3, 2)]


def test_features_read_mentions_and_shared_sentences():
    vecs = [np.zeros((2, DIM), np.float32), np.arange(6 * DIM, dtype=np.float32).reshape(6, DIM)]
    ents = [PairEntity("method", ((1, 0, 1),)), PairEntity("task", ((1, 4, 6),)), PairEntity("dataset", ((0, 0, 1),))]
    e = entity_features(vecs, ents)
    assert e[1, :DIM].tolist() == vecs[1][4:6].mean(axis=0).tolist()
    assert e[2, DIM + 3] == 1.0 and e[0, DIM + 3] == 0.0  # named in the title
    x = pair_features(vecs, ents, [(0, 1), (0, 2)])
    context = x[:, 2 * (DIM + 6) + DIM : 2 * (DIM + 6) + 2 * DIM]
    assert context[0].tolist() == vecs[1][1:4].mean(axis=0).tolist()  # the words between them
    assert context[1].tolist() == [0.0] * DIM  # no sentence names both
    flags = x[:, -6:]
    assert flags[0, 0] == 1.0 and flags[1, 0] == 0.0 and flags[0, 3] == 1.0  # shared; head first


def test_relations_keep_one_per_pair_and_compared_with_once(tmp_path):
    #            none used_for evaluated_on compared_with extends part_of
    model = write_model(tmp_path, [0.0, 2.0, 2.0, 3.0, 1.0, 1.0])
    vecs = [np.ones((5, DIM), np.float32)]
    ents = [PairEntity("method", ((0, 0, 1),)), PairEntity("method", ((0, 2, 3),)), PairEntity("task", ((0, 4, 5),))]
    found = [(p.head, p.relation, p.tail) for p in model.relations_of(vecs, ents)]
    assert found == [(0, "compared_with", 1), (0, "used_for", 2), (1, "used_for", 2)]
    assert model.relations_of(vecs, ents, min_score=0.99) == []


def _doc():
    words = ["Fast3R", "\n\n", "We", "compare", "Fast3R", "with", "DUSt3R", "on", "CO3D", ".",
             "Fast3Rs", "help", "3D", "reconstruction", "."]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[False, False] + [True] * 13,
              sent_starts=[True, False, True] + [False] * 7 + [True] + [False] * 4)
    return doc


def test_local_entities_group_same_words_of_one_type():
    doc = _doc()
    m = [Candidate(0, 1, EntityType.METHOD, "model"), Candidate(4, 5, EntityType.METHOD, "model"),
         Candidate(6, 7, EntityType.METHOD, "model"), Candidate(8, 9, EntityType.DATASET, "model"),
         Candidate(10, 11, EntityType.METHOD, "model"), Candidate(12, 14, EntityType.TASK, "model")]
    assert local_entities(doc, m) == [[0, 1, 4], [2], [3], [5]]


def test_component_marks_proposals_and_cites_the_shared_sentence(tmp_path):
    doc = _doc()
    doc._.kgraph_mentions = [Candidate(0, 1, EntityType.METHOD, "title:prefix", proposed=True),
                             Candidate(4, 5, EntityType.METHOD, "model"), Candidate(6, 7, EntityType.METHOD, "model"),
                             Candidate(8, 9, EntityType.DATASET, "model"), Candidate(12, 14, EntityType.TASK, "model")]
    doc._.kgraph_vectors = np.ones((len(doc), DIM), np.float32)
    model = write_model(tmp_path, [0.0, -5.0, 2.0, -5.0, -5.0, -5.0], proposal_bias=-3.0)
    PairComponent(model, proposals="learned")(doc)
    assert not any(m.proposed for m in doc._.kgraph_mentions)  # the learned mark replaces the rules'
    rels = [(r.head, r.relation, r.tail, doc.text[r.sent_start : r.sent_end]) for r in doc._.kgraph_relations]
    # every method is evaluated on CO3D; the sentence naming both is the evidence
    assert (1, RelationType.EVALUATED_ON, 3, "We compare Fast3R with DUSt3R on CO3D .") in rels
    assert (2, RelationType.EVALUATED_ON, 3, "We compare Fast3R with DUSt3R on CO3D .") in rels
    assert all(r.extractor == "model:pairs" for r in doc._.kgraph_relations)
    doc._.kgraph_relations = []
    PairComponent(model, proposals="both")(doc)
    assert [m.proposed for m in doc._.kgraph_mentions][:1] == [False]  # "both" keeps marks present when it runs


def test_component_leaves_a_doc_without_vectors_alone(tmp_path):
    doc = _doc()
    doc._.kgraph_mentions = [Candidate(4, 5, EntityType.METHOD, "model")]
    doc._.kgraph_vectors = None
    doc._.kgraph_relations = []
    PairComponent(write_model(tmp_path, [0.0] * 6))(doc)
    assert doc._.kgraph_relations == []


def test_a_model_with_other_classes_is_refused(tmp_path):
    write_model(tmp_path, [0.0] * 6)
    (tmp_path / "pairs.json").write_text(json.dumps({"classes": ["none", "uses"]}))
    with pytest.raises(ValueError, match="relation classes"):
        PairModel(tmp_path)


def test_local_entities_join_the_halves_of_an_acronym_definition():
    from kgraph.nlp.acronyms import AcronymPair

    words = ["Low", "-", "rank", "adaptation", "(", "LoRA", ")", "helps", ";", "LoRA", "works", "."]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[False, False, True, True, False, False, True, False,
                                                            True, True, False, False])
    doc._.kgraph_acronyms = [AcronymPair(0, 4, 5, 6, "Low-rank adaptation", "LoRA")]
    m = [Candidate(0, 4, EntityType.METHOD, "model"), Candidate(5, 6, EntityType.METHOD, "model"),
         Candidate(9, 10, EntityType.METHOD, "model")]
    assert local_entities(doc, m) == [[0, 1, 2]]
    doc._.kgraph_acronyms = []
    assert local_entities(doc, m) == [[0], [1, 2]]
