"""kgraph's encoder tagger at run time: a fine-tuned MiniLM in ONNX, word-level BIO tags.

A model directory holds ``model.onnx`` (int8 weights), ``tokenizer.json`` (the
encoder's word pieces) and ``meta.json`` (its tags). It is trained by
:mod:`kgraph.nlp.training.encoder`; running it needs onnxruntime and
tokenizers only (no torch).

>>> scores = np.zeros((2, len(TAGS)))
>>> scores[0, TAGS.index("I-TASK")] = scores[1, TAGS.index("I-TASK")] = 5.0   # an entity cannot open with I-
>>> [TAGS[t] for t in EncoderTagger.decode(scores)]
['B-TASK', 'I-TASK']
>>> shape_features(["DUSt3R", "the", "BERT"]).tolist()
[[1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

LABELS = ("METHOD", "TASK", "DATASET", "MATERIAL", "METRIC")
TAGS = ("O",) + tuple(f"B-{label}" for label in LABELS) + tuple(f"I-{label}" for label in LABELS)
N_SHAPES = 4
MAX_PIECES = 256
MAX_WORDS = 120

# allowed[i, j]: tag j may follow tag i (I-X only after B-X or I-X)
_ALLOWED = np.ones((len(TAGS), len(TAGS)), dtype=bool)
for _j, _tag in enumerate(TAGS):
    if _tag.startswith("I-"):
        for _i, _prev in enumerate(TAGS):
            _ALLOWED[_i, _j] = _prev[2:] == _tag[2:] and _prev != "O"
_START_ALLOWED = np.array([not t.startswith("I-") for t in TAGS])


def shape_features(words: Sequence[str]) -> np.ndarray:
    """Per word: starts upper-case, all capitals (2+ letters), has a digit, mixed case (a capital
    after the first character and a lower-case letter somewhere: ResNet, DUSt3R, GloVe).

    The encoder is uncased; these put back what capitalisation says about names.
    """
    out = np.zeros((len(words), N_SHAPES), dtype=np.float32)
    for i, w in enumerate(words):
        letters = [c for c in w if c.isalpha()]
        out[i, 0] = float(bool(w) and w[0].isupper())
        out[i, 1] = float(len(letters) >= 2 and all(c.isupper() for c in letters))
        out[i, 2] = float(any(c.isdigit() for c in w))
        out[i, 3] = float(any(c.isupper() for c in w[1:]) and any(c.islower() for c in letters))
    return out


def tags_to_spans(tags: Sequence[int]) -> list[tuple[int, int, str]]:
    """Half-open word spans of a valid BIO sequence."""
    out: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, t in enumerate(list(tags) + [0]):
        tag = TAGS[t]
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
        if tuple(meta.get("tags", ())) != TAGS:
            raise ValueError(f"{path}: tags {meta.get('tags')} differ from this kgraph's {list(TAGS)}")
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
        self.labels = tuple(meta.get("labels", LABELS))

    @staticmethod
    def decode(logits: np.ndarray) -> list[int]:
        """Best tag sequence under the BIO constraint (Viterbi over log-softmax scores)."""
        n = logits.shape[0]
        if n == 0:
            return []
        scores = logits - logits.max(axis=1, keepdims=True)
        scores = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        penalty = np.where(_ALLOWED, 0.0, -1e9)
        best = np.where(_START_ALLOWED, scores[0], -1e9)
        back = np.zeros((n, len(TAGS)), dtype=np.int64)
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
        pieces: list[tuple[int, int, list[str]]] = []  # (sentence, first word, words)
        for k, words in enumerate(sentences):
            for first in range(0, len(words), MAX_WORDS):
                pieces.append((k, first, list(words[first : first + MAX_WORDS])))
        out: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i][2]))
        for b0 in range(0, len(order), batch_size):
            batch = [pieces[i] for i in order[b0 : b0 + batch_size]]
            logits, seen = self._run([words for _, _, words in batch])
            for row, (k, first, words) in enumerate(batch):
                tags = self.decode(logits[row, : len(words)])
                tags = [t if w in seen[row] else 0 for w, t in enumerate(tags)]
                out[k].extend((first + s, first + e, label) for s, e, label in tags_to_spans(tags))
        return out

    def _run(self, batch: list[list[str]]) -> tuple[np.ndarray, list[set[int]]]:
        ids, mask, first, shapes, seen = encode_words(self.tokenizer, batch)
        (logits,) = self.session.run(None, {"ids": ids, "mask": mask, "first": first, "shapes": shapes})
        return logits, seen


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
