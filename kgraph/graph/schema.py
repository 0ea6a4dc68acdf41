"""Node kinds, predicates and attribute names of the kgraph graph.

The graph is a :class:`networkx.MultiDiGraph`. Node ids are stable slugs:
``paper:<paper-id>`` for papers and ``<type>:<slug>`` for entities. Each edge
is keyed by its relation name, so one (head, relation, tail) is one edge.
``cites`` edges join papers (:mod:`kgraph.graph.citations`); every other
relation has an entity as its tail.
"""

from __future__ import annotations

from ..model import EntityType, RelationType, paper_node_id

PAPER = "paper"
NODE_TYPES = (PAPER, *(t.value for t in EntityType))
RELATIONS = tuple(r.value for r in RelationType)

# node attributes
TYPE = "type"            # "paper" | "method" | "task" | "dataset"
LABEL = "label"          # preferred label (papers: the title)
ALIASES = "aliases"      # list of surface forms, most frequent first
ALIAS_COUNTS = "alias_counts"  # list of counts, aligned with ALIASES
PAPERS = "papers"        # list of paper node ids that mention the entity
PROPOSED_IN = "proposed_in"  # list of paper node ids that propose it
MENTION_COUNT = "mentions"
KNOWN_ID = "known_id"    # gazetteer (Papers with Code) id, if matched
COMMUNITY = "community"  # int: Leiden community number (kgraph.graph.analytics)
# paper-only attributes
ABSTRACT = "abstract"
YEAR = "year"
AUTHORS = "authors"
URL = "url"
SOURCE = "source"
# paper ids in other sources, set only where known (the outward links: kgraph.ingest.ids.id_urls)
DOI = "doi"              # lower case, no resolver prefix
ARXIV_ID = "arxiv_id"    # no version: 1706.03762, hep-th/9901001
OPENALEX_ID = "openalex_id"  # W2741809807
S2_ID = "s2_id"          # Semantic Scholar paperId

# edge attributes
RELATION = "relation"
SUPPORT = "support"      # number of distinct papers stating the relation
EVIDENCE = "evidence"    # list of {paper, field, start, end, sentence, extractor}
EXTRACTORS = "extractors"

# The attributes kgraph.graph.build_graph gives every node of a kind (absent values as None or []), and those
# it sets only where there is a value; `community` is set by `kgraph build` on every node.
PAPER_ATTRIBUTES = (TYPE, LABEL, ABSTRACT, YEAR, AUTHORS, URL, SOURCE)
PAPER_IDS = (DOI, ARXIV_ID, OPENALEX_ID, S2_ID)
ENTITY_ATTRIBUTES = (TYPE, LABEL, ALIASES, ALIAS_COUNTS, PAPERS, PROPOSED_IN, MENTION_COUNT, KNOWN_ID)
EDGE_ATTRIBUTES = (RELATION, SUPPORT, EVIDENCE, EXTRACTORS)
# The field a citation's evidence names: its position in the citing paper's list of references.
REFERENCES_FIELD = "references"


def as_paper_node(paper: object) -> str:
    """A paper named by evidence as a node id: evidence names its paper by paper id (a node id is kept).

    >>> as_paper_node("fast3r"), as_paper_node("paper:fast3r")
    ('paper:fast3r', 'paper:fast3r')
    """
    text = str(paper)
    return text if text.startswith(f"{PAPER}:") else paper_node_id(text)
