"""Citations between the papers of a corpus, from the references the inputs carry.

OpenAlex works list their ``referenced_works`` and Semantic Scholar papers
their ``references`` (:attr:`kgraph.model.Paper.references`). A reference
that names a paper of the corpus becomes a ``cites`` edge from the citing
paper to that paper; references to works outside the corpus are left out.

A reference names a paper by the paper's id, its OpenAlex id, its Semantic
Scholar paperId, its DOI or its arXiv id (tried in that order; a DOI
``10.48550/arXiv.*`` or an arXiv URL counts as the arXiv id), whichever
source the reference comes from. A paper citing itself (two merged copies)
gives no edge, and a paper cites another at most once.

Each edge has support 1 (the citing paper) and one evidence item naming the
source of the reference: ``field`` is ``"references"``, ``start``/``end``
the reference's position in the citing paper's list (``end = start + 1``),
``sentence`` the reference as the input gives it, and ``extractor`` the
source: ``openalex referenced_works`` for an OpenAlex id,
``s2 references`` for a Semantic Scholar paperId, else ``references``.

>>> from kgraph.model import Paper
>>> papers = [Paper("W1", "Attention", "", openalex_id="W1"),
...           Paper("W2", "Graph attention", "", openalex_id="W2", references=("W1", "W99")),
...           Paper("b", "BERT", "", doi="10.18653/v1/n19-1423",
...                 references=("https://openalex.org/W1", "doi:10.18653/v1/N19-1423"))]
>>> for r in citation_relations(papers):
...     print(r.head, r.relation.value, r.tail, r.support, r.evidence[0].extractor)
paper:W2 cites paper:W1 1 openalex referenced_works
paper:b cites paper:W1 1 openalex referenced_works
"""

from __future__ import annotations

from collections.abc import Iterable

from ..ingest.ids import (
    arxiv_id_in_text,
    normalize_arxiv_id,
    normalize_doi,
    normalize_openalex_id,
    normalize_s2_id,
)
from ..model import Evidence, Paper, Relation, RelationType
from . import schema as s

__all__ = ["CitationIndex", "citation_relations", "reference_source"]


class CitationIndex:
    """The papers of a corpus by every id a reference may name them by.

    >>> index = CitationIndex([Paper("1706.03762", "Attention", "", arxiv_id="1706.03762")])
    >>> index.find("https://doi.org/10.48550/arXiv.1706.03762"), index.find("W1") is None
    ('1706.03762', True)
    """

    def __init__(self, papers: Iterable[Paper]):
        self._ids: dict[tuple[str, str], str] = {}
        for paper in sorted(papers, key=lambda p: p.id):  # on a clash the smallest id keeps the key
            for key in (("id", paper.id), ("openalex", paper.openalex_id), ("s2", paper.s2_id),
                        ("doi", paper.doi), ("arxiv", paper.arxiv_id)):
                if key[1]:
                    self._ids.setdefault(key, paper.id)

    def find(self, reference: str) -> str | None:
        """The id of the paper ``reference`` names, or None when it names none of the corpus."""
        text = reference.strip()
        if not text:
            return None
        for key in _keys(text):
            found = self._ids.get(key)
            if found is not None:
                return found
        return None


def _keys(reference: str) -> Iterable[tuple[str, str]]:
    """The ``(kind, id)`` keys a reference may stand for, most specific first, each computed when needed."""
    yield "id", reference
    openalex = normalize_openalex_id(reference)
    if openalex:
        yield "openalex", openalex
    s2 = normalize_s2_id(reference)
    if s2:
        yield "s2", s2
    doi = normalize_doi(reference)
    if doi:
        yield "doi", doi
    arxiv = normalize_arxiv_id(reference) or arxiv_id_in_text(reference)
    if arxiv:
        yield "arxiv", arxiv


def reference_source(reference: str) -> str:
    """The evidence ``extractor`` of a citation: the source its kind of reference comes from.

    >>> reference_source("W2741809807"), reference_source("204e3073870fae3d05bcbc2f6a8e263d9b72e776")
    ('openalex referenced_works', 's2 references')
    >>> reference_source("10.1145/3292500.3330701")
    'references'
    """
    if normalize_openalex_id(reference):
        return "openalex referenced_works"
    if normalize_s2_id(reference):
        return "s2 references"
    return "references"


def citation_relations(papers: Iterable[Paper]) -> list[Relation]:
    """One ``cites`` relation per (citing paper, cited paper of the corpus), sorted by head and tail.

    See the module docstring for how a reference is matched and what the
    evidence holds. Papers without references cost nothing but their place
    in the index.
    """
    papers = list(papers)
    citing = [p for p in papers if p.references]
    if not citing:
        return []
    index = CitationIndex(papers)
    relations = []
    for paper in citing:
        cited: set[str] = set()
        for position, reference in enumerate(paper.references):
            target = index.find(reference)
            if target is None or target == paper.id or target in cited:
                continue
            cited.add(target)
            evidence = Evidence(paper.id, s.REFERENCES_FIELD, position, position + 1, reference,
                                reference_source(reference))
            relations.append(Relation(s.paper_node_id(paper.id), RelationType.CITES, s.paper_node_id(target),
                                      (evidence,)))
    relations.sort(key=lambda r: (r.head, r.tail))
    return relations
