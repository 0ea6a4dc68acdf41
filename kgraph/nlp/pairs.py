"""The learned paper-level model: relations between a paper's entities, and what the paper proposes.

It reads what the entity tagger already computed, each word's vector
(:mod:`kgraph.nlp.encoder_ner`), so relations cost no second encoder pass.

A paper is given as plain arrays: the word vectors of each sentence (the
title is sentence 0) and, for each of its entities, the type and the
``(sentence, start, end)`` word spans of its mentions. Features:

- an entity: the mean vector of its mentions, its type, whether the title
  names it, how often and how early it is mentioned;
- a pair ``(head, tail)``: both entities' features, their product, and the
  mean vector of the words between their closest mentions in a shared
  sentence (zero when no sentence names both), with the number of shared
  sentences, the distance, the order, and how many sentences apart they are.

Two small networks (one hidden layer each, weights in ``pairs.npz``) score a
pair's relation (``none`` or one of :data:`RELATIONS`) and an entity's chance of
being proposed by the paper. Pairs are scored across sentences too: the
annotation links entities a paper relates in different sentences.

>>> vecs = [np.ones((3, 4), dtype=np.float32), np.zeros((5, 4), dtype=np.float32)]
>>> ents = [PairEntity("method", ((0, 0, 1), (1, 0, 2))), PairEntity("task", ((1, 3, 5),))]
>>> entity_features(vecs, ents).shape, pair_features(vecs, ents, [(0, 1)]).shape
((2, 10), (1, 34))
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TYPES = ("method", "task", "dataset")
RELATIONS = ("used_for", "evaluated_on", "compared_with", "extends", "part_of")
CLASSES = ("none",) + RELATIONS
# (head type, tail type) -> the relations that pair may hold (the guideline's schema)
SCHEMA: dict[tuple[str, str], tuple[str, ...]] = {
    ("method", "task"): ("used_for",),
    ("method", "dataset"): ("evaluated_on",),
    ("method", "method"): ("compared_with", "extends", "part_of"),
}
# (head type, tail type) -> which of CLASSES that pair may take ("none" always)
_ALLOWED_CLASSES = {types: np.array([c == "none" or c in allowed for c in CLASSES]) for types, allowed in SCHEMA.items()}
N_ENTITY_FLAGS = 6
N_PAIR_FLAGS = 6


@dataclass(frozen=True, slots=True)
class PairEntity:
    type: str
    spans: tuple[tuple[int, int, int], ...]  # (sentence, first word, end word); sentence 0 is the title


def _mention_vector(vectors: Sequence[np.ndarray], span: tuple[int, int, int]) -> np.ndarray:
    s, a, b = span
    return vectors[s][a:b].mean(axis=0)


def entity_features(vectors: Sequence[np.ndarray], entities: Sequence[PairEntity]) -> np.ndarray:
    """One row per entity: mean mention vector, then type one-hot, in title, log mentions, first sentence."""
    dim = vectors[0].shape[1] if vectors else 0
    n_sents = max(1, len(vectors) - 1)
    out = np.zeros((len(entities), dim + N_ENTITY_FLAGS), dtype=np.float32)
    for i, e in enumerate(entities):
        if e.spans:
            out[i, :dim] = np.mean([_mention_vector(vectors, sp) for sp in e.spans], axis=0)
        out[i, dim + TYPES.index(e.type)] = 1.0
        out[i, dim + 3] = float(any(sp[0] == 0 for sp in e.spans))
        out[i, dim + 4] = math.log1p(len(e.spans))
        out[i, dim + 5] = min((sp[0] for sp in e.spans), default=0) / n_sents
    return out


def pair_features(vectors: Sequence[np.ndarray], entities: Sequence[PairEntity],
                  pairs: Sequence[tuple[int, int]], ents: np.ndarray | None = None) -> np.ndarray:
    """One row per ``(head, tail)`` pair of entity indices."""
    ents = entity_features(vectors, entities) if ents is None else ents
    dim = vectors[0].shape[1] if vectors else 0
    width = 2 * ents.shape[1] + 2 * dim + N_PAIR_FLAGS
    out = np.zeros((len(pairs), width), dtype=np.float32)
    for row, (h, t) in enumerate(pairs):
        eh, et = ents[h], ents[t]
        context = np.zeros(dim, dtype=np.float32)
        shared, best, gap = set(), None, 99
        for sh, ah, bh in entities[h].spans:
            for st, at, bt in entities[t].spans:
                gap = min(gap, abs(sh - st))
                if sh != st:
                    continue
                shared.add(sh)
                dist = at - bh if ah < at else ah - bt
                if best is None or dist < best[0]:
                    best = (dist, sh, min(bh, bt), max(ah, at), ah < at)
        flags = np.zeros(N_PAIR_FLAGS, dtype=np.float32)
        if best is not None:
            dist, s, lo, hi, head_first = best
            if hi > lo:
                context = vectors[s][lo:hi].mean(axis=0)
            flags[:4] = (1.0, math.log1p(len(shared)), min(max(dist, 0), 30) / 30, float(head_first))
        flags[4] = min(gap, 5) / 5
        flags[5] = float(bool(entities[h].spans) and bool(entities[t].spans))
        out[row] = np.concatenate([eh, et, eh[:dim] * et[:dim], context, flags])
    return out


def candidate_pairs(entities: Sequence[PairEntity]) -> list[tuple[int, int]]:
    """Every ordered pair whose types the schema relates (method -> task / dataset / method)."""
    return [(h, t) for h, eh in enumerate(entities) for t, et in enumerate(entities)
            if h != t and (eh.type, et.type) in SCHEMA]


class _MLP:
    def __init__(self, mean, scale, w1, b1, w2, b2):
        self.mean, self.scale, self.w1, self.b1, self.w2, self.b2 = mean, scale, w1, b1, w2, b2

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros((0, self.w2.shape[1]), dtype=np.float32)
        h = np.maximum((x - self.mean) / self.scale @ self.w1 + self.b1, 0.0)
        return h @ self.w2 + self.b2


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True, slots=True)
class ScoredPair:
    head: int
    relation: str
    tail: int
    score: float


class PairModel:
    """The relation and proposal networks of a model directory (``pairs.npz`` + ``pairs.json``)."""

    def __init__(self, path: Path):
        with np.load(path / "pairs.npz") as data:
            arrays = {k: data[k] for k in data.files}
        self.meta = json.loads((path / "pairs.json").read_text(encoding="utf-8"))
        if tuple(self.meta.get("classes", ())) != CLASSES:
            raise ValueError(f"{path}: relation classes {self.meta.get('classes')} differ from {list(CLASSES)}")
        self.relations = _MLP(*(arrays[f"rel_{k}"] for k in ("mean", "scale", "w1", "b1", "w2", "b2")))
        self.proposal = _MLP(*(arrays[f"prop_{k}"] for k in ("mean", "scale", "w1", "b1", "w2", "b2")))
        # the least probability a relation needs: one number, or one per relation type
        threshold = self.meta.get("min_score", 0.5)
        self.min_score = dict(threshold) if isinstance(threshold, dict) else float(threshold)
        self.min_proposed = float(self.meta.get("min_proposed", 0.5))

    @staticmethod
    def exists(path: Path) -> bool:
        return (path / "pairs.npz").is_file() and (path / "pairs.json").is_file()

    def proposed(self, vectors: Sequence[np.ndarray], entities: Sequence[PairEntity],
                 ents: np.ndarray | None = None) -> np.ndarray:
        """Each entity's probability of being proposed by the paper (``ents``: its
        :func:`entity_features`, when already computed)."""
        if not entities:
            return np.zeros(0, dtype=np.float32)
        logits = self.proposal(entity_features(vectors, entities) if ents is None else ents)
        return 1.0 / (1.0 + np.exp(-logits[:, 0]))

    def relation_probabilities(self, vectors: Sequence[np.ndarray], entities: Sequence[PairEntity],
                               pairs: Sequence[tuple[int, int]], ents: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities (:data:`CLASSES`) of each pair, limited to what its types allow."""
        probs = _softmax(self.relations(pair_features(vectors, entities, pairs, ents)))
        mask = np.array([_ALLOWED_CLASSES[(entities[h].type, entities[t].type)] for h, t in pairs])
        probs = np.where(mask, probs, 0.0)
        return probs / probs.sum(axis=1, keepdims=True)

    def relations_of(self, vectors: Sequence[np.ndarray], entities: Sequence[PairEntity], *,
                     min_score: float | dict | None = None, ents: np.ndarray | None = None) -> list[ScoredPair]:
        """The relations of a paper: at most one per pair of entities, ``compared_with`` once per pair.

        ``min_score``: the least probability kept, one number or one per relation type
        (default: the model's own, from ``pairs.json``); ``ents``: the entities'
        :func:`entity_features`, when already computed.
        """
        threshold = self.min_score if min_score is None else min_score
        pairs = candidate_pairs(entities)
        if not pairs:
            return []
        probs = self.relation_probabilities(vectors, entities, pairs, ents)
        by_pair = {pair: row for pair, row in zip(pairs, probs)}
        best: dict[frozenset, ScoredPair] = {}
        for (h, t), row in by_pair.items():
            reverse = by_pair.get((t, h))
            for k, name in enumerate(CLASSES):
                if name == "none":
                    continue
                score = float(row[k])
                if name == "compared_with" and reverse is not None:
                    score = (score + float(reverse[k])) / 2
                    if h > t:
                        continue
                if score < (threshold.get(name, 0.5) if isinstance(threshold, dict) else threshold):
                    continue
                key = frozenset((h, t))
                if key not in best or score > best[key].score:
                    best[key] = ScoredPair(h, name, t, score)
        return sorted(best.values(), key=lambda p: (p.head, p.tail, p.relation))
