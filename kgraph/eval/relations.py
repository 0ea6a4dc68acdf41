"""Relations (and mentions) scored against SciERC.

SciERC labels are mapped to kgraph's relations (:data:`SCIERC_TO_KGRAPH`):

=============  ==================  =========================================
SciERC         kgraph              direction
=============  ==================  =========================================
USED-FOR       ``used_for``        same: "X USED-FOR Y" is X used_for Y
EVALUATE-FOR   ``evaluated_on``    reversed: "X EVALUATE-FOR Y" is Y evaluated_on X
COMPARE        ``compared_with``   symmetric: matched in either order
HYPONYM-OF     ``extends``         same: X is a kind (variant) of Y
PART-OF        ``part_of``         same
CONJUNCTION    (none)              not counted, gold or predicted
FEATURE-OF     (none)              not counted, gold or predicted
=============  ==================  =========================================

Every gold relation with one of the first five labels is counted, whatever
its entity types (Generic, OtherScientificTerm and Metric arguments
included). A predicted relation is correct when its relation, its head span and
its tail span all match a gold one exactly (token boundaries; the order too,
except for ``compared_with``).

Items are ``(doc_key, head, relation, tail)`` with document-global, half-open
token spans; a predicted mention whose characters do not start and end on
SciERC token boundaries gets a character span instead, which matches nothing.

Two settings (``extractor`` picks what relates the entities):

- end to end (:func:`run_end_to_end`): the whole pipeline on each abstract's
  text, kgraph's own mentions; ``"pipeline"`` scores every entity-level
  relation it gives, ``"model"`` those of the learned pair model
  (``kgraph_pairs_v1``), ``"rules"`` those of the sentence rules (which relate
  entities only in a pipeline without the pair model, e.g. ``--rules``);
- given the gold entities: ``"model"`` (and ``"pipeline"``, since the default
  pipeline relates entities by the pair model alone) runs the default tagger
  on each document's words for the word vectors and the pair model over the
  gold Method/Task/Material mentions (:func:`pair_model_items`); ``"rules"``
  runs the sentence rules over them on en_core_web_sm's parse
  (:func:`rule_items`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import ConfigError
from ..model import EntityType, Paper, RelationType
from .score import PRF, score_triples
from .scierc import SciercDocument, detokenize, token_spaces

Item = tuple[str, tuple, str, tuple]

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
SYMMETRIC = frozenset({RelationType.COMPARED_WITH.value})
UNMAPPED_LABELS = ("CONJUNCTION", "FEATURE-OF")
# kgraph's entity types against SciERC's entity labels, for mention scores.
TYPE_MAP = {"Method": EntityType.METHOD, "Task": EntityType.TASK, "Material": EntityType.DATASET}
EXTRACTORS = ("pipeline", "rules", "model")


def _mapping() -> dict[str, tuple[RelationType, bool]]:
    return SCIERC_TO_KGRAPH


def to_kgraph(label: str, head: tuple, tail: tuple) -> tuple[tuple, str, tuple] | None:
    """A SciERC relation as a kgraph (head, relation, tail), or None when unmapped.

    >>> to_kgraph("EVALUATE-FOR", (0, 1), (3, 5))
    ((3, 5), 'evaluated_on', (0, 1))
    >>> to_kgraph("CONJUNCTION", (0, 1), (3, 5)) is None
    True
    """
    mapped = _mapping().get(label)
    if mapped is None:
        return None
    relation, flip = mapped
    return (tail, relation.value, head) if flip else (head, relation.value, tail)


def _sentence_offsets(doc: SciercDocument) -> list[int]:
    offsets, n = [], 0
    for sent in doc.sentences:
        offsets.append(n)
        n += len(sent.words)
    return offsets


def _shift(span: tuple[int, int], offset: int) -> tuple[int, int]:
    return (span[0] + offset, span[1] + offset)


def gold_items(docs: Iterable[SciercDocument]) -> set[Item]:
    """The gold relations that have a kgraph counterpart, in kgraph's terms."""
    out = set()
    for doc in docs:
        for offset, sent in zip(_sentence_offsets(doc), doc.sentences):
            for rel in sent.relations:
                mapped = to_kgraph(rel.label, _shift(rel.head, offset), _shift(rel.tail, offset))
                if mapped is not None:
                    out.add((doc.key, *mapped))
    return out


def typable_gold_items(docs: Iterable[SciercDocument]) -> set[Item]:
    """The mapped gold relations whose two arguments are Method, Task or Material:
    the only ones kgraph's three entity types can reach end to end."""
    out = set()
    for doc in docs:
        for offset, sent in zip(_sentence_offsets(doc), doc.sentences):
            labels = {e.span: e.label for e in sent.entities}
            for rel in sent.relations:
                if labels.get(rel.head) not in TYPE_MAP or labels.get(rel.tail) not in TYPE_MAP:
                    continue
                mapped = to_kgraph(rel.label, _shift(rel.head, offset), _shift(rel.tail, offset))
                if mapped is not None:
                    out.add((doc.key, *mapped))
    return out


def gold_counts(docs: Sequence[SciercDocument]) -> dict[str, int]:
    """Gold relations by SciERC label (all of them, mapped or not)."""
    counts: dict[str, int] = {}
    for doc in docs:
        for sent in doc.sentences:
            for rel in sent.relations:
                counts[rel.label] = counts.get(rel.label, 0) + 1
    return dict(sorted(counts.items()))


# ---------------------------------------------------------------- given gold entities

# the base model's components the sentence rules read (tagger, dependency parse, lemmas)
PARSE_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


def load_parser(base_model: str | None = None):
    """The base spaCy model's tagger, parser and lemmatizer alone (what :func:`parse_documents` needs)."""
    import spacy

    from ..errors import PipelineError
    from ..nlp.pipeline import BASE_MODEL

    try:
        return spacy.load(base_model or BASE_MODEL, exclude=["ner", "senter"])
    except OSError as exc:
        raise PipelineError(f"cannot load the base spaCy model {base_model or BASE_MODEL!r} ({exc})") from None


def parse_documents(nlp, docs: Sequence[SciercDocument], *, batch_size: int = 64) -> list[list]:
    """Each sentence of each document as a parsed spaCy Doc; token *i* stays token *i*."""
    from spacy.tokens import Doc

    flat = [
        Doc(nlp.vocab, words=list(s.words), spaces=token_spaces(s.words),
            sent_starts=[k == 0 for k in range(len(s.words))])
        for d in docs for s in d.sentences
    ]
    names = [name for name in nlp.pipe_names if name in PARSE_COMPONENTS]
    with nlp.select_pipes(enable=names):
        parsed = list(nlp.pipe(flat, batch_size=batch_size))
    out, k = [], 0
    for d in docs:
        out.append(parsed[k : k + len(d.sentences)])
        k += len(d.sentences)
    return out


def load_pair_model(model: str = "default"):
    """The default pipeline's entity tagger (for its word vectors) and its relation model."""
    from ..errors import PipelineError
    from ..nlp.encoder_ner import EncoderTagger
    from ..nlp.ner import model_path
    from ..nlp.pairs import PairModel

    path = model_path(model)
    if not PairModel.exists(path):
        raise PipelineError(f"no relation model (pairs.npz, pairs.json) in {path}; train it with `make train`")
    try:
        tagger, pair_model = EncoderTagger(path), PairModel(path)
    except (ImportError, OSError, ValueError, KeyError) as exc:
        raise PipelineError(f"cannot load the tagger and relation model in {path}: {exc}") from None
    if not tagger.has_vectors:
        raise PipelineError(f"the tagger in {path} gives no word vectors, which the relation model reads")
    return tagger, pair_model


@dataclass
class PairItems:
    """The pair model's relations between gold entities, and how many it related across sentences."""

    items: set[Item] = field(default_factory=set)
    cross_sentence: int = 0


def pair_model_items(docs: Sequence[SciercDocument], tagger, pair_model, *,
                     min_score: float | dict | None = None) -> PairItems:
    """The learned pair model's relations between the gold entities of each document.

    As at run time, the tagger reads each sentence's words (SciERC's tokens) and
    gives their vectors; the document is the paper (no title: its first
    sentence is sentence 0, as when the pipeline reads an abstract without a
    title). Each gold Method, Task or Material mention is one entity, typed
    method, task or dataset (other labels are skipped; a span given twice is
    one entity). The model relates entities across sentences too, which SciERC
    never annotates: those predictions are counted apart (``cross_sentence``)
    and not scored.
    """
    import numpy as np

    from ..nlp.pairs import PairEntity

    out = PairItems()
    for doc in docs:
        sentences = [list(s.words) for s in doc.sentences]
        _, vectors = tagger.tag_with_vectors(sentences)
        dims = next((v.shape[1] for v in vectors if v is not None), 1)
        vectors = [v if v is not None else np.zeros((len(w), dims), dtype=np.float32)
                   for v, w in zip(vectors, sentences)]
        entities, spans, seen = [], [], set()
        for k, (offset, sent) in enumerate(zip(_sentence_offsets(doc), doc.sentences)):
            for e in sent.entities:
                kind = TYPE_MAP.get(e.label)
                if kind is None or (k, e.start, e.end, kind) in seen:
                    continue
                seen.add((k, e.start, e.end, kind))
                entities.append(PairEntity(kind.value, ((k, e.start, e.end),)))
                spans.append((k, _shift(e.span, offset)))
        for pair in pair_model.relations_of(vectors, entities, min_score=min_score):
            (sh, head), (st, tail) = spans[pair.head], spans[pair.tail]
            if sh != st:
                out.cross_sentence += 1
                continue
            out.items.add((doc.key, head, pair.relation, tail))
    return out


def rule_items(docs: Sequence[SciercDocument], parsed: Sequence[Sequence]) -> set[Item]:
    """kgraph's rules between the gold entities that have a kgraph type.

    Generic, OtherScientificTerm and Metric entities have none, so the rules
    do not see them.
    """
    from ..nlp.candidates import Candidate
    from ..nlp.relations import find_relations

    out = set()
    for doc, sdocs in zip(docs, parsed):
        for offset, sent, sdoc in zip(_sentence_offsets(doc), doc.sentences, sdocs):
            cands = sorted(
                (Candidate(e.start, e.end, TYPE_MAP[e.label], "gold") for e in sent.entities if e.label in TYPE_MAP),
                key=lambda c: (c.start, c.end),
            )
            for rel in find_relations(sdoc, cands):
                if rel.head is None:
                    continue
                h, t = cands[rel.head], cands[rel.tail]
                out.add((doc.key, _shift((h.start, h.end), offset), rel.relation.value, _shift((t.start, t.end), offset)))
    return out


# ---------------------------------------------------------------- end to end


@dataclass
class EndToEnd:
    """kgraph's own mentions and entity-level relations on SciERC documents."""

    relations: dict[str, set[Item]] = field(default_factory=dict)  # by extractor family
    mentions: set[tuple[str, tuple, str]] = field(default_factory=set)


def document_paper(doc: SciercDocument) -> tuple[Paper, list[tuple[int, int]]]:
    """A SciERC document as a paper (no title; the abstract is the detokenized text)
    and the character span of each of its tokens in the abstract."""
    words = [w for s in doc.sentences for w in s.words]
    text, spans = detokenize(words)
    return Paper(id=doc.key, title="", abstract=text), spans


def run_end_to_end(nlp, docs: Sequence[SciercDocument]) -> EndToEnd:
    """Run the whole kgraph pipeline on each document's text."""
    from ..nlp.extract import iter_extractions

    papers, token_spans = [], {}
    for doc in docs:
        paper, spans = document_paper(doc)
        papers.append(paper)
        token_spans[doc.key] = spans
    out = EndToEnd(relations={name: set() for name in EXTRACTORS})
    for ex in iter_extractions(nlp, papers):
        spans = token_spans[ex.paper.id]
        starts = {s: k for k, (s, _) in enumerate(spans)}
        ends = {e: k + 1 for k, (_, e) in enumerate(spans)}

        def span_of(m) -> tuple:
            if m.field == "abstract" and m.start in starts and m.end in ends and starts[m.start] < ends[m.end]:
                return (starts[m.start], ends[m.end])
            return ("chars", m.field, m.start, m.end)

        for m in ex.mentions:
            out.mentions.add((ex.paper.id, span_of(m), m.type.value))
        for rel in ex.relations:
            if rel.head is None:
                continue
            item = (ex.paper.id, span_of(ex.mentions[rel.head]), rel.relation.value, span_of(ex.mentions[rel.tail]))
            family = "model" if rel.extractor.startswith("model:") else "rules"
            out.relations[family].add(item)
            out.relations["pipeline"].add(item)
    return out


def gold_mentions(docs: Iterable[SciercDocument]) -> set[tuple[str, tuple, str]]:
    """Gold Method, Task and Material entities as (doc, span, kgraph type)."""
    out = set()
    for doc in docs:
        for offset, sent in zip(_sentence_offsets(doc), doc.sentences):
            for e in sent.entities:
                if e.label in TYPE_MAP:
                    out.add((doc.key, _shift(e.span, offset), TYPE_MAP[e.label].value))
    return out


def score_mentions(gold: set, predicted: set) -> dict[str, PRF]:
    """Strict boundaries and type, per kgraph type and micro."""
    as_items = lambda items: {(d, s, t, s) for d, s, t in items}  # noqa: E731  reuse the triple scorer
    return score_triples(as_items(gold), as_items(predicted), labels=[t.value for t in EntityType])


def score_relations(gold: set[Item], predicted: set[Item]) -> dict[str, PRF]:
    labels = [rel.value for rel, _ in _mapping().values()]
    return score_triples(gold, predicted, symmetric=SYMMETRIC, labels=labels)


# ---------------------------------------------------------------- the report


def _rows(scores: dict[str, PRF], names: dict[str, str] | None = None) -> dict[str, dict]:
    names = names or {}
    return {names.get(k, k): v.as_dict() for k, v in scores.items()}


def evaluate_scierc(path, *, relations: bool = False, gold_entities: bool = False, extractor: str = "pipeline",
                    nlp=None, tagger=None, pair_model=None, limit: int | None = None) -> dict:
    """Scores of kgraph on one SciERC file, as a JSON-ready dict.

    ``relations=False``: Method/Task/Material mentions against kgraph's
    method/task/dataset mentions. ``relations=True``: mapped relations, end to
    end (kgraph's own mentions) or, with ``gold_entities``, between the gold
    entities. ``extractor``: ``"pipeline"`` (what the pipeline relates),
    ``"model"`` (the learned pair model) or ``"rules"`` (the sentence rules); see
    the module's docstring. ``nlp``: the pipeline run end to end, or the
    parser the rules read given gold entities; ``tagger`` and ``pair_model``:
    the tagger and relation model used given gold entities (default: the
    default pipeline's). ``limit`` scores the first documents only.
    """
    from .scierc import read_scierc

    if extractor not in EXTRACTORS:
        raise ConfigError(f"unknown extractor {extractor!r}; expected one of {EXTRACTORS}")
    use_rules = relations and gold_entities and extractor == "rules"
    if nlp is None and (use_rules or not (relations and gold_entities)):
        if use_rules:
            nlp = load_parser()  # only the parse is needed
        else:
            from ..nlp.pipeline import load_pipeline

            nlp = load_pipeline()
    docs = read_scierc(path)[:limit]
    report: dict = {"documents": len(docs), "file": str(path)}
    if not relations:
        e2e = run_end_to_end(nlp, docs)
        scores = score_mentions(gold_mentions(docs), e2e.mentions)
        report["what"] = "mentions, strict (Method=method, Task=task, Material=dataset)"
        report["scores"] = _rows(scores)
        return report
    gold = gold_items(docs)
    notes = []
    if gold_entities and use_rules:
        predicted = rule_items(docs, parse_documents(nlp, docs))
        report["what"] = "relations given gold entities, the sentence rules"
    elif gold_entities:
        if tagger is None or pair_model is None:
            tagger, pair_model = load_pair_model()
        found = pair_model_items(docs, tagger, pair_model)
        predicted = found.items
        report["what"] = f"relations given gold entities, the learned pair model ({extractor})"
        report["cross_sentence"] = found.cross_sentence
        notes.append(f"{found.cross_sentence} relations the pair model found between mentions in different "
                     f"sentences are not scored (SciERC annotates relations within a sentence only)")
    else:
        e2e = run_end_to_end(nlp, docs)
        predicted = e2e.relations[extractor]
        report["what"] = f"relations end to end (kgraph's own mentions), {extractor}"
        found = {(d, span) for d, span, _ in e2e.mentions}
        reachable = sum(1 for d, h, _, t in gold if (d, h) in found and (d, t) in found)
        report["reachable"] = reachable
    names = {rel.value: f"{label} -> {rel.value}" for label, (rel, _) in _mapping().items()}
    report["scores"] = _rows(score_relations(gold, predicted), names)
    report["gold_by_label"] = gold_counts(docs)
    typable = typable_gold_items(docs)
    reached = score_relations(typable, predicted)["micro"]
    report["typable"] = {"gold": len(typable), "correct": reached.tp, "recall": round(reached.recall, 4)}
    report["notes"] = [
        f"not counted (no kgraph relation): {', '.join(f'{k} {v}' for k, v in report['gold_by_label'].items() if k in UNMAPPED_LABELS)}",
        "compared_with matches in either order",
        f"{len(typable)} of {len(gold)} counted gold relations join two Method/Task/Material entities "
        f"(the only ones kgraph's types can reach end to end); recall on those: {100 * reached.recall:.1f}",
    ]
    if "reachable" in report:
        report["notes"].append(f"{report['reachable']} of {len(gold)} counted gold relations have both arguments "
                               f"among kgraph's mentions (exact spans): the most this run could find")
    report["notes"] += notes
    return report
