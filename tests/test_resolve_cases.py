"""Entity resolution: normalizer properties, order independence, and cases from the bundled corpus."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
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
from kgraph.resolve import resolve
from kgraph.resolve.entities import in_longer_name
from kgraph.resolve.normalize import canonical_key, entity_key, lemma_key_text, looks_like_short_form

M, T, D = EntityType.METHOD, EntityType.TASK, EntityType.DATASET


def _paper(pid: str, parts, relations=()):
    """parts: (text, type, lemma, short_form, long_form) joined by ". " into the abstract."""
    abstract, mentions, acronyms = "", [], []
    for text, kind, lemma, short, long in parts:
        if abstract:
            abstract += ". "
        start = len(abstract)
        abstract += text
        mentions.append(Mention("abstract", start, start + len(text), text, kind, "test", lemma=lemma,
                                short_form=short, long_form=long))
        if short and text == long:
            acronyms.append(AcronymDefinition(short, long, "abstract", start, start + len(text)))
    rels = tuple(LocalRelation(h, r, t, Span("abstract", 0, len(abstract)), "test") for h, r, t in relations
                 if (h is None or h < len(mentions)) and t < len(mentions))
    return PaperExtraction(Paper(pid, f"Paper {pid}", abstract), tuple(mentions), tuple(acronyms), rels)


# (text, type, lemma, short form, long form): plain names, variants, acronyms and their definitions
NAMES = [
    ("diffusion models", M, "diffusion model", None, None),
    ("Diffusion Models", M, "Diffusion model", None, None),
    ("latent diffusion model", M, "latent diffusion model", None, None),
    ("DMs", M, "DM", None, None),
    ("Diffusion Models", M, "Diffusion model", "DMs", "Diffusion Models"),
    ("DMs", M, "DM", "DMs", "Diffusion Models"),
    ("Forward-Forward", M, "Forward-Forward", "FF", "Forward-Forward"),
    ("FF", M, "FF", "FF", "Forward-Forward"),
    ("forward-forward algorithm", M, "forward-forward algorithm", "FF", "forward-forward algorithm"),
    ("FF", M, "FF", None, None),
    ("Particle Mesh", M, "Particle Mesh", "PM", "Particle Mesh"),
    ("Policy Mirror", M, "Policy Mirror", "PM", "Policy Mirror"),
    ("PM", M, "PM", None, None),
    ("GAN", M, "GAN", None, None),
    ("gan", M, "gan", None, None),
    ("3D reconstruction", T, "3D reconstruction", None, None),
    ("3D Reconstruction", M, "3D Reconstruction", None, None),
    ("ImageNet", D, "ImageNet", None, None),
]
RELATIONS = [RelationType.USED_FOR, RelationType.EVALUATED_ON, RelationType.COMPARED_WITH,
             RelationType.EXTENDS, RelationType.MENTIONS]

papers = st.lists(
    st.tuples(
        st.lists(st.sampled_from(NAMES), min_size=1, max_size=5),
        st.lists(st.tuples(st.integers(0, 4), st.sampled_from(RELATIONS), st.integers(0, 4)), max_size=3),
    ),
    min_size=1, max_size=6,
)


def _corpus(drawn):
    return [
        _paper(f"p{k}", parts, [(None if r is RelationType.MENTIONS else h, r, t) for h, r, t in rels])
        for k, (parts, rels) in enumerate(drawn)
    ]


def _by_paper(res, extractions):
    return {ex.paper.id: ids for ex, ids in zip(extractions, res.mention_entities)}


@settings(max_examples=60, deadline=None)
@given(papers, st.randoms(use_true_random=False))
def test_resolve_merges_do_not_depend_on_paper_order(drawn, rnd):
    corpus = _corpus(drawn)
    shuffled = list(corpus)
    rnd.shuffle(shuffled)
    a, b = resolve(corpus), resolve(shuffled)
    assert a.entities == b.entities
    assert a.relations == b.relations
    assert a.acronym_conflicts == b.acronym_conflicts
    assert sorted(a.merges, key=repr) == sorted(b.merges, key=repr)
    assert _by_paper(a, corpus) == _by_paper(b, shuffled)


@settings(max_examples=40, deadline=None)
@given(papers)
def test_resolve_every_relation_has_evidence_from_its_papers(drawn):
    corpus = _corpus(drawn)
    texts = {ex.paper.id: ex.paper for ex in corpus}
    for rel in resolve(corpus).relations:
        assert rel.evidence and rel.support >= 1
        for ev in rel.evidence:
            assert texts[ev.paper_id].text(ev.field)[ev.start : ev.end] == ev.sentence
            assert ev.extractor


@given(st.text())
def test_resolve_entity_key_is_idempotent(text):
    key = entity_key(text)
    assert entity_key(key) == key
    assert canonical_key(canonical_key(text)) == canonical_key(text)


@given(st.text(alphabet="abcAB-3 ", max_size=12), st.text(alphabet="abcAB-3 ", max_size=12))
def test_resolve_lemma_key_text_returns_text_or_lemma(text, lemma):
    assert lemma_key_text(text, lemma) in {text, lemma}


@pytest.mark.parametrize(
    "text, expected",
    [("NLI", True), ("DEQs", True), ("Fast3R", True), ("GPT-4", True), ("3D-GS", True), ("FB-GVI", True),
     ("Bures-Wasserstein", False), ("Mono-Forward", False), ("Cascaded-Forward", False), ("Euler-Maruyama", False),
     ("diffusion", False), ("Diffusion Models", False)],
)
def test_resolve_short_form_shape(text, expected):
    assert looks_like_short_form(text) is expected


# -------------------------------------------------------------- wrong merges seen on the bundled corpus


def test_resolve_hyphenated_long_form_is_the_label_not_its_acronym():
    # bundled corpus: "Bures-Wasserstein (BW)" became an entity labelled "BW"
    ex = _paper("1", [("Bures-Wasserstein", M, "Bures-Wasserstein", "BW", "Bures-Wasserstein"),
                      ("BW", M, "BW", "BW", "Bures-Wasserstein"), ("BW", M, "BW", None, None)])
    (entity,) = resolve([ex]).entities
    assert entity.label == "Bures-Wasserstein"
    assert entity.id == "method:bures-wasserstein"


def test_resolve_acronym_inside_a_longer_name_is_not_resolved_across_papers():
    # bundled corpus: "an ARM Cortex-M4f device" joined "autoregressive models (ARMs)"
    defining = _paper("1", [("autoregressive models", M, "autoregressive model", "ARMs", "autoregressive models"),
                            ("ARMs", M, "ARM", "ARMs", "autoregressive models")])
    device = PaperExtraction(
        Paper("2", "Paper 2", "It runs on an ARM Cortex-M4f device."),
        (Mention("abstract", 14, 17, "ARM", M, "test", lemma="ARM"),),
    )
    bare = _paper("3", [("ARMs", M, "ARM", None, None)])
    res = resolve([defining, device, bare])
    ids = _by_paper(res, [defining, device, bare])
    assert ids["3"][0] == ids["1"][0]  # a bare use elsewhere is resolved
    assert ids["2"][0] != ids["1"][0]  # the processor name is not


@pytest.mark.parametrize(
    "text, start, end, title, expected",
    [("on an ARM Cortex-M4f device", 6, 9, False, True),
     ("while Neural ODEs are stable", 13, 17, False, True),
     ("Neural ODEs are stable", 7, 11, False, False),  # sentence-initial: no telling
     ("Accelerating LLM Inference", 13, 16, True, False),  # titles capitalise every word
     ("of LLM's output", 3, 6, False, False)],
)
def test_resolve_in_longer_name(text, start, end, title, expected):
    assert in_longer_name(text, start, end, title=title) is expected


def test_resolve_verb_lemmas_of_ing_nouns_do_not_merge_names():
    # the lemmatizer gives "forecasting" -> "forecast": a task would join its output
    a = _paper("1", [("time series forecasting", T, "time series forecast", None, None)])
    b = _paper("2", [("time series forecast", T, "time series forecast", None, None)])
    c = _paper("3", [("Time Series Forecasting", T, "Time Series Forecasting", None, None)])
    res = resolve([a, b, c])
    ids = _by_paper(res, [a, b, c])
    assert ids["1"] == ids["3"] != ids["2"]


def test_resolve_latent_diffusion_model_stays_apart_but_extends():
    text_rel = [(0, RelationType.EXTENDS, 1)]
    ex = _paper("1", [("latent diffusion models", M, "latent diffusion model", None, None),
                      ("diffusion models", M, "diffusion model", None, None)], text_rel)
    res = resolve([ex])
    assert len(res.entities) == 2
    (rel,) = res.relations
    assert (rel.head, rel.relation, rel.tail) == ("method:latent-diffusion-models", RelationType.EXTENDS,
                                                   "method:diffusion-models")


# -------------------------------------------------------------- acronym cases on the bundled corpus


def _aliases(graph):
    return {n: set(d.get("aliases") or []) for n, d in graph.nodes(data=True) if d["type"] != "paper"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "forms",
    [
        {"FF", "Forward-Forward"},             # "Forward-Forward (FF)" / "forward-forward algorithm": one reading
        {"DEQs", "Deep Equilibrium Models"},   # defined in one abstract, used bare in another
        {"DDPM", "Denoising Diffusion Probabilistic Models"},
        {"Fast3R", "Fast 3D Reconstruction"},
    ],
)
def test_resolve_corpus_acronyms_join_their_long_forms(corpus_build, forms):
    assert any(forms <= aliases for aliases in _aliases(corpus_build.graph).values()), forms


@pytest.mark.slow
def test_resolve_corpus_known_wrong_merges_stay_fixed(corpus_build):
    graph = corpus_build.graph
    aliases = _aliases(graph)
    autoregressive = [n for n, a in aliases.items() if "autoregressive model" in a]
    assert autoregressive and all("ARM" not in aliases[n] for n in autoregressive)
    # "Bures-Wasserstein (BW) space": a space, which the tagger may leave out; never a node labelled "BW"
    bures = [n for n, a in aliases.items() if "Bures-Wasserstein" in a]
    assert all(graph.nodes[n]["label"] == "Bures-Wasserstein" for n in bures)
    assert not any(d.get("label") == "BW" for _, d in graph.nodes(data=True))
    report = corpus_build.report["resolution"]
    assert report["entities"] < report["distinct_keys"] < report["mentions"]


def _labels(resolution):
    return {e.label: set(dict(e.aliases)) for e in resolution.entities}


def test_resolve_joins_a_name_written_with_and_without_spaces():
    papers = [
        _paper("a", [("fine-tuning", M, "fine-tuning", None, None), ("back-propagation", M, "back-propagation", None, None)]),
        _paper("b", [("finetuning", M, "finetuning", None, None), ("backpropagation", M, "backpropagation", None, None)]),
        _paper("c", [("GenerativeAdapter", M, "GenerativeAdapter", None, None)]),
        _paper("d", [("Generative Adapter", M, "Generative Adapter", None, None), ("GAN", M, "GAN", None, None),
                     ("gan", M, "gan", None, None)]),
    ]
    groups = [aliases for aliases in _labels(resolve(papers)).values()]
    assert {"fine-tuning", "finetuning"} in groups
    assert {"back-propagation", "backpropagation"} in groups
    assert {"GenerativeAdapter", "Generative Adapter"} in groups
    assert {"GAN"} in groups and {"gan"} in groups  # case alone never joins


def test_resolve_joins_a_name_and_the_name_with_a_generic_word():
    papers = [
        _paper("a", [("Forward-Forward algorithm", M, "Forward-Forward algorithm", None, None),
                     ("diffusion model", M, "diffusion model", None, None)]),
        _paper("b", [("Forward-Forward", M, "Forward-Forward", None, None), ("Diffusion", M, "Diffusion", None, None)]),
    ]
    groups = [aliases for aliases in _labels(resolve(papers)).values()]
    assert {"Forward-Forward algorithm", "Forward-Forward"} in groups
    # "diffusion" is no name (a capital only where a sentence starts): it stays apart from the model
    assert {"diffusion model"} in groups and {"Diffusion"} in groups


def _definition(pid: str, long: str, short: str, extra=()):
    return _paper(pid, [(long, M, long, short, long), (short, M, short, short, long), *extra])


def test_resolve_a_dominant_reading_stands_for_bare_uses_and_a_minority_reading_stays_in_its_paper() -> None:
    """At scale every acronym meets a typo or another subfield's meaning: the reading most
    definitions give still stands for the bare short form; a paper that defines another keeps it."""
    papers = [_definition(f"d{i}", "Retrieval-Augmented Generation", "RAG") for i in range(9)]
    papers.append(_definition("typo", "Retrieval-Agumented Generation", "RAG"))
    papers.append(_definition("spaced", "retrieval augmented generation", "RAG"))
    papers.append(_definition("other", "Region Adjacency Graph", "RAG"))
    papers += [_paper(f"bare{i}", [("RAG", M, "RAG", None, None)]) for i in range(3)]
    res = resolve(papers)
    rag = next(e for e in res.entities if e.label == "Retrieval-Augmented Generation")
    assert {"paper:bare0", "paper:bare1", "paper:bare2", "paper:d0", "paper:spaced"} <= set(rag.papers)
    assert "paper:other" not in rag.papers and "paper:typo" not in rag.papers
    graph = next(e for e in res.entities if e.label == "Region Adjacency Graph")
    assert graph.papers == ("paper:other",) and "RAG" in dict(graph.aliases)


def test_resolve_no_dominant_reading_keeps_bare_uses_apart() -> None:
    papers = [_definition("a", "Particle Mesh", "PM"), _definition("b", "Policy Mirror", "PM"),
              _paper("bare", [("PM", M, "PM", None, None)])]
    res = resolve(papers)
    bare = [e for e in res.entities if "paper:bare" in e.papers]
    assert len(bare) == 1 and bare[0].papers == ("paper:bare",)


def test_resolve_a_name_with_its_acronym_written_out_is_one_entity() -> None:
    papers = [_definition(f"d{i}", "Large Language Models", "LLMs") for i in range(3)]
    papers.append(_paper("short", [("Multimodal LLMs", M, "Multimodal LLM", None, None)]))
    papers.append(_paper("long", [("multimodal large language models", M, "multimodal large language model",
                                   None, None)]))
    res = resolve(papers)
    joined = [e for e in res.entities if "paper:short" in e.papers]
    assert len(joined) == 1 and "paper:long" in joined[0].papers


def test_resolve_names_that_differ_in_case_or_spacing_are_one_entity_but_coined_acronyms_keep_their_case() -> None:
    names = [("Multi-Layer Perceptron", "Multi-Layer Perceptron"), ("multilayer perceptron", "multilayer perceptron"),
             ("DINOv2", "DINOv2"), ("DinoV2", "DinoV2"), ("SEC", "SEC"), ("SeC", "SeC")]
    papers = [_paper(f"p{i}", [(text, M, lemma, None, None)]) for i, (text, lemma) in enumerate(names)]
    res = resolve(papers)
    by_paper = {p: e.id for e in res.entities for p in e.papers}
    assert by_paper["paper:p0"] == by_paper["paper:p1"]
    assert by_paper["paper:p2"] == by_paper["paper:p3"]
    assert by_paper["paper:p4"] != by_paper["paper:p5"]


def _extends(pid: str, head: str, tail: str) -> PaperExtraction:
    parts = [(head, M, head, None, None), (tail, M, tail, None, None)]
    return _paper(pid, parts, relations=[(0, RelationType.EXTENDS, 1)])


def _extends_edges(res) -> list[tuple[str, str, int]]:
    """The resolved ``extends`` edges as (head label, tail label, support), in the resolution's order."""
    labels = {e.id: e.label for e in res.entities}
    return [(labels[r.head], labels[r.tail], r.support) for r in res.relations if r.relation is RelationType.EXTENDS]


def test_resolve_keeps_the_direction_of_extends_more_papers_give():
    papers = [_extends("a1", "offline RL", "reinforcement learning"),
              _extends("a2", "offline RL", "reinforcement learning"),
              _extends("b1", "reinforcement learning", "offline RL")]
    res = resolve(papers)
    assert _extends_edges(res) == [("offline RL", "reinforcement learning", 2)]
    assert res.outvoted_relations == 1


def test_resolve_keeps_both_directions_on_a_tie_and_compared_with_is_never_outvoted():
    papers = [_extends("a1", "offline RL", "reinforcement learning"),
              _extends("b1", "reinforcement learning", "offline RL")]
    res = resolve(papers)
    assert len([r for r in res.relations if r.relation is RelationType.EXTENDS]) == 2
    assert res.outvoted_relations == 0
    compared = [_paper(p, [(h, M, h, None, None), (t, M, t, None, None)], relations=[(0, RelationType.COMPARED_WITH, 1)])
                for p, h, t in (("c1", "BERT", "GPT"), ("c2", "BERT", "GPT"), ("c3", "GPT", "BERT"))]
    res = resolve(compared)
    assert [r.support for r in res.relations if r.relation is RelationType.COMPARED_WITH] == [3]


def test_resolve_joins_a_year_written_short_with_the_year_written_out():
    names = ["AIME 2024", "AIME 24", "AIME'24", "AIME 2025", "AIME 25", "VOC2007", "VOC07", "ResNet 18", "AIME"]
    papers = [_paper(f"y{i}", [(name, D, name, None, None)]) for i, name in enumerate(names)]
    res = resolve(papers)
    groups = sorted(sorted(alias for alias, _ in e.aliases) for e in res.entities)
    assert ["AIME 2024", "AIME 24", "AIME'24"] in groups
    assert ["AIME 2025", "AIME 25"] in groups
    assert ["VOC07", "VOC2007"] in groups
    assert ["ResNet 18"] in groups and ["AIME"] in groups  # no "ResNet 2018" to join; the series stays apart


def test_resolve_turns_extends_round_when_the_tail_is_the_narrower_name():
    papers = [_extends("a", "reinforcement learning", "Deep Reinforcement Learning"),
              _extends("b", "Deep Reinforcement Learning", "reinforcement learning"),
              _extends("c", "Gaussian Splatting", "Mip-Splatting")]
    res = resolve(papers)
    # "Mip-Splatting" does not end with "Gaussian Splatting": the paper's direction stands
    assert sorted(_extends_edges(res)) == [("Deep Reinforcement Learning", "reinforcement learning", 2),
                                           ("Gaussian Splatting", "Mip-Splatting", 1)]
    assert res.turned_relations == 1 and res.outvoted_relations == 0
