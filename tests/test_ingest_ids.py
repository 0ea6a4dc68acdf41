"""kgraph.ingest.ids: stable paper ids from titles."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.ingest import normalize_title, paper_id_from_title, title_key

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{8}$")


def test_ingest_ids_known_value() -> None:
    title = "Fast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass"
    digest = hashlib.sha1(title.lower().encode()).hexdigest()[:8]
    assert paper_id_from_title(title) == f"fast3r-towards-3d-reconstruction-of-1000-images-{digest}"


@pytest.mark.parametrize(
    "variant",
    [
        "fast3r: towards 3d reconstruction of 1000+ images in one forward pass",
        "FAST3R: TOWARDS 3D RECONSTRUCTION OF 1000+ IMAGES IN ONE FORWARD PASS",
        "  Fast3R:  Towards 3D\nReconstruction of 1000+ Images in\tOne Forward Pass ",
        "Fast3R:\u00a0Towards 3D Reconstruction of 1000+ Images in One Forward Pass",
    ],
)
def test_ingest_ids_same_for_case_and_spacing(variant: str) -> None:
    title = "Fast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass"
    assert paper_id_from_title(variant) == paper_id_from_title(title)


@pytest.mark.parametrize(
    ("title", "other"),
    [
        (r"Unpaired Neural Schr\"{o}dinger Bridge", "Unpaired Neural Schrödinger Bridge"),
        ("Unpaired Neural Schro\u0308dinger Bridge", "Unpaired Neural Schrödinger Bridge"),
    ],
)
def test_ingest_ids_same_for_latex_and_unicode_spellings(title: str, other: str) -> None:
    assert paper_id_from_title(title) == paper_id_from_title(other)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Attention Is All You Need", "attention-is-all-you-need"),
        ("φ-Decoding: Adaptive Foresight Sampling", "ph-decoding-adaptive-foresight-sampling"),
        ("!!!", "paper"),
        ("A" * 80, "a" * 48),
        (
            "Extractive Fact Decomposition for Interpretable Natural Language Inference in one Forward Pass",
            "extractive-fact-decomposition-for-interpretable",
        ),
    ],
)
def test_ingest_ids_slug(title: str, slug: str) -> None:
    paper_id = paper_id_from_title(title)
    assert paper_id.rsplit("-", 1)[0] == slug
    assert len(slug) <= 48


def test_ingest_ids_differ_for_different_titles() -> None:
    assert paper_id_from_title("Deep Learning") != paper_id_from_title("Deep Learning 2")


def test_ingest_ids_normalize_title() -> None:
    assert normalize_title("  Deep\tResidual  LEARNING ") == "deep residual learning"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_ingest_ids_always_well_formed(title: str) -> None:
    paper_id = paper_id_from_title(title)
    assert ID_PATTERN.match(paper_id), paper_id
    assert len(paper_id) <= 48 + 1 + 8
    # case never matters (outside LaTeX, where \H and \h are different macros)
    if "\\" not in title:
        assert paper_id_from_title(title.casefold()) == paper_id_from_title(title)


@pytest.mark.parametrize(
    ("title", "other"),
    [
        ("Graph Neural Networks for Molecule Property Prediction",
         "Graph neural networks for molecule property prediction."),  # a RIS/BibTeX export's full stop
        ("{BERT}: Pre-training of Deep Transformers", "BERT: Pre-training of deep transformers"),  # LaTeX braces
        ("BERT: Pre-training of Deep Bidirectional Transformers",
         "\uff22\uff25\uff32\uff34 \u2013 Pre\u2010training of \u201cDeep\u201d Bidirectional Transformers"),
        ("Don't Stop Pretraining", "Don\u2019t stop pretraining!"),  # curly apostrophe, exclamation mark
        ("Efficient \ufb01ne-tuning", "Efficient fine tuning"),  # NFKC: the ligature is "fi"
        ("Attention (Is) All You Need?", "attention is all you need"),
    ],
)
def test_ingest_ids_title_key_folds_punctuation_and_unicode(title: str, other: str) -> None:
    assert title_key(title) == title_key(other)


@pytest.mark.parametrize(
    ("title", "other"),
    [
        ("Graph neural networks for molecule property prediction",
         "Graph neural networks for molecule property prediction: a survey"),
        ("Pre-training of deep transformers", "Pretraining of deep transformers"),  # a hyphen splits words
        ("Llama 3.1 in practice", "Llama 31 in practice"),
        ("Learning C++", "Learning C"),  # symbols are kept
        ("!!!", "???"),  # nothing but punctuation: kept as it is
    ],
)
def test_ingest_ids_title_key_keeps_different_words_apart(title: str, other: str) -> None:
    assert title_key(title) != title_key(other)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_ingest_ids_title_key_is_coarser_than_normalize_title(title: str) -> None:
    key = title_key(title)
    assert title_key(key) == key  # idempotent
    assert title_key(normalize_title(title)) == key
    if any(char.isalnum() for char in key) and not set(title) & set("\\{$~%"):  # words, no LaTeX
        assert title_key(title + ".") == key  # a final full stop never matters
