"""Train kgraph's entity recognizers from the public benchmarks in ../shared.

Data (see :mod:`kgraph.training.corpus` for how each corpus is read):

- SciERC ``train.json`` trains, ``dev.json`` selects the checkpoint;
- TDMSci ``train_1500_v2.conll`` trains, except its last ``holdout``
  sentences, which join the selection set (TDMSci has no dev split);
- nothing from a test split, and nothing from SciER (GPL-3.0, evaluation only).

Steps: (1) a small *masking* model is trained on SciERC alone; (2) it marks
the methods and materials in TDMSci's sentences, which TDMSci leaves
unannotated, as missing annotation; (3) each shipped model is trained with
``spacy train`` on SciERC + TDMSci and the best checkpoint on the selection
set is copied to ``kgraph/resources/ner/<name>/``.

Run with ``make train`` (one thread; about 20 minutes on this machine).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import spacy
from spacy.tokens import Doc

from ..eval.ner_corpora import NerDocument, NerSentence, iter_scierc_ner, iter_tdmsci
from ..nlp.candidates import is_name_shaped
from .pwc_silver import iter_silver_docs
from .corpus import (
    CorpusStats,
    iter_sentence_docs,
    scierc_spans,
    sentence_doc,
    tdmsci_spans,
    write_docbin,
)

CONFIG = Path(__file__).with_name("ner.cfg")

# config overrides per model; "mask" is the step-(1) model, never shipped
_CNN = "components.ner.model.tok2vec"
MODELS: dict[str, dict[str, object]] = {
    "mask": {f"{_CNN}.encode.width": 96, f"{_CNN}.encode.depth": 4, "training.max_epochs": 12},
    "fast": {f"{_CNN}.encode.width": 64, f"{_CNN}.encode.depth": 3, "training.max_epochs": 12},
}  # the default pipeline's tagger is trained by kgraph.training.encoder


@dataclass(frozen=True, slots=True)
class CorpusSettings:
    """Where the benchmarks are and how partial annotation is treated."""

    benchmarks: Path
    material: str = "mask-names"  # SciERC Material: "label" | "mask-names" | "outside"
    partial: str = "mask"  # TDMSci's unannotated methods: "mask" | "outside"
    mask_names: bool = True  # also mask coined names and gazetteer methods that TDMSci leaves "O"
    silver: bool = True  # add the PwC method descriptions (bold names, links) as silver data
    silver_negatives: str = "function-words"  # what silver data teaches as "O" (see pwc_silver)
    split_acronyms: bool = True  # "long form ( SHORT )" entities train as two entities
    holdout: int = 150  # last TDMSci train sentences kept for checkpoint selection

    @property
    def pwc(self) -> Path:
        return self.benchmarks.parent / "vocab" / "pwc"

    @property
    def scierc(self) -> Path:
        return self.benchmarks / "scierc"

    @property
    def tdmsci_train(self) -> Path:
        return self.benchmarks / "tdmsci" / "train_1500_v2.conll"


def _tdmsci_split(settings: CorpusSettings) -> tuple[list[NerDocument], list[NerDocument]]:
    docs = list(iter_tdmsci(settings.tdmsci_train))
    return docs[: -settings.holdout], docs[-settings.holdout :]


def predicted_spans(nlp: spacy.language.Language, sentence: NerSentence) -> list[tuple[int, int, str]]:
    doc = nlp(Doc(nlp.vocab, words=list(sentence.words), spaces=list(sentence.spaces)))
    return [(e.start, e.end, e.label_) for e in doc.ents]


def known_name_finder(nlp: spacy.language.Language) -> Callable[[Doc], list[tuple[int, int, str]]]:
    """Spans of a doc that kgraph's gazetteer knows or that look like coined names."""
    from ..nlp.components import Gazetteer
    from ..nlp.vocab import load_vocab

    gazetteer = Gazetteer(nlp, load_vocab(None))

    def find(doc: Doc) -> list[tuple[int, int, str]]:
        doc._.kgraph_candidates = None
        gazetteer(doc)
        found = [(c.start, c.end, c.type.value.upper()) for c in doc._.kgraph_candidates]
        doc._.kgraph_candidates = None
        found += [(t.i, t.i + 1, "METHOD") for t in doc if is_name_shaped(t.text)]
        return found

    return find


def build_corpora(settings: CorpusSettings, workdir: Path, *, masker: spacy.language.Language | None = None,
                  scierc_only: bool = False) -> dict[str, CorpusStats]:
    """Write ``train.spacy`` and ``dev.spacy`` into ``workdir``.

    ``masker`` is the model that finds what TDMSci leaves unannotated;
    ``scierc_only`` writes SciERC alone (for the masking model itself).
    """
    blank = spacy.blank("en")
    vocab = blank.vocab
    workdir.mkdir(parents=True, exist_ok=True)
    known = known_name_finder(blank) if settings.mask_names or settings.silver else None

    def scierc(split: str):
        return iter_sentence_docs(vocab, iter_scierc_ner(settings.scierc / f"{split}.json"),
                                  lambda s: scierc_spans(s, material=settings.material,
                                                                split_acronyms=settings.split_acronyms))

    def tdmsci(documents: list[NerDocument]):
        for document in documents:
            for sentence in document.sentences:
                unannotated = []
                if settings.partial == "mask":
                    if masker is not None:
                        unannotated += predicted_spans(masker, sentence)
                    if settings.mask_names:
                        unannotated += known(Doc(vocab, words=list(sentence.words)))
                yield sentence_doc(vocab, sentence, tdmsci_spans(sentence, unannotated=unannotated,
                                                                      split_acronyms=settings.split_acronyms))

    if scierc_only:
        train_docs, dev_docs = scierc("train"), scierc("dev")
    else:
        tdm_train, tdm_dev = _tdmsci_split(settings)
        train_docs = _chain(scierc("train"), tdmsci(tdm_train))
        if settings.silver:
            silver = iter_silver_docs(settings.pwc, vocab, blank.make_doc,
                                      unannotated=lambda doc: [(s, e) for s, e, _ in known(doc)],
                                      negatives=settings.silver_negatives)
            train_docs = _chain(train_docs, silver)
        dev_docs = _chain(scierc("dev"), tdmsci(tdm_dev))
    return {
        "train": write_docbin(train_docs, workdir / "train.spacy"),
        "dev": write_docbin(dev_docs, workdir / "dev.spacy"),
    }


def _chain(*iterables):
    for it in iterables:
        yield from it


def config_overrides(items: list[str]) -> dict[str, object]:
    """``KEY=VALUE`` command-line overrides of the spaCy config, each value read as JSON where it is JSON
    (``training.max_epochs=5`` is the number 5)."""
    overrides: dict[str, object] = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def run_spacy_train(workdir: Path, overrides: dict[str, object], *, config: Path = CONFIG) -> Path:
    """``spacy train`` on ``workdir``'s corpora; the best checkpoint's directory."""
    from spacy.cli.train import train as spacy_train

    settings = {"paths.train": str(workdir / "train.spacy"), "paths.dev": str(workdir / "dev.spacy"), **overrides}
    spacy_train(config, workdir / "model", use_gpu=-1, overrides=settings)
    return workdir / "model" / "model-best"


def install_model(trained: Path, target: Path, *, meta: dict) -> Path:
    """Copy a trained pipeline into the package, with provenance in its meta.json."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(trained, target)
    meta_path = target / "meta.json"
    data = json.loads(meta_path.read_text(encoding="utf-8"))
    data.update(meta)
    meta_path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def train_models(settings: CorpusSettings, workdir: Path, output: Path, *, models: tuple[str, ...] = ("default", "fast"),
                 log: Callable[[str], None] = print, reuse_masker: bool = False,
                 extra_overrides: dict[str, object] | None = None) -> dict:
    """The whole recipe: masking model, corpora, one ``spacy train`` per model."""
    report: dict = {"settings": {k: str(v) for k, v in asdict(settings).items()}, "models": {}}
    masker = None
    if settings.partial == "mask":
        mask_dir = workdir / "mask"
        best = mask_dir / "model" / "model-best"
        if not (reuse_masker and best.is_dir()):
            start = time.perf_counter()
            log("training the masking model on SciERC alone")
            report["mask_corpus"] = build_corpora(settings, mask_dir, scierc_only=True)
            run_spacy_train(mask_dir, MODELS["mask"])
            report["mask_seconds"] = round(time.perf_counter() - start, 1)
        masker = spacy.load(best)
    corpus_dir = workdir / "corpus"
    report["corpus"] = {k: asdict(v) for k, v in build_corpora(settings, corpus_dir, masker=masker).items()}
    log(f"corpora: {report['corpus']}")
    for name in models:
        start = time.perf_counter()
        model_dir = workdir / name
        model_dir.mkdir(parents=True, exist_ok=True)
        for split in ("train", "dev"):
            shutil.copy(corpus_dir / f"{split}.spacy", model_dir / f"{split}.spacy")
        overrides = {**MODELS[name], **(extra_overrides or {})}
        best = run_spacy_train(model_dir, overrides)
        seconds = round(time.perf_counter() - start, 1)
        meta = {
            "name": f"kgraph_ner_{name}",
            "version": "1.0.0",
            "description": "kgraph's scientific entity recognizer (METHOD, TASK, DATASET, MATERIAL, METRIC); "
                           "see docs/NER_MODEL_CARD.md",
            "kgraph_training": {"settings": report["settings"], "overrides": {k: str(v) for k, v in overrides.items()},
                                "seconds": seconds},
        }
        install_model(best, output / name, meta=meta)
        report["models"][name] = {"seconds": seconds, "path": str(output / name)}
        log(f"{name}: trained in {seconds} s -> {output / name}")
    return report
