"""kgraph's encoder tagger at run time: a fine-tuned MiniLM in ONNX, word-level BIO tags.

A model directory holds ``model.onnx`` (int8 weights), ``tokenizer.json`` (the
encoder's word pieces) and ``meta.json`` (its tags). It is trained by
:mod:`kgraph.training.encoder`; running it needs onnxruntime and
tokenizers only (no torch).

A model also gives each word's vector (the encoder's output at its first
piece), which the relation model reads (:mod:`kgraph.nlp.pairs`).

>>> scores = np.zeros((2, len(TAGS)))
>>> scores[0, TAGS.index("I-TASK")] = scores[1, TAGS.index("I-TASK")] = 5.0   # an entity cannot open with I-
>>> [TAGS[t] for t in EncoderTagger.decode(scores)]
['B-TASK', 'I-TASK']
>>> shape_features(["DUSt3R", "the", "BERT"]).tolist()
[[1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]]
"""

from __future__ import annotations

import json
from functools import lru_cache
from collections.abc import Sequence
from pathlib import Path

import numpy as np

LABELS = ("METHOD", "TASK", "DATASET")
N_SHAPES = 4
MAX_PIECES = 256
MAX_WORDS = 120


def tags_for(labels: Sequence[str]) -> tuple[str, ...]:
    """``O``, then ``B-`` of each label, then ``I-`` of each label."""
    return ("O",) + tuple(f"B-{label}" for label in labels) + tuple(f"I-{label}" for label in labels)


TAGS = tags_for(LABELS)


@lru_cache(maxsize=8)
def _constraints(tags: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """allowed[i, j]: tag j may follow tag i (I-X only after B-X or I-X); which tags may start."""
    allowed = np.ones((len(tags), len(tags)), dtype=bool)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            for i, prev in enumerate(tags):
                allowed[i, j] = prev[2:] == tag[2:] and prev != "O"
    return allowed, np.array([not t.startswith("I-") for t in tags])


def shape_features(words: Sequence[str]) -> np.ndarray:
    """Per word: starts upper-case, all capitals (2+ letters), has a digit, mixed case (a capital
    after the first character and a lower-case letter somewhere: ResNet, DUSt3R, GloVe).

    The encoder is uncased; these put back what capitalisation says about names.
    """
    if not words:
        return np.zeros((0, N_SHAPES), dtype=np.float32)
    return np.array([_shape(w) for w in words], dtype=np.float32)


@lru_cache(maxsize=1 << 16)
def _shape(w: str) -> tuple[float, float, float, float]:
    letters = [c for c in w if c.isalpha()]
    return (
        float(bool(w) and w[0].isupper()),
        float(len(letters) >= 2 and all(c.isupper() for c in letters)),
        float(any(c.isdigit() for c in w)),
        float(any(c.isupper() for c in w[1:]) and any(c.islower() for c in letters)),
    )


def tags_to_spans(tags: Sequence[int], names: Sequence[str] = TAGS) -> list[tuple[int, int, str]]:
    """Half-open word spans of a valid BIO sequence (``names``: the tag of each index)."""
    out: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, t in enumerate(list(tags) + [0]):
        tag = names[t]
        if tag.startswith("I-") and tag[2:] == label:
            continue
        if label:
            out.append((start, i, label))
        start, label = (i, tag[2:]) if tag != "O" else (-1, "")
    return out


class EncoderTagger:
    """Tags pre-tokenised sentences with a model directory's ONNX tagger."""

    def __init__(self, path: Path, *, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        self.labels = tuple(meta.get("labels", ()))
        self.tags = tags_for(self.labels)
        if not self.labels or tuple(meta.get("tags", ())) != self.tags:
            raise ValueError(f"{path}: tags {meta.get('tags')} are not the BIO tags of labels {list(self.labels)}")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(path / "model.onnx"), options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.meta = meta
        # added to the O tag's log-probability before decoding: > 0 makes the tagger more sparing
        # with entities (chosen on the development split, kept in meta.json)
        self.o_bias = float(meta.get("o_bias", 0.0))
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.has_vectors = "vectors" in self.outputs

    @staticmethod
    def decode(logits: np.ndarray, tags: Sequence[str] = TAGS, *, o_bias: float = 0.0) -> list[int]:
        """Best tag sequence under the BIO constraint (Viterbi over log-softmax scores, ``o_bias``
        added to the O tag's)."""
        n = logits.shape[0]
        if n == 0:
            return []
        allowed, start_allowed = _constraints(tuple(tags))
        scores = logits - logits.max(axis=1, keepdims=True)
        scores = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        if o_bias:
            scores[:, tags.index("O")] += o_bias
        penalty = np.where(allowed, 0.0, -1e9)
        best = np.where(start_allowed, scores[0], -1e9)
        back = np.zeros((n, len(tags)), dtype=np.int64)
        for i in range(1, n):
            total = best[:, None] + penalty
            back[i] = total.argmax(axis=0)
            best = total.max(axis=0) + scores[i]
        path = [int(best.argmax())]
        for i in range(n - 1, 0, -1):
            path.append(int(back[i, path[-1]]))
        return path[::-1]

    def tag(self, sentences: Sequence[Sequence[str]], *, batch_size: int = 32) -> list[list[tuple[int, int, str]]]:
        """Entity spans (word offsets, half-open, label) of each sentence."""
        return self.tag_with_vectors(sentences, batch_size=batch_size)[0]

    def tag_with_vectors(self, sentences: Sequence[Sequence[str]], *, batch_size: int = 32
                         ) -> tuple[list[list[tuple[int, int, str]]], list[np.ndarray | None]]:
        """Entity spans of each sentence, and each sentence's word vectors (words x dims; ``None``
        when the model gives none). A word that lost its pieces to ``MAX_PIECES`` has a zero vector.

        The int8 model quantizes activations per run, so the sentences given
        together share a scale: kgraph gives one paper's sentences at a time.
        One sentence per run (``batch_size=1``) pads nothing and is about a
        quarter faster, but the tagger and the relation model were trained and
        chosen on per-paper runs, and the different rounding flips some of
        their decisions."""
        pieces: list[tuple[int, int, list[str]]] = []  # (sentence, first word, words)
        for k, words in enumerate(sentences):
            for first in range(0, len(words), MAX_WORDS):
                pieces.append((k, first, list(words[first : first + MAX_WORDS])))
        out: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
        vectors: list[np.ndarray | None] = [None for _ in sentences]
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i][2]))
        for b0 in range(0, len(order), batch_size):
            batch = [pieces[i] for i in order[b0 : b0 + batch_size]]
            logits, vecs, seen = self._run([words for _, _, words in batch])
            for row, (k, first, words) in enumerate(batch):
                tags = self.decode(logits[row, : len(words)], self.tags, o_bias=self.o_bias)
                tags = [t if w in seen[row] else 0 for w, t in enumerate(tags)]
                out[k].extend((first + s, first + e, label) for s, e, label in tags_to_spans(tags, self.tags))
                if vecs is not None:
                    if vectors[k] is None:
                        vectors[k] = np.zeros((len(sentences[k]), vecs.shape[-1]), dtype=np.float32)
                    part = vecs[row, : len(words)].copy()
                    part[[w for w in range(len(words)) if w not in seen[row]]] = 0.0
                    vectors[k][first : first + len(words)] = part
        return out, vectors

    def _run(self, batch: list[list[str]]) -> tuple[np.ndarray, np.ndarray | None, list[set[int]]]:
        ids, mask, first, shapes, seen = encode_words(self.tokenizer, batch)
        found = self.session.run(None, {"ids": ids, "mask": mask, "first": first, "shapes": shapes})
        named = dict(zip(self.outputs, found))
        return named["logits"], named.get("vectors"), seen


def encode_words(tokenizer, batch: Sequence[Sequence[str]]):
    """The tagger's inputs for a batch of sentences: word-piece ids, attention mask,
    each word's first piece, word shapes; and per sentence, the words that kept a
    piece (a sentence over ``MAX_PIECES`` pieces loses its last words)."""
    enc = tokenizer.encode_batch([list(words) for words in batch], is_pretokenized=True)
    n_pieces = min(MAX_PIECES, max(len(x.ids) for x in enc))
    n_words = max(1, max(len(words) for words in batch))
    ids = np.zeros((len(batch), n_pieces), dtype=np.int64)
    mask = np.zeros_like(ids)
    first = np.zeros((len(batch), n_words), dtype=np.int64)
    shapes = np.zeros((len(batch), n_words, N_SHAPES), dtype=np.float32)
    seen: list[set[int]] = []
    for b, (words, x) in enumerate(zip(batch, enc)):
        row = list(x.ids[:n_pieces])
        if len(x.ids) > n_pieces:
            row[-1] = x.ids[-1]  # keep [SEP]
        ids[b, : len(row)] = row
        mask[b, : len(row)] = 1
        found: set[int] = set()
        for p, w in enumerate(x.word_ids[: len(row) - 1]):
            if w is not None and w not in found:
                found.add(w)
                first[b, w] = p
        seen.append(found)
        if words:
            shapes[b, : len(words)] = shape_features(words)
    return ids, mask, first, shapes, seen
