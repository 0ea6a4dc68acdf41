"""From papers to :class:`~kgraph.model.PaperExtraction` records.

This is where spaCy objects end: each paper's title and abstract are joined
into one doc, run through the pipeline, and everything found is copied into
plain records with character offsets into the paper's own fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from ..model import AcronymDefinition, LocalRelation, Mention, Paper, PaperExtraction, Span
from .candidates import is_name_shaped
from .components import FIELD_SEPARATOR


def paper_text(paper: Paper) -> str:
    """The text the pipeline reads for a paper: title, separator, abstract."""
    return paper.title + FIELD_SEPARATOR + paper.abstract if paper.abstract else paper.title


def iter_extractions(nlp: Language, papers: Iterable[Paper], *, batch_size: int = 32) -> Iterator[PaperExtraction]:
    """Run the pipeline over papers lazily, in order."""
    stream = ((paper_text(p), p) for p in papers)
    for doc, paper in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        yield doc_to_extraction(doc, paper)


def extract_paper(nlp: Language, paper: Paper) -> PaperExtraction:
    """Extraction of a single paper."""
    return doc_to_extraction(nlp(paper_text(paper)), paper)


class _Fields:
    """Maps doc character offsets to (field, offset) in the paper."""

    def __init__(self, paper: Paper):
        self.title_end = len(paper.title)
        self.abstract_start = len(paper.title) + len(FIELD_SEPARATOR)

    def locate(self, start: int, end: int) -> tuple[str, int, int] | None:
        if end <= self.title_end:
            return "title", start, end
        if start >= self.abstract_start:
            return "abstract", start - self.abstract_start, end - self.abstract_start
        return None


def doc_to_extraction(doc: Doc, paper: Paper) -> PaperExtraction:
    fields = _Fields(paper)
    mentions: list[Mention] = []
    index_of: dict[int, int] = {}
    for k, cand in enumerate(doc._.kgraph_mentions or []):
        span = doc[cand.start : cand.end]
        where = fields.locate(span.start_char, span.end_char)
        if where is None:
            continue
        field, start, end = where
        index_of[k] = len(mentions)
        mentions.append(
            Mention(
                field=field,
                start=start,
                end=end,
                text=span.text,
                type=cand.type,
                extractor=cand.extractor,
                lemma=_lemma(span),
                proposed=cand.proposed,
                known_id=cand.known_id,
                long_form=cand.long_form,
                short_form=cand.short_form,
            )
        )
    sentences = []
    for sent in doc.sents:
        text = sent.text.strip()
        if not text:
            continue
        lead = len(sent.text) - len(sent.text.lstrip())
        where = fields.locate(sent.start_char + lead, sent.start_char + lead + len(text))
        if where is not None:
            sentences.append(Span(*where))
    relations = []
    for rel in doc._.kgraph_relations or []:
        where = fields.locate(rel.sent_start, rel.sent_end)
        if where is None or rel.tail not in index_of or (rel.head is not None and rel.head not in index_of):
            continue
        head = None if rel.head is None else index_of[rel.head]
        relations.append(LocalRelation(head, rel.relation, index_of[rel.tail], Span(*where), rel.extractor))
    acronyms = []
    for pair in doc._.kgraph_acronyms or []:
        span = doc[pair.long_start : pair.short_end]
        where = fields.locate(span.start_char, span.end_char)
        if where is not None:
            acronyms.append(AcronymDefinition(pair.short_form, pair.long_form, *where))
    return PaperExtraction(
        paper=paper,
        mentions=tuple(mentions),
        acronyms=tuple(acronyms),
        relations=tuple(relations),
        sentences=tuple(sentences),
    )


def _lemma(span) -> str:
    """The span's text with its last word lemmatized.

    "diffusion models" -> "diffusion model", "Diffusion Models" -> "Diffusion model",
    "LLMs" -> "LLM"; coined names ("DUSt3R") are kept as they are.
    """
    last = span[-1]
    word = last.text
    if len(word) > 2 and word.endswith("s") and sum(c.isupper() for c in word[:-1]) >= 2 and not any(c.islower() for c in word[:-1]):
        lemma = word[:-1]  # plural acronym
    elif is_name_shaped(word):
        lemma = word
    elif word[:1].isupper() and word[1:].islower():
        lemma = _plural_to_singular(word.lower())  # Title Case words are often tagged PROPN, never lemmatized
    elif last.lemma_:
        lemma = last.lemma_
    else:  # no lemmatizer in the pipeline
        lemma = _plural_to_singular(word) if word.islower() else word
    prefix = span.text[: last.idx - span.start_char]
    return prefix + lemma


def _plural_to_singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word
