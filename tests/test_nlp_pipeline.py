"""The spaCy pipeline and its components, on small hand-written abstracts."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kgraph.model import EntityType, Paper, RelationType
from kgraph.nlp.candidates import Candidate, head_phrase, is_name_shaped, select
from kgraph.nlp.extract import extract_paper, paper_text

FAST3R = Paper(
    id="fast3r",
    title="Fast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass",
    abstract=(
        "Current leading methods such as DUSt3R employ a fundamentally pairwise approach. "
        "In this work, we propose Fast 3D Reconstruction (Fast3R), a novel multi-view "
        "generalization to DUSt3R that achieves efficient and scalable 3D reconstruction. "
        "Through extensive experiments on camera pose estimation and 3D reconstruction, "
        "Fast3R demonstrates state-of-the-art performance."
    ),
)


def _by_text(extraction):
    return {m.text: m for m in extraction.mentions}


def test_nlp_pipeline_has_registered_components(nlp, rules_nlp):
    names = nlp.pipe_names
    for component in ("kgraph_sentences_v1", "kgraph_acronyms_v1", "kgraph_gazetteer_v1", "kgraph_ner_v1",
                      "kgraph_mentions_v1", "kgraph_pairs_v1", "kgraph_relations_v1"):
        assert component in names
    assert "ner" not in names
    # the learned models read words: no tagger, parser or lemmatizer runs; the rules' pipeline has them
    assert not {"tok2vec", "tagger", "parser", "lemmatizer"} & set(names)
    assert rules_nlp.pipe_names.index("kgraph_sentences_v1") < rules_nlp.pipe_names.index("parser")
    assert names.index("kgraph_mentions_v1") < names.index("kgraph_pairs_v1") < names.index("kgraph_relations_v1")
    # the rule candidates compete where no relation model runs
    assert "kgraph_terms_v1" not in names and "kgraph_terms_v1" in rules_nlp.pipe_names
    assert nlp.get_pipe_config("kgraph_mentions_v1")["extractors"] == "model"


def test_nlp_load_pipeline_is_public_api():
    import kgraph

    assert callable(kgraph.load_pipeline)


@pytest.mark.parametrize(
    "text, expected",
    [("DUSt3R", True), ("Fast3R", True), ("JEDI", True), ("LoRA", True), ("CIFAR-10", True),
     ("Transformer", False), ("3D", False), ("GPU", False), ("the", False), ("A", False)],
)
def test_nlp_is_name_shaped(text, expected):
    assert is_name_shaped(text) is expected


def test_nlp_head_phrase_drops_evaluative_words():
    words = ["efficient", "and", "scalable", "3D", "reconstruction"]
    doc = Doc(spacy.blank("en").vocab, words=words, pos=["ADJ", "CCONJ", "ADJ", "ADJ", "NOUN"],
              tags=["JJ", "CC", "JJ", "JJ", "NN"], sent_starts=[True, False, False, False, False])
    assert head_phrase(doc, 4) == (3, 5)


def test_nlp_select_prefers_priority_then_length():
    a = Candidate(0, 3, EntityType.TASK, "head-noun")
    b = Candidate(1, 3, EntityType.TASK, "gazetteer")
    c = Candidate(4, 5, EntityType.METHOD, "name-shape")
    assert select([a, b, c]) == [b, c]


def test_nlp_offsets_index_the_paper_fields(nlp):
    ex = extract_paper(nlp, FAST3R)
    assert ex.mentions
    for m in ex.mentions:
        assert FAST3R.text(m.field)[m.start : m.end] == m.text
    for s in ex.sentences:
        assert FAST3R.text(s.field)[s.start : s.end].strip()
    assert ex.sentences[0].field == "title"


def test_nlp_acronym_definition_is_found_and_proposed(nlp):
    ex = extract_paper(nlp, FAST3R)
    assert [(a.short_form, a.long_form) for a in ex.acronyms] == [("Fast3R", "Fast 3D Reconstruction")]
    mentions = _by_text(ex)
    assert mentions["Fast 3D Reconstruction"].type is EntityType.METHOD
    assert mentions["Fast 3D Reconstruction"].proposed
    assert all(m.proposed for m in ex.mentions if m.text == "Fast3R")


def test_nlp_finds_methods_and_tasks(nlp):
    mentions = _by_text(extract_paper(nlp, FAST3R))
    assert mentions["DUSt3R"].type is EntityType.METHOD
    assert not mentions["DUSt3R"].proposed
    assert mentions["camera pose estimation"].type is EntityType.TASK
    assert mentions["3D reconstruction"].type is EntityType.TASK


def test_nlp_relations_link_proposed_method(rules_nlp):
    ex = extract_paper(rules_nlp, FAST3R)
    triples = {
        ("paper" if r.head is None else ex.mentions[r.head].text, r.relation, ex.mentions[r.tail].text)
        for r in ex.relations
    }
    assert ("Fast 3D Reconstruction", RelationType.EXTENDS, "DUSt3R") in triples
    assert ("Fast3R", RelationType.USED_FOR, "camera pose estimation") in triples
    assert ("paper", RelationType.PROPOSES, "Fast3R") in triples
    assert ("paper", RelationType.ADDRESSES, "3D Reconstruction") in triples


@pytest.mark.parametrize(
    "abstract, name, kind",
    [
        ("We evaluate our model on the ImageNet dataset.", "ImageNet", EntityType.DATASET),
        ("We introduce WidgetBench, a benchmark for chart question answering.", "WidgetBench", EntityType.DATASET),
        ("Experiments on CIFAR-10 and SVHN show that it outperforms ResNet.", "SVHN", EntityType.DATASET),
        ("Latent diffusion models are used for image generation.", "image generation", EntityType.TASK),
        ("Deep Equilibrium Models (DEQs) find fixed points.", "Deep Equilibrium Models", EntityType.METHOD),
    ],
)
def test_nlp_types_by_context(rules_nlp, abstract, name, kind):
    ex = extract_paper(rules_nlp, Paper(id="x", title="A title", abstract=abstract))
    found = {m.text: m.type for m in ex.mentions}
    assert found.get(name) is kind, found


def test_nlp_propose_pattern_marks_contribution(nlp):
    paper = Paper(id="x", title="Decomposition in one pass",
                  abstract="Existing methods rely on LLMs. We propose JEDI, an encoder-only architecture.")
    mentions = _by_text(extract_paper(nlp, paper))
    assert mentions["JEDI"].proposed
    assert not mentions["LLMs"].proposed


def test_nlp_sentences_do_not_split_inside_parentheses(nlp):
    doc = nlp(paper_text(Paper(id="x", title="T", abstract="We use models (e.g. GANs. VAEs) here. Next one.")))
    sentences = [s.text.strip() for s in doc.sents]
    assert "We use models (e.g. GANs. VAEs) here." in sentences


def test_nlp_title_is_one_sentence_and_abbreviations_end_none(nlp):
    # the tokenizer splits "al." and "Fig." into a word and a period: neither ends a sentence
    doc = nlp(paper_text(Paper(id="x", title="Why? A study. Of things",
                               abstract="As Smith et al. show, X works. Fig. 2 shows more. Z fails.")))
    sentences = [s.text.strip() for s in doc.sents]
    assert sentences == ["Why? A study. Of things", "As Smith et al. show, X works.", "Fig. 2 shows more.", "Z fails."]


def test_sentence_starts_reads_string_ids_and_offsets():
    from spacy.strings import get_string_id

    from kgraph.nlp.components import sentence_starts

    # (word, whether a space follows it)
    words = [("T", 0), (".", 0), ("\n\n", 0), ("A", 1), ("(", 0), ("b", 0), (".", 1), ("C", 0), (")", 1), ("d", 1),
             ("e.g.", 1), ("F", 1), ("al", 0), (".", 1), ("G", 1), ("al", 1), (".", 1), ("H", 0)]
    offsets, position = [], 0
    for word, space in words:
        offsets.append(position)
        position += len(word) + space
    starts = sentence_starts([get_string_id(w) for w, _ in words], offsets, [len(w) for w, _ in words], {2},
                             title_end=offsets[2])
    # title words and the separator: no start; after the separator: a start; inside brackets, after
    # "e.g." and after "al" glued to its period: no start; elsewhere left to the sentencizer (None)
    assert starts == [True, False, False, True, None, False, False, False, False, None, None, False, None, None,
                      False, None, None, None]


def test_nlp_title_only_paper(nlp):
    ex = extract_paper(nlp, Paper(id="x", title="DynaMITe: Dynamic Query Bootstrapping", abstract=""))
    assert any(m.text == "DynaMITe" and m.proposed for m in ex.mentions)
    assert all(m.field == "title" for m in ex.mentions)


def test_nlp_gazetteer_marks_known_names(nlp):
    paper = Paper(id="x", title="A title", abstract="We train a ResNet on CIFAR-10 for semantic segmentation.")
    known = {m.text: (m.type, m.known_id) for m in extract_paper(nlp, paper).mentions}
    assert known["ResNet"] == (EntityType.METHOD, "pwc:method/resnet")
    assert known["CIFAR-10"][0] is EntityType.DATASET and known["CIFAR-10"][1].startswith("pwc:dataset/")
    assert known["semantic segmentation"][0] is EntityType.TASK


@pytest.mark.parametrize(
    "sentence, word, expected",
    [
        ("We use a transformer.", "use", ("use", False)),
        ("The use of attention helps.", "use", None),
        ("Our design relies on GANs.", "relies", ("rely", False)),
        ("A new model is then proposed.", "proposed", ("propose", True)),
        ("We proposed a model.", "proposed", ("propose", False)),
        ("This model was built on DINO.", "built", ("build", True)),
        ("Their design is simple.", "design", None),
        ("It establishes a baseline.", "establishes", ("establish", False)),
    ],
)
def test_nlp_cue_verbs_read_from_word_forms_without_a_parse(sentence, word, expected):
    from kgraph.nlp import lexicon
    from kgraph.nlp.candidates import cue_verb, is_parsed

    doc = spacy.blank("en")(sentence)
    assert not is_parsed(doc)
    token = next(t for t in doc if t.text == word)
    forms = {**lexicon.PROPOSE_FORMS, **lexicon.USE_FORMS}
    assert cue_verb(token, forms, parsed=False) == expected


def test_nlp_cue_verbs_agree_with_the_parse(rules_nlp):
    from kgraph.nlp import lexicon
    from kgraph.nlp.candidates import cue_verb, is_parsed

    doc = rules_nlp("We propose JEDI. The use of attention is introduced.")
    assert is_parsed(doc)
    found = {t.text: cue_verb(t, lexicon.PROPOSE_FORMS | lexicon.USE_FORMS, parsed=True) for t in doc}
    assert found["propose"] == ("propose", False)
    assert found["use"] is None  # a noun here
    assert found["introduced"] == ("introduce", True)
