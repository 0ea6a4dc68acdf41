"""One name lookup for every command: the node a name stands for, or the closest names.

``kgraph query``, ``kgraph html --focus``, ``kgraph serve`` and the Python
API all resolve a name here. A name is a node id, a label or an alias, in any
case or spelling variant (``"fast3r"``, ``"Fast 3D reconstruction"``,
``"schrodinger equation"`` for "Schrödinger equation"); a name that is not in
the graph raises :class:`~kgraph.errors.EntityNotFound` with the closest names
(typo-tolerant, rapidfuzz ``WRatio``).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("method:dust3r", type="method", label="DUSt3R", aliases=["DUSt3R", "Dust3R model"], papers=["paper:1"])
>>> G.add_node("task:schrodinger-equation", type="task", label="Schrödinger equation")
>>> find_entity(G, "dust3r model").id, find_entity(G, "schrodinger equation").id
('method:dust3r', 'task:schrodinger-equation')
>>> find_entity(G, "DUST3R", type="method")
NodeRef(id='method:dust3r', type='method', label='DUSt3R')
>>> find_entity(G, "MASt3R")
Traceback (most recent call last):
...
kgraph.errors.EntityNotFound: no entity named 'MASt3R'; closest: DUSt3R (method)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import networkx as nx
from rapidfuzz import fuzz, process, utils

from ..errors import EntityNotFound
from ..resolve.normalize import entity_key, singular_acronym
from . import schema as s

__all__ = ["NodeRef", "Suggestion", "candidate_rank", "closest_names", "find_entity", "lookup_keys", "node_names", "node_ref"]

SUGGESTIONS = 3  # closest names an EntityNotFound holds
FUZZY_CUTOFF = 50  # rapidfuzz score below which a name is no suggestion


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A node as answers show it: its id, type and label (a paper's label is its title)."""

    id: str
    type: str
    label: str

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A name close to one that was not found: the name, its node and the rapidfuzz score (0-100)."""

    name: str
    node: NodeRef
    score: float


def node_ref(G: nx.MultiDiGraph, node: str) -> NodeRef:
    """The :class:`NodeRef` of a node of ``G``."""
    data = G.nodes[node]
    return NodeRef(node, str(data.get(s.TYPE, "")), str(data.get(s.LABEL) or node))


def lookup_keys(text: str) -> tuple[str, str, str]:
    """Ever looser keys for a name: canonical, case-folded, letters and digits only (accents dropped).

    >>> lookup_keys("Graph Neural Networks")
    ('graph neural network', 'graph neural network', 'graphneuralnetwork')
    >>> lookup_keys("LLMs"), lookup_keys("Schrödinger-equation")[2]
    (('LLM', 'llm', 'llm'), 'schrodingerequation')
    """
    words = text.split()
    if words:
        words[-1] = singular_acronym(words[-1])
    key = entity_key(" ".join(words))
    folded = key.casefold()
    plain = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return key, folded, re.sub(r"[\W_]+", "", plain)


def node_names(G: nx.MultiDiGraph, node: str) -> list[tuple[str, bool]]:
    """(name, is_label) for every name of a node, label first."""
    data = G.nodes[node]
    names = [(str(data.get(s.LABEL) or ""), True)]
    names += [(str(alias), False) for alias in data.get(s.ALIASES) or ()]
    return [(name, is_label) for name, is_label in names if name]


def candidate_rank(G: nx.MultiDiGraph, node: str, is_label: bool) -> tuple:
    """Among nodes a name matches equally well: an entity before a paper, a label before an alias, more papers first."""
    data = G.nodes[node]
    return (data.get(s.TYPE) == s.PAPER, not is_label, -len(data.get(s.PAPERS) or ()), node)


def find_entity(G: nx.MultiDiGraph, name: str, *, type: str | None = None) -> NodeRef:
    """The node a name stands for: a node id, a label or an alias, in any case or variant.

    Exact spellings win over case-folded ones, which win over ones that differ
    only in spaces, punctuation and accents; among equals, a label beats an
    alias, an entity beats a paper title, and the entity in more papers wins.
    ``type`` restricts the search to one node type. An unknown name raises
    :class:`~kgraph.errors.EntityNotFound` with the closest names
    (:func:`closest_names`).
    """
    if name in G and (type is None or G.nodes[name].get(s.TYPE) == type):
        return node_ref(G, name)
    wanted = lookup_keys(name)
    best: tuple | None = None
    for node, data in G.nodes(data=True):
        if type is not None and data.get(s.TYPE) != type:
            continue
        for text, is_label in node_names(G, node):
            keys = lookup_keys(text)
            tier = next((i for i in range(3) if keys[i] == wanted[i] and wanted[i]), None)
            if tier is None:
                continue
            candidate = (tier, *candidate_rank(G, node, is_label))
            if best is None or candidate < best:
                best = candidate
    if best is not None:
        return node_ref(G, best[-1])
    raise EntityNotFound(name, closest_names(G, name, type=type), type=type)


def closest_names(G: nx.MultiDiGraph, name: str, *, type: str | None = None,
                  limit: int = SUGGESTIONS) -> tuple[Suggestion, ...]:
    """The entities whose label or alias is closest to ``name`` (rapidfuzz ``WRatio``), one name each.

    Papers are searched by title only when ``type="paper"``.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method:must3r", type="method", label="MUSt3R")
    >>> G.add_node("task:3d-reconstruction", type="task", label="3D reconstruction")
    >>> [(sug.name, sug.node.id) for sug in closest_names(G, "Must3r reconstrution", limit=2)]
    [('MUSt3R', 'method:must3r'), ('3D reconstruction', 'task:3d-reconstruction')]
    """
    choices: list[str] = []
    owners: list[str] = []  # the node of each choice
    for node, data in sorted(G.nodes(data=True)):
        node_type = data.get(s.TYPE)
        if (type is None and node_type == s.PAPER) or (type is not None and node_type != type):
            continue
        for text, _ in node_names(G, node):
            choices.append(text)
            owners.append(node)
    matches = process.extract(name, choices, scorer=fuzz.WRatio, processor=utils.default_process,
                              limit=None, score_cutoff=FUZZY_CUTOFF)
    seen: set[str] = set()
    found: list[Suggestion] = []
    for text, score, index in sorted(matches, key=lambda m: (-m[1], m[2])):
        node = owners[index]
        if node not in seen:
            seen.add(node)
            found.append(Suggestion(text, node_ref(G, node), round(float(score), 1)))
        if len(found) == limit:
            break
    return tuple(found)
