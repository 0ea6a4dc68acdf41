"""A learned relation classifier for pairs of mentions in one sentence.

Each pair of mentions in a sentence becomes a list of feature strings
(:func:`pair_features`: entity types, the words between them, the dependency
path that joins them, ...). A spaCy ``textcat`` with the bag-of-features
architecture (a sparse linear model) reads those features as the "words" of a
small Doc and picks one exclusive class: ``NONE`` or a SciERC relation label
with its direction relative to sentence order (``USED-FOR>``: the left
mention is used for the right one; ``USED-FOR<``: the other way round).

Training (SciERC train, selected on dev): ``make train-relations``; see
``kgraph/resources/relcat/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from ..model import EntityType, RelationType

NONE = "NONE"
DIRECTED_LABELS = ("USED-FOR", "EVALUATE-FOR", "HYPONYM-OF", "PART-OF", "FEATURE-OF")
SYMMETRIC_LABELS = ("COMPARE", "CONJUNCTION")
CLASSES = (NONE, *(f"{label}{arrow}" for label in DIRECTED_LABELS for arrow in "><"), *SYMMETRIC_LABELS)

# SciERC label -> (kgraph relation, whether kgraph's head is SciERC's tail).
# "X EVALUATE-FOR Y" means X (data, metric) evaluates Y: Y evaluated_on X.
# "X HYPONYM-OF Y": X is a kind (a variant) of Y: X extends Y.
# CONJUNCTION and FEATURE-OF have no kgraph counterpart.
SCIERC_TO_KGRAPH: dict[str, tuple[RelationType, bool]] = {
    "USED-FOR": (RelationType.USED_FOR, False),
    "EVALUATE-FOR": (RelationType.EVALUATED_ON, True),
    "COMPARE": (RelationType.COMPARED_WITH, False),
    "HYPONYM-OF": (RelationType.EXTENDS, False),
    "PART-OF": (RelationType.PART_OF, False),
}
# kgraph's mention types as SciERC entity labels (the classifier's type features).
SCIERC_TYPE = {EntityType.METHOD: "Method", EntityType.TASK: "Task", EntityType.DATASET: "Material"}


@dataclass(frozen=True, slots=True)
class Arg:
    """A mention as the classifier sees it: doc token offsets and a SciERC type."""

    start: int
    end: int
    label: str


def _bucket(n: int) -> str:
    if n <= 2:
        return str(n)
    if n <= 4:
        return "3-4"
    if n <= 7:
        return "5-7"
    if n <= 12:
        return "8-12"
    return "13+"


def _word(token: Token) -> str:
    if token.like_num and not any(c.isalpha() for c in token.text):
        return "<num>"
    return token.lemma_.lower() or token.lower_


def _dep_path(a: Token, b: Token) -> tuple[list[Token], Token | None, list[Token]]:
    """Tokens from ``a`` up to the lowest common ancestor, and from it down to ``b``."""
    up = [a, *a.ancestors]
    down = [b, *b.ancestors]
    where = {t.i: k for k, t in enumerate(down)}
    for k, t in enumerate(up):
        if t.i in where:
            return up[:k], t, list(reversed(down[: where[t.i]]))
    return up, None, list(reversed(down))


def pair_features(doc: Doc, sent: Span, a: Arg, b: Arg, others: Sequence[Arg] = ()) -> list[str]:
    """Feature strings of the ordered pair (``a`` starts first) in ``sent``.

    Pure: reads the parse, never changes the doc.
    """
    types = f"{a.label}|{b.label}"
    feats = [f"T={types}", f"Ta={a.label}", f"Tb={b.label}"]
    span_a, span_b = doc[a.start : a.end], doc[b.start : b.end]
    ha, hb = span_a.root, span_b.root
    feats += [f"Ha={_word(ha)}", f"Hb={_word(hb)}", f"HH={_word(ha)}|{_word(hb)}"]
    feats += [f"Wa={_word(t)}" for t in span_a] + [f"Wb={_word(t)}" for t in span_b]
    if b.start < a.end:  # nested (SciERC allows one inside another)
        inner = "b-in-a" if b.end <= a.end else "overlap"
        feats += [f"NEST={inner}", f"NEST={inner}|{types}"]
        between: list[Token] = []
    else:
        between = list(doc[a.end : b.start])
    words = [_word(t) for t in between]
    inside = [o for o in others if a.end <= o.start and o.end <= b.start]
    n_between = len(inside)
    feats += [f"EB={o.label}" for o in inside]
    feats += [f"D={_bucket(len(between))}", f"E={_bucket(n_between)}", f"E={_bucket(n_between)}|{types}"]
    if words:
        feats += [f"BF={words[0]}", f"BL={words[-1]}", f"BF={words[0]}|{types}", f"BL={words[-1]}|{types}"]
        feats += [f"B={w}" for w in set(words)] + [f"B={w}|{types}" for w in set(words)]
        feats += [f"BB={x}_{y}" for x, y in set(zip(words, words[1:]))]
        if len(words) <= 5:
            feats += [f"BS={'_'.join(words)}", f"BS={'_'.join(words)}|{types}"]
        verbs = [_word(t) for t in between if t.pos_ in {"VERB", "AUX"}]
        feats += [f"BV={v}" for v in set(verbs)] or ["BV=<none>"]
    else:
        feats.append("BS=<adjacent>")
    before = doc[a.start - 1] if a.start > sent.start else None
    after = doc[b.end] if b.end < sent.end else None
    feats.append(f"L1={_word(before) if before is not None else '<s>'}")
    feats.append(f"R1={_word(after) if after is not None else '</s>'}")
    if a.start - 2 >= sent.start:
        feats.append(f"L2={_word(doc[a.start - 2])}_{_word(doc[a.start - 1])}")
    up, lca, down = _dep_path(ha, hb)
    path = "^".join(t.dep_ for t in up) + "|" + ">".join(t.dep_ for t in down)
    feats += [f"P={path}", f"P={path}|{types}"]
    if lca is not None:
        lexical = "^".join(t.dep_ for t in up) + f"|{_word(lca)}|" + ">".join(t.dep_ for t in down)
        feats += [f"PL={lexical}", f"LCA={_word(lca)}", f"LCA={_word(lca)}|{types}"]
        inner_words = [_word(t) for t in (*up[1:], *down[:-1])]
        feats += [f"PW={w}" for w in set(inner_words)]
        if lca.i == ha.i:
            feats.append("LCA=a")
        elif lca.i == hb.i:
            feats.append("LCA=b")
    feats += [f"DEPa={ha.dep_}", f"DEPb={hb.dep_}", f"DEP={ha.dep_}|{hb.dep_}", f"PN={_bucket(len(up) + len(down))}"]
    for name, head in (("a", ha), ("b", hb)):
        if head.dep_ == "pobj" and head.head.pos_ == "ADP":
            prep = head.head
            feats += [f"PREP{name}={prep.lower_}", f"PREP{name}={prep.lower_}|{_word(prep.head)}"]
    return feats


def iter_pairs(args: Sequence[Arg]) -> Iterable[tuple[int, int]]:
    """Index pairs (i, j), i before j in sentence order, of distinct arguments."""
    order = sorted(range(len(args)), key=lambda k: (args[k].start, -args[k].end))
    for x, i in enumerate(order):
        for j in order[x + 1 :]:
            if (args[i].start, args[i].end) != (args[j].start, args[j].end):
                yield i, j


def class_of(label: str, head_first: bool) -> str:
    """The classifier's class for a gold label whose head is (or is not) the left argument."""
    if label in SYMMETRIC_LABELS:
        return label
    return f"{label}{'>' if head_first else '<'}"


def decode_class(name: str) -> tuple[str, bool] | None:
    """``"USED-FOR<"`` -> ``("USED-FOR", False)``: the label and whether the left argument is its head."""
    if name == NONE:
        return None
    if name in SYMMETRIC_LABELS:
        return name, True
    return name[:-1], name.endswith(">")


# ---------------------------------------------------------------- the model

MODEL_FORMAT = "kgraph-relcat-1"
DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[1] / "resources" / "relcat" / "relcat.msgpack"
# The textcat's architecture: a sparse linear model over hashed feature strings.
TEXTCAT_MODEL = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": True,
    "ngram_size": 1,
    "no_output_layer": False,
    "length": 2**15,
}


@dataclass(frozen=True, slots=True)
class PairPrediction:
    """The class of the pair (``left``, ``right``): indexes into the sentence's args."""

    left: int
    right: int
    label: str  # a SciERC relation label
    left_is_head: bool
    score: float

    @property
    def head(self) -> int:
        return self.left if self.left_is_head else self.right

    @property
    def tail(self) -> int:
        return self.right if self.left_is_head else self.left


def new_textcat(model: dict | None = None):
    """A blank ``Language`` holding one untrained ``textcat`` with :data:`CLASSES`."""
    import spacy

    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config={"model": dict(model or TEXTCAT_MODEL)})
    for name in CLASSES:
        textcat.add_label(name)
    return nlp, textcat


def feature_docs(feature_lists: Iterable[list[str]]) -> list[Doc]:
    """One throwaway Doc per feature list (a fresh vocab, so strings do not pile up)."""
    from spacy.vocab import Vocab

    vocab = Vocab()
    return [Doc(vocab, words=features or ["<empty>"]) for features in feature_lists]


class RelationClassifier:
    """A trained textcat over :func:`pair_features`, and the NONE bias chosen on dev.

    ``none_bias`` is subtracted from the NONE probability before the argmax:
    positive values trade precision for recall.
    """

    def __init__(self, textcat, *, none_bias: float = 0.0, meta: dict | None = None,
                 model_config: dict | None = None):
        self.textcat = textcat
        self.model_config = dict(model_config or TEXTCAT_MODEL)
        self.none_bias = none_bias
        self.meta = dict(meta or {})
        self.labels = tuple(textcat.labels)

    def scores(self, feature_lists: Sequence[list[str]]):
        """Class probabilities, one row per feature list, columns in :attr:`labels` order."""
        if not feature_lists:
            return []
        return self.textcat.model.ops.to_numpy(self.textcat.predict(feature_docs(feature_lists)))

    def decide(self, row, none_bias: float | None = None) -> tuple[str, float]:
        bias = self.none_bias if none_bias is None else none_bias
        best, best_score = NONE, -1.0
        for name, score in zip(self.labels, row):
            score = float(score) - (bias if name == NONE else 0.0)
            if score > best_score:
                best, best_score = name, score
        return best, best_score

    def classify(self, doc: Doc, sent: Span, args: Sequence[Arg], *, none_bias: float | None = None) -> list[PairPrediction]:
        """Every pair of ``args`` (all inside ``sent``) that is not NONE."""
        pairs = list(iter_pairs(args))
        rows = self.scores([pair_features(doc, sent, args[i], args[j], args) for i, j in pairs])
        out = []
        for (i, j), row in zip(pairs, rows):
            name, score = self.decide(row, none_bias)
            decoded = decode_class(name)
            if decoded is not None:
                out.append(PairPrediction(i, j, decoded[0], decoded[1], score))
        return out

    def to_bytes(self) -> bytes:
        import srsly

        return srsly.msgpack_dumps({
            "format": MODEL_FORMAT,
            "model": self.model_config,
            "textcat": self.textcat.to_bytes(exclude=["vocab"]),
            "none_bias": self.none_bias,
            "meta": self.meta,
        })

    def to_disk(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_bytes())
        return path

    @classmethod
    def from_bytes(cls, data: bytes) -> "RelationClassifier":
        import srsly

        msg = srsly.msgpack_loads(data)
        if not isinstance(msg, dict) or msg.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a kgraph relation classifier (expected format {MODEL_FORMAT!r})")
        _, textcat = new_textcat(msg["model"])
        textcat.from_bytes(msg["textcat"], exclude=["vocab"])
        return cls(textcat, none_bias=float(msg["none_bias"]), meta=msg.get("meta") or {}, model_config=msg["model"])

    @classmethod
    def from_disk(cls, path: str | Path | None = None) -> "RelationClassifier":
        return cls.from_bytes(Path(path or DEFAULT_MODEL_PATH).read_bytes())


# ---------------------------------------------------------------- pre-tokenized text

BASE_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


def load_parser(base_model: str | None = None):
    """The base model's tagger, parser and lemmatizer alone (what :func:`parse_words` needs)."""
    import spacy

    from ..errors import PipelineError
    from .pipeline import BASE_MODEL

    try:
        return spacy.load(base_model or BASE_MODEL, exclude=["ner", "senter"])
    except OSError as exc:
        raise PipelineError(f"cannot load the base spaCy model {base_model or BASE_MODEL!r} ({exc})") from None


def parse_words(nlp, sentences: Iterable[tuple[Sequence[str], Sequence[bool]]], *, batch_size: int = 64) -> list[Doc]:
    """One parsed Doc per pre-tokenized sentence; token *i* stays token *i*.

    Only the base model's components run (tagger, parser, lemmatizer), so the
    Docs carry the parse kgraph's rules and :func:`pair_features` read.
    """
    docs = [
        Doc(nlp.vocab, words=list(words), spaces=list(spaces), sent_starts=[k == 0 for k in range(len(words))])
        for words, spaces in sentences
    ]
    names = [name for name in nlp.pipe_names if name in BASE_COMPONENTS]
    with nlp.select_pipes(enable=names):
        return list(nlp.pipe(docs, batch_size=batch_size))


# ---------------------------------------------------------------- in the pipeline

# What each entity-level relation may connect (the entity rows of
# kgraph.resolve.entities.DOMAIN_RANGE, which tests keep in step with this).
ENTITY_SIGNATURES: dict[RelationType, tuple[frozenset, frozenset]] = {
    RelationType.USED_FOR: (frozenset({EntityType.METHOD}), frozenset({EntityType.TASK})),
    RelationType.EVALUATED_ON: (frozenset({EntityType.METHOD}), frozenset({EntityType.DATASET})),
    RelationType.COMPARED_WITH: (frozenset({EntityType.METHOD}), frozenset({EntityType.METHOD})),
    RelationType.EXTENDS: (frozenset({EntityType.METHOD}), frozenset({EntityType.METHOD})),
    RelationType.PART_OF: (frozenset({EntityType.METHOD}), frozenset({EntityType.METHOD})),
}
EXTRACTOR = "model:relcat"


def fits_schema(relation: RelationType, head: EntityType, tail: EntityType) -> bool:
    domain, range_ = ENTITY_SIGNATURES[relation]
    return head in domain and tail in range_


def model_relations(doc: Doc, mentions: Sequence, classifier: RelationClassifier, *,
                    existing: Iterable = (), min_score: float = 0.0) -> list:
    """Typed relations the classifier finds between the doc's mentions.

    Pairs the rules already related (``existing``) are left to the rules, and
    so is a task or dataset the rules already attached to a method in the same
    sentence; a prediction whose types do not fit :data:`ENTITY_SIGNATURES`, or whose
    class probability is under ``min_score``, is dropped.
    Each relation cites its sentence, extractor ``model:relcat``.
    """
    from .relations import FoundRelation, _bounds

    related = set()
    claimed = set()  # (relation, tail, sentence): the rules already found what a task/dataset serves
    for rel in existing:
        if rel.head is not None:
            related |= {(rel.head, rel.tail), (rel.tail, rel.head)}
            if rel.relation in (RelationType.USED_FOR, RelationType.EVALUATED_ON):
                claimed.add((rel.relation, rel.tail, rel.sent_start))
    jobs = []  # (sentence, mention indexes, args, left, right)
    features = []
    for sent in doc.sents:
        inside = [i for i, m in enumerate(mentions) if sent.start <= m.start and m.end <= sent.end]
        if len(inside) < 2:
            continue
        args = [Arg(mentions[i].start, mentions[i].end, SCIERC_TYPE[mentions[i].type]) for i in inside]
        for a, b in iter_pairs(args):
            if (inside[a], inside[b]) in related:
                continue
            jobs.append((sent, inside, a, b))
            features.append(pair_features(doc, sent, args[a], args[b], args))
    out = []
    for (sent, inside, a, b), row in zip(jobs, classifier.scores(features)):
        name, score = classifier.decide(row)
        decoded = decode_class(name)
        if decoded is None or decoded[0] not in SCIERC_TO_KGRAPH or score < min_score:
            continue
        label, left_is_head = decoded
        relation, flip = SCIERC_TO_KGRAPH[label]
        head, tail = (inside[a], inside[b]) if left_is_head else (inside[b], inside[a])
        if flip:
            head, tail = tail, head
        bounds = _bounds(sent)
        if fits_schema(relation, mentions[head].type, mentions[tail].type) and (relation, tail, bounds[0]) not in claimed:
            out.append(FoundRelation(head, relation, tail, *bounds, EXTRACTOR))
    return out
