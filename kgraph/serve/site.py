"""What the web app knows: one built graph, a name index over it, and answers as JSON-ready dicts.

:class:`Site` holds the :class:`networkx.MultiDiGraph` of a build (read from
``graph.json``, or rebuilt from the RDF of a pyoxigraph store) and never
changes it. Every answer is a plain ``dict`` of strings, numbers and lists,
the same for the JSON API and for the pages, which render it escaped.

Names resolve as ``kgraph query`` resolves them (:func:`kgraph.graph.lookup.find_entity`):
an index of each name's lookup keys (:func:`kgraph.graph.lookup.lookup_keys`), built once, answers in a dictionary
look-up what ``find_entity`` answers by scanning the graph; the tests check
the two agree on every name of the test graphs. Search is typo-tolerant:
names close to the query (rapidfuzz ``WRatio``, as
:func:`kgraph.query.closest_names` scores them) follow the exact match.

>>> from kgraph.query import example_graph
>>> site = Site(example_graph())
>>> site.resolve("fast3r")["id"]
'method:fast-3d-reconstruction'
>>> [hit["label"] for hit in site.search("Must3r")["entities"]][:2]
['MUSt3R', 'DUSt3R']
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import networkx as nx
from rapidfuzz import fuzz, process, utils

from .. import query as q
from ..errors import ConfigError, NotFound
from ..export.html import NODE_STYLES, OTHER_NODE_STYLE, OTHER_RELATION_STYLE, RELATION_COLORS
from ..graph import schema as s
from ..graph.lookup import candidate_rank
from ..graph.lookup import lookup_keys as _lookup_keys

ENTITY_TYPES = ("method", "task", "dataset")
SEARCH_TYPES = (*ENTITY_TYPES, s.PAPER)
EVIDENCE_SHOWN = 5  # evidence sentences per statement in an answer (the answer says how many there are)
STATEMENTS_SHOWN = 200  # statements per relation group on an entity page
PAPERS_SHOWN = 300  # papers listed on an entity page
NEIGHBOURS_SHOWN = 60  # nodes of a focus view
LIMIT_MAX = 200  # the most answers any list query gives
FUZZY_CUTOFF = 50  # rapidfuzz score below which a name is no suggestion (as closest_names)
SEARCH_SPREAD = 25  # search hits scoring this far below the best one are left out
MAX_QUERY = 200  # characters of a name searched for
SCAN_ALL = 20_000  # up to this many names, every one is scored; above, those sharing most trigrams with the query
CANDIDATES = 3_000  # names scored per search above SCAN_ALL
RELATION_ORDER = ("extends", "part_of", "used_for", "evaluated_on", "compared_with",
                  "proposes", "addresses", "uses", "mentions", "cites")


# --------------------------------------------------------------------------- loading


def read_site_graph(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """The graph of a build directory (its ``graph.json``), a ``graph.json`` file or a pyoxigraph store."""
    from ..export.json import read_graph_json
    from ..rdf.store import is_store

    path = Path(path)
    if is_store(path):
        return graph_from_store(path)
    file = path / "graph.json" if path.is_dir() else path
    if not file.is_file():
        raise ConfigError(f"{path}: no graph here (graph.json or a pyoxigraph store); "
                          f"run `kgraph build -o {path}` first")
    return read_graph_json(file)


def graph_from_store(store: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """The kgraph graph held by a pyoxigraph store (its default graph, as `kgraph store load` fills it)."""
    import pyoxigraph

    from ..rdf.graph import to_networkx
    from ..rdf.store import open_store

    db = open_store(store)
    with tempfile.TemporaryDirectory(prefix="kgraph-serve-") as tmp:
        dump = Path(tmp) / "graph.nt"
        db.dump(str(dump), format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
        del db
        return to_networkx(dump)


# --------------------------------------------------------------------------- links


def node_href(node_id: str) -> str:
    """The page of a node: ``/paper/<paper id>`` or ``/entity/<node id>``, percent-encoded.

    >>> node_href("paper:arXiv:2401.1 x/y"), node_href("method:dust3r")
    ('/paper/arXiv:2401.1%20x%2Fy', '/entity/method:dust3r')
    """
    if node_id.startswith(s.PAPER + ":"):
        return "/paper/" + quote(node_id[len(s.PAPER) + 1:], safe=":")
    return "/entity/" + quote(node_id, safe=":")


def _web_url(value: Any) -> str | None:
    """A paper's own URL when it is a plain http(s) URL, else nothing (never ``javascript:``)."""
    if isinstance(value, str) and re.fullmatch(r"https?://[^\s<>\"'`\\{}|^]+", value) and len(value) <= 2000:
        return value
    return None


# --------------------------------------------------------------------------- the site


class Site:
    """A built graph as the web app serves it: look-ups and answers as dicts."""

    def __init__(self, graph: nx.MultiDiGraph, *, name: str = "kgraph"):
        self.graph = graph
        self.name = name
        self._keys: list[dict[str, tuple]] = [{}, {}, {}]  # tier -> lookup key -> best (rank..., node)
        self._typed: list[dict[tuple[str, str], tuple]] = [{}, {}, {}]  # tier -> (type, key) -> best of that type
        self._choices: dict[str, tuple[list[str], list[str], list[str]]] = {}  # kind -> (processed, names, nodes)
        self._trigrams: dict[str, _TrigramIndex] = {}  # kind -> index of the processed names, for large graphs
        self._build_index()

    # ------------------------------------------------------------------ index

    def _build_index(self) -> None:
        G = self.graph
        entity_choices: tuple[list[str], list[str], list[str]] = ([], [], [])
        paper_choices: tuple[list[str], list[str], list[str]] = ([], [], [])
        for node, data in sorted(G.nodes(data=True), key=lambda item: str(item[0])):
            node_type = data.get(s.TYPE)
            names = [(str(data.get(s.LABEL) or ""), True)]
            names += [(str(alias), False) for alias in data.get(s.ALIASES) or ()]
            choices = paper_choices if node_type == s.PAPER else entity_choices
            for text, is_label in names:
                if not text:
                    continue
                rank = candidate_rank(G, node, is_label)
                for tier, key in enumerate(_lookup_keys(text)):
                    if key and (key not in self._keys[tier] or rank < self._keys[tier][key]):
                        self._keys[tier][key] = rank
                    typed = (str(node_type), key)
                    if key and (typed not in self._typed[tier] or rank < self._typed[tier][typed]):
                        self._typed[tier][typed] = rank
                choices[0].append(utils.default_process(text))
                choices[1].append(text)
                choices[2].append(node)
        self._choices = {"entity": entity_choices, "paper": paper_choices}
        self._trigrams = {kind: _TrigramIndex(choices[0]) for kind, choices in self._choices.items()
                          if len(choices[0]) > SCAN_ALL}

    def ref(self, node: str) -> dict[str, Any]:
        """A node as answers show it: id, type, label and the page's address."""
        data = self.graph.nodes[node]
        return {"id": node, "type": str(data.get(s.TYPE) or ""), "label": str(data.get(s.LABEL) or node),
                "href": node_href(node)}

    def _node_ref(self, ref: q.NodeRef) -> dict[str, Any]:
        return {"id": ref.id, "type": ref.type, "label": ref.label, "href": node_href(ref.id)}

    def resolve(self, name: str, *, type: str | None = None) -> dict[str, Any]:
        """The node a name stands for, as :func:`kgraph.query.find_entity` finds it; :class:`NotFound` else.

        >>> from kgraph.query import example_graph
        >>> Site(example_graph()).resolve("Fsat3R")
        Traceback (most recent call last):
        ...
        kgraph.errors.NotFound: no entity named 'Fsat3R'; closest: Fast3R (method), DUSt3R (method), MUSt3R (method)
        """
        if type is not None and type not in SEARCH_TYPES:
            raise ConfigError(f"unknown type {type!r}; expected one of {', '.join(SEARCH_TYPES)}")
        name = name.strip()
        found = self._exact(name, type)
        if found is not None:
            return found
        close = self.fuzzy(name, type=type, limit=3)
        what = f"{type} " if type else "entity "
        message = f"no {what}named {name!r}"
        if close:
            message += "; closest: " + ", ".join(f"{hit['matched']} ({hit['type']})" for hit in close)
        raise NotFound(message, close)

    def _exact(self, name: str, type: str | None) -> dict[str, Any] | None:
        """The node ``name`` stands for, by id or by one of its lookup keys; None if none."""
        G = self.graph
        if name in G and (type is None or G.nodes[name].get(s.TYPE) == type):
            return self.ref(name)
        wanted = _lookup_keys(name)
        for tier in range(3):
            if not wanted[tier]:
                continue
            found = (self._keys[tier].get(wanted[tier]) if type is None
                     else self._typed[tier].get((type, wanted[tier])))
            if found is not None:
                return self.ref(found[-1])
        return None

    def fuzzy(self, text: str, *, type: str | None = None, limit: int = 10, ranked: bool = False
              ) -> list[dict[str, Any]]:
        """The nodes with a name closest to ``text`` (rapidfuzz ``WRatio``), one hit each, best first.

        Papers are searched by title only when ``type`` is ``"paper"``. Plain,
        the order is that of :func:`kgraph.query.closest_names`. ``ranked``
        orders a search's hits: a name less than half as long as ``text`` is
        scored by its whole-string ratio (not by a part of ``text`` it
        matches, which ranks "RE" first for "3d recon"); hits far below the
        best are dropped; among equal scores, the node in more papers and
        the shorter name come first.
        """
        processed, names, nodes = self._choices["paper" if type == s.PAPER else "entity"]
        query = utils.default_process(text)[:MAX_QUERY]
        if not query or not processed:
            return []
        kind = "paper" if type == s.PAPER else "entity"
        if kind in self._trigrams:  # a large graph: score the names that share most trigrams with the query
            indices = self._trigrams[kind].candidates(query, CANDIDATES)
            found = process.extract(query, [processed[i] for i in indices], scorer=fuzz.WRatio, processor=None,
                                    limit=max(limit * 8, 50), score_cutoff=FUZZY_CUTOFF)
            matches = [(text, score, int(indices[i])) for text, score, i in found]
        else:
            # more than `limit` candidates: several names of one node count once
            matches = process.extract(query, processed, scorer=fuzz.WRatio, processor=None,
                                      limit=max(limit * 8, 50), score_cutoff=FUZZY_CUTOFF)
        scored = []
        for _, score, index in matches:
            if ranked and len(processed[index]) * 2 < len(query):
                score = fuzz.ratio(query, processed[index])
            if score >= FUZZY_CUTOFF:
                papers = len(self.graph.nodes[nodes[index]].get(s.PAPERS) or ()) if ranked else 0
                scored.append((-round(float(score), 1), -papers, len(names[index]) if ranked else 0, index))
        scored.sort()
        best = -scored[0][0] if scored else 0.0
        hits: list[dict[str, Any]] = []
        seen: set[str] = set()
        for negative, _, _, index in scored:
            node = nodes[index]
            if node in seen or (type is not None and self.graph.nodes[node].get(s.TYPE) != type):
                continue
            if ranked and -negative < best - SEARCH_SPREAD:
                break
            seen.add(node)
            hits.append({**self.ref(node), "matched": names[index], "score": -negative})
            if len(hits) == limit:
                break
        return hits

    def search(self, text: str, *, type: str | None = None, limit: int = 20) -> dict[str, Any]:
        """Entities and papers for a search box: the name's own node first, then the closest names.

        ``type`` keeps one node type (``paper`` searches titles); by default
        entities and papers are both searched, in two lists.
        """
        if type is not None and type not in SEARCH_TYPES:
            raise ConfigError(f"unknown type {type!r}; expected one of {', '.join(SEARCH_TYPES)}")
        limit = _bounded(limit)
        text = text.strip()
        exact = self._exact(text, type) if text else None
        answer: dict[str, Any] = {"query": text, "exact": exact, "entities": [], "papers": []}
        if not text:
            return answer
        if type != s.PAPER:
            entities = self.fuzzy(text, type=type, limit=limit, ranked=True)
            answer["entities"] = _exact_first(exact, entities, limit)
        if type in (None, s.PAPER):
            papers = self.fuzzy(text, type=s.PAPER, limit=limit, ranked=True)
            answer["papers"] = _exact_first(exact if exact and exact["type"] == s.PAPER else None, papers, limit)
        return answer

    # ------------------------------------------------------------------ answers

    def node_id(self, node: str, *, paper: bool = False) -> str:
        """``node`` if it is a node of the graph (``paper:`` added for a paper id); :class:`NotFound` else."""
        node_id = s.paper_node_id(node) if paper else node
        if node_id not in self.graph:
            what = "paper" if paper else "node"
            raise NotFound(f"no {what} with the id {node!r}")
        return node_id

    def statement(self, st: q.Statement) -> dict[str, Any]:
        """A statement with its sentence and at most :data:`EVIDENCE_SHOWN` evidence items, each with its paper."""
        evidence = []
        for e in st.evidence[:EVIDENCE_SHOWN]:
            paper = s.paper_node_id(e.paper_id)
            evidence.append({"paper": self.ref(paper) if paper in self.graph else None, "paper_id": e.paper_id,
                             "field": e.field, "start": e.start, "end": e.end, "sentence": e.sentence,
                             "extractor": e.extractor})
        return {"head": self._node_ref(st.head), "relation": st.relation, "tail": self._node_ref(st.tail),
                "support": st.support, "sentence": st.sentence, "evidence": evidence,
                "evidence_total": len(st.evidence)}

    def entity(self, node: str) -> dict[str, Any]:
        """One entity: type, aliases, papers by year, relations grouped by type, with evidence."""
        node = self.node_id(node)
        if self.graph.nodes[node].get(s.TYPE) == s.PAPER:
            return self.paper(node[len(s.PAPER) + 1:])
        details = q.show(self.graph, node)
        by_year: dict[int | None, list[dict[str, Any]]] = {}
        seen: set[str] = set()
        for st in details.papers:
            paper = st.head.id
            if paper in seen:
                continue
            seen.add(paper)
            by_year.setdefault(self._year(paper), []).append({**self._node_ref(st.head), "relation": st.relation})
        years = sorted(by_year, key=lambda y: (y is None, -(y or 0)))
        shown = PAPERS_SHOWN
        papers_by_year = []
        for year in years:
            papers = sorted(by_year[year], key=lambda p: (RELATION_ORDER.index(p["relation"])
                                                          if p["relation"] in RELATION_ORDER else 99,
                                                          p["label"].casefold(), p["id"]))
            papers_by_year.append({"year": year, "count": len(papers), "papers": papers[:max(shown, 0)]})
            shown -= len(papers)
        return {
            "node": self._node_ref(details.node),
            "aliases": [{"name": alias, "count": count} for alias, count in details.aliases],
            "known_id": details.known_id,
            "community": details.community,
            "papers_total": len(seen),
            "papers_by_year": papers_by_year,
            "relations": self._grouped(details.relations),
            "neighbours": "/api/neighbours/" + quote(node, safe=":"),
        }

    def paper(self, paper_id: str) -> dict[str, Any]:
        """One paper: title, year, authors, abstract, links, what it proposes, uses, addresses, cites."""
        from ..ingest.ids import id_urls

        node = self.node_id(paper_id, paper=True)
        data = self.graph.nodes[node]
        if data.get(s.TYPE) != s.PAPER:
            raise NotFound(f"no paper with the id {paper_id!r}")
        urls = id_urls(**{name: (str(data[attr]) if data.get(attr) is not None else None)
                          for name, attr in (("doi", s.DOI), ("arxiv_id", s.ARXIV_ID),
                                             ("openalex_id", s.OPENALEX_ID), ("s2_id", s.S2_ID))})
        details = q.show(self.graph, node)
        statements = [st for st in (*details.papers, *details.relations) if st.head.id == node]
        cites = sorted({tail for _, tail, key in self.graph.out_edges(node, keys=True) if key == "cites"})
        cited_by = sorted({head for head, _, key in self.graph.in_edges(node, keys=True) if key == "cites"},
                          key=lambda n: (-(self._year(n) or 0), n))
        return {
            "node": self.ref(node),
            "year": self._year(node),
            "authors": [str(a) for a in data.get(s.AUTHORS) or ()],
            "abstract": str(data.get(s.ABSTRACT) or ""),
            "url": _web_url(data.get(s.URL)),
            "links": [{"kind": kind, "url": url} for kind, url in urls],
            "relations": self._grouped([st for st in statements if st.relation != "cites"]),
            "cites": [self.ref(n) for n in cites],
            "cited_by": [self.ref(n) for n in cited_by],
        }

    def neighbours(self, node: str, *, depth: int = 1, papers: bool = False, limit: int = NEIGHBOURS_SHOWN
                   ) -> dict[str, Any]:
        """The focus view of a node: it and its nearest neighbours, and the edges among them."""
        node = self.node_id(node)
        if not 1 <= depth <= 2:
            raise ConfigError(f"depth must be 1 or 2, not {depth}")
        limit = max(1, min(int(limit), 300))
        found = q.neighbors(self.graph, node, depth=depth, papers=papers or self._is_paper(node),
                            mentions=papers or self._is_paper(node))
        kept = [node] + [n.node.id for n in found[:limit]]
        depths = {node: 0, **{n.node.id: n.depth for n in found[:limit]}}
        keep = set(kept)
        nodes = []
        for n in kept:
            ref = self.ref(n)
            colour, shape = NODE_STYLES.get(ref["type"], OTHER_NODE_STYLE)
            nodes.append({**ref, "depth": depths[n], "color": colour, "shape": shape})
        edges = []
        for head, tail, key in self.graph.subgraph(keep).edges(keys=True):
            if key == "mentions" and not papers and not self._is_paper(node):
                continue
            edges.append({"from": head, "to": tail, "relation": key, "color": RELATION_COLORS.get(key, OTHER_RELATION_STYLE[0]),
                          "support": int(self.graph.edges[head, tail, key].get(s.SUPPORT) or 0)})
        edges.sort(key=lambda e: (e["from"], e["to"], e["relation"]))
        return {"center": node, "depth": depth, "nodes": nodes, "edges": edges,
                "truncated": len(found) > limit, "total": len(found)}

    def methods(self, task: str, *, subtasks: bool = True, limit: int = 20) -> dict[str, Any]:
        """``kgraph query methods --task``: methods used for a task and its sub-tasks, by support."""
        root = self.resolve(task, type="task")
        answers = q.methods_for_task(self.graph, root["id"], include_subtasks=subtasks, limit=_bounded(limit))
        return {"task": root, "methods": [
            {"rank": i, "method": self._node_ref(a.method), "support": a.support,
             "tasks": [self._node_ref(t) for t in a.tasks], "papers": [self._node_ref(p) for p in a.papers[:20]],
             "papers_total": len(a.papers), "statements": [self.statement(st) for st in a.statements[:5]]}
            for i, a in enumerate(answers, start=1)]}

    def path(self, source: str, target: str) -> dict[str, Any]:
        """``kgraph query path``: the shortest chain of relations, with the evidence of each step."""
        a, b = self.resolve(source), self.resolve(target)
        found = q.shortest_path(self.graph, a["id"], b["id"])
        return {"source": a, "target": b, "length": found.length,
                "steps": [self.statement(st) for st in found.steps]}

    def related(self, name: str, *, limit: int = 10) -> dict[str, Any]:
        """``kgraph query related``: the entities most related to one, with the reasons."""
        root = self.resolve(name)
        answers = q.related(self.graph, root["id"], limit=_bounded(limit))
        return {"entity": root, "related": [
            {"entity": self._node_ref(r.entity), "score": r.score,
             "reasons": [{"kind": reason.kind, "text": reason.text,
                          "via": self._node_ref(reason.via) if reason.via else None} for reason in r.reasons]}
            for r in answers]}

    def top(self, *, by: str = "degree", type: str | None = None, limit: int = 10) -> dict[str, Any]:
        """``kgraph query top``: the most central nodes under one measure."""
        answers = q.top(self.graph, by=by, type=type or None, limit=_bounded(limit))
        return {"by": by, "type": type or None, "top": [
            {"rank": r.rank, "node": self._node_ref(r.node), "score": r.score} for r in answers]}

    def trends(self, *, type: str | None = None, limit: int = 20) -> dict[str, Any]:
        """``kgraph query trends``: papers per year for the entities named by the most papers."""
        answers = q.trends(self.graph, type=type or None, limit=_bounded(limit))
        years = [year for year, _ in answers[0].by_year] if answers else []
        return {"type": type or None, "years": years, "trends": [
            {"entity": self._node_ref(t.entity), "papers": t.papers,
             "by_year": [{"year": year, "papers": n} for year, n in t.by_year]} for t in answers]}

    def emerging(self, *, years: int = 3, type: str | None = None, min_papers: int = 3, limit: int = 20
                 ) -> dict[str, Any]:
        """``kgraph query emerging``: entities whose share of papers grew most in the last ``years`` years."""
        answers = q.emerging(self.graph, years=years, type=type or None, min_papers=min_papers,
                             limit=_bounded(limit))
        return {"years": years, "type": type or None, "min_papers": min_papers, "emerging": [
            {"entity": self._node_ref(e.entity), "recent": e.recent, "earlier": e.earlier,
             "recent_share": e.recent_share, "earlier_share": e.earlier_share, "growth": e.growth,
             "recent_years": list(e.years)} for e in answers]}

    def map_page(self, *, community: str | None = None) -> str:
        """The viewer's page (kgraph's ``graph.html``) opened on the method map, of the graph or one community."""
        from ..export.html import dumps_html

        G = self.graph
        title = self.name
        if community is not None:
            try:
                number = int(community)
            except ValueError:
                raise ConfigError(f"community must be a number, not {community!r}") from None
            found = [c for c in q.communities(G, min_size=1) if c.id == number]
            if not found:
                raise NotFound(f"no community numbered {number}")
            members = [m.id for m in found[0].members]
            papers = {p for n in members for p in (G.nodes[n].get(s.PAPERS) or ()) if p in G}
            G = G.subgraph([*members, *papers]).copy()
            title = f"{self.name}: community {number}"
        return dumps_html(G, title=title, view="map")

    def stats(self) -> dict[str, Any]:
        """Counts of nodes by type and edges by relation."""
        types: dict[str, int] = {}
        for _, data in self.graph.nodes(data=True):
            types[str(data.get(s.TYPE))] = types.get(str(data.get(s.TYPE)), 0) + 1
        relations: dict[str, int] = {}
        for _, _, key in self.graph.edges(keys=True):
            relations[str(key)] = relations.get(str(key), 0) + 1
        return {"name": self.name, "nodes": self.graph.number_of_nodes(), "edges": self.graph.number_of_edges(),
                "node_types": dict(sorted(types.items())), "relations": dict(sorted(relations.items()))}

    # ------------------------------------------------------------------ helpers

    def _grouped(self, statements: Iterable[q.Statement]) -> list[dict[str, Any]]:
        groups: dict[str, list[q.Statement]] = {}
        for st in statements:
            groups.setdefault(st.relation, []).append(st)
        return [{"relation": relation, "count": len(groups[relation]),
                 "statements": [self.statement(st) for st in
                                sorted(groups[relation], key=lambda st: (-st.support, st.sentence.casefold()))
                                [:STATEMENTS_SHOWN]]}
                for relation in sorted(groups, key=_rank)]

    def _year(self, node: str) -> int | None:
        year = self.graph.nodes[node].get(s.YEAR)
        return year if isinstance(year, int) and not isinstance(year, bool) else None

    def _is_paper(self, node: str) -> bool:
        return self.graph.nodes[node].get(s.TYPE) == s.PAPER


class _TrigramIndex:
    """Which names share the most character trigrams with a query: candidates for fuzzy scoring.

    rapidfuzz's ``WRatio`` takes a few microseconds a name, too long for the
    hundreds of thousands of names of a large graph; counting shared
    trigrams with numpy takes a few milliseconds, and a name close to the
    query shares some (a swap of two letters leaves most).
    """

    def __init__(self, names: list[str]):
        import numpy as np

        postings: dict[str, list[int]] = {}
        for index, name in enumerate(names):
            for gram in _grams(name):
                postings.setdefault(gram, []).append(index)
        self.size = len(names)
        self.postings = {gram: np.asarray(indices, dtype=np.int32) for gram, indices in postings.items()}

    def candidates(self, query: str, limit: int):
        import numpy as np

        arrays = [self.postings[g] for g in _grams(query) if g in self.postings]
        if not arrays:
            return np.arange(min(limit, self.size), dtype=np.int32)
        counts = np.bincount(np.concatenate(arrays), minlength=self.size)
        if self.size <= limit:
            return np.flatnonzero(counts)
        top = np.argpartition(counts, self.size - limit)[self.size - limit:]
        return top[counts[top] > 0]


def _grams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def _rank(relation: str) -> int:
    return RELATION_ORDER.index(relation) if relation in RELATION_ORDER else len(RELATION_ORDER)


def _bounded(limit: Any) -> int:
    """A list length asked for: between 1 and :data:`LIMIT_MAX`."""
    try:
        value = int(limit)
    except (TypeError, ValueError):
        raise ConfigError(f"limit must be a whole number, not {limit!r}") from None
    return max(1, min(value, LIMIT_MAX))


def _exact_first(exact: dict[str, Any] | None, hits: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    if exact is None:
        return hits[:limit]
    first = next((h for h in hits if h["id"] == exact["id"]), None)
    if first is None:
        first = {**exact, "matched": exact["label"], "score": 100.0}
    return [first, *(h for h in hits if h["id"] != exact["id"])][:limit]
