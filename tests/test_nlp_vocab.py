"""The known-names vocabulary: filters, merging, the bundled file and its loader."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgraph.errors import PipelineError
from kgraph.nlp import vocab
from kgraph.nlp.vocab import (
    VocabEntry,
    build_vocab,
    build_vocab_report,
    load_vocab,
    normalize_key,
    split_parenthetical,
    write_vocab,
)

PWC_DIR = Path(__file__).parents[1].parent / "shared" / "vocab" / "pwc"
BUNDLED = Path(vocab.__file__).parents[1] / "resources" / vocab.BUNDLED_VOCAB

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
def test_nlp_vocab_filters_drop_junk(tiny_report, type_, name, reason):
    assert (type_, reason) in {(d.type, d.reason) for d in tiny_report.dropped if d.name == name}
    assert not any(e.type == type_ and name in dict(e.surface_forms()) for e in tiny_report.entries)


def test_nlp_vocab_keeps_good_names_with_types_and_case(tiny_report):
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


def test_nlp_vocab_merges_duplicates_across_sources(tiny_report):
    cifar = [e for e in tiny_report.entries if normalize_key(e.name) == "cifar10"]
    assert len(cifar) == 1
    assert cifar[0].id == "pwc:dataset/cifar-10"
    assert cifar[0].aliases == ("CIFAR10",)


def test_nlp_vocab_report_counts(tiny_report):
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
def test_nlp_vocab_split_parenthetical(form, expected):
    assert split_parenthetical(form) == expected


@given(st.text())
def test_nlp_vocab_normalize_key_is_idempotent(text):
    assert normalize_key(normalize_key(text)) == normalize_key(text)


# --- the file format ---------------------------------------------------------------

ENTRIES = [
    VocabEntry("pwc:task/semantic-segmentation", "task", "Semantic Segmentation"),
    VocabEntry("pwc:method/gan", "method", "GAN", ("Generative Adversarial Network", "GANs"), True, (), ("GANs",)),
    VocabEntry(
        "pwc:task/real-time-semantic-segmentation",
        "task",
        "Real-Time Semantic Segmentation",
        parents=("Semantic Segmentation",),
    ),
    VocabEntry("pwc:dataset/kinetics", "dataset", "Kinétics", case_sensitive=True),
]


def test_nlp_vocab_write_then_load_round_trips(tmp_path):
    path = tmp_path / "vocab.jsonl"
    write_vocab(ENTRIES, path)
    assert load_vocab(path) == tuple(sorted(ENTRIES, key=lambda e: e.id))
    assert "Kinétics" in path.read_text(encoding="utf-8")  # ensure_ascii=False
    first = path.read_bytes()
    write_vocab(reversed(ENTRIES), path)
    assert path.read_bytes() == first


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "bad vocabulary entry"),
        ('{"id": "pwc:task/x", "type": "gadget", "name": "X"}', "unknown type 'gadget'"),
        ('{"id": "pwc:task/x", "type": "task"}', "'name' must be a non-empty string"),
        ('{"id": "pwc:task/x", "type": "task", "name": "X", "aliases": "Y"}', "'aliases' must be a list"),
        ('{"id": "pwc:task/x", "type": "task", "name": "X", "exact_aliases": ["Y"]}', "subset of 'aliases'"),
        ('{"id": "pwc:task/x", "type": "task", "name": "X", "case_sensitive": "yes"}', "true or false"),
        ('{"id": "pwc:task/semantic-segmentation", "type": "task", "name": "Y"}', "duplicate id"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_nlp_vocab_load_corrupt_file_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "vocab.jsonl"
    write_vocab(ENTRIES[:2], path)
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=message) as caught:
        load_vocab(path)
    assert f"{path}:4:" in str(caught.value)


def test_nlp_vocab_load_missing_file(tmp_path):
    with pytest.raises(PipelineError, match="cannot read vocabulary"):
        load_vocab(tmp_path / "absent.jsonl")


def test_nlp_vocab_build_missing_input(tmp_path):
    with pytest.raises(PipelineError, match=vocab.METHOD_DESCRIPTIONS_FILE):
        build_vocab(tmp_path)


# --- the bundled vocabulary --------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> tuple[VocabEntry, ...]:
    return load_vocab()


def test_nlp_vocab_bundled_loads(bundled):
    assert len(bundled) > 10_000
    assert {e.type for e in bundled} == {"method", "task", "dataset"}
    assert len({e.id for e in bundled}) == len(bundled)
    assert list(bundled) == sorted(bundled, key=lambda e: e.id)
    assert BUNDLED.stat().st_size < 5_000_000
    assert (BUNDLED.parent / "PWC_VOCAB_LICENSE.md").is_file()


@pytest.mark.parametrize(
    "name, type_, aliases, case_sensitive",
    [
        ("ResNet", "method", {"Residual Network"}, False),
        ("BERT", "method", set(), True),
        ("GAN", "method", {"Generative Adversarial Network"}, True),
        ("Adam", "method", set(), True),
        ("Dropout", "method", set(), False),
        ("CIFAR-10", "dataset", {"cifar10"}, False),
        ("ImageNet", "dataset", set(), False),
        ("Cityscapes", "dataset", set(), True),
        ("Semantic Segmentation", "task", set(), False),
        ("Camera Pose Estimation", "task", set(), False),
        ("3D Reconstruction", "task", set(), False),
        ("Automatic Speech Recognition", "task", {"ASR"}, False),
    ],
)
def test_nlp_vocab_bundled_known_names(bundled, name, type_, aliases, case_sensitive):
    matches = [e for e in bundled if e.name == name]
    assert len(matches) == 1, name
    entry = matches[0]
    assert entry.type == type_
    assert aliases <= set(entry.aliases)
    assert entry.case_sensitive is case_sensitive


@pytest.mark.parametrize(
    "junk",
    [
        "people", "16k", "(deleted task 2)", "How do i ask a question at Expedia?", "Attention", "Model",
        "Images", "Text", "Data", "Method", "Focus", "Deep Learning", "Point Clouds", "SOTA", "PSNR",
        # not in the PwC lists at all (newer than the 2021 methods snapshot)
        "DUSt3R", "Fast3R",
    ],
)
def test_nlp_vocab_bundled_has_no_junk(bundled, junk):
    forms = {form.casefold() for e in bundled for form, _ in e.surface_forms()}
    assert junk.casefold() not in forms and f"####{junk}".casefold() not in forms


def test_nlp_vocab_bundled_task_parents_are_tasks(bundled):
    tasks = {e.name for e in bundled if e.type == "task"}
    assert all(set(e.parents) <= tasks for e in bundled)
    assert all(not e.parents for e in bundled if e.type != "task")
    entry = next(e for e in bundled if e.name == "Real-Time Semantic Segmentation")
    assert entry.parents == ("Semantic Segmentation",)


@pytest.mark.slow
@needs_pwc
def test_nlp_vocab_bundled_is_the_build_output(bundled, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write_vocab(build_vocab(PWC_DIR), first)
    write_vocab(build_vocab(PWC_DIR), second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == BUNDLED.read_bytes(), "regenerate: python -m kgraph.nlp.vocab ..."
    assert load_vocab(first) == bundled


@pytest.mark.slow
@needs_pwc
def test_nlp_vocab_main_prints_counts(tmp_path, capsys):
    out = tmp_path / "vocab.jsonl"
    assert vocab.main([str(PWC_DIR), str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {len(load_vocab(out))} entries" in printed
    for word in ("method", "task", "dataset", "common-word", "setting-or-split"):
        assert word in printed


def test_nlp_vocab_main_reports_errors(tmp_path, capsys):
    assert vocab.main([str(tmp_path), str(tmp_path / "out.jsonl")]) == 1
    assert capsys.readouterr().err.startswith("Error: ")
