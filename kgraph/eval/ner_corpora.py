"""Entity-annotated benchmark corpora as plain records in their own token space.

Three readers, one record shape (:class:`NerDocument` of :class:`NerSentence`):

- SciERC (``train.json`` / ``dev.json`` / ``test.json``): read by
  :mod:`kgraph.eval.scierc` and adapted here;
- SciER (``PLM/*.jsonl``): one paper per line, document-global inclusive offsets;
- TDMSci (``*.conll``): token, character offset, BIO tag; one sentence per block.

Offsets are sentence-local and half-open, so ``sentence.words[e.start:e.end]``
is the entity. Labels stay the benchmark's own (``Method``, ``DATASET``...);
:data:`LABEL_MAPS` says how each maps onto kgraph's types.

>>> doc = parse_scier_line('{"doc_id": "p", "sentences": [["We", "use", "BERT", "."], '
...     '["It", "helps", "NER", "."]], "ner": [[[2, 2, "Method"]], [[6, 6, "Task"]]]}')
>>> [(s.words[e.start:e.end], e.label) for s in doc.sentences for e in s.entities]
[(('BERT',), 'Method'), (('NER',), 'Task')]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, CorpusFormatError
from .scierc import GoldEntity, SciercDocument, iter_scierc, token_spaces

BENCHMARKS = ("scierc", "scier", "tdmsci")

# benchmark label -> the type it is scored as. kgraph's own types are method,
# task and dataset; "material" and "metric" are reported on their own.
LABEL_MAPS: dict[str, dict[str, str]] = {
    "scierc": {"Method": "method", "Task": "task", "Material": "material", "Metric": "metric"},
    "scier": {"Method": "method", "Task": "task", "Dataset": "dataset"},
    "tdmsci": {"TASK": "task", "DATASET": "dataset", "METRIC": "metric"},
}
# the types that make up each benchmark's headline ("overall") score
HEADLINE_TYPES: dict[str, tuple[str, ...]] = {
    "scierc": ("method", "task"),
    "scier": ("dataset", "method", "task"),
    "tdmsci": ("dataset", "task"),
}

SCIER_LABELS = ("Dataset", "Method", "Task")
TDMSCI_LABELS = ("TASK", "DATASET", "METRIC")


@dataclass(frozen=True, slots=True)
class NerSentence:
    """Tokens, whether each is followed by a space, and gold entities."""

    words: tuple[str, ...]
    spaces: tuple[bool, ...]
    entities: tuple[GoldEntity, ...] = ()


@dataclass(frozen=True, slots=True)
class NerDocument:
    key: str
    sentences: tuple[NerSentence, ...]


# ---------------------------------------------------------------- spacing
_HYPHENS = frozenset({"-", "–", "/"})


def guess_spaces(words: Iterable[str]) -> tuple[bool, ...]:
    """Spaces between tokens of a pre-tokenised sentence, for readable text.

    Follows :func:`kgraph.eval.scierc.token_spaces` (no space before closing
    punctuation or after an opening bracket) and glues a hyphen or slash to
    the words on both sides, as in ``state-of-the-art`` or ``F-measure``.

    >>> words = ["state", "-", "of", "-", "the", "-", "art", "(", "SOTA", ")", "."]
    >>> "".join(w + (" " if s else "") for w, s in zip(words, guess_spaces(words)))
    'state-of-the-art (SOTA).'
    """
    words = list(words)
    spaces = token_spaces(words)
    for i, word in enumerate(words):
        if word in _HYPHENS and 0 < i < len(words) - 1 and words[i - 1][-1:].isalnum() and words[i + 1][:1].isalnum():
            spaces[i - 1] = False
            spaces[i] = False
    return tuple(spaces)


# ---------------------------------------------------------------- SciERC
def scierc_to_ner(doc: SciercDocument) -> NerDocument:
    return NerDocument(
        doc.key,
        tuple(NerSentence(s.words, guess_spaces(s.words), s.entities) for s in doc.sentences),
    )


def iter_scierc_ner(path: str | Path) -> Iterator[NerDocument]:
    """SciERC documents (all six labels kept; nested spans included)."""
    for doc in iter_scierc(path):
        yield scierc_to_ner(doc)


# ---------------------------------------------------------------- SciER
def parse_scier_line(line: str, *, path: str = "<string>", line_no: int | None = None) -> NerDocument:
    """One paper of SciER's ``PLM`` span format (global, inclusive offsets)."""
    try:
        record = json.loads(line)
        key = str(record["doc_id"])
        sentences, ner = record["sentences"], record["ner"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CorpusFormatError(path, line_no, f"not a SciER PLM document ({exc.__class__.__name__}: {exc})") from None
    if len(sentences) != len(ner):
        raise CorpusFormatError(path, line_no, f"{key}: sentences and ner differ in length")
    out = []
    offset = 0
    for words, ents in zip(sentences, ner):
        n = len(words)
        entities = []
        for start, end, label in ents:
            if label not in SCIER_LABELS:
                raise CorpusFormatError(path, line_no, f"{key}: entity label {label!r} not one of {SCIER_LABELS}")
            if not (offset <= start <= end < offset + n):
                raise CorpusFormatError(path, line_no, f"{key}: span [{start}, {end}] outside its sentence")
            entities.append(GoldEntity(start - offset, end - offset + 1, label))
        out.append(NerSentence(tuple(words), guess_spaces(words), tuple(entities)))
        offset += n
    return NerDocument(key, tuple(out))


def iter_scier(path: str | Path) -> Iterator[NerDocument]:
    """Papers of a SciER ``PLM/*.jsonl`` file, lazily."""
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if line.strip():
                yield parse_scier_line(line, path=str(path), line_no=line_no)


# ---------------------------------------------------------------- TDMSci
def iter_tdmsci(path: str | Path) -> Iterator[NerDocument]:
    """Sentences of a TDMSci CoNLL file, each as a one-sentence document.

    The second column, a running character offset, gives the spacing: a token
    that ends where the next one starts is glued to it.
    """
    path = Path(path)
    block: list[tuple[str, int, str, int]] = []
    count = 0
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if block:
                    yield _tdmsci_sentence(block, f"{path.stem}:{count}", str(path))
                    count += 1
                    block = []
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise CorpusFormatError(str(path), line_no, f"expected 3 tab-separated columns, got {len(parts)}")
            word, offset, tag = parts
            try:
                block.append((word, int(offset), tag, line_no))
            except ValueError:
                raise CorpusFormatError(str(path), line_no, f"offset {offset!r} is not an integer") from None
    if block:
        yield _tdmsci_sentence(block, f"{path.stem}:{count}", str(path))


def _tdmsci_sentence(block: list[tuple[str, int, str, int]], key: str, path: str) -> NerDocument:
    words = tuple(w for w, _, _, _ in block)
    spaces = tuple(
        not (nxt[1] == cur[1] + len(cur[0])) for cur, nxt in zip(block, block[1:])
    ) + (False,)
    entities = []
    start = label = None
    for i, (_, _, tag, line_no) in enumerate(block + [("", 0, "O", 0)]):
        prefix, _, kind = tag.partition("-")
        if tag != "O" and (prefix not in {"B", "I"} or kind not in TDMSCI_LABELS):
            raise CorpusFormatError(path, line_no, f"tag {tag!r} is not O or B-/I- with one of {TDMSCI_LABELS}")
        if label is not None and not (prefix == "I" and kind == label):
            entities.append(GoldEntity(start, i, label))
            start = label = None
        if prefix == "B" or (prefix == "I" and label is None):
            start, label = i, kind
    return NerDocument(key, (NerSentence(words, spaces, tuple(entities)),))


# ---------------------------------------------------------------- any
def iter_benchmark(name: str, path: str | Path) -> Iterator[NerDocument]:
    """The documents of one benchmark file, by benchmark name."""
    readers = {"scierc": iter_scierc_ner, "scier": iter_scier, "tdmsci": iter_tdmsci}
    if name not in readers:
        raise ConfigError(f"unknown benchmark {name!r}; expected one of {BENCHMARKS}")
    return readers[name](path)
