"""Entity scores: strict span+type and boundary-lenient (overlap) matching.

An entity is ``(document, sentence, start, end, type)`` with sentence-local,
half-open token offsets.

- **strict**: a prediction is correct iff the same tuple is gold (the
  CoNLL / SciERC convention);
- **overlap**: a prediction is correct iff it overlaps a gold entity of the
  same type in the same sentence, and a gold entity is found iff some
  prediction of its type overlaps it. Precision and recall count different
  things here, so it shows boundary conventions, not a second headline.

>>> gold = [("d", 0, 0, 2, "method"), ("d", 0, 5, 6, "task")]
>>> pred = [("d", 0, 0, 2, "method"), ("d", 0, 4, 6, "task"), ("d", 0, 8, 9, "task")]
>>> s = score_entities(gold, pred, types=("method", "task"))
>>> s["overall"].strict.f1, s["task"].strict.tp, s["task"].overlap.precision
(0.4, 0, 0.5)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .score import PRF

Entity = tuple[str, int, int, int, str]  # (document, sentence, start, end, type)


@dataclass(frozen=True, slots=True)
class Overlap:
    """Boundary-lenient counts: predictions touching gold, gold touched by predictions."""

    pred_hit: int
    predicted: int
    gold_hit: int
    gold: int

    @property
    def precision(self) -> float:
        return self.pred_hit / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.gold_hit / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True, slots=True)
class TypeScore:
    strict: PRF
    overlap: Overlap

    def as_dict(self) -> dict:
        return {"strict": self.strict.as_dict(), "overlap": self.overlap.as_dict()}


def _overlap_hits(a: set[Entity], b: set[Entity]) -> int:
    """How many of ``a`` overlap some entity of ``b`` of the same type and sentence."""
    index: dict[tuple[str, int, str], list[tuple[int, int]]] = defaultdict(list)
    for doc, sent, start, end, kind in b:
        index[(doc, sent, kind)].append((start, end))
    return sum(
        any(s < end and start < e for s, e in index.get((doc, sent, kind), ()))
        for doc, sent, start, end, kind in a
    )


def score_entities(gold: Iterable[Entity], predicted: Iterable[Entity], *,
                   types: Iterable[str], extra_types: Iterable[str] = ()) -> dict[str, TypeScore]:
    """Scores per type (``types`` and ``extra_types``) and ``"overall"`` over ``types``.

    Entities of other types are ignored on both sides.
    """
    types = tuple(types)
    gold_set, pred_set = set(gold), set(predicted)
    out: dict[str, TypeScore] = {}
    for kind in (*types, *extra_types):
        out[kind] = _score({g for g in gold_set if g[4] == kind}, {p for p in pred_set if p[4] == kind})
    out["overall"] = _score({g for g in gold_set if g[4] in types}, {p for p in pred_set if p[4] in types})
    return out


def _score(gold: set[Entity], pred: set[Entity]) -> TypeScore:
    strict = PRF(len(gold & pred), len(pred - gold), len(gold - pred))
    overlap = Overlap(_overlap_hits(pred, gold), len(pred), _overlap_hits(gold, pred), len(gold))
    return TypeScore(strict, overlap)
