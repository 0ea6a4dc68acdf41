"""Precision, recall and F1 over sets of predicted and gold items.

>>> gold = {("d", (0, 1), "used_for", (3, 4))}
>>> pred = {("d", (0, 1), "used_for", (3, 4)), ("d", (3, 4), "used_for", (0, 1))}
>>> s = score_triples(gold, pred)
>>> s["used_for"].precision, s["used_for"].recall, s["micro"].f1
(0.5, 1.0, 0.6666666666666666)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# (document key, head span, relation, tail span)
Triple = tuple[str, tuple, str, tuple]


@dataclass(frozen=True, slots=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    def as_dict(self) -> dict:
        return {"gold": self.gold, "predicted": self.predicted, "correct": self.tp,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def _canonical(item: Triple, symmetric: frozenset[str]) -> Triple:
    doc, head, rel, tail = item
    if rel in symmetric:
        head, tail = sorted((head, tail), key=repr)  # spans of mixed kinds compare as text
    return (doc, head, rel, tail)


def score_triples(gold: Iterable[Triple], predicted: Iterable[Triple], *,
                  symmetric: frozenset[str] = frozenset(), labels: Iterable[str] = ()) -> dict[str, PRF]:
    """Strict match per relation label and micro-averaged (key ``"micro"``).

    Head and tail spans must match exactly; direction matters except for the
    labels in ``symmetric``, which match in either order.
    """
    gold_set = {_canonical(g, symmetric) for g in gold}
    pred_set = {_canonical(p, symmetric) for p in predicted}
    names = sorted({t[2] for t in gold_set | pred_set} | set(labels))
    out = {}
    for name in names:
        g = {t for t in gold_set if t[2] == name}
        p = {t for t in pred_set if t[2] == name}
        out[name] = PRF(len(g & p), len(p - g), len(g - p))
    out["micro"] = PRF(len(gold_set & pred_set), len(pred_set - gold_set), len(gold_set - pred_set))
    return out
