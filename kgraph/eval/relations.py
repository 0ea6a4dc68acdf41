"""Relations (and mentions) scored against SciERC.

SciERC labels are mapped to kgraph's relations (:data:`~kgraph.nlp.relcat.SCIERC_TO_KGRAPH`):

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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..model import EntityType, Paper, RelationType
from .score import PRF, score_triples
from .scierc import SciercDocument, detokenize, token_spaces

Item = tuple[str, tuple, str, tuple]

SYMMETRIC = frozenset({RelationType.COMPARED_WITH.value})
UNMAPPED_LABELS = ("CONJUNCTION", "FEATURE-OF")
# kgraph's entity types against SciERC's entity labels, for mention scores.
TYPE_MAP = {"Method": EntityType.METHOD, "Task": EntityType.TASK, "Material": EntityType.DATASET}
EXTRACTORS = ("pipeline", "rules", "model")
MODEL_EXTRACTOR = "model:relcat"


def _mapping():
    from ..nlp.relcat import SCIERC_TO_KGRAPH

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


def parse_documents(nlp, docs: Sequence[SciercDocument]) -> list[list]:
    """Each sentence of each document as a parsed spaCy Doc (same tokens)."""
    from ..nlp.relcat import parse_words

    flat = [(s.words, token_spaces(s.words)) for d in docs for s in d.sentences]
    parsed = parse_words(nlp, flat)
    out, k = [], 0
    for d in docs:
        out.append(parsed[k : k + len(d.sentences)])
        k += len(d.sentences)
    return out


def model_items(docs: Sequence[SciercDocument], parsed: Sequence[Sequence], classifier, *,
                none_bias: float | None = None) -> set[Item]:
    """The classifier's relations between the gold entities of each sentence."""
    from ..nlp.relcat import Arg

    out = set()
    for doc, sdocs in zip(docs, parsed):
        for offset, sent, sdoc in zip(_sentence_offsets(doc), doc.sentences, sdocs):
            args = [Arg(e.start, e.end, e.label) for e in sent.entities]
            for p in classifier.classify(sdoc, sdoc[:], args, none_bias=none_bias):
                head, tail = args[p.head], args[p.tail]
                mapped = to_kgraph(p.label, _shift((head.start, head.end), offset), _shift((tail.start, tail.end), offset))
                if mapped is not None:
                    out.add((doc.key, *mapped))
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
                    nlp=None, classifier=None, limit: int | None = None) -> dict:
    """Scores of kgraph on one SciERC file, as a JSON-ready dict.

    ``relations=False``: Method/Task/Material mentions against kgraph's
    method/task/dataset mentions. ``relations=True``: mapped relations, end to
    end (kgraph's own mentions) or, with ``gold_entities``, between the gold
    entities. ``extractor`` picks the rules, the learned model, or both
    (``"pipeline"``); ``limit`` scores the first documents only.
    """
    from .scierc import read_scierc

    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown extractor {extractor!r}; expected one of {EXTRACTORS}")
    if nlp is None:
        if relations and gold_entities:
            from ..nlp.relcat import load_parser

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
    if gold_entities:
        parsed = parse_documents(nlp, docs)
        predicted: set = set()
        if extractor in ("pipeline", "rules"):
            predicted |= rule_items(docs, parsed)
        if extractor in ("pipeline", "model"):
            if classifier is None:
                from ..nlp.relcat import RelationClassifier

                classifier = RelationClassifier.from_disk()
            predicted |= model_items(docs, parsed, classifier)
        report["what"] = f"relations given gold entities, {extractor}"
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
    return report
