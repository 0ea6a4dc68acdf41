"""Training the relation classifier (:mod:`kgraph.nlp.relcat`) on SciERC.

Fitted on SciERC **train**; the epoch and the NONE bias are selected on
**dev** by micro F1 over the relations kgraph maps (see
:mod:`kgraph.eval.relations`). Test is never read here.

``make train-relations`` runs it with the settings recorded in the model file.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .relations import gold_items, parse_documents, score_relations, to_kgraph
from .scierc import SciercDocument, read_scierc


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 6
    batch_size: int = 32
    learn_rate: float = 0.001
    seed: int = 0
    none_biases: tuple[float, ...] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)


@dataclass(frozen=True)
class PairExample:
    doc_key: str
    left: tuple[int, int]  # document-global token spans
    right: tuple[int, int]
    features: list[str]
    gold_class: str


def pair_examples(docs: Sequence[SciercDocument], parsed: Sequence[Sequence]) -> list[PairExample]:
    """Every pair of gold entities in every sentence, with its class."""
    from ..nlp.relcat import NONE, Arg, class_of, iter_pairs, pair_features

    out = []
    for doc, sdocs in zip(docs, parsed):
        offset = 0
        for sent, sdoc in zip(doc.sentences, sdocs):
            args = [Arg(e.start, e.end, e.label) for e in sent.entities]
            labels = {(r.head, r.tail): r.label for r in sent.relations}
            for i, j in iter_pairs(args):
                a, b = (args[i].start, args[i].end), (args[j].start, args[j].end)
                if (a, b) in labels:
                    gold = class_of(labels[(a, b)], True)
                elif (b, a) in labels:
                    gold = class_of(labels[(b, a)], False)
                else:
                    gold = NONE
                shift = lambda s: (s[0] + offset, s[1] + offset)  # noqa: E731
                out.append(PairExample(doc.key, shift(a), shift(b), pair_features(sdoc, sdoc[:], args[i], args[j], args), gold))
            offset += len(sent.words)
    return out


def _predicted_items(classifier, examples: Sequence[PairExample], rows, none_bias: float) -> set:
    from ..nlp.relcat import decode_class

    out = set()
    for ex, row in zip(examples, rows):
        decoded = decode_class(classifier.decide(row, none_bias)[0])
        if decoded is None:
            continue
        label, left_is_head = decoded
        head, tail = (ex.left, ex.right) if left_is_head else (ex.right, ex.left)
        mapped = to_kgraph(label, head, tail)
        if mapped is not None:
            out.add((ex.doc_key, *mapped))
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def train_relation_classifier(train_path: str | Path, dev_path: str | Path, *, settings: TrainSettings = TrainSettings(),
                              nlp=None, log: Callable[[str], None] = lambda _: None):
    """Train, select on dev, and return the classifier (not yet saved)."""
    from spacy.training import Example
    from thinc.api import Adam, fix_random_seed

    from ..nlp.pipeline import BASE_MODEL
    from ..nlp.relcat import CLASSES, TEXTCAT_MODEL, RelationClassifier, feature_docs, load_parser, new_textcat

    nlp = nlp or load_parser()
    train_docs, dev_docs = read_scierc(train_path), read_scierc(dev_path)
    log(f"parsing {len(train_docs)} train and {len(dev_docs)} dev documents")
    train = pair_examples(train_docs, parse_documents(nlp, train_docs))
    dev = pair_examples(dev_docs, parse_documents(nlp, dev_docs))
    gold_dev = gold_items(dev_docs)

    fix_random_seed(settings.seed)
    rng = random.Random(settings.seed)
    tc_nlp, textcat = new_textcat()
    examples = [
        Example(doc, doc.copy()) for doc in feature_docs(ex.features for ex in train)
    ]
    for example, ex in zip(examples, train):
        example.reference.cats = {name: float(name == ex.gold_class) for name in CLASSES}
    tc_nlp.initialize(lambda: examples[:200])
    optimizer = Adam(settings.learn_rate)
    classifier = RelationClassifier(textcat)
    dev_docs_feats = [ex.features for ex in dev]
    best = None
    history = []
    for epoch in range(1, settings.epochs + 1):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for k in range(0, len(examples), settings.batch_size):
            tc_nlp.update(examples[k : k + settings.batch_size], sgd=optimizer, losses=losses)
        rows = classifier.scores(dev_docs_feats)
        for bias in settings.none_biases:
            micro = score_relations(gold_dev, _predicted_items(classifier, dev, rows, bias))["micro"]
            history.append({"epoch": epoch, "none_bias": bias, "dev": micro.as_dict()})
            if best is None or micro.f1 > best[0] + 1e-9:
                best = (micro.f1, epoch, bias, textcat.to_bytes(exclude=["vocab"]), micro)
        log(f"epoch {epoch}: loss {losses.get('textcat', 0.0):.2f}, best dev F1 so far {best[0]:.4f} "
            f"(epoch {best[1]}, NONE bias {best[2]})")
    f1, epoch, bias, weights, micro = best
    textcat.from_bytes(weights, exclude=["vocab"])
    meta = {
        "trained_on": {"train": {"file": Path(train_path).name, "sha256": _sha256(train_path), "pairs": len(train)},
                       "dev": {"file": Path(dev_path).name, "sha256": _sha256(dev_path), "pairs": len(dev)}},
        "selected": {"epoch": epoch, "none_bias": bias, "dev_micro": micro.as_dict()},
        "settings": {**asdict(settings), "none_biases": list(settings.none_biases)},
        "base_model": BASE_MODEL,
        "classes": list(CLASSES),
    }
    return RelationClassifier(textcat, none_bias=bias, meta=meta, model_config=TEXTCAT_MODEL), history
