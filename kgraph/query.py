"""Questions a researcher asks of the graph, answered with the evidence behind them.

Pure functions over the :class:`networkx.MultiDiGraph` that ``kgraph build``
makes (or :func:`~kgraph.export.json.read_graph_json` reads back); each returns
frozen dataclasses and never changes the graph. Entities are named by their
label or any alias, in any case or spelling variant (``"fast3r"``,
``"Fast 3D reconstruction"``, ``"method:fast-3d-reconstruction"``); a name
that is not in the graph raises :class:`~kgraph.errors.EntityNotFound` with the
closest names; every command resolves names so (:mod:`kgraph.graph.lookup`).

>>> G = example_graph()
>>> [m.method.label for m in methods_for_task(G, "camera pose estimation")]
['Fast 3D Reconstruction']
>>> for step in shortest_path(G, "Fast3R", "DUSt3R").steps:
...     print(step.sentence)
Fast 3D Reconstruction extends DUSt3R
>>> find_entity(G, "Fsat3R")
Traceback (most recent call last):
...
kgraph.errors.EntityNotFound: no entity named 'Fsat3R'; closest: Fast3R (method), DUSt3R (method), MUSt3R (method)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from .errors import ConfigError, EntityNotFound, NoPath
from .graph import schema as s
from .graph.analytics import (
    CENTRALITY_MEASURES,
    centrality,
    compute_communities,
    corpus_years,
    papers_per_year,
)
from .graph.lookup import NodeRef, Suggestion, closest_names, find_entity, lookup_keys, node_names
from .graph.lookup import node_ref as _ref
from .model import PAPER_RELATIONS, Evidence, RelationType

__all__ = [
    "CENTRALITY_MEASURES", "CitedPaper", "Community", "Emerging", "EntityDetails", "EntityNotFound", "Neighbor",
    "NoPath", "NodeRef", "PaperHit", "Path", "Ranked", "Reason", "Related", "Statement", "Suggestion", "TaskMethod",
    "Trend", "cited", "closest_names", "communities", "emerging", "example_graph", "find_entity",
    "methods_for_task", "neighbors", "papers_for", "related", "shortest_path", "show", "subtasks", "top", "trends",
]

ENTITY_TYPES = ("method", "task", "dataset")
_PAPER_RELATIONS = frozenset(r.value for r in PAPER_RELATIONS)
# Paper relations that say what the paper is about, as opposed to `mentions`.
_STRONG_PAPER_RELATIONS = frozenset({"proposes", "addresses", "uses"})
# The order in which relations are preferred when one must be chosen.
_RELATION_ORDER = ("extends", "part_of", "used_for", "evaluated_on", "compared_with",
                   "proposes", "addresses", "uses", "mentions", "cites")
_CITES = "cites"
_VERBS = {
    "proposes": "proposes",
    "addresses": "addresses",
    "uses": "uses",
    "mentions": "mentions",
    "used_for": "is used for",
    "evaluated_on": "is evaluated on",
    "compared_with": "is compared with",
    "extends": "extends",
    "part_of": "is part of",
    "cites": "cites",
}
assert set(_VERBS) == {r.value for r in RelationType}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Statement:
    """One typed edge, in its own direction, with the sentences that support it.

    ``sentence`` reads the edge as English: ``"Fast 3D Reconstruction extends DUSt3R"``.
    """

    head: NodeRef
    relation: str
    tail: NodeRef
    support: int
    evidence: tuple[Evidence, ...]
    sentence: str


@dataclass(frozen=True, slots=True)
class TaskMethod:
    """A method used for a task: by how many papers, which ones, and the direct statements."""

    method: NodeRef
    support: int
    papers: tuple[NodeRef, ...]
    tasks: tuple[NodeRef, ...]          # the task asked about and/or its sub-tasks
    statements: tuple[Statement, ...]   # `used_for` edges, with their evidence


@dataclass(frozen=True, slots=True)
class PaperHit:
    """A paper and how it relates to each entity asked about (or cites the papers that propose one)."""

    paper: NodeRef
    year: int | None
    statements: tuple[Statement, ...]   # paper -> entity edges; paper -> paper `cites` edges


@dataclass(frozen=True, slots=True)
class CitedPaper:
    """A paper of the corpus and the papers of the corpus that cite it (``cites`` edges)."""

    paper: NodeRef
    year: int | None
    cited_by: tuple[NodeRef, ...]       # the citing papers, newest first
    proposes: tuple[NodeRef, ...]       # what the paper proposes

    @property
    def citations(self) -> int:
        return len(self.cited_by)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why two entities are related.

    ``kind`` is ``relation`` (a direct edge, in ``statement``), ``shared_task``,
    ``shared_dataset``, ``shared_method`` (both linked to ``via``) or
    ``shared_paper`` (both named in the paper ``via``).
    """

    kind: str
    text: str
    via: NodeRef | None = None
    statement: Statement | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """An entity related to the one asked about, with a score and its reasons."""

    entity: NodeRef
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Path:
    """The shortest chain of relations from ``source`` to ``target``.

    Each step is an edge shown in its own direction, which may run against the
    direction of travel.
    """

    source: NodeRef
    target: NodeRef
    steps: tuple[Statement, ...]

    @property
    def length(self) -> int:
        return len(self.steps)


@dataclass(frozen=True, slots=True)
class Ranked:
    """A node and its score under one centrality measure; ``rank`` starts at 1."""

    rank: int
    node: NodeRef
    score: float


@dataclass(frozen=True, slots=True)
class Community:
    """A Leiden community: its number, a name made of its most central members."""

    id: int
    name: str
    members: tuple[NodeRef, ...]        # entities, most central first
    papers: tuple[NodeRef, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class Trend:
    """An entity's papers per year: ``by_year`` holds ``(year, papers naming it)`` for every year of the corpus.

    The viewer's bar chart of the entity counts the same papers
    (:func:`kgraph.graph.analytics.papers_per_year`).
    """

    entity: NodeRef
    papers: int                                 # papers naming it, with a year or not
    by_year: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Emerging:
    """An entity whose share of the corpus's papers grew: recent years against the years before.

    A share is the papers naming the entity in those years over all papers of
    those years; ``growth`` is ``recent_share - earlier_share``.
    """

    entity: NodeRef
    recent: int                                 # papers naming it in the recent years
    earlier: int                                # papers naming it in the years before
    recent_share: float
    earlier_share: float
    growth: float
    years: tuple[int, int]                      # the recent years, first and last


@dataclass(frozen=True, slots=True)
class Neighbor:
    """A node within reach: its distance and the edge it was first reached by."""

    node: NodeRef
    depth: int
    via: Statement


@dataclass(frozen=True, slots=True)
class EntityDetails:
    """Everything the graph holds on one entity (or paper)."""

    node: NodeRef
    aliases: tuple[tuple[str, int], ...]    # (surface form, mentions), most frequent first
    known_id: str | None
    community: int | None
    papers: tuple[Statement, ...]           # paper -> entity edges
    relations: tuple[Statement, ...]        # entity <-> entity edges, both directions


# --------------------------------------------------------------------------- lookup


# --------------------------------------------------------------------------- statements


def _statement(G: nx.MultiDiGraph, head: str, tail: str, key: str) -> Statement:
    data = G.edges[head, tail, key]
    h, t = _ref(G, head), _ref(G, tail)
    evidence = tuple(
        Evidence(str(e.get("paper", "")), str(e.get("field", "")), int(e.get("start", 0)), int(e.get("end", 0)),
                 str(e.get("sentence", "")), str(e.get("extractor", "")))
        for e in data.get(s.EVIDENCE) or ()
    )
    return Statement(h, key, t, int(data.get(s.SUPPORT) or len({e.paper_id for e in evidence})), evidence,
                     f"{_subject(h)} {_VERBS.get(key, key.replace('_', ' '))} {_subject(t)}")


def _subject(ref: NodeRef) -> str:
    return f'the paper "{ref.label}"' if ref.type == s.PAPER else ref.label


def _relation_rank(key: str) -> int:
    return _RELATION_ORDER.index(key) if key in _RELATION_ORDER else len(_RELATION_ORDER)


def _edges_between(G: nx.MultiDiGraph, a: str, b: str) -> list[tuple[str, str, str]]:
    """Every edge joining ``a`` and ``b``, either way, preferred relation first."""
    edges = [(a, b, k) for k in G.succ[a].get(b, {})] + [(b, a, k) for k in G.succ[b].get(a, {})]
    return sorted(edges, key=lambda e: (_relation_rank(e[2]), -int(G.edges[e].get(s.SUPPORT) or 0), e))


def _is_paper(G: nx.MultiDiGraph, node: str) -> bool:
    return G.nodes[node].get(s.TYPE) == s.PAPER


def _paper_edges(G: nx.MultiDiGraph, entity: str, relations: Iterable[str] = _PAPER_RELATIONS) -> dict[str, str]:
    """paper -> its strongest relation to ``entity``, among ``relations``."""
    found: dict[str, str] = {}
    for paper, _, key in G.in_edges(entity, keys=True):
        if key in relations and _is_paper(G, paper):
            if paper not in found or _relation_rank(key) < _relation_rank(found[paper]):
                found[paper] = key
    return found


def _evidence_papers(G: nx.MultiDiGraph, statement: Statement) -> set[str]:
    """The paper nodes behind a statement (evidence names papers by their own id)."""
    return {node for e in statement.evidence if (node := s.paper_node_id(e.paper_id)) in G}


def _sorted_refs(G: nx.MultiDiGraph, nodes: Iterable[str]) -> tuple[NodeRef, ...]:
    return tuple(_ref(G, n) for n in sorted(set(nodes)))


# --------------------------------------------------------------------------- queries


def subtasks(G: nx.MultiDiGraph, task: str) -> tuple[NodeRef, ...]:
    """The tasks the graph knows as kinds of ``task``.

    A task is a sub-task when a ``part_of`` edge says so, or when its name is
    the task's name with modifiers in front ("3D reconstruction" and
    "multi-view 3D reconstruction" are kinds of "reconstruction"). Transitive.

    >>> [t.label for t in subtasks(example_graph(), "reconstruction")]
    ['3D reconstruction']
    """
    root = find_entity(G, task, type="task")
    suffix = " " + lookup_keys(root.label)[1]
    found = set()
    for node, data in G.nodes(data=True):
        if node != root.id and data.get(s.TYPE) == "task":
            if any(lookup_keys(text)[1].endswith(suffix) for text, _ in node_names(G, node)):
                found.add(node)
    frontier = [root.id, *found]
    while frontier:  # part_of edges, followed down to any depth
        parent = frontier.pop()
        for child, _, key in G.in_edges(parent, keys=True):
            if key == "part_of" and child != root.id and child not in found and G.nodes[child].get(s.TYPE) == "task":
                found.add(child)
                frontier.append(child)
    return _sorted_refs(G, found)


def methods_for_task(G: nx.MultiDiGraph, task: str, *, include_subtasks: bool = True,
                     limit: int | None = None) -> tuple[TaskMethod, ...]:
    """Methods used for a task (and its sub-tasks), most supported first.

    A method counts for a task through a ``used_for`` edge, or through a paper
    that addresses the task and proposes or uses the method. ``support`` is the
    number of distinct papers behind either; methods with a direct statement
    come first among equals.

    >>> G = example_graph()
    >>> for m in methods_for_task(G, "3D reconstruction"):
    ...     print(m.method.label, m.support, [p.id for p in m.papers])
    Fast 3D Reconstruction 1 ['paper:fast3r']
    DUSt3R 1 ['paper:must3r']
    MUSt3R 1 ['paper:must3r']
    """
    root = find_entity(G, task, type="task")
    tasks = [root.id] + ([t.id for t in subtasks(G, root.id)] if include_subtasks else [])
    papers: dict[str, set[str]] = {}
    via: dict[str, set[str]] = {}
    statements: dict[str, list[Statement]] = {}
    for t in tasks:
        for method, _, key in G.in_edges(t, keys=True):
            if key == "used_for" and G.nodes[method].get(s.TYPE) == "method":
                statement = _statement(G, method, t, key)
                statements.setdefault(method, []).append(statement)
                papers.setdefault(method, set()).update(_evidence_papers(G, statement))
                via.setdefault(method, set()).add(t)
        for paper in _paper_edges(G, t, {"addresses"}):
            for _, method, key in G.out_edges(paper, keys=True):
                if key in ("proposes", "uses") and G.nodes[method].get(s.TYPE) == "method":
                    papers.setdefault(method, set()).add(paper)
                    via.setdefault(method, set()).add(t)
    answers = [
        TaskMethod(_ref(G, m), len(papers.get(m, ())), _sorted_refs(G, papers.get(m, ())), _sorted_refs(G, via[m]),
                   tuple(sorted(statements.get(m, ()), key=lambda st: st.tail.id)))
        for m in via
    ]
    answers.sort(key=lambda a: (-a.support, not a.statements, a.method.label.casefold(), a.method.id))
    return tuple(answers[:limit] if limit is not None else answers)


def papers_for(G: nx.MultiDiGraph, *, method: str | None = None, dataset: str | None = None,
               task: str | None = None, relations: Iterable[str] | None = None,
               include_subtasks: bool = True, citing_proposer: str | None = None) -> tuple[PaperHit, ...]:
    """Papers that propose, use, address or mention every entity given.

    ``relations`` keeps only papers linked by those relations (all four by
    default). A task includes its sub-tasks unless ``include_subtasks`` is
    false. ``citing_proposer`` (a method or dataset) keeps the papers that
    cite a paper proposing it, each with its ``cites`` statements; it is an
    error when no paper of the graph proposes it. Papers that propose come
    first, then those that address or use, then those that only mention,
    then those that only cite; then the newest first.

    >>> G = example_graph()
    >>> for hit in papers_for(G, method="DUSt3R"):
    ...     print(hit.paper.id, [st.relation for st in hit.statements])
    paper:must3r ['uses']
    paper:fast3r ['mentions']
    """
    wanted = set(relations) if relations is not None else set(_PAPER_RELATIONS)
    unknown = wanted - _PAPER_RELATIONS
    if unknown:
        raise ConfigError(f"unknown paper relation {sorted(unknown)[0]!r}; expected one of "
                          f"{', '.join(sorted(_PAPER_RELATIONS))}")
    groups: list[list[str]] = []
    for kind, name in (("method", method), ("dataset", dataset), ("task", task)):
        if name is not None:
            root = find_entity(G, name, type=kind)
            group = [root.id]
            if kind == "task" and include_subtasks:
                group += [t.id for t in subtasks(G, root.id)]
            groups.append(group)
    if not groups and citing_proposer is None:
        raise ConfigError("papers: give a method, a dataset, a task or a method whose proposing papers are cited")
    found: dict[str, list[Statement]] | None = None
    for group in groups:
        matches: dict[str, list[Statement]] = {}
        for entity in group:
            for paper, key in _paper_edges(G, entity, wanted).items():
                matches.setdefault(paper, []).append(_statement(G, paper, entity, key))
        found = matches if found is None else {
            p: found[p] + matches[p] for p in found if p in matches
        }
    if citing_proposer is not None:
        matches = {}
        for proposer in _proposers(G, citing_proposer):
            for citing in _citing(G, proposer):
                matches.setdefault(citing, []).append(_statement(G, citing, proposer, _CITES))
        found = matches if found is None else {p: found[p] + matches[p] for p in found if p in matches}
    assert found is not None
    hits = [PaperHit(_ref(G, p), G.nodes[p].get(s.YEAR), tuple(st)) for p, st in found.items()]
    hits.sort(key=lambda h: (min(_relation_rank(st.relation) for st in h.statements),
                             -(h.year or 0), h.paper.label.casefold(), h.paper.id))
    return tuple(hits)


def cited(G: nx.MultiDiGraph, *, method: str | None = None, limit: int | None = None) -> tuple[CitedPaper, ...]:
    """The papers of the corpus most cited by the others (``cites`` edges), each with the papers citing it.

    With ``method`` (a method or dataset), only the papers that propose it,
    cited or not; it is an error when none does. Without, every paper cited
    at least once. Most cited first, then the newest, then by title.

    >>> G = example_graph()
    >>> _ = G.add_edge("paper:must3r", "paper:fast3r", key="cites", relation="cites", support=1)
    >>> [(c.paper.id, c.citations, [p.id for p in c.cited_by]) for c in cited(G)]
    [('paper:fast3r', 1, ['paper:must3r'])]
    >>> [(c.paper.id, c.citations) for c in cited(G, method="MUSt3R")]
    [('paper:must3r', 0)]
    >>> [hit.paper.id for hit in papers_for(G, citing_proposer="Fast3R")]
    ['paper:must3r']
    """
    if method is not None:
        papers = _proposers(G, method)
    else:
        papers = [node for node in G if _is_paper(G, node)]
    answers = []
    for paper in papers:
        citing = _citing(G, paper)
        if not citing and method is None:
            continue
        proposes = [tail for _, tail, key in G.out_edges(paper, keys=True) if key == "proposes"]
        answers.append(CitedPaper(_ref(G, paper), _year(G, paper), tuple(_ref(G, n) for n in citing),
                                  _sorted_refs(G, proposes)))
    answers.sort(key=lambda a: (-a.citations, -(a.year or 0), a.paper.label.casefold(), a.paper.id))
    return tuple(answers[:limit] if limit is not None else answers)


def _proposers(G: nx.MultiDiGraph, name: str) -> list[str]:
    """The papers that propose the method or dataset ``name``, sorted; an error when there are none."""
    root = find_entity(G, name)
    if root.type == s.PAPER:
        raise ConfigError(f"{name!r} is a paper; give a method or dataset, whose proposing papers are looked up")
    papers = sorted(_paper_edges(G, root.id, {"proposes"}))
    if not papers:
        raise ConfigError(f"no paper of the graph proposes {root.label} ({root.type})")
    return papers


def _citing(G: nx.MultiDiGraph, paper: str) -> list[str]:
    """The papers citing ``paper``, newest first, then by title."""
    citing = {head for head, _, key in G.in_edges(paper, keys=True) if key == _CITES and _is_paper(G, head)}
    return sorted(citing, key=lambda n: (-(_year(G, n) or 0), _ref(G, n).label.casefold(), n))


def _year(G: nx.MultiDiGraph, node: str) -> int | None:
    year = G.nodes[node].get(s.YEAR)
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _linked(G: nx.MultiDiGraph, entity: str) -> dict[str, set[str]]:
    """Entities linked to ``entity``: by an edge ("" in the set) or by papers about both."""
    links: dict[str, set[str]] = {}
    for other in set(G.successors(entity)) | set(G.predecessors(entity)):
        if other != entity and not _is_paper(G, other):
            links.setdefault(other, set()).add("")
    for paper in _paper_edges(G, entity, _STRONG_PAPER_RELATIONS):
        for _, other, key in G.out_edges(paper, keys=True):
            if other != entity and key in _STRONG_PAPER_RELATIONS:
                links.setdefault(other, set()).add(paper)
    return links


_SHARED_WEIGHT = {"relation": 3, "shared_task": 2, "shared_dataset": 2, "shared_method": 2, "shared_paper": 1}


def related(G: nx.MultiDiGraph, name: str, *, limit: int | None = 10) -> tuple[Related, ...]:
    """Entities most related to one, each with its reasons.

    Reasons, by weight: a direct relation (3 each), a task, dataset or method
    both are linked to (2 each; linked by an edge or by a paper about both),
    a paper naming both (1 each). Highest score first.

    >>> for r in related(example_graph(), "Fast3R"):
    ...     print(r.score, r.entity.label, "|", "; ".join(reason.kind for reason in r.reasons))
    6 DUSt3R | relation; shared_task; shared_paper
    4 3D reconstruction | relation; shared_paper
    4 camera pose estimation | relation; shared_paper
    2 MUSt3R | shared_task
    >>> related(example_graph(), "Fast3R")[0].reasons[1].text
    'both linked to 3D reconstruction'
    """
    root = find_entity(G, name)
    if root.type == s.PAPER:
        raise ConfigError(f"{name!r} is a paper; `related` takes a method, task or dataset")
    reasons: dict[str, list[Reason]] = {}

    def add(other: str, reason: Reason) -> None:
        if other != root.id and not _is_paper(G, other):
            reasons.setdefault(other, []).append(reason)

    for a, b, key in _edges_between_all(G, root.id):
        other = b if a == root.id else a
        if not _is_paper(G, other):
            statement = _statement(G, a, b, key)
            add(other, Reason("relation", statement.sentence, _ref(G, other), statement))
    for facet in sorted(_linked(G, root.id)):
        facet_type = G.nodes[facet].get(s.TYPE)
        if facet_type == root.type or facet_type not in ENTITY_TYPES:
            continue
        facet_ref = _ref(G, facet)
        for other in sorted(_linked(G, facet)):
            if G.nodes[other].get(s.TYPE) == root.type:
                add(other, Reason(f"shared_{facet_type}", f"both linked to {facet_ref.label}", facet_ref))
    for paper in sorted(_paper_edges(G, root.id)):
        paper_ref = _ref(G, paper)
        for _, other, key in sorted(G.out_edges(paper, keys=True)):
            if key in _PAPER_RELATIONS:
                add(other, Reason("shared_paper", f'both named in "{paper_ref.label}"', paper_ref))
    answers = []
    for other, found in reasons.items():
        unique = list(dict.fromkeys(found))
        answers.append(Related(_ref(G, other), sum(_SHARED_WEIGHT[r.kind] for r in unique), tuple(unique)))
    answers.sort(key=lambda r: (-r.score, r.entity.type != root.type, r.entity.label.casefold(), r.entity.id))
    return tuple(answers[:limit] if limit is not None else answers)


def _edges_between_all(G: nx.MultiDiGraph, node: str) -> list[tuple[str, str, str]]:
    edges = [(node, v, k) for _, v, k in G.out_edges(node, keys=True)]
    edges += [(u, node, k) for u, _, k in G.in_edges(node, keys=True) if u != node]
    return sorted(edges, key=lambda e: (_relation_rank(e[2]), e))


# A hop through a paper costs a little more than a hop between entities, so
# that of two equally short chains the one that stays among entities wins.
_PAPER_HOP = 1.001
_MENTION_HOP = 1.002


def shortest_path(G: nx.MultiDiGraph, source: str, target: str, *, mentions: bool | None = None) -> Path:
    """The shortest chain of relations between two entities, direction ignored.

    Fewest hops first; among chains as short, those that stay on entity-entity
    relations win over those through papers. ``mentions`` edges are used only
    when no chain exists without them (``mentions=None``), always (``True``)
    or never (``False``). Each step is shown in its edge's own direction.
    Raises :class:`NoPath` when the two are not connected.

    >>> G = example_graph()
    >>> for step in shortest_path(G, "MUSt3R", "camera pose estimation").steps:
    ...     print(step.sentence)
    MUSt3R extends DUSt3R
    Fast 3D Reconstruction extends DUSt3R
    Fast 3D Reconstruction is used for camera pose estimation
    """
    a, b = find_entity(G, source), find_entity(G, target)
    if a.id == b.id:
        return Path(a, b, ())
    attempts = [False, True] if mentions is None else [mentions]
    for with_mentions in attempts:
        view = _path_view(G, with_mentions)
        try:
            nodes = nx.dijkstra_path(view, a.id, b.id, weight="weight")
        except nx.NetworkXNoPath:
            continue
        steps = tuple(_statement(G, *view.edges[u, v]["edge"]) for u, v in zip(nodes, nodes[1:]))
        return Path(a, b, steps)
    raise NoPath(f"no chain of relations connects {a.label!r} and {b.label!r}")


def _path_view(G: nx.MultiDiGraph, with_mentions: bool) -> nx.Graph:
    view = nx.Graph()
    view.add_nodes_from(sorted(G.nodes))
    chosen: dict[tuple[str, str], tuple[float, int, tuple[str, str, str]]] = {}
    for u, v, key in G.edges(keys=True):
        if u == v or (key == "mentions" and not with_mentions):
            continue
        through_paper = _is_paper(G, u) or _is_paper(G, v)
        cost = _MENTION_HOP if key == "mentions" else _PAPER_HOP if through_paper else 1.0
        pair = (u, v) if u < v else (v, u)
        candidate = (cost, _relation_rank(key), (u, v, key))
        if pair not in chosen or candidate < chosen[pair]:
            chosen[pair] = candidate
    for (u, v), (cost, _, edge) in sorted(chosen.items()):
        view.add_edge(u, v, weight=cost, edge=edge)
    return view


def top(G: nx.MultiDiGraph, *, by: str = "degree", type: str | None = None, limit: int | None = 10) -> tuple[Ranked, ...]:
    """The most central nodes under one measure (see :func:`kgraph.graph.analytics.centrality`).

    ``type`` is a node type (``method``, ``task``, ``dataset``, ``paper``);
    by default every entity and no paper.

    >>> [(r.rank, r.node.label, r.score) for r in top(example_graph(), by="support", limit=2)]
    [(1, '3D reconstruction', 2.0), (2, 'DUSt3R', 2.0)]
    """
    if type is not None and type not in s.NODE_TYPES:
        raise ConfigError(f"unknown node type {type!r}; expected one of {', '.join(s.NODE_TYPES)}")
    if by not in CENTRALITY_MEASURES:
        raise ConfigError(f"unknown measure {by!r}; expected one of {', '.join(CENTRALITY_MEASURES)}")
    scores = centrality(G, by)
    nodes = [n for n in scores if (G.nodes[n].get(s.TYPE) == type if type else not _is_paper(G, n))]
    nodes.sort(key=lambda n: (-scores[n], str(G.nodes[n].get(s.LABEL) or n).casefold(), n))
    if limit is not None:
        nodes = nodes[:limit]
    return tuple(Ranked(i, _ref(G, n), round(scores[n], 6)) for i, n in enumerate(nodes, start=1))


def _community_map(G: nx.MultiDiGraph, seed: int) -> dict[str, int]:
    stored = nx.get_node_attributes(G, s.COMMUNITY)
    if G.number_of_nodes() and len(stored) == G.number_of_nodes() and all(isinstance(c, int) for c in stored.values()):
        return dict(stored)
    return compute_communities(G, seed=seed)


def communities(G: nx.MultiDiGraph, *, seed: int = 0, min_size: int = 2, name_size: int = 3) -> tuple[Community, ...]:
    """Groups of methods, tasks and datasets (Leiden), largest first.

    Uses the ``community`` node attribute when the graph has one on every node
    (``kgraph build`` writes it), else computes it with
    :func:`kgraph.graph.analytics.compute_communities` and ``seed``. Members are
    ordered by degree inside the community; the name joins the first
    ``name_size`` method and task labels. Communities with fewer than
    ``min_size`` entities are left out.

    >>> for c in communities(example_graph()):
    ...     print(c.id, c.name, c.size, len(c.papers))
    0 MUSt3R / DUSt3R / reconstruction 4 1
    1 Fast 3D Reconstruction / 3D reconstruction / camera pose estimation 3 1
    """
    assignment = _community_map(G, seed)
    groups: dict[int, list[str]] = {}
    for node, number in assignment.items():
        groups.setdefault(number, []).append(node)
    answers = []
    for number in sorted(groups):
        nodes = groups[number]
        sub = G.subgraph(nodes)
        entities = [n for n in nodes if G.nodes[n].get(s.TYPE) in ENTITY_TYPES]
        if len(entities) < min_size:
            continue
        degree = {n: len(set(sub.successors(n)) | set(sub.predecessors(n))) for n in entities}
        entities.sort(key=lambda n: (-degree[n], str(G.nodes[n].get(s.LABEL) or n).casefold(), n))
        naming = [n for n in entities if G.nodes[n].get(s.TYPE) in ("method", "task")] or entities
        name = " / ".join(_ref(G, n).label for n in naming[:name_size])
        papers = _sorted_refs(G, (n for n in nodes if _is_paper(G, n)))
        answers.append(Community(number, name, tuple(_ref(G, n) for n in entities), papers))
    return tuple(answers)


def _entities(G: nx.MultiDiGraph, type: str | None) -> list[str]:
    if type is not None and type not in ENTITY_TYPES:
        raise ConfigError(f"unknown entity type {type!r}; expected one of {', '.join(ENTITY_TYPES)}")
    wanted = (type,) if type else ENTITY_TYPES
    return [n for n, kind in G.nodes(data=s.TYPE) if kind in wanted]


def trends(G: nx.MultiDiGraph, *, type: str | None = None, limit: int | None = 10) -> tuple[Trend, ...]:
    """Papers per year for the entities named by the most papers (``type``: method, task or dataset).

    Every year from the corpus's first to its last is listed, with 0 where no
    paper of that year names the entity; papers without a year count in
    ``papers`` only. Ties: label, then id.

    >>> for t in trends(example_graph(), type="method", limit=2):
    ...     print(t.entity.label, t.papers, t.by_year)
    DUSt3R 2 ((2025, 2),)
    Fast 3D Reconstruction 1 ((2025, 1),)
    """
    entities = _entities(G, type)
    support = {n: len(set(G.nodes[n].get(s.PAPERS) or ())) for n in entities}
    entities.sort(key=lambda n: (-support[n], _ref(G, n).label.casefold(), n))
    if limit is not None:
        entities = entities[:limit]
    years = corpus_years(G)
    span = range(min(years), max(years) + 1) if years else range(0)
    answers = []
    for n in entities:
        counts = papers_per_year(G, G.nodes[n].get(s.PAPERS) or ())
        answers.append(Trend(_ref(G, n), support[n], tuple((y, counts.get(y, 0)) for y in span)))
    return tuple(answers)


def emerging(G: nx.MultiDiGraph, *, years: int = 3, type: str | None = None, min_papers: int = 3,
             limit: int | None = 10) -> tuple[Emerging, ...]:
    """The entities whose share of papers grew most in the last ``years`` years of the corpus.

    The recent years are the last ``years`` up to the corpus's latest year;
    the earlier ones, all years before. Only entities named by at least
    ``min_papers`` papers with a year count; largest growth first (ties: more
    recent papers, then label). Papers without a year are left out.

    >>> G = example_graph()
    >>> G.add_node("paper:old", type="paper", label="An older paper", year=2020)
    >>> G.nodes["task:reconstruction"]["papers"] = ["paper:old", "paper:must3r"]
    >>> for e in emerging(G, years=1, min_papers=2):
    ...     print(e.entity.label, e.recent, e.earlier, e.recent_share, e.earlier_share, e.growth)
    3D reconstruction 2 0 1.0 0.0 1.0
    DUSt3R 2 0 1.0 0.0 1.0
    reconstruction 1 1 0.5 1.0 -0.5
    """
    if years < 1:
        raise ConfigError(f"years must be at least 1, not {years}")
    corpus = corpus_years(G)
    if not corpus:
        return ()
    last = max(corpus)
    first = last - years + 1
    recent_total = sum(n for y, n in corpus.items() if y >= first)
    earlier_total = sum(n for y, n in corpus.items() if y < first)
    answers = []
    for node in _entities(G, type):
        counts = papers_per_year(G, G.nodes[node].get(s.PAPERS) or ())
        recent = sum(n for y, n in counts.items() if y >= first)
        earlier = sum(n for y, n in counts.items() if y < first)
        if recent + earlier < min_papers:
            continue
        recent_share = recent / recent_total if recent_total else 0.0
        earlier_share = earlier / earlier_total if earlier_total else 0.0
        answers.append(Emerging(_ref(G, node), recent, earlier, round(recent_share, 6), round(earlier_share, 6),
                                round(recent_share - earlier_share, 6), (first, last)))
    answers.sort(key=lambda e: (-e.growth, -e.recent, e.entity.label.casefold(), e.entity.id))
    return tuple(answers[:limit] if limit is not None else answers)


def neighbors(G: nx.MultiDiGraph, name: str, *, depth: int = 1, papers: bool = True,
              mentions: bool = True) -> tuple[Neighbor, ...]:
    """Everything within ``depth`` hops of a node, nearest first, direction ignored.

    Each neighbour comes with the edge it was first reached by (the preferred
    relation among parallel ones). ``papers=False`` stays among entities;
    ``mentions=False`` skips the ``mentions`` edges.

    >>> for n in neighbors(example_graph(), "DUSt3R", papers=False):
    ...     print(n.depth, n.via.sentence)
    1 Fast 3D Reconstruction extends DUSt3R
    1 MUSt3R extends DUSt3R
    """
    if depth < 1:
        raise ConfigError(f"depth must be at least 1, not {depth}")
    root = find_entity(G, name)
    seen = {root.id}
    found: list[Neighbor] = []
    queue = deque([(root.id, 0)])
    while queue:
        node, distance = queue.popleft()
        if distance == depth:
            continue
        for other in sorted(set(G.successors(node)) | set(G.predecessors(node))):
            if other in seen or (not papers and _is_paper(G, other)):
                continue
            edges = [e for e in _edges_between(G, node, other) if mentions or e[2] != "mentions"]
            if not edges:
                continue
            seen.add(other)
            found.append(Neighbor(_ref(G, other), distance + 1, _statement(G, *edges[0])))
            queue.append((other, distance + 1))
    found.sort(key=lambda n: (n.depth, n.node.type == s.PAPER, _relation_rank(n.via.relation),
                              n.node.label.casefold(), n.node.id))
    return tuple(found)


def show(G: nx.MultiDiGraph, name: str) -> EntityDetails:
    """One entity (or paper) with its aliases, papers, relations and their evidence.

    >>> details = show(example_graph(), "fast 3d reconstruction")
    >>> details.aliases
    (('Fast3R', 5), ('Fast 3D Reconstruction', 1))
    >>> [st.sentence for st in details.relations]
    ['Fast 3D Reconstruction extends DUSt3R', 'Fast 3D Reconstruction is used for 3D reconstruction', \
'Fast 3D Reconstruction is used for camera pose estimation']
    """
    root = find_entity(G, name)
    data = G.nodes[root.id]
    aliases = tuple(zip(map(str, data.get(s.ALIASES) or ()), map(int, data.get(s.ALIAS_COUNTS) or ())))
    paper_statements, relations = [], []
    for head, tail, key in _edges_between_all(G, root.id):
        statement = _statement(G, head, tail, key)
        (paper_statements if key in _PAPER_RELATIONS else relations).append(statement)
    community = data.get(s.COMMUNITY)
    if community is None and G.number_of_nodes():
        community = _community_map(G, 0).get(root.id)
    return EntityDetails(root, aliases, data.get(s.KNOWN_ID), community, tuple(paper_statements), tuple(relations))


# --------------------------------------------------------------------------- example


def example_graph() -> nx.MultiDiGraph:
    """A tiny graph of two papers, for the examples in these docstrings.

    Fast3R (proposed in ``paper:fast3r``) extends DUSt3R and is used for camera
    pose estimation and 3D reconstruction; MUSt3R (``paper:must3r``) extends
    DUSt3R too and is evaluated on ScanNet; ``task:reconstruction`` is known by
    name only.
    """
    G = nx.MultiDiGraph(name="example")
    papers = {
        "paper:fast3r": ("Fast3R: Towards 3D Reconstruction of 1000+ Images", 2025),
        "paper:must3r": ("MUSt3R: Multi-view Network for Stereo 3D Reconstruction", 2025),
    }
    for node, (title, year) in papers.items():
        G.add_node(node, **{s.TYPE: s.PAPER, s.LABEL: title, s.YEAR: year})
    entities: dict[str, tuple[str, Mapping[str, int], list[str]]] = {
        "method:fast-3d-reconstruction": ("Fast 3D Reconstruction", {"Fast3R": 5, "Fast 3D Reconstruction": 1},
                                          ["paper:fast3r"]),
        "method:dust3r": ("DUSt3R", {"DUSt3R": 3}, ["paper:fast3r", "paper:must3r"]),
        "method:must3r": ("MUSt3R", {"MUSt3R": 2}, ["paper:must3r"]),
        "task:camera-pose-estimation": ("camera pose estimation", {"camera pose estimation": 1}, ["paper:fast3r"]),
        "task:3d-reconstruction": ("3D reconstruction", {"3D reconstruction": 2}, ["paper:fast3r", "paper:must3r"]),
        "task:reconstruction": ("reconstruction", {"reconstruction": 1}, ["paper:must3r"]),
        "dataset:scannet": ("ScanNet", {"ScanNet": 1}, ["paper:must3r"]),
    }
    for node, (label, aliases, in_papers) in entities.items():
        G.add_node(node, **{s.TYPE: node.split(":")[0], s.LABEL: label, s.ALIASES: list(aliases),
                            s.ALIAS_COUNTS: list(aliases.values()), s.PAPERS: in_papers,
                            s.PROPOSED_IN: [], s.MENTION_COUNT: sum(aliases.values()), s.KNOWN_ID: None})
    fast3r = "We propose Fast 3D Reconstruction (Fast3R), a multi-view generalization to DUSt3R."
    must3r = "MUSt3R extends DUSt3R to many views and is evaluated on ScanNet."
    edges = [
        ("paper:fast3r", "proposes", "method:fast-3d-reconstruction", fast3r),
        ("paper:fast3r", "mentions", "method:dust3r", fast3r),
        ("paper:fast3r", "addresses", "task:camera-pose-estimation", "Fast3R estimates camera poses."),
        ("paper:fast3r", "addresses", "task:3d-reconstruction", "Fast3R reconstructs 1000+ images."),
        ("method:fast-3d-reconstruction", "extends", "method:dust3r", fast3r),
        ("method:fast-3d-reconstruction", "used_for", "task:camera-pose-estimation", "Fast3R estimates camera poses."),
        ("method:fast-3d-reconstruction", "used_for", "task:3d-reconstruction", "Fast3R reconstructs 1000+ images."),
        ("paper:must3r", "proposes", "method:must3r", must3r),
        ("paper:must3r", "uses", "method:dust3r", must3r),
        ("paper:must3r", "addresses", "task:3d-reconstruction", must3r),
        ("paper:must3r", "mentions", "task:reconstruction", must3r),
        ("paper:must3r", "uses", "dataset:scannet", must3r),
        ("method:must3r", "extends", "method:dust3r", must3r),
        ("method:must3r", "evaluated_on", "dataset:scannet", must3r),
    ]
    for head, relation, tail, sentence in edges:
        paper = "must3r" if sentence == must3r else "fast3r"
        G.add_edge(head, tail, key=relation, **{
            s.RELATION: relation, s.SUPPORT: 1, s.EXTRACTORS: ["example"],
            s.EVIDENCE: [{"paper": paper, "field": "abstract", "start": 0, "end": len(sentence),
                          "sentence": sentence, "extractor": "example"}],
        })
    return G
