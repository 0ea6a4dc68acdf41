"""Silver-labelled examples from the Papers with Code method descriptions.

A PwC method description names the method it describes in bold and links the
methods, tasks and datasets it mentions to their PwC pages::

    A **Reversible Residual Network**, or **RevNet**, is a variant of a
    [ResNet](https://paperswithcode.com/method/resnet) where ...

Bold names become ``METHOD``, links become the type of the page they point to
(``/method/`` → ``METHOD``, ``/task/`` → ``TASK``, ``/dataset/`` → ``DATASET``)
and later unmarked repeats of those names get the same label. Nothing else
is annotated: an unlinked "gradient descent" is still a method. So only
function words, punctuation and numbers are taught as non-entities (``O``);
every other unlabelled token is *missing* (``negatives="function-words"``;
``"content"`` keeps ordinary lowercase words ``O`` too and masks only
name-shaped or capitalised words and gazetteer matches). This is what the
benchmark corpora lack: coined method names (CornerNet, GloVe, TinyBERT) in
running text.

The dataset descriptions (``datasets_datafinder.jsonl``) are read the same
way, their bold names and the dataset's own names being ``DATASET``.

Data: ``vocab/pwc/raw/methods.*.json.gz`` and ``vocab/pwc/datasets_datafinder.jsonl``
(CC BY-SA 4.0, Papers with Code).

>>> text, spans = parse_description("A **RevNet** is a [ResNet](https://paperswithcode.com/method/resnet) variant.")
>>> text, [(text[s:e], label) for s, e, label in spans]
('A RevNet is a ResNet variant.', [('RevNet', 'METHOD'), ('ResNet', 'METHOD')])
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from spacy.vocab import Vocab

from ..nlp.candidates import is_name_shaped

_MARKUP = re.compile(
    r"!\[[^\]]*\]\([^)]*\)"  # an image: dropped
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|\[(?P<link>[^\]]+)\]\((?P<url>[^)]*)\)"
    r"|\$\$.*?\$\$|\$[^$\n]*\$"  # formulas: dropped
    r"|https?://\S+",
    re.S,
)
_INNER_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_PAGE_LABELS = {"method": "METHOD", "methods": "METHOD", "task": "TASK", "dataset": "DATASET"}

CharSpan = tuple[int, int, str]


def _link_label(url: str) -> str | None:
    match = re.search(r"paperswithcode\.com/(\w+)/", url)
    return _PAGE_LABELS.get(match.group(1)) if match else None


def parse_description(text: str, *, bold: str = "METHOD", names: tuple[str, ...] = ()) -> tuple[str, list[CharSpan]]:
    """Plain text and labelled character spans of one markdown description.

    ``bold`` is the label of bold names (the thing the description is about);
    ``names`` are more names of that thing, labelled ``bold`` wherever they occur.
    """
    out: list[str] = []
    spans: list[CharSpan] = []
    pos = length = 0
    for m in _MARKUP.finditer(text):
        out.append(text[pos : m.start()])
        length += m.start() - pos
        pos = m.end()
        inner, label = "", None
        if m.group("bold") is not None:
            inner = _INNER_LINK.sub(r"\1", m.group("bold")).strip("*_ ")
            if 0 < len(inner.split()) <= 8 and not inner.endswith((":", ".")):
                label = bold
        elif m.group("link") is not None:
            inner, label = m.group("link"), _link_label(m.group("url"))
        if label and inner and any(c.isalpha() for c in inner):
            spans.append((length, length + len(inner), label))
        out.append(inner)
        length += len(inner)
    out.append(text[pos:])
    plain = "".join(out).replace("\n", " ")
    # every later, unmarked use of a marked name gets its label too
    known = {plain[s:e]: label for s, e, label in spans}
    for name in names:
        known.setdefault(name, bold)
    taken = {i for s, e, _ in spans for i in range(s, e)}
    for name, label in sorted(known.items(), key=lambda item: -len(item[0])):
        for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", plain):
            if not taken & set(range(match.start(), match.end())):
                spans.append((match.start(), match.end(), label))
                taken |= set(range(match.start(), match.end()))
    return plain, sorted(spans)


def iter_descriptions(pwc_dir: Path) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """``(description, label of its subject, names of its subject)`` for PwC methods and datasets."""
    for path in sorted((pwc_dir / "raw").glob("methods*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            records = json.load(handle)
        for record in records:
            description = (record.get("description") or "").strip()
            if description:
                yield description, "METHOD", ()
    datasets = pwc_dir / "datasets_datafinder.jsonl"
    if datasets.is_file():
        with datasets.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line) if line.strip() else {}
                description = (record.get("description") or "").strip()
                # a dataset's own names, where they cannot be ordinary words
                names = tuple(n for n in {record.get("name") or "", *(record.get("variants") or ())}
                              if len(n) > 1 and any(c.isupper() or c.isdigit() for c in n))
                if description:
                    yield description, "DATASET", names


NEGATIVE_POLICIES = ("function-words", "content")


def silver_doc(vocab: Vocab, tokenize: Callable[[str], Doc], text: str, spans: list[CharSpan],
               unannotated: Callable[[Doc], list[tuple[int, int]]] | None = None, *,
               negatives: str = "function-words") -> Doc | None:
    """A doc with the marked spans as entities and what is unknown missing."""
    if negatives not in NEGATIVE_POLICIES:
        raise ValueError(f"unknown negatives policy {negatives!r}; expected one of {NEGATIVE_POLICIES}")
    doc = tokenize(text)
    ents = [doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in spans]
    ents = filter_spans([e for e in ents if e is not None and not e[0].is_space and not e[-1].is_space])
    if not ents:
        return None
    used = {i for e in ents for i in range(e.start, e.end)}
    missing: list[Span] = []
    for token in doc:
        if token.i in used or token.is_space:
            continue
        sentence_initial = token.i == 0 or doc[token.i - 1].text in {".", "!", "?", ":"}
        if negatives == "function-words":
            unknown = not (token.is_stop or token.is_punct or token.like_num)
        else:
            unknown = is_name_shaped(token.text) or (token.text[:1].isupper() and not sentence_initial)
        if unknown:
            missing.append(doc[token.i : token.i + 1])
            used.add(token.i)
    for start, end in (unannotated(doc) if unannotated else ()):
        if not used & set(range(start, end)):
            missing.append(doc[start:end])
            used |= set(range(start, end))
    doc.set_ents(ents, missing=missing, default="outside")
    return doc


def iter_silver_docs(pwc_dir: Path, vocab: Vocab, tokenize: Callable[[str], Doc], *,
                     unannotated: Callable[[Doc], list[tuple[int, int]]] | None = None,
                     negatives: str = "function-words", max_paragraphs: int = 1) -> Iterator[Doc]:
    """Silver docs of the PwC method and dataset descriptions: the first paragraphs of each."""
    for description, bold, names in iter_descriptions(pwc_dir):
        paragraphs = [p for p in re.split(r"\n\s*\n", description) if p.strip()][:max_paragraphs]
        for paragraph in paragraphs:
            if paragraph.lstrip().lower().startswith(("source", "image source", "![")):
                continue
            text, spans = parse_description(paragraph, bold=bold, names=names)
            if len(text.split()) < 5:
                continue
            doc = silver_doc(vocab, tokenize, text, spans, unannotated, negatives=negatives)
            if doc is not None:
                yield doc
