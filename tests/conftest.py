"""Shared fixtures: the extraction pipeline (loaded once) and the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "000_6f416096fe93fe6b.txt"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    from kgraph.nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def rules_nlp():
    """The pipeline without the trained recognizer: for tests of the rule components."""
    from kgraph.nlp.pipeline import load_pipeline

    return load_pipeline(ner=None)


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The bundled corpus built once into a temporary directory."""
    from kgraph.run import build

    out = tmp_path_factory.mktemp("corpus_build")
    return build([CORPUS], out)
