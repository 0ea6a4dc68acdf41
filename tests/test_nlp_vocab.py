"""The known-names vocabulary as extraction reads it: the file format, its loader, the bundled file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgraph.errors import PipelineError
from kgraph.nlp import vocab
from kgraph.nlp.vocab import VocabEntry, load_vocab, write_vocab

BUNDLED = Path(vocab.__file__).parents[1] / "resources" / vocab.BUNDLED_VOCAB


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
