"""Reader for SciERC (the processed "DyGIE" JSON Lines release).

One document per line with ``doc_key``, ``sentences`` (tokens), ``ner``
(``[start, end, label]``) and ``relations`` (``[h_start, h_end, t_start,
t_end, label]``). Offsets in the file are document-global and inclusive; the
records here use sentence-local, half-open token offsets, so that
``sentence.words[start:end]`` is the entity.

PTB escapes (``-LRB-``, ``''``) are mapped back to the characters they stand
for; the token count never changes, so token *i* stays token *i*.

>>> line = ('{"doc_key": "d", "sentences": [["A", "-LRB-", "B", "-RRB-", "."]], '
...         '"ner": [[[0, 0, "Method"], [2, 2, "Method"]]], '
...         '"relations": [[[2, 2, 0, 0, "HYPONYM-OF"]]], "clusters": []}')
>>> doc = parse_scierc_line(line)
>>> doc.sentences[0].words
('A', '(', 'B', ')', '.')
>>> doc.sentences[0].relations
(GoldRelation(head=(2, 3), tail=(0, 1), label='HYPONYM-OF'),)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusFormatError

ENTITY_LABELS = ("Task", "Method", "Metric", "Material", "OtherScientificTerm", "Generic")
RELATION_LABELS = ("USED-FOR", "FEATURE-OF", "HYPONYM-OF", "PART-OF", "COMPARE", "CONJUNCTION", "EVALUATE-FOR")
# Stored once, in one direction, but symmetric in meaning.
SYMMETRIC_LABELS = frozenset({"COMPARE", "CONJUNCTION"})

PTB_ESCAPES = {
    "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
    "``": '"', "''": '"',
}

TokenSpan = tuple[int, int]  # sentence-local, half-open


@dataclass(frozen=True, slots=True)
class GoldEntity:
    start: int
    end: int
    label: str

    @property
    def span(self) -> TokenSpan:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class GoldRelation:
    """``head label tail`` as SciERC states it ("X USED-FOR Y": X is used for Y)."""

    head: TokenSpan
    tail: TokenSpan
    label: str


@dataclass(frozen=True, slots=True)
class SciercSentence:
    words: tuple[str, ...]
    entities: tuple[GoldEntity, ...] = ()
    relations: tuple[GoldRelation, ...] = ()


@dataclass(frozen=True, slots=True)
class SciercDocument:
    key: str
    sentences: tuple[SciercSentence, ...]


def unescape_token(token: str) -> str:
    """``-LRB-`` -> ``(``; other tokens unchanged."""
    return PTB_ESCAPES.get(token, token)


def parse_scierc_line(line: str, *, path: str = "<string>", line_no: int | None = None) -> SciercDocument:
    """One document from one line of a SciERC file."""
    try:
        record = json.loads(line)
        key = str(record["doc_key"])
        sentences, ner, relations = record["sentences"], record["ner"], record["relations"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CorpusFormatError(path, line_no, f"not a SciERC document ({exc.__class__.__name__}: {exc})") from None
    if not (len(sentences) == len(ner) == len(relations)):
        raise CorpusFormatError(path, line_no, f"{key}: sentences, ner and relations differ in length")
    out = []
    offset = 0
    for words, ents, rels in zip(sentences, ner, relations):
        n = len(words)

        def local(start: int, end: int) -> TokenSpan:
            if not (offset <= start <= end < offset + n):
                raise CorpusFormatError(path, line_no, f"{key}: span [{start}, {end}] outside its sentence")
            return (start - offset, end - offset + 1)

        entities = []
        for start, end, label in ents:
            if label not in ENTITY_LABELS:
                raise CorpusFormatError(path, line_no, f"{key}: entity label {label!r} not one of {ENTITY_LABELS}")
            entities.append(GoldEntity(*local(start, end), label))
        gold = []
        for h_start, h_end, t_start, t_end, label in rels:
            if label not in RELATION_LABELS:
                raise CorpusFormatError(path, line_no, f"{key}: relation label {label!r} not one of {RELATION_LABELS}")
            gold.append(GoldRelation(local(h_start, h_end), local(t_start, t_end), label))
        out.append(SciercSentence(tuple(unescape_token(w) for w in words), tuple(entities), tuple(gold)))
        offset += n
    return SciercDocument(key, tuple(out))


def iter_scierc(path: str | Path) -> Iterator[SciercDocument]:
    """Documents of a SciERC ``.json`` (JSON Lines) file, lazily."""
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if line.strip():
                yield parse_scierc_line(line, path=str(path), line_no=line_no)


def read_scierc(path: str | Path) -> list[SciercDocument]:
    return list(iter_scierc(path))


_NO_SPACE_BEFORE = frozenset(".,;:!?)]}%") | {"'s", "n't", "'re", "'ve", "'ll", "'d", "'m"}
_NO_SPACE_AFTER = frozenset("([{")


def detokenize(words: tuple[str, ...] | list[str]) -> tuple[str, list[TokenSpan]]:
    """Plain text for tokens and each token's character span in it.

    Spaces go between tokens except before closing punctuation and after
    opening brackets; quotes alternate opening and closing.

    >>> detokenize(["Deep", "models", "(", "DMs", ")", "work", "."])
    ('Deep models (DMs) work.', [(0, 4), (5, 11), (12, 13), (13, 16), (16, 17), (18, 22), (22, 23)])
    """
    text = []
    spans = []
    pos = 0
    open_quote = False
    glue_next = False
    for i, word in enumerate(words):
        is_quote = word == '"'
        closing = word in _NO_SPACE_BEFORE or (is_quote and open_quote)
        if i > 0 and not glue_next and not closing:
            text.append(" ")
            pos += 1
        spans.append((pos, pos + len(word)))
        text.append(word)
        pos += len(word)
        glue_next = word in _NO_SPACE_AFTER or (is_quote and not open_quote)
        if is_quote:
            open_quote = not open_quote
    return "".join(text), spans


def token_spaces(words: tuple[str, ...] | list[str]) -> list[bool]:
    """Whether each token is followed by a space in :func:`detokenize`'s text."""
    _, spans = detokenize(words)
    return [a[1] < b[0] for a, b in zip(spans, spans[1:])] + [False] * bool(spans)
