"""Building the known-names vocabulary: filters, merging, the build's output and its command line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgraph.errors import PipelineError
from kgraph.nlp.vocab import BUNDLED_VOCAB, VocabEntry, load_vocab, write_vocab
from kgraph.training import vocab
from kgraph.training.vocab import (
    build_vocab,
    build_vocab_report,
    normalize_key,
    split_parenthetical,
)

PWC_DIR = Path(__file__).parents[1].parent / "shared" / "vocab" / "pwc"
BUNDLED = Path(vocab.__file__).parents[1] / "resources" / BUNDLED_VOCAB

needs_pwc = pytest.mark.skipif(not PWC_DIR.is_dir(), reason=f"PwC source lists not found at {PWC_DIR}")


# --- a small PwC folder, built by hand --------------------------------------------

EMBRACENET_TITLE = "EmbraceNet: A robust deep learning architecture for multimodal classification"
METHODS = [
    {"id": "resnet", "name": "ResNet", "full_name": "Residual Network", "num_papers": 2255},
    {"id": "adam", "name": "Adam", "full_name": "Adam", "num_papers": 19981},
    {"id": "focus", "name": "Focus", "full_name": "Focus", "num_papers": 8979},
    {"id": "dropout", "name": "Dropout", "full_name": "Dropout", "num_papers": 22609},
    {"id": "spatial-dropout", "name": "Spatial Dropout", "full_name": "Spatial Dropout"},
    {"id": "variational-dropout", "name": "Variational Dropout", "full_name": "Variational Dropout"},
    {"id": "adaptive-dropout", "name": "Adaptive Dropout", "full_name": "Adaptive Dropout"},
    {"id": "gan", "name": "GAN", "full_name": "Generative Adversarial Network", "num_papers": 2000},
    {"id": "attention", "name": "Attention", "full_name": "Attention"},
    {"id": "embracenet", "name": "EmbraceNet", "full_name": EMBRACENET_TITLE},
    {"id": "deleted", "name": "(deleted method)", "full_name": ""},
]
TASKS = [
    {"name": "Semantic Segmentation", "parents": ["10-shot image generation"]},
    {"name": "Real-Time Semantic Segmentation", "parents": ["Semantic Segmentation"]},
    {"name": "Camera Pose Estimation", "parents": []},
    {"name": "Automatic Speech Recognition (ASR)", "parents": []},
    {"name": "Image Classification", "parents": []},
    {"name": "Text Classification", "parents": []},
    {"name": "Audio Classification", "parents": []},
    {"name": "Classification", "parents": []},
    {"name": "10-shot image generation", "parents": []},
    {"name": "16k", "parents": []},
    {"name": "(deleted task 2)", "parents": []},
    {"name": "Translation ell-deu", "parents": []},
    {"name": "Point Clouds", "parents": []},
    {"name": "Deep Learning", "parents": []},
    {"name": "SSIM", "parents": []},
    {"name": "Face Recognition (Closed-Set)", "parents": []},
]
DATAFINDER = [
    {
        "name": "CIFAR-10",
        "variants": ["CIFAR-10", "CIFAR10", "CIFAR-10 Image Classification", "CIFAR-10, 4000 Labels"],
        "description": "The **CIFAR-10** dataset consists of 60000 32x32 colour images.",
    },
    {
        "name": "ATIS",
        "variants": ["ATIS"],
        "description": "The **ATIS** (**Airline Travel Information Systems**) is a dataset of audio recordings.",
    },
    {"name": "people", "variants": ["people"], "description": "Photos of people."},
    {
        "name": "DIV2K",
        "variants": ["DIV2K", "DIV2K val - 4x upscaling"],
        "description": "**DIV2K** is a single-image super-resolution dataset.",
    },
    {"name": "Kinetics", "variants": ["Kinetics", "Kinetics-400"], "description": "Kinetics has 400 classes."},
    {"name": "XTREME", "variants": ["XTREME", "BUCC"], "description": "A multilingual benchmark."},
]
WS2025 = [
    {"name": "####How do i ask a question at Expedia?", "kind": ["dataset"], "tasks": ["16k"]},
    {"name": "COCO", "kind": ["benchmark", "dataset"], "tasks": ["Object Detection"]},
    {"name": "COCO test-dev", "kind": ["benchmark"], "tasks": ["Object Detection"]},
    {"name": "SOTA", "kind": ["benchmark"], "tasks": ["Semantic Segmentation"]},
    {"name": "CIFAR-10", "kind": ["benchmark", "dataset"], "tasks": ["Image Classification"]},
    {"name": "Semantic Segmentation", "kind": ["dataset"], "tasks": ["Semantic Segmentation"]},
    {"name": "Images", "kind": ["dataset"], "tasks": ["Image Classification"]},
]
DESCRIPTIONS = [
    {"url": "https://paperswithcode.com/method/resnet", "description": "We focus on depth; trained with Adam."},
    {"url": "https://paperswithcode.com/method/adam", "description": "**Adam** is an optimizer."},
    {"url": "https://paperswithcode.com/method/focus", "description": "**Focus** is a method."},
    {"url": "https://paperswithcode.com/method/gan", "description": "A generative model; see [Adam](x)."},
]
ENGLISH = """
people focus attention image text data time method linear layer classification segmentation
semantic pose camera estimation dropout spatial variational adaptive adam real point cloud
deep learning translation generation shot speech recognition automatic audio face set closed
residual network kinetic generative adversarial image travel information system airline
""".split()


def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


@pytest.fixture(scope="module")
def tiny_pwc(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pwc")
    _write_jsonl(folder / vocab.METHODS_FILE, METHODS)
    _write_jsonl(folder / vocab.TASKS_FILE, TASKS)
    _write_jsonl(folder / vocab.DATAFINDER_FILE, DATAFINDER)
    _write_jsonl(folder / vocab.WS2025_FILE, WS2025)
    (folder / "raw").mkdir()
    with gzip.open(folder / vocab.METHOD_DESCRIPTIONS_FILE, "wt", encoding="utf-8") as handle:
        json.dump(DESCRIPTIONS, handle)
    return folder


@pytest.fixture(scope="module")
def tiny_report(tiny_pwc):
    return build_vocab_report(tiny_pwc, english=ENGLISH)


def _by_name(entries) -> dict[str, VocabEntry]:
    return {e.name: e for e in entries}


@pytest.mark.parametrize(
    "type_, name, reason",
    [
        ("task", "(deleted task 2)", "placeholder"),
        ("method", "(deleted method)", "placeholder"),
        ("task", "16k", "mostly-symbols"),
        ("dataset", "####How do i ask a question at Expedia?", "markup-or-spam"),
        ("task", "Translation ell-deu", "setting-or-split"),
        ("dataset", "DIV2K val - 4x upscaling", "leaderboard-variant"),
        ("task", "10-shot image generation", "setting-or-split"),
        ("dataset", "CIFAR-10, 4000 Labels", "setting-or-split"),
        ("dataset", "CIFAR-10 Image Classification", "leaderboard-variant"),
        ("dataset", "COCO test-dev", "leaderboard-variant"),
        ("dataset", "BUCC", "unrelated-variant"),
        ("method", EMBRACENET_TITLE, "title-or-qualifier"),
        ("task", "Face Recognition (Closed-Set)", "parenthetical-qualifier"),
        ("dataset", "people", "common-word"),
        ("method", "Focus", "common-word"),
        ("method", "Attention", "generic-word"),
        ("dataset", "Images", "generic-word"),
        ("task", "Deep Learning", "generic-phrase"),
        ("task", "Point Clouds", "plural-head"),
        ("task", "SSIM", "task-not-descriptive"),
        ("dataset", "SOTA", "unlisted-acronym"),
        ("dataset", "Semantic Segmentation", "type-collision"),
    ],
)
def test_training_vocab_filters_drop_junk(tiny_report, type_, name, reason):
    assert (type_, reason) in {(d.type, d.reason) for d in tiny_report.dropped if d.name == name}
    assert not any(e.type == type_ and name in dict(e.surface_forms()) for e in tiny_report.entries)


def test_training_vocab_keeps_good_names_with_types_and_case(tiny_report):
    entries = _by_name(tiny_report.entries)
    assert entries["ResNet"].id == "pwc:method/resnet"
    assert entries["ResNet"].aliases == ("Residual Network",)
    assert not entries["ResNet"].case_sensitive
    assert entries["GAN"].case_sensitive  # "gan" in other casings is not the method
    assert entries["GAN"].surface_forms() == (("GAN", True), ("Generative Adversarial Network", False))
    assert entries["Adam"].case_sensitive  # a rare word kept as a proper name
    assert not entries["Dropout"].case_sensitive  # a category head: "dropout" in any case
    assert entries["Kinetics"].case_sensitive and "Kinetics-400" in entries["Kinetics"].aliases
    assert entries["Semantic Segmentation"].type == "task"  # a descriptive name goes to the task
    assert entries["Semantic Segmentation"].parents == ()  # "10-shot image generation" is not a parent
    assert entries["Real-Time Semantic Segmentation"].parents == ("Semantic Segmentation",)
    assert entries["Automatic Speech Recognition"].aliases == ("ASR",)
    assert entries["Automatic Speech Recognition"].exact_aliases == ("ASR",)
    assert entries["ATIS"].aliases == ("Airline Travel Information Systems",)
    assert entries["Classification"].type == "task"
    assert entries["Camera Pose Estimation"].id == "pwc:task/camera-pose-estimation"


def test_training_vocab_merges_duplicates_across_sources(tiny_report):
    cifar = [e for e in tiny_report.entries if normalize_key(e.name) == "cifar10"]
    assert len(cifar) == 1
    assert cifar[0].id == "pwc:dataset/cifar-10"
    assert cifar[0].aliases == ("CIFAR10",)


def test_training_vocab_report_counts(tiny_report):
    by_type = tiny_report.counts_by_type()
    assert set(by_type) == {"method", "task", "dataset"}
    assert sum(by_type.values()) == len(tiny_report.entries)
    assert sum(tiny_report.counts_by_reason().values()) == len(tiny_report.dropped)
    assert [e.id for e in tiny_report.entries] == sorted(e.id for e in tiny_report.entries)


# --- string rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    "form, expected",
    [
        ("Automatic Speech Recognition (ASR)", ("Automatic Speech Recognition", "ASR")),
        ("VA (Virtual Apartment)", ("VA", "Virtual Apartment")),
        ("Face Recognition (Closed-Set)", None),
        ("ResNet", None),
    ],
)
def test_training_vocab_split_parenthetical(form, expected):
    assert split_parenthetical(form) == expected


@given(st.text())
def test_training_vocab_normalize_key_is_idempotent(text):
    assert normalize_key(normalize_key(text)) == normalize_key(text)


def test_training_vocab_build_missing_input(tmp_path):
    with pytest.raises(PipelineError, match=vocab.METHOD_DESCRIPTIONS_FILE):
        build_vocab(tmp_path)


@pytest.mark.slow
@needs_pwc
def test_training_vocab_bundled_is_the_build_output(tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write_vocab(build_vocab(PWC_DIR), first)
    write_vocab(build_vocab(PWC_DIR), second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == BUNDLED.read_bytes(), "regenerate: python -m kgraph.training.vocab ..."
    assert load_vocab(first) == load_vocab()


@pytest.mark.slow
@needs_pwc
def test_training_vocab_main_prints_counts(tmp_path, capsys):
    out = tmp_path / "vocab.jsonl"
    assert vocab.main([str(PWC_DIR), str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {len(load_vocab(out))} entries" in printed
    for word in ("method", "task", "dataset", "common-word", "setting-or-split"):
        assert word in printed


def test_training_vocab_main_reports_errors(tmp_path, capsys):
    assert vocab.main([str(tmp_path), str(tmp_path / "out.jsonl")]) == 1
    assert capsys.readouterr().err.startswith("Error: ")
