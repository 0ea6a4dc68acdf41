"""Node kinds, predicates and attribute names of the kgraph graph.

The graph is a :class:`networkx.MultiDiGraph`. Node ids are stable slugs:
``paper:<paper-id>`` for papers and ``<type>:<slug>`` for entities. Each edge
is keyed by its relation name, so one (head, relation, tail) is one edge.
"""

from __future__ import annotations

from ..model import EntityType, RelationType

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

# edge attributes
RELATION = "relation"
SUPPORT = "support"      # number of distinct papers stating the relation
EVIDENCE = "evidence"    # list of {paper, field, start, end, sentence, extractor}
EXTRACTORS = "extractors"


def paper_node_id(paper_id: str) -> str:
    return f"{PAPER}:{paper_id}"
