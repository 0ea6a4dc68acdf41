"""Entity resolution on hand-built extractions: what merges and what stays apart."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgraph.model import (
    AcronymDefinition,
    EntityType,
    LocalRelation,
    Mention,
    Paper,
    PaperExtraction,
    RelationType,
    Span,
)
from kgraph.resolve import canonical_key, resolve

M, T, D = EntityType.METHOD, EntityType.TASK, EntityType.DATASET


def _extraction(pid: str, abstract: str, spans, acronyms=(), relations=()):
    """spans: (text, type, lemma, extras) found in order in the abstract."""
    paper = Paper(id=pid, title=f"Paper {pid}", abstract=abstract)
    mentions = []
    cursor = 0
    for text, kind, *rest in spans:
        start = abstract.index(text, cursor)
        cursor = start + len(text)
        extras = rest[1] if len(rest) > 1 else {}
        mentions.append(Mention("abstract", start, cursor, text, kind, "test", lemma=rest[0] if rest else text, **extras))
    return PaperExtraction(paper, tuple(mentions), tuple(acronyms), tuple(relations))


@pytest.mark.parametrize(
    "a, b",
    [("Forward-Forward", "forward forward"), ("Diffusion Models", "diffusion models"),
     ("the transformer", "Transformer"), ("φ-Decoding", "φ decoding")],
)
def test_resolve_canonical_key_folds_variants(a, b):
    assert canonical_key(a) == canonical_key(b)


@pytest.mark.parametrize("a, b", [("GAN", "gan"), ("diffusion model", "latent diffusion model")])
def test_resolve_canonical_key_keeps_apart(a, b):
    assert canonical_key(a) != canonical_key(b)


@given(st.text())
def test_resolve_canonical_key_is_idempotent(text):
    key = canonical_key(text)
    assert canonical_key(key) == key


def test_resolve_plurals_merge_through_lemmas():
    ex1 = _extraction("1", "Diffusion models are good.", [("Diffusion models", M, "Diffusion model")])
    ex2 = _extraction("2", "A diffusion model works.", [("diffusion model", M, "diffusion model")])
    res = resolve([ex1, ex2])
    assert len(res.entities) == 1
    entity = res.entities[0]
    assert entity.papers == ("paper:1", "paper:2")
    assert dict(entity.aliases) == {"Diffusion models": 1, "diffusion model": 1}


def test_resolve_keeps_latent_diffusion_model_apart():
    ex = _extraction("1", "A latent diffusion model extends the diffusion model.",
                     [("latent diffusion model", M), ("diffusion model", M)])
    res = resolve([ex])
    assert len(res.entities) == 2


def test_resolve_label_is_the_common_spelling_of_an_undefined_name():
    # "CIFAR-10" looks like an acronym and "CIFAR 10" does not; no paper defines CIFAR-10, so the
    # spelling most mentions use names the node, not the one stray variant
    exs = [_extraction(str(i), "We test on CIFAR-10 here.", [("CIFAR-10", D)]) for i in range(3)]
    exs.append(_extraction("9", "We test on CIFAR 10 here.", [("CIFAR 10", D)]))
    res = resolve(exs)
    assert [e.label for e in res.entities] == ["CIFAR-10"]


def test_resolve_acronym_defined_once_resolves_everywhere():
    acr = AcronymDefinition("DEQs", "Deep Equilibrium Models", "abstract", 0, 30)
    ex1 = _extraction(
        "1", "Deep Equilibrium Models (DEQs) are implicit.",
        [("Deep Equilibrium Models", M, "Deep Equilibrium model", {"short_form": "DEQs", "long_form": "Deep Equilibrium Models"}),
         ("DEQs", M, "DEQ", {"short_form": "DEQs", "long_form": "Deep Equilibrium Models"})],
        acronyms=[acr],
    )
    ex2 = _extraction("2", "We train DEQs faster.", [("DEQs", M, "DEQ")])
    res = resolve([ex1, ex2])
    assert len(res.entities) == 1
    entity = res.entities[0]
    assert entity.label == "Deep Equilibrium Models"
    assert entity.id == "method:deep-equilibrium-models"
    assert set(entity.papers) == {"paper:1", "paper:2"}


def test_resolve_conflicting_acronyms_stay_apart_and_are_reported():
    def defining(pid, long):
        text = f"{long} (PM) is used."
        return _extraction(pid, text, [(long, M, long, {"short_form": "PM", "long_form": long}),
                                       ("PM", M, "PM", {"short_form": "PM", "long_form": long})],
                           acronyms=[AcronymDefinition("PM", long, "abstract", 0, len(long) + 5)])
    res = resolve([defining("1", "Particle Mesh"), defining("2", "Policy Mirror"),
                   _extraction("3", "PM again.", [("PM", M)])])
    labels = {e.label for e in res.entities}
    assert {"Particle Mesh", "Policy Mirror"} <= labels
    assert len(res.entities) == 3
    assert [c.short_form for c in res.acronym_conflicts] == ["PM"]


def test_resolve_gazetteer_links_full_and_short_names():
    ex1 = _extraction("1", "Residual Network wins.", [("Residual Network", M, "Residual network", {"known_id": "pwc:method/resnet"})])
    ex2 = _extraction("2", "ResNet wins.", [("ResNet", M, "ResNet", {"known_id": "pwc:method/resnet"})])
    res = resolve([ex1, ex2])
    assert len(res.entities) == 1
    assert res.entities[0].known_id == "pwc:method/resnet"


def test_resolve_type_by_majority():
    exs = [_extraction(str(i), "3D reconstruction here.", [("3D reconstruction", T)]) for i in range(2)]
    exs.append(_extraction("9", "3D reconstruction here.", [("3D reconstruction", M)]))
    assert resolve(exs).entities[0].type is T


def test_resolve_aggregates_relations_with_evidence_and_support():
    def ex(pid):
        text = "X1Net is used for image denoising."
        return _extraction(pid, text, [("X1Net", M), ("image denoising", T)],
                           relations=[LocalRelation(0, RelationType.USED_FOR, 1, Span("abstract", 0, len(text)), "rule"),
                                      LocalRelation(None, RelationType.MENTIONS, 0, Span("abstract", 0, len(text)), "rule"),
                                      LocalRelation(None, RelationType.PROPOSES, 0, Span("abstract", 0, len(text)), "rule")])
    res = resolve([ex("1"), ex("2")])
    used = [r for r in res.relations if r.relation is RelationType.USED_FOR]
    assert len(used) == 1
    assert used[0].support == 2
    assert used[0].evidence[0].sentence == "X1Net is used for image denoising."
    # a paper that proposes X1Net does not also merely mention it
    assert not [r for r in res.relations if r.relation is RelationType.MENTIONS]


def test_resolve_drops_relations_outside_the_schema():
    text = "Foo dataset is used for bar detection."
    ex = _extraction("1", text, [("Foo", D), ("bar detection", T)],
                     relations=[LocalRelation(0, RelationType.USED_FOR, 1, Span("abstract", 0, len(text)), "rule")])
    res = resolve([ex])
    assert not res.relations
    assert res.dropped_relations == 1


def test_resolve_ids_are_unique_and_deterministic():
    exs = [_extraction("1", "GAN and gan.", [("GAN", M), ("gan", M)])]
    first, second = resolve(exs), resolve(exs)
    assert first == second
    ids = [e.id for e in first.entities]
    assert len(ids) == len(set(ids)) == 2
