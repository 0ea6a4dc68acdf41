"""The extraction cache: keys, round trips, fingerprints."""

from __future__ import annotations

import pytest

from kgraph.engine.cache import (
    CACHE_FILE,
    ExtractionCache,
    dumps_entry,
    loads_entry,
    paper_key,
    pipeline_fingerprint,
)
from kgraph.model import (
    AcronymDefinition,
    EntityType,
    LocalRelation,
    Mention,
    Paper,
    PaperExtraction,
    RelationType,
    SourceRef,
    Span,
)

PAPER = Paper("p1", "Fast3R: Towards 3D Reconstruction", "We propose Fast 3D Reconstruction (Fast3R).",
              year=2025, authors=("A. B.",), source=SourceRef("a.jsonl", 3))


def _extraction(paper: Paper = PAPER) -> PaperExtraction:
    mentions = (
        Mention("title", 0, 6, "Fast3R", EntityType.METHOD, "title", "Fast3R", True),
        Mention("abstract", 11, 34, "Fast 3D Reconstruction", EntityType.METHOD, "acronym", "Fast 3D Reconstruction",
                True, "pwc:method/x", None, "Fast3R"),
        Mention("abstract", 36, 42, "Fast3R", EntityType.METHOD, "acronym", "Fast3R", False, None, "Fast 3D Reconstruction"),
    )
    return PaperExtraction(
        paper=paper,
        mentions=mentions,
        acronyms=(AcronymDefinition("Fast3R", "Fast 3D Reconstruction", "abstract", 11, 43),),
        relations=(LocalRelation(None, RelationType.PROPOSES, 1, Span("abstract", 0, 44), "propose"),
                   LocalRelation(0, RelationType.EXTENDS, 2, Span("abstract", 0, 44), "x")),
        sentences=(Span("title", 0, 34), Span("abstract", 0, 44)),
    )


def test_cache_entry_round_trip_is_exact():
    ex = _extraction()
    back = loads_entry(dumps_entry(ex), PAPER)
    assert back == ex
    assert all(type(m.type) is EntityType for m in back.mentions)
    assert all(type(r.relation) is RelationType for r in back.relations)
    assert all(type(x) is tuple for x in (back.mentions, back.acronyms, back.relations, back.sentences))


def test_cache_key_is_the_text_only():
    moved = Paper("other-id", PAPER.title, PAPER.abstract, year=1999, source=SourceRef("b.csv", 9))
    assert paper_key(moved) == paper_key(PAPER)
    assert paper_key(Paper("p1", PAPER.title, PAPER.abstract + " ")) != paper_key(PAPER)
    assert paper_key(Paper("p1", "ab", "c")) != paper_key(Paper("p1", "a", "bc"))


def test_cache_hit_carries_the_paper_as_read_now(tmp_path):
    moved = Paper("other-id", PAPER.title, PAPER.abstract, source=SourceRef("b.csv", 9))
    with ExtractionCache(tmp_path, fingerprint="f1") as cache:
        assert cache.get_many([PAPER]) == [None]
        cache.put_many([_extraction()])
        [hit] = cache.get_many([moved])
    assert hit == _extraction(moved)
    assert (cache.hits, cache.misses) == (1, 1)


def test_cache_other_fingerprint_empties_it(tmp_path):
    with ExtractionCache(tmp_path, fingerprint="f1") as cache:
        cache.put_many([_extraction()])
        assert len(cache) == 1
    with ExtractionCache(tmp_path, fingerprint="f1") as cache:
        assert len(cache) == 1
    with ExtractionCache(tmp_path, fingerprint="f2") as cache:
        assert len(cache) == 0
        assert cache.get_many([PAPER]) == [None]


def test_cache_file_is_created_on_first_use(tmp_path):
    cache = ExtractionCache(tmp_path / "c", fingerprint="f")
    assert not (tmp_path / "c").exists()
    cache.get_many([PAPER])
    assert (tmp_path / "c" / CACHE_FILE).is_file()
    cache.close()


def test_cache_fingerprint_follows_pipeline_options(tmp_path):
    vocab = tmp_path / "vocab.jsonl"
    vocab.write_text('{"id": "x"}\n', encoding="utf-8")
    base = pipeline_fingerprint({})
    with_vocab = pipeline_fingerprint({"vocab_path": str(vocab)})
    assert base == pipeline_fingerprint({"vocab_path": None}) != with_vocab
    vocab.write_text('{"id": "y"}\n', encoding="utf-8")
    assert pipeline_fingerprint({"vocab_path": str(vocab)}) != with_vocab


def test_cache_fingerprint_follows_the_nlp_code(monkeypatch):
    from kgraph.nlp import pipeline

    base = pipeline_fingerprint()
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", pipeline.PIPELINE_VERSION + "-changed")
    assert pipeline_fingerprint() != base


# A kgraph package as the fingerprint sees it: run-time nlp modules, training code (in both the old
# nlp/training/ and the new training/ package), the records, models, the vocabulary, the exporters' resources.
FAKE_PACKAGE = ("nlp/__init__.py", "nlp/pipeline.py", "nlp/training/__init__.py", "nlp/training/train.py",
                "training/__init__.py", "training/train.py", "model.py", "resources/ner/default/model.onnx",
                "resources/ner/fast/ner/model", "resources/pwc_vocab.jsonl", "resources/ontology.ttl")


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """A small stand-in for the kgraph package (one line per file), made the one the fingerprint hashes."""
    from kgraph.engine import cache

    package = tmp_path / "kgraph"
    for name in FAKE_PACKAGE:
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes(f"{name}\n".encode())
    monkeypatch.setattr(cache, "PACKAGE_DIR", package)
    return package


@pytest.mark.parametrize(("name", "counts"), [
    ("nlp/training/train.py", False),
    ("nlp/training/new_loop.py", False),
    ("training/train.py", False),
    ("training/new_loop.py", False),
    ("resources/ontology.ttl", False),
    ("nlp/pipeline.py", True),
    ("nlp/new_component.py", True),
    ("model.py", True),
    ("resources/ner/default/model.onnx", True),
    ("resources/ner/fast/ner/model", True),
    ("resources/pwc_vocab.jsonl", True),
])
def test_cache_fingerprint_covers_what_extraction_runs(fake_package, name, counts):
    # training code makes the models and is never run by a build: editing it keeps the cache
    base = pipeline_fingerprint()
    path = fake_package / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:  # an edit to a file, or a new one
        handle.write(b"changed\n")
    assert (pipeline_fingerprint() != base) is counts


def test_cache_fingerprint_is_the_same_wherever_the_package_lies(fake_package, tmp_path, monkeypatch):
    import shutil

    from kgraph.engine import cache

    base = pipeline_fingerprint()
    assert pipeline_fingerprint() == base
    moved = shutil.copytree(fake_package, tmp_path / "elsewhere" / "kgraph")
    monkeypatch.setattr(cache, "PACKAGE_DIR", moved)
    assert pipeline_fingerprint() == base


def test_cache_fingerprint_files_are_those_the_pipeline_loads():
    from kgraph.engine.cache import PACKAGE_DIR, extraction_files
    from kgraph.nlp import ner, vocab

    files = {path.relative_to(PACKAGE_DIR).as_posix() for path in extraction_files(PACKAGE_DIR)}
    models = {path.relative_to(PACKAGE_DIR).as_posix() for path in ner.MODEL_DIR.rglob("*") if path.is_file()}
    assert models and models <= files
    assert f"resources/{vocab.BUNDLED_VOCAB}" in files
    assert {"model.py", "nlp/pipeline.py", "nlp/components.py", "nlp/lexicon.py"} <= files
    assert not [name for name in files if "training" in name.split("/") or "__pycache__" in name]


@pytest.mark.parametrize("count", [0, 1, 501, 1200])
def test_cache_many_keys_in_one_lookup(tmp_path, count):
    papers = [Paper(f"p{i}", f"Title {i}", "x") for i in range(count)]
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        cache.put_many(PaperExtraction(p) for p in papers[::2])
        found = cache.get_many(papers)
    assert [hit is not None for hit in found] == [i % 2 == 0 for i in range(count)]
    assert [hit.paper.id for hit in found if hit] == [p.id for p in papers[::2]]


def test_cache_entries_made_by_workers_are_stored_as_given(tmp_path):
    ex = _extraction()
    with ExtractionCache(tmp_path, fingerprint="f") as cache:
        cache.put_many([ex], entries=[dumps_entry(ex)])
        assert cache.get_many([PAPER]) == [ex]
        with pytest.raises(ValueError):
            cache.put_many([ex], entries=[])


def test_cache_entries_decode_with_interned_strings():
    # a name that recurs across papers is one object in the driver, however many papers use it
    from kgraph.engine.cache import dumps_entry, loads_entry
    from kgraph.model import EntityType, Mention, Paper, PaperExtraction

    def one(i: int) -> PaperExtraction:
        paper = Paper(f"p{i}", "Graph neural network", "")
        name = "".join(["Graph ", "neural network"])  # a new string object each time
        return PaperExtraction(paper, mentions=(Mention("title", 0, 21, name, EntityType.METHOD, "ner", lemma=name),))

    a, b = (loads_entry(dumps_entry(one(i)), one(i).paper) for i in (1, 2))
    assert a.mentions == one(1).mentions
    assert a.mentions[0].text is b.mentions[0].text
    assert a.mentions[0].field is b.mentions[0].field
