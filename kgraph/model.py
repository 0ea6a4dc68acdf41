"""The records that flow through kgraph, one frozen dataclass per stage.

text files -> :class:`Paper` -> :class:`PaperExtraction` (mentions, local
relations) -> :class:`Entity` / :class:`Relation` -> graph -> exports.

Nothing here depends on spaCy: these are the only objects that leave the nlp
layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EntityType(StrEnum):
    """The kinds of scientific entity kgraph extracts."""

    METHOD = "method"
    TASK = "task"
    DATASET = "dataset"


class RelationType(StrEnum):
    """Typed relations. Paper-level ones have a paper as their head and an entity as their tail."""

    # paper -> entity
    PROPOSES = "proposes"
    ADDRESSES = "addresses"
    USES = "uses"
    MENTIONS = "mentions"
    # entity -> entity
    USED_FOR = "used_for"
    EVALUATED_ON = "evaluated_on"
    COMPARED_WITH = "compared_with"
    EXTENDS = "extends"
    PART_OF = "part_of"
    # paper -> paper: read from the input's references (OpenAlex, Semantic Scholar), never extracted
    CITES = "cites"

    @property
    def paper_level(self) -> bool:
        return self in PAPER_RELATIONS


PAPER_RELATIONS = frozenset(
    {RelationType.PROPOSES, RelationType.ADDRESSES, RelationType.USES, RelationType.MENTIONS}
)

FIELDS = ("title", "abstract")


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record was read: a file and the 1-based line it starts on."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Paper:
    """One input paper, with cleaned title and abstract.

    ``doi`` (lower case, no ``https://doi.org/``) and ``arxiv_id`` (no version,
    ``2101.00001`` or ``hep-th/9901001``) identify the paper across sources, so
    that duplicates read from different formats are merged. ``categories`` are
    arXiv categories (``cs.CL``). ``references`` are the works it cites, as the
    source names them: OpenAlex ids (``W2741809807``) or Semantic Scholar paper
    ids, the same kind of id as that source's papers get. ``openalex_id``
    (``W2741809807``) and ``s2_id`` (a Semantic Scholar paperId, 40 hex digits)
    are the paper's ids in those two sources, kept apart from ``id`` so that a
    paper read from another source too (a merged duplicate) is still known by
    them.
    """

    id: str
    title: str
    abstract: str
    year: int | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    source: SourceRef | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    categories: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    openalex_id: str | None = None
    s2_id: str | None = None

    def text(self, field_name: str) -> str:
        if field_name == "title":
            return self.title
        if field_name == "abstract":
            return self.abstract
        raise ValueError(f"unknown field {field_name!r}; expected one of {FIELDS}")


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that could not be read as given, or was read with a caveat.

    ``merged``: for a duplicate merged into a paper read before it, that
    duplicate's identifiers and references without its text (see
    :func:`kgraph.ingest.duplicates.merge_duplicates`), which the kept paper
    takes on.
    """

    source: SourceRef
    reason: str
    severity: str = "error"  # "error": record skipped; "warning": record kept
    paper_id: str | None = None
    merged: Paper | None = None

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Span:
    """A character span inside one field (title or abstract) of one paper."""

    field: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of a method, task or dataset in a paper's text.

    ``text == paper.text(field)[start:end]``. ``lemma`` is the text with its
    head noun lemmatized (for plural merging); ``known_id`` is the gazetteer
    entry it matched, if any; ``short_form``/``long_form`` link the two halves of
    an acronym definition made in the same paper.
    """

    field: str
    start: int
    end: int
    text: str
    type: EntityType
    extractor: str
    lemma: str = ""
    proposed: bool = False
    known_id: str | None = None
    long_form: str | None = None
    short_form: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.field, self.start, self.end)


@dataclass(frozen=True, slots=True)
class AcronymDefinition:
    """``long_form (short_form)`` as defined in one paper."""

    short_form: str
    long_form: str
    field: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class LocalRelation:
    """A relation found inside one paper.

    ``head`` and ``tail`` index the paper's mentions; ``head is None`` means the
    paper itself (paper-level relations such as ``proposes``). ``evidence`` is
    the sentence that supports it.
    """

    head: int | None
    relation: RelationType
    tail: int
    evidence: Span
    extractor: str


@dataclass(frozen=True, slots=True)
class PaperExtraction:
    """Everything the nlp layer found in one paper; free of spaCy objects."""

    paper: Paper
    mentions: tuple[Mention, ...] = ()
    acronyms: tuple[AcronymDefinition, ...] = ()
    relations: tuple[LocalRelation, ...] = ()
    sentences: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a graph statement comes from: a paper and a sentence in it."""

    paper_id: str
    field: str
    start: int
    end: int
    sentence: str
    extractor: str

    def as_dict(self) -> dict:
        return {
            "paper": self.paper_id,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "extractor": self.extractor,
        }


@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved method, task or dataset: one graph node."""

    id: str
    type: EntityType
    label: str
    aliases: tuple[tuple[str, int], ...]  # (surface form, count), most frequent first
    papers: tuple[str, ...]
    proposed_in: tuple[str, ...] = ()
    known_id: str | None = None

    @property
    def mention_count(self) -> int:
        return sum(count for _, count in self.aliases)


@dataclass(frozen=True, slots=True)
class Relation:
    """An aggregated, typed edge with all of its evidence."""

    head: str
    relation: RelationType
    tail: str
    evidence: tuple[Evidence, ...] = field(default=())

    @property
    def support(self) -> int:
        """Number of distinct papers that state this relation."""
        return len({e.paper_id for e in self.evidence})

    @property
    def extractors(self) -> tuple[str, ...]:
        return tuple(sorted({e.extractor for e in self.evidence}))


def paper_node_id(paper_id: str) -> str:
    """The graph node id of a paper: its paper id after ``paper:``; the one place this id is made.

    >>> paper_node_id("arXiv:2401.1")
    'paper:arXiv:2401.1'
    """
    return f"paper:{paper_id}"
