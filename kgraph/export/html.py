"""A self-contained interactive HTML view of the graph (vis-network, as bundled with pyvis).

The page is one file that works offline: vis-network's script and style, which
pyvis ships, are inlined together with the viewer's own script and style
(``kgraph/resources/viewer.js``, ``viewer.css``, ``viewer.html``); nothing is
loaded from anywhere else. pyvis's own page is not used: its "in_line" mode
still links Bootstrap from a CDN and its "local" mode writes ``lib/`` into the
working directory. Nor are its ``Network.add_node``/``add_edge``, which check
for duplicates by scanning lists (quadratic: 6 s for 10,000 nodes and 20,000
edges); the records they would make are built here directly.

What the page offers: two views of the graph, a switch apart. The method map
(:func:`map_data`, the default for more than :data:`MAP_FROM_PAPERS` papers)
draws the methods, tasks and datasets only, with the papers folded into each
edge's support and evidence: the typed relations between entities and
"studied together" edges (papers naming both); nodes sized by support and
coloured by community, each community's name drawn once at its centre, the
labels of the larger nodes drawn where they overlap nothing (more as one
zooms in), isolated and low-support entities hidden by a control, and a
year-range control where papers carry years. The paper graph draws papers and
entities, coloured and shaped by type and sized by degree (or support). Both
have edges coloured and dashed by relation with arrows for direction, a legend
that doubles as the type and relation filter, a minimum-support slider, a
search box over names and aliases, neighbourhood highlighting on click, a
focus view (a node's neighbourhood only) and a side panel with a node's
aliases, papers per year, papers with their DOI/arXiv links, and its
relations grouped by type with their evidence sentences, the two entities'
mentions marked.

What is drawn can be capped before the page is made (:func:`select_view`):
node types, minimum support, the ego network of one entity, a maximum number
of nodes (for the map: the most supported entities). The layouts are computed
here (:func:`layout_positions`; the map's keeps each community together) and
drawn with vis-network's physics off: the page is usable as soon as it is
drawn, and the same graph looks the same every time it is opened. Graphs of
more than :data:`LARGE_GRAPH` nodes are drawn more cheaply: no node borders,
solid edges, arrow heads only when zoomed in, edges hidden while the view
moves.

Corpus text is untrusted. It travels as JSON inside
``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as
``\\u003c``, ``\\u003e``, ``\\u0026``, so no text can close the element; the
page's script puts it into the document only as text (``textContent``, plain
text tooltips, canvas labels), never as markup. Output is deterministic: the
same graph gives the same bytes.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("paper:1", type="paper", label="<img src=x onerror=alert(1)>")
>>> page = dumps_html(G, title="demo")
>>> "<img src=x" in page, "\\\\u003cimg src=x onerror=alert(1)\\\\u003e" in page
(False, True)
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources
from typing import Any

import jinja2
import networkx as nx
import numpy as np
from markupsafe import Markup

from ..errors import ConfigError, ExportError
from ..graph import schema
from ..graph.lookup import find_entity
from ..graph.method_map import (
    STUDIED_WITH,
    TOGETHER,
    TOGETHER_PER_NODE,
    build_method_map,
    map_communities,
)
from ..ingest.ids import id_urls
from .atomic import atomic_write_text

# type -> (colour, vis-network shape)
NODE_STYLES: dict[str, tuple[str, str]] = {
    "paper": ("#4e79a7", "square"),
    "method": ("#f28e2b", "dot"),
    "task": ("#59a14f", "diamond"),
    "dataset": ("#e15759", "triangle"),
}
OTHER_NODE_STYLE = ("#9e9e9e", "dot")
# relation -> (colour, dash pattern or None, arrow heads)
RELATION_STYLES: dict[str, tuple[str, list[int] | None, str]] = {
    "proposes": ("#d62728", None, "to"),
    "addresses": ("#2ca02c", None, "to"),
    "uses": ("#1f77b4", None, "to"),
    "mentions": ("#a9a9a9", [2, 4], "to"),
    "used_for": ("#9467bd", None, "to"),
    "evaluated_on": ("#8c564b", None, "to"),
    "compared_with": ("#e377c2", [8, 4], ""),  # symmetric: one edge per pair, no arrow
    "extends": ("#bcbd22", None, "to"),
    "part_of": ("#17becf", [12, 3, 3, 3], "to"),
    "cites": ("#6b6ecf", [6, 3], "to"),  # paper -> paper
    STUDIED_WITH: ("#b4b4b4", None, ""),  # the method map's: papers naming both entities
}
RELATION_COLORS: dict[str, str] = {name: style[0] for name, style in RELATION_STYLES.items()}
OTHER_RELATION_STYLE: tuple[str, list[int] | None, str] = ("#7f7f7f", None, "to")
SIZE_BY = ("degree", "support")
VIEWS = ("auto", "map", "papers")
MAP_FROM_PAPERS = 40  # "auto": a graph of more papers than this opens on the method map
MAP_START_NODES = 800  # the map opens with the lowest minimum support that shows at most this many entities
MAP_PAPERS_LISTED = 12  # papers listed per entity of the map (the newest; the page says how many more)
MAP_TOGETHER_LISTED = 5  # papers listed per studied-together edge
MAP_LABELLED_COMMUNITIES = 24  # communities with a colour of their own (the largest); the others are grey
MAP_NAMED_FROM = 3  # communities of at least this many members have their name drawn (and listed)
MAP_NAMED_GREY_FROM = 8  # ... and those without a colour of their own, of at least this many
# community number (by size) -> colour; the rest are grey
COMMUNITY_COLOURS = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#aec7e8",
    "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2",
)
OTHER_COMMUNITY_COLOUR = "#b8b8b8"
MAP_ASPECT = 1.6  # the map's components are packed about this much wider than tall, as a screen is

LARGE_GRAPH = 500  # above this many nodes: drawn more cheaply (see the module docstring)
LABEL_CHARS = 40
ABSTRACT_CHARS = 1500
SENTENCE_CHARS = 400
EVIDENCE_SHOWN = 3  # evidence sentences kept per edge (the page says how many more)
PIXELS_PER_UNIT = 28  # layout unit (one ideal edge length) in canvas pixels
SMALL_GRAPH_PIXELS = 800  # a small graph's layout spans at least this many pixels, up to 3x the spacing
GRAVITY = 0.05  # pull of each node towards its component's centre, per unit of distance

_VIS_JS = "templates/lib/vis-9.1.2/vis-network.min.js"
_VIS_CSS = "templates/lib/vis-9.1.2/vis-network.css"


def dumps_html(
    G: nx.MultiDiGraph,
    *,
    max_nodes: int = 2000,
    min_support: int = 1,
    types: Iterable[str] | None = None,
    focus: str | None = None,
    depth: int = 2,
    size_by: str = "degree",
    title: str = "kgraph",
    view: str = "auto",
    together: int = TOGETHER,
) -> str:
    """The graph as one self-contained HTML page with two views: the method map and the paper graph.

    The paper graph draws papers and entities; ``max_nodes``, ``min_support``,
    ``types``, ``focus`` and ``depth`` choose what it draws, as in
    :func:`select_view`, and the page says what was left out. ``size_by``
    sizes its nodes by their degree in ``G`` or by their support. The method
    map (:func:`map_data`) draws the entities only, at most ``max_nodes`` of
    them, with ``studied_with`` edges where ``together`` papers name both.
    ``view`` is the one the page opens on: ``auto`` is the map for a graph of
    more than :data:`MAP_FROM_PAPERS` papers without a ``focus`` whose map has
    an edge to draw, else the paper graph; the other is one click away.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for i in range(5):
    ...     G.add_node(f"task:t{i}", type="task", label=f"t{i}")
    >>> _ = G.add_edge("task:t0", "task:t1", key="part_of", relation="part_of")
    >>> "Showing 2 of 5 nodes" in dumps_html(G, max_nodes=2)
    True
    """
    if size_by not in SIZE_BY:
        raise ConfigError(f"size_by must be one of {', '.join(SIZE_BY)}, got {size_by!r}")
    if view not in VIEWS:
        raise ConfigError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    if together < 0:
        raise ConfigError(f"together must be at least 0, got {together}")
    selected = select_view(G, max_nodes=max_nodes, min_support=min_support, types=types, focus=focus, depth=depth)
    shown = sorted(selected.nodes, key=str)
    focus_id = find_entity(G, focus).id if focus else None
    papers_view = _page_data(G, selected, shown, layout_positions(selected), size_by=size_by,
                             large=len(shown) > LARGE_GRAPH)
    papers_view["note"] = _note(G, selected, min_support=min_support, types=types, focus=focus, depth=depth,
                                max_nodes=max_nodes)
    wanted = _check_types(types)
    method_map = None
    if wanted is None or wanted - {schema.PAPER}:
        method_map = map_data(G, max_nodes=max_nodes, min_support=min_support, types=types, together=together)
    if view == "auto":
        paper_count = sum(1 for _, kind in G.nodes(data=schema.TYPE) if kind == schema.PAPER)
        drawable = bool(method_map and method_map["edges"])  # a map without an edge would open empty
        view = "map" if focus_id is None and paper_count > MAP_FROM_PAPERS and drawable else "papers"
    if view == "map" and not method_map:
        raise ConfigError("there is no method map to open on: the graph has no method, task or dataset to draw")
    views = {"papers": papers_view}
    if method_map is not None:
        views["map"] = method_map
    # each view in its own block, which the page parses only when the view is first shown
    data = {"start": view, "focus": str(focus_id) if focus_id is not None else None, "views": sorted(views)}
    options = {name: _vis_options(len(v["nodes"])) for name, v in views.items()}
    page = _environment().from_string(_resource_text("viewer.html"))
    return page.render(
        title=title,
        note=views[view]["note"],
        start=view,
        has_map=method_map is not None,
        data_json=Markup(script_json(data)),
        view_blocks=[(name, Markup(script_json(views[name]))) for name in sorted(views)],
        options_json=Markup(script_json(options)),
        vis_js=_inline_asset(_vendor_text(_VIS_JS), "</script"),
        vis_css=_inline_asset(_vendor_text(_VIS_CSS), "</style"),
        viewer_js=_inline_asset(_resource_text("viewer.js"), "</script"),
        viewer_css=_inline_asset(_resource_text("viewer.css"), "</style"),
    )


def write_html(G: nx.MultiDiGraph, path: str | os.PathLike[str], **kw: Any) -> None:
    """Write :func:`dumps_html` to ``path`` atomically; nothing else is written."""
    atomic_write_text(path, dumps_html(G, **kw))


def select_view(
    G: nx.MultiDiGraph,
    *,
    max_nodes: int | None = None,
    min_support: int = 1,
    types: Iterable[str] | None = None,
    focus: str | None = None,
    depth: int = 2,
) -> nx.MultiDiGraph:
    """The part of ``G`` to draw, as a read-only subgraph view.

    In this order:

    * ``focus``: the ego network of one node (an id, a label or an alias, see
      :func:`~kgraph.graph.lookup.find_entity`): the nodes within ``depth`` hops of it, edges taken in
      either direction;
    * ``min_support``: edges stated by fewer papers are dropped (before the ego
      network is taken), and so are entities mentioned by fewer papers (a paper
      counts as its own one supporting paper);
    * ``types``: only nodes of these types;
    * ``max_nodes``: the nodes nearest the focus, then of highest degree in
      ``G``, ties broken by id.

    The focus node itself is always kept.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("paper:1", "method:a", key="proposes", relation="proposes", support=1)
    'proposes'
    >>> G.add_edge("method:a", "task:x", key="used_for", relation="used_for", support=2)
    'used_for'
    >>> G.add_edge("task:x", "dataset:d", key="mentions", relation="mentions", support=1)
    'mentions'
    >>> for node in G:
    ...     G.nodes[node].update(type=node.split(":")[0], label=node.split(":")[1])
    >>> sorted(select_view(G, focus="a", depth=1))
    ['method:a', 'paper:1', 'task:x']
    >>> sorted(select_view(G, types=["method", "task"]).edges(keys=True))
    [('method:a', 'task:x', 'used_for')]
    """
    if max_nodes is not None and max_nodes < 1:
        raise ConfigError(f"max_nodes must be at least 1, got {max_nodes}")
    if min_support < 1:
        raise ConfigError(f"min_support must be at least 1, got {min_support}")
    if depth < 0:
        raise ConfigError(f"depth must be at least 0, got {depth}")
    wanted = _check_types(types)

    def edge_kept(u: Any, v: Any, k: Any) -> bool:
        return edge_support(G.edges[u, v, k]) >= min_support

    centre = find_entity(G, focus).id if focus is not None else None
    distance = _hops(G, centre, depth, edge_kept) if centre is not None else None
    candidates = distance if distance is not None else G
    keep = [
        node
        for node in candidates
        if node == centre
        or (
            node_support(G.nodes[node]) >= min_support
            and (wanted is None or G.nodes[node].get(schema.TYPE) in wanted)
        )
    ]
    if max_nodes is not None and len(keep) > max_nodes:
        def rank(node: Any) -> tuple:
            return (distance[node] if distance is not None else 0, -G.degree(node), str(node))

        keep = sorted(keep, key=rank)[:max_nodes]
    kept = set(keep)
    return nx.subgraph_view(G, filter_node=kept.__contains__, filter_edge=edge_kept)


def select_nodes(G: nx.MultiDiGraph, max_nodes: int) -> list:
    """The ``max_nodes`` highest-degree nodes, ties broken by id, sorted by id.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("b", "a"), ("c", "a"), ("d", "e")])
    >>> select_nodes(G, 2)
    ['a', 'b']
    """
    return sorted(select_view(G, max_nodes=max_nodes), key=str)


def node_support(attrs: dict[str, Any]) -> int:
    """How many papers back a node: the papers mentioning an entity; 1 for a paper.

    >>> node_support({"type": "method", "papers": ["paper:1", "paper:2"]})
    2
    >>> node_support({"type": "paper"})
    1
    """
    if attrs.get(schema.TYPE) == schema.PAPER:
        return 1
    return max(1, len(attrs.get(schema.PAPERS) or ()))


def edge_support(attrs: dict[str, Any]) -> int:
    """How many papers state an edge (its ``support``, 1 when missing).

    >>> edge_support({"support": 3}), edge_support({})
    (3, 1)
    """
    try:
        return max(1, int(attrs.get(schema.SUPPORT) or 1))
    except (TypeError, ValueError):
        return 1


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element, deterministic.

    >>> script_json({"label": "</script><!--&"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u0026"}'
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --------------------------------------------------------------------------- layout


def layout_positions(G: nx.Graph, *, seed: int = 0, iterations: int = 120,
                     aspect: float = 1.3) -> dict[Any, tuple[float, float]]:
    """Canvas positions (pixels) for every node of ``G``: a force-directed layout.

    Each connected component is laid out on its own and the components are
    packed in rows, largest first, the rows about ``aspect`` times as wide as
    the packing is tall. Within a component, nodes of degree one are
    set aside; the rest (the core) is laid out by Fruchterman–Reingold forces,
    repulsion weighted by how many such leaves a node carries and computed
    Barnes–Hut style on a grid; the leaves are then placed on a disc around
    their node. Deterministic for a given graph and seed (nodes are taken in
    id order); about a second for 2,000 nodes.

    >>> import networkx as nx
    >>> pos = layout_positions(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos), all(isinstance(v, float) for xy in pos.values() for v in xy)
    (['a', 'b', 'c'], True)
    """
    return _to_pixels(_unit_positions(G, seed=seed, iterations=iterations, aspect=aspect))


def _unit_positions(G: nx.Graph, *, seed: int = 0, iterations: int = 120,
                    aspect: float = 1.3) -> dict[Any, tuple[float, float]]:
    """:func:`layout_positions` in layout units (one ideal edge length), not yet in pixels."""
    nodes = sorted(G.nodes, key=str)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v})
    if not nodes:
        return {}
    neighbours: list[list[int]] = [[] for _ in nodes]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    components = _components(neighbours)
    singles = [c[0] for c in components if len(c) == 1]
    boxes: list[tuple[list[int], np.ndarray]] = [
        (component, _layout_component(component, neighbours, seed, iterations))
        for component in components
        if len(component) > 1
    ]
    if singles:  # isolated nodes: one tidy square block, in id order
        side = math.ceil(math.sqrt(len(singles)))
        grid = np.array([(i % side, i // side) for i in range(len(singles))], dtype=float) * 1.2
        boxes.append((singles, grid))
    placed = _pack(boxes, aspect)
    return {nodes[i]: xy for i, xy in placed.items()}


def _to_pixels(placed: dict[Any, tuple[float, float]]) -> dict[Any, tuple[float, float]]:
    if not placed:
        return {}
    extent = max(max(abs(x), abs(y)) for x, y in placed.values()) or 1.0
    # small graphs are spread to fill a screen at zoom 1 (vis-network's fit never zooms in further)
    scale = max(PIXELS_PER_UNIT, min(3 * PIXELS_PER_UNIT, SMALL_GRAPH_PIXELS / extent))
    return {node: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for node, (x, y) in placed.items()}


def _components(neighbours: list[list[int]]) -> list[list[int]]:
    """Connected components, each sorted, largest first (ties: smallest index)."""
    seen = [False] * len(neighbours)
    components = []
    for start in range(len(neighbours)):
        if seen[start]:
            continue
        seen[start] = True
        stack, component = [start], []
        while stack:
            node = stack.pop()
            component.append(node)
            for other in neighbours[node]:
                if not seen[other]:
                    seen[other] = True
                    stack.append(other)
        components.append(sorted(component))
    return sorted(components, key=lambda c: (-len(c), c[0]))


def _layout_component(component: list[int], neighbours: list[list[int]], seed: int, iterations: int) -> np.ndarray:
    """Positions (layout units) of one connected component, aligned with ``component``."""
    local = {node: i for i, node in enumerate(component)}
    n = len(component)
    degree = np.array([len(neighbours[node]) for node in component])
    if n == 2:
        return np.array([[0.0, 0.0], [1.0, 0.0]])
    leaf = degree == 1
    parent = np.full(n, -1)
    for i in np.nonzero(leaf)[0]:
        parent[i] = local[neighbours[component[i]][0]]
    core = np.nonzero(~leaf)[0]
    core_index = {int(node): i for i, node in enumerate(core)}
    leaves_of = np.bincount(parent[leaf], minlength=n)
    edges = np.array(
        [(core_index[local[a]], core_index[local[b]])
         for a in component for b in neighbours[a]
         if a < b and not leaf[local[a]] and not leaf[local[b]]],
        dtype=np.int64,
    ).reshape(-1, 2)
    mass = 1.0 + leaves_of[core]
    core_pos = _force_layout(mass, edges, seed=seed, iterations=iterations)
    pos = np.zeros((n, 2))
    pos[core] = core_pos
    centre = core_pos.mean(axis=0)
    for i in core:
        kids = np.nonzero(parent == i)[0]
        if not len(kids):
            continue
        # leaves fan out on a disc facing away from the component's centre
        away = pos[i] - centre
        start = math.atan2(away[1], away[0]) if float(np.hypot(*away)) > 1e-9 else 0.0
        k = np.arange(len(kids))
        radius = 0.9 + 0.45 * np.sqrt(k)
        angle = start + k * 2.399963  # the golden angle: an even spiral
        pos[kids, 0] = pos[i, 0] + radius * np.cos(angle)
        pos[kids, 1] = pos[i, 1] + radius * np.sin(angle)
    return pos


def _force_layout(mass: np.ndarray, edges: np.ndarray, *, seed: int, iterations: int) -> np.ndarray:
    """Fruchterman–Reingold with repulsion ``m_i m_j / d``, attraction ``d²``, cooling steps."""
    n = len(mass)
    if n == 1:
        return np.zeros((1, 2))
    rng = np.random.default_rng(seed)
    side = math.sqrt(float(mass.sum()))
    pos = rng.uniform(-side / 2, side / 2, (n, 2))
    a, b = edges[:, 0], edges[:, 1]
    step = side / 6
    cooling = (0.02 / step) ** (1 / max(1, iterations - 1)) if step > 0.02 else 1.0
    for _ in range(iterations):
        force = _repulsion(pos, mass) * mass[:, None]
        delta = pos[a] - pos[b]
        pull = delta * np.sqrt((delta * delta).sum(axis=1))[:, None]
        for axis in (0, 1):
            force[:, axis] -= np.bincount(a, pull[:, axis], minlength=n) - np.bincount(b, pull[:, axis], minlength=n)
        force -= GRAVITY * mass[:, None] * (pos - pos.mean(axis=0))  # keeps loose parts near
        length = np.sqrt((force * force).sum(axis=1))
        pos += force * (np.minimum(length, step) / np.maximum(length, 1e-12))[:, None]
        step *= cooling
    return pos - pos.mean(axis=0)


_EXACT_BELOW = 600
_NEAR = np.array([(dx, dy) for dy in (-1, 0, 1) for dx in (-1, 0, 1)])


def _far_offsets(x_odd: int, y_odd: int) -> np.ndarray:
    """Cells whose parent neighbours this cell's parent but that are not its neighbours."""
    xs = range(-3, 3) if x_odd else range(-2, 4)
    ys = range(-3, 3) if y_odd else range(-2, 4)
    return np.array([(dx, dy) for dy in ys for dx in xs if max(abs(dx), abs(dy)) >= 2])


_FAR = np.stack([_far_offsets(p & 1, p >> 1) for p in range(4)])  # (parity, 27, 2)


def _repulsion(pos: np.ndarray, mass: np.ndarray) -> np.ndarray:
    """Sum over j of ``m_j (p_i - p_j) / |p_i - p_j|²``: exact when small, else on a grid.

    On the grid, nodes in the 3×3 cells around a node's cell count exactly;
    farther cells count as point masses at their centre of mass, taken from
    the coarsest level at which they are still not neighbours (Barnes–Hut on a
    fixed quadtree).
    """
    n = len(pos)
    if n < _EXACT_BELOW:
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        d2 = dx * dx + dy * dy
        np.fill_diagonal(d2, np.inf)
        weight = mass[None, :] / np.maximum(d2, 1e-4)
        # sum_j w_ij (p_i - p_j) = p_i sum_j w_ij - (W p)_i
        return pos * weight.sum(axis=1)[:, None] - weight @ pos
    force = np.zeros_like(pos)
    lo = np.quantile(pos, 0.01, axis=0)  # outliers go to border cells instead of coarsening the grid
    span = float((np.quantile(pos, 0.99, axis=0) - lo).max()) or 1.0
    unit = (pos - lo) / span
    finest = max(2, round(math.log(n / 4, 4)))
    while True:  # refine until the exact near field stays linear in n
        size = 1 << finest
        cell = np.clip((unit * size).astype(np.int64), 0, size - 1)
        key = cell[:, 1] * size + cell[:, 0]
        counts = np.bincount(key, minlength=size * size)
        if finest >= 10 or int((counts * counts).sum()) <= 6 * n:
            break
        finest += 1
    order = np.argsort(key, kind="stable")
    starts = np.cumsum(counts) - counts
    around = cell[:, None, :] + _NEAR[None, :, :]
    i, o = np.nonzero(((around >= 0) & (around < size)).all(axis=2))
    other = around[i, o, 1] * size + around[i, o, 0]
    howmany = counts[other]
    ii = np.repeat(i, howmany)
    first = np.cumsum(howmany) - howmany
    jj = order[np.arange(int(howmany.sum())) - np.repeat(first - starts[other], howmany)]
    ii, jj = ii[ii != jj], jj[ii != jj]
    delta = pos[ii] - pos[jj]
    weight = mass[jj] / np.maximum((delta * delta).sum(axis=1), 1e-4)
    for axis in (0, 1):
        force[:, axis] += np.bincount(ii, delta[:, axis] * weight, minlength=n)
    for level in range(finest, 1, -1):
        s = 1 << level
        c = cell >> (finest - level)
        # a grid padded by 3 empty cells on each side: no bounds checks needed
        k = (c[:, 1] + 3) * (s + 6) + c[:, 0] + 3
        total = np.bincount(k, mass, minlength=(s + 6) ** 2)
        cx = np.bincount(k, mass * pos[:, 0], minlength=(s + 6) ** 2) / np.maximum(total, 1e-12)
        cy = np.bincount(k, mass * pos[:, 1], minlength=(s + 6) ** 2) / np.maximum(total, 1e-12)
        offsets = _FAR[(c[:, 0] & 1) + 2 * (c[:, 1] & 1)]  # (n, 27, 2)
        kk = k[:, None] + offsets[:, :, 1] * (s + 6) + offsets[:, :, 0]
        dx = pos[:, 0, None] - cx[kk]
        dy = pos[:, 1, None] - cy[kk]
        weight = total[kk] / np.maximum(dx * dx + dy * dy, 1e-4)
        force[:, 0] += (dx * weight).sum(axis=1)
        force[:, 1] += (dy * weight).sum(axis=1)
    return force


def _pack(boxes: list[tuple[list[int], np.ndarray]], aspect: float = 1.3) -> dict[int, tuple[float, float]]:
    """Place laid-out components in rows (shelf packing), in the order given."""
    gap = 2.0
    sized = []
    for members, pos in boxes:
        lo = pos.min(axis=0)
        extent = pos.max(axis=0) - lo
        sized.append((members, pos - lo, float(extent[0]) + gap, float(extent[1]) + gap))
    width = max(max(w for _, _, w, _ in sized), aspect * math.sqrt(sum(w * h for _, _, w, h in sized)))
    placed: dict[int, tuple[float, float]] = {}
    x = y = row = 0.0
    for members, pos, w, h in sized:
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row, 0.0
        for node, (px, py) in zip(members, pos):
            placed[node] = (x + float(px), y + float(py))
        x += w
        row = max(row, h)
    return placed


# --------------------------------------------------------------------------- page data


def _page_data(
    G: nx.MultiDiGraph,
    view: nx.MultiDiGraph,
    shown: list,
    positions: dict[Any, tuple[float, float]],
    *,
    size_by: str,
    large: bool,
) -> dict[str, Any]:
    """The paper graph as the page's script draws it, as plain JSON-able values.

    Large graphs draw every relation as a solid line (dashes cost canvas time)
    and show arrow heads only when zoomed in.
    """
    ids = {node: str(node) for node in shown}
    nodes = []
    cited: set[str] = set()
    for node in shown:
        attrs = view.nodes[node]
        record = _node_record(node, attrs, degree=G.degree(node), size_by=size_by)
        if node in positions:
            record["x"], record["y"] = positions[node]
        cited.update(record.get("papers", ()))
        cited.update(record.get("proposed_in", ()))
        nodes.append(record)
    edges = []
    parallel: dict[frozenset, int] = {}
    ordered = sorted(view.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    for index, (head, tail, key, attrs) in enumerate(ordered):
        names = [_names(G, end) for end in (head, tail)]
        record = _edge_record(index, ids[head], ids[tail], key, attrs, names)
        pair = frozenset((ids[head], ids[tail]))
        rank = parallel[pair] = parallel.get(pair, -1) + 1
        if rank:  # bend parallel edges apart so each stays visible
            record["bend"] = round(0.15 * rank, 2)
        cited.update(item["paper"] for item in record["evidence"])
        edges.append(record)
    node_types = {r["type"] for r in nodes}
    relations = {r["relation"] for r in edges}
    return {
        "nodes": nodes,
        "edges": edges,
        # the papers a shown node or edge cites but that are not drawn themselves
        "papers": _paper_records(G, cited - set(ids.values())),
        "types": _legend(node_types, NODE_STYLES, OTHER_NODE_STYLE, [r["type"] for r in nodes]),
        "relations": _legend(relations, RELATION_STYLES, OTHER_RELATION_STYLE, [r["relation"] for r in edges],
                             solid=large),
        "large": large,
        "sizeBy": size_by,
        "maxSupport": max([1, *(n["support"] for n in nodes), *(e["support"] for e in edges)]),
        "minSupport": 1,
        "hideIsolated": False,
        "years": None,
    }


# --------------------------------------------------------------------------- the method map


def map_data(
    G: nx.MultiDiGraph,
    *,
    max_nodes: int | None = 2000,
    min_support: int = 1,
    types: Iterable[str] | None = None,
    together: int = TOGETHER,
    together_per_node: int = TOGETHER_PER_NODE,
) -> dict[str, Any]:
    """The method map as the viewer draws it: nodes, edges, communities, as JSON-able values.

    The map itself is :func:`kgraph.graph.method_map.build_method_map` (the
    options are its own); this adds what a page or a server needs to draw it:
    positions from a layout of the map (:func:`layout_positions`, in pixels),
    a size by support and a colour by community for each node, each
    community's name and centre, each entity's papers per year (``years``,
    the counts of ``kgraph query trends``) and newest papers, each edge's
    evidence sentences with the two entities' mentions marked (``marks``:
    ``[start, end]`` character offsets into the sentence) and, under
    ``papers``, the title, year and outward links of every paper named.
    Deterministic; ``G`` is not changed.

    >>> from kgraph.query import example_graph
    >>> data = map_data(example_graph())
    >>> sorted(n["id"] for n in data["nodes"])[:3]
    ['dataset:scannet', 'method:dust3r', 'method:fast-3d-reconstruction']
    >>> edge = next(e for e in data["edges"] if e["relation"] == "extends" and e["from"] == "method:must3r")
    >>> sentence = edge["evidence"][0]["sentence"]
    >>> [sentence[a:b] for a, b in edge["evidence"][0]["marks"]]
    ['MUSt3R', 'DUSt3R']
    """
    wanted = _check_types(types)
    M = build_method_map(G, types=None if wanted is None else wanted - {schema.PAPER}, min_support=min_support,
                         max_nodes=max_nodes, together=together, together_per_node=together_per_node)
    communities = map_communities(M)
    positions = _map_layout(M, communities)
    colour = {c.id: COMMUNITY_COLOURS[rank] for rank, c in enumerate(communities[:MAP_LABELLED_COMMUNITIES])
              if len(c.members) > 1}
    cited: set[str] = set()
    nodes = []
    top_support = max([1, *(int(support or 1) for _, support in M.nodes(data="support"))])
    for node in sorted(M.nodes, key=str):
        attrs = M.nodes[node]
        support = int(attrs.get("support") or 1)
        papers = _newest_first(G, attrs.get(schema.PAPERS) or ())
        record = _node_record(node, attrs, degree=M.degree(node), size_by="support")
        record.update({
            "support": support,
            "size": round(6 + 22 * math.sqrt(support / top_support), 1),
            "community": int(attrs.get(schema.COMMUNITY, -1)),
            "color": colour.get(attrs.get(schema.COMMUNITY), OTHER_COMMUNITY_COLOUR),
            "years": [[year, count] for year, count in (attrs.get("years") or {}).items()],
            "papers": papers[:MAP_PAPERS_LISTED],
            "x": positions[node][0],
            "y": positions[node][1],
        })
        if len(papers) > MAP_PAPERS_LISTED:
            record["morePapers"] = len(papers) - MAP_PAPERS_LISTED
        if record.get("proposed_in"):
            record["proposed_in"] = _newest_first(G, record["proposed_in"])[:MAP_PAPERS_LISTED]
        cited.update(record["papers"])
        cited.update(record.get("proposed_in", ()))
        nodes.append(record)
    edges = []
    parallel: dict[frozenset, int] = {}
    ordered = sorted(M.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    for index, (head, tail, key, attrs) in enumerate(ordered):
        record = _edge_record(index, str(head), str(tail), key, attrs, [_names(M, head), _names(M, tail)])
        record["years"] = [[year, count] for year, count in (attrs.get("years") or {}).items()]
        if key == STUDIED_WITH:
            papers = _newest_first(G, attrs.get(schema.PAPERS) or ())
            record["papers"] = papers[:MAP_TOGETHER_LISTED]
            cited.update(record["papers"])
        pair = frozenset((str(head), str(tail)))
        rank = parallel[pair] = parallel.get(pair, -1) + 1
        if rank:
            record["bend"] = round(0.15 * rank, 2)
        cited.update(item["paper"] for item in record["evidence"])
        edges.append(record)
    centres = []
    for rank, community in enumerate(communities):
        if len(community.members) < (MAP_NAMED_FROM if community.id in colour else MAP_NAMED_GREY_FROM):
            continue
        weights = [math.sqrt(int(M.nodes[n].get("support") or 1)) for n in community.members]
        total = sum(weights)
        x = sum(w * positions[n][0] for w, n in zip(weights, community.members)) / total
        y = sum(w * positions[n][1] for w, n in zip(weights, community.members)) / total
        short = " / ".join(_shorten(str(M.nodes[n].get(schema.LABEL) or n), 30) for n in community.members[:2])
        centres.append({"id": community.id, "name": _shorten(community.name, 120), "label": short,
                        "color": colour.get(community.id, OTHER_COMMUNITY_COLOUR),
                        "size": len(community.members), "support": community.support, "rank": rank,
                        "x": round(x, 1), "y": round(y, 1)})
    years = sorted({year for n in nodes for year, _ in n["years"]})
    large = len(nodes) > LARGE_GRAPH
    kinds = {r["type"] for r in nodes}
    relations = {r["relation"] for r in edges}
    return {
        "nodes": nodes,
        "edges": edges,
        "communities": centres,
        "papers": _paper_records(G, cited),
        "types": _legend(kinds, NODE_STYLES, OTHER_NODE_STYLE, [r["type"] for r in nodes]),
        "relations": _legend(relations, RELATION_STYLES, OTHER_RELATION_STYLE, [r["relation"] for r in edges],
                             solid=large),
        "large": large,
        "sizeBy": "support",
        "maxSupport": max([1, *(n["support"] for n in nodes)]),
        "minSupport": _start_support(nodes, edges),
        "hideIsolated": True,
        "years": [years[0], years[-1]] if years else None,
        "note": _map_note(G, M, nodes),
    }


def _map_layout(M: nx.MultiDiGraph, communities: Iterable[Any]) -> dict[Any, tuple[float, float]]:
    """Positions for the map, in two levels: each community laid out on its own, then the communities placed.

    Each community's members are laid out by :func:`layout_positions`'s forces
    over the edges inside it. The communities joined by edges are then placed
    by a spring layout of the community graph (weighted by the edges between
    them, seeded), pushed apart until no two overlap; those joined to no
    other follow in rows below, largest first. So each community is drawn in
    one place, its name once at its centre, and communities that share edges
    lie near each other.
    """
    groups = [list(c.members) for c in communities if c.members]
    if not groups:
        return {}
    community_of = {node: i for i, members in enumerate(groups) for node in members}
    inner: dict[tuple[int, int], int] = {}
    links: list[list[tuple[Any, Any]]] = [[] for _ in groups]
    for u, v in M.edges():
        a, b = community_of[u], community_of[v]
        if a == b:
            links[a].append((u, v))
        elif u != v:
            pair = (min(a, b), max(a, b))
            inner[pair] = inner.get(pair, 0) + 1
    shapes = []  # (positions relative to the community's centre, radius), in layout units
    for members, edges in zip(groups, links):
        H = nx.Graph()
        H.add_nodes_from(members)
        H.add_edges_from(edges)
        pos = _unit_positions(H, aspect=1.0)
        centre = np.mean(np.array(list(pos.values())), axis=0)
        pos = {node: (x - float(centre[0]), y - float(centre[1])) for node, (x, y) in pos.items()}
        radius = max(0.6, max(math.hypot(x, y) for x, y in pos.values()) + 0.6)
        shapes.append((pos, radius))
    joined = sorted({i for pair in inner for i in pair})
    centres: dict[int, np.ndarray] = {}
    if joined:
        C = nx.Graph()
        C.add_nodes_from(joined)
        C.add_weighted_edges_from((a, b, float(w)) for (a, b), w in sorted(inner.items()))
        spring = nx.spring_layout(C, weight="weight", seed=0, iterations=200)
        radii = np.array([shapes[i][1] for i in joined])
        xy = np.array([spring[i] for i in joined], dtype=float)
        xy *= math.sqrt(float((radii ** 2).sum())) * 0.5  # tight: the overlaps are pushed apart next
        centres = dict(zip(joined, _separate(xy, radii)))
    boxes: list[tuple[list[Any], np.ndarray]] = []
    if centres:
        members = [node for i in joined for node in shapes[i][0]]
        boxes.append((members, np.array([(centres[i][0] + x, centres[i][1] + y)
                                         for i in joined for x, y in shapes[i][0].values()])))
    for i, (pos, _) in enumerate(shapes):
        if i not in centres:
            boxes.append((list(pos), np.array(list(pos.values()))))
    # pack: the joined communities first, then the others, in rows as wide as a screen
    flat: list[Any] = []
    for members, _ in boxes:
        flat.extend(members)
    number = {node: n for n, node in enumerate(flat)}
    packed = _pack([([number[node] for node in members], xy) for members, xy in boxes], MAP_ASPECT)
    return _to_pixels({flat[n]: xy for n, xy in packed.items()})


def _separate(xy: np.ndarray, radii: np.ndarray, *, gap: float = 0.8, rounds: int = 200) -> list[np.ndarray]:
    """Circles at ``xy`` with ``radii`` pushed apart along the line between them until none overlap."""
    xy = xy.copy()
    n = len(xy)
    if n > 1:
        need = radii[:, None] + radii[None, :] + gap
        np.fill_diagonal(need, 0.0)
        for _ in range(rounds):
            delta = xy[:, None, :] - xy[None, :, :]
            distance = np.sqrt((delta ** 2).sum(axis=2))
            np.fill_diagonal(distance, np.inf)
            overlap = np.clip(need - distance, 0.0, None)
            if not overlap.any():
                break
            distance = np.where(np.isfinite(distance), np.maximum(distance, 1e-6), 1.0)
            push = (delta / distance[:, :, None]) * (overlap / 2)[:, :, None]
            xy += push.sum(axis=1)
    return [row for row in xy]


def mention_marks(sentence: str, *names: Iterable[str]) -> list[list[int]]:
    """``[start, end]`` of the first mention in ``sentence`` of each entity, given by its names, in text order.

    Each entity is looked for under its names in order (the label first), as
    written and then in any case, as a whole word (a plural ``s`` allowed);
    marks never overlap.

    >>> sentence = "MUSt3R extends DUSt3R to many views."
    >>> mention_marks(sentence, ["MUSt3R"], ["DUSt3R", "Dust3R model"])
    [[0, 6], [15, 21]]
    >>> mention_marks("GNNs for graphs", ["graph neural network", "GNN"], ["nothing here"])
    [[0, 4]]
    """
    marks: list[list[int]] = []
    folded = sentence.lower()
    if len(folded) != len(sentence):  # lower-casing moved the offsets (a rare letter): match case as it is
        folded = sentence
    for group in names:
        # the names in their order (the label first), each followed by its singular where it is a plural
        # ("diffusion models" in "a diffusion model"); all as written, then all in any case, so that the
        # label's "3D reconstruction" is found before the "3D Reconstruction" of a longer name
        ordered = list(dict.fromkeys(v for n in group if n and n.strip()
                                     for v in (n, n[:-1] if len(n) > 3 and n.endswith("s") else n)))
        found = next((f for f in (_find_word(sentence, name, marks) for name in ordered) if f), None)
        if found is None and folded is not sentence:
            found = next((f for f in (_find_word(folded, name.lower(), marks) for name in ordered) if f), None)
        if found is not None:
            marks.append(found)
    return sorted(marks)


def _find_word(text: str, name: str, taken: list[list[int]]) -> list[int] | None:
    """The first whole-word occurrence of ``name`` in ``text`` (a plural ending allowed) clear of ``taken``."""
    if not name:
        return None
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        for suffix in ("es", "s", ""):
            if text.startswith(suffix, end):
                stop = end + len(suffix)
                if (not (at and text[at - 1].isalnum()) and not (stop < len(text) and text[stop].isalnum())
                        and all(stop <= a or at >= b for a, b in taken)):
                    return [at, stop]
        at = text.find(name, at + 1)
    return None


def _names(G: nx.MultiDiGraph, node: Any) -> list[str]:
    """The names an entity is written as (label and aliases); none for a paper."""
    attrs = G.nodes[node] if node in G else {}
    if attrs.get(schema.TYPE) == schema.PAPER:
        return []
    return [str(n) for n in (attrs.get(schema.LABEL), *(attrs.get(schema.ALIASES) or ())[:20]) if n]


def _newest_first(G: nx.MultiDiGraph, papers: Iterable[Any]) -> list[str]:
    def order(paper: str) -> tuple:
        year = G.nodes[paper].get(schema.YEAR) if paper in G else None
        return (-year if isinstance(year, int) and not isinstance(year, bool) else 1, paper)

    return sorted({str(p) for p in papers}, key=order)


def _paper_records(G: nx.MultiDiGraph, papers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Title, year and outward links of each paper named (those in the graph), by paper id."""
    records = {}
    for pid in sorted(papers):
        if pid not in G:
            continue
        attrs = G.nodes[pid]
        record: dict[str, Any] = {"title": _shorten(str(attrs.get(schema.LABEL) or pid), 200)}
        if isinstance(attrs.get(schema.YEAR), int):
            record["year"] = attrs[schema.YEAR]
        links = paper_links(attrs)
        url = str(attrs.get(schema.URL) or "")
        if not links and re.match(r"https?://", url, re.IGNORECASE) and len(url) <= 500:
            links = [["link", url]]
        if links:
            record["links"] = links
        records[pid] = record
    return records


def _start_support(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> int:
    """The lowest minimum support at which the map shows at most MAP_START_NODES entities with a relation."""
    linked = {end for e in edges for end in (e["from"], e["to"])}
    supports = sorted((n["support"] for n in nodes if n["id"] in linked), reverse=True)
    if len(supports) <= MAP_START_NODES:
        return 1
    return supports[MAP_START_NODES] + 1


def _map_note(G: nx.MultiDiGraph, M: nx.MultiDiGraph, nodes: list[dict[str, Any]]) -> str:
    entities = sum(1 for _, kind in G.nodes(data=schema.TYPE) if kind in ("method", "task", "dataset"))
    papers = sum(1 for _, kind in G.nodes(data=schema.TYPE) if kind == schema.PAPER)
    shown = f"{len(nodes)} of {entities}" if len(nodes) < entities else str(len(nodes))
    together = sum(1 for *_, k in M.edges(keys=True) if k == STUDIED_WITH)
    return (f"Method map: {shown} methods, tasks and datasets of {papers} papers; "
            f"{M.number_of_edges() - together} relations and {together} studied-together links.")


def _legend(present: set, styles: dict, other: tuple, values: list, *, solid: bool = False) -> list[dict[str, Any]]:
    counts = {name: values.count(name) for name in present}
    names = [name for name in styles if name in present] + sorted(present - styles.keys())
    entries = []
    for name in names:
        style = styles.get(name, other)
        entry: dict[str, Any] = {"name": name, "color": style[0], "count": counts[name]}
        if styles is NODE_STYLES:
            entry["shape"] = style[1]
        else:
            entry["dashes"], entry["arrows"] = (None if solid else style[1]), style[2]
        entries.append(entry)
    return entries


def _node_record(node: Any, attrs: dict[str, Any], *, degree: int, size_by: str) -> dict[str, Any]:
    node_type = str(attrs.get(schema.TYPE) or "node")
    support = node_support(attrs)
    label = str(attrs.get(schema.LABEL) or node)
    record: dict[str, Any] = {
        "id": str(node),
        "label": label,
        "type": node_type,
        "degree": degree,
        "support": support,
        "size": round(8 + 4 * math.sqrt(degree if size_by == "degree" else support), 1),
    }
    if node_type == schema.PAPER:
        for name, limit in ((schema.ABSTRACT, ABSTRACT_CHARS), (schema.URL, 500), (schema.SOURCE, 300)):
            if attrs.get(name):
                record[name] = _shorten(str(attrs[name]), limit)
        if attrs.get(schema.YEAR) is not None:
            record["year"] = str(attrs[schema.YEAR])
        if attrs.get(schema.AUTHORS):
            record["authors"] = [str(a) for a in attrs[schema.AUTHORS]]
        links = paper_links(attrs)
        if links:
            record["links"] = links
        return record
    aliases = [str(a) for a in attrs.get(schema.ALIASES) or ()]
    counts = list(attrs.get(schema.ALIAS_COUNTS) or ())
    if aliases:
        record["aliases"] = [
            [alias, int(counts[i]) if i < len(counts) and counts[i] is not None else None]
            for i, alias in enumerate(aliases)
        ]
    for name in (schema.PAPERS, schema.PROPOSED_IN):
        if attrs.get(name):
            record[name] = [str(p) for p in attrs[name]]
    if attrs.get(schema.MENTION_COUNT) is not None:
        record["mentions"] = attrs[schema.MENTION_COUNT]
    if attrs.get(schema.KNOWN_ID):
        record["known_id"] = str(attrs[schema.KNOWN_ID])
    return record


# How each kind of id is named in the viewer, before the id itself.
_LINK_NAMES = {"doi": "DOI", "arxiv": "arXiv", "openalex": "OpenAlex", "s2": "Semantic Scholar"}


def paper_links(attrs: dict[str, Any]) -> list[list[str]]:
    """``[text, url]`` for each id a paper node has (DOI, arXiv, OpenAlex, Semantic Scholar), in that order.

    The URLs are minted from the ids checked again (:func:`~kgraph.ingest.ids.id_urls`),
    never taken from the input as they are; the page shows ``text`` as text
    and links only an ``http(s)`` URL.

    >>> paper_links({"doi": "10.48550/arxiv.1706.03762", "arxiv_id": "1706.03762", "openalex_id": "javascript:x"})
    [['DOI 10.48550/arxiv.1706.03762', 'https://doi.org/10.48550/arxiv.1706.03762'], \
['arXiv 1706.03762', 'https://arxiv.org/abs/1706.03762']]
    """
    ids = {name: str(attrs[name]) for name in schema.PAPER_IDS if attrs.get(name) is not None}
    given = {"doi": ids.get(schema.DOI), "arxiv": ids.get(schema.ARXIV_ID), "openalex": ids.get(schema.OPENALEX_ID),
             "s2": ids.get(schema.S2_ID)}
    urls = id_urls(doi=given["doi"], arxiv_id=given["arxiv"], openalex_id=given["openalex"], s2_id=given["s2"])
    return [[f"{_LINK_NAMES[kind]} {_shorten(str(given[kind]), 200)}", url] for kind, url in urls]


def _edge_record(index: int, head: str, tail: str, key: Any, attrs: dict[str, Any],
                 names: list[list[str]] | None = None) -> dict[str, Any]:
    evidence = [item for item in attrs.get(schema.EVIDENCE) or () if isinstance(item, dict)]
    shown = []
    for item in evidence[:EVIDENCE_SHOWN]:
        paper = str(item.get("paper") or "")
        sentence = _shorten(str(item.get("sentence") or ""), SENTENCE_CHARS)
        record = {
            "paper": schema.as_paper_node(paper),
            "sentence": sentence,
        }
        marks = mention_marks(sentence, *names) if names else []
        if marks:
            record["marks"] = marks
        shown.append(record)
    return {
        "id": f"e{index}",
        "from": head,
        "to": tail,
        "relation": str(attrs.get(schema.RELATION, key)),
        "support": edge_support(attrs),
        "evidence": shown,
        "more": max(0, len(evidence) - EVIDENCE_SHOWN),
        "extractors": [str(e) for e in attrs.get(schema.EXTRACTORS) or ()],
    }


def _note(
    G: nx.MultiDiGraph,
    view: nx.MultiDiGraph,
    *,
    min_support: int,
    types: Iterable[str] | None,
    focus: str | None,
    depth: int,
    max_nodes: int | None,
) -> str:
    total, shown = G.number_of_nodes(), view.number_of_nodes()
    if shown == total and view.number_of_edges() == G.number_of_edges():
        return f"{total} nodes, {G.number_of_edges()} edges."
    how = []
    if focus is not None:
        how.append(f"within {depth} hop{'' if depth == 1 else 's'} of {focus}")
    if types is not None:
        how.append("types " + ", ".join(sorted(_check_types(types) or ())))
    if min_support > 1:
        how.append(f"support at least {min_support}")
    if max_nodes is not None and shown == max_nodes and shown < total:
        how.append("nearest the focus first" if focus is not None else "the highest-degree ones")
    detail = f" ({'; '.join(how)})" if how else ""
    return (
        f"Showing {shown} of {total} nodes{detail} "
        f"and {view.number_of_edges()} of {G.number_of_edges()} edges."
    )


def _vis_options(node_count: int) -> dict[str, Any]:
    """vis-network options: a precomputed layout, so no physics; cheaper drawing when large."""
    large = node_count > LARGE_GRAPH
    return {
        "autoResize": True,
        "layout": {"randomSeed": 0, "improvedLayout": False},
        "physics": {"enabled": False},
        "interaction": {
            "hover": not large,
            "tooltipDelay": 200,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "navigationButtons": False,
            "keyboard": {"enabled": False},
            "multiselect": False,
        },
        "nodes": {
            "borderWidth": 0 if large else 1,  # node borders cost 3-4x the drawing time of 10,000 nodes
            "font": {"size": 13, "face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            # large graphs: the page turns arrow heads on when zoomed in (ARROWS_FROM_SCALE in viewer.js)
            "arrows": {"to": {"enabled": not large, "scaleFactor": 0.45}},
            "color": {"inherit": False},
            "selectionWidth": 1.5,
            "smooth": {"enabled": not large, "type": "continuous"},
        },
    }


# --------------------------------------------------------------------------- helpers


def _check_types(types: Iterable[str] | None) -> set[str] | None:
    if types is None:
        return None
    wanted = {str(t).strip() for t in types if str(t).strip()}
    unknown = sorted(wanted - set(schema.NODE_TYPES))
    if unknown or not wanted:
        raise ConfigError(
            f"unknown node type {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(schema.NODE_TYPES)}"
        )
    return wanted


def _hops(G: nx.MultiDiGraph, centre: Any, depth: int, edge_kept) -> dict[Any, int]:
    """Distance from ``centre`` (edges in either direction) of the nodes within ``depth``."""
    distance = {centre: 0}
    frontier = [centre]
    for step in range(1, depth + 1):
        found = []
        for node in frontier:
            out = ((other, any(edge_kept(node, other, k) for k in keyed)) for other, keyed in G.succ[node].items())
            into = ((other, any(edge_kept(other, node, k) for k in keyed)) for other, keyed in G.pred[node].items())
            for other, linked in (*out, *into):
                if linked and other not in distance:
                    distance[other] = step
                    found.append(other)
        frontier = found
    return distance


def _fold(text: str) -> str:
    """Case, accents and spacing folded, for matching names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _vendor_text(name: str) -> str:
    try:
        return resources.files("pyvis").joinpath(name).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise ExportError(f"cannot read vis-network from the pyvis package ({name}): {exc}") from exc


def _resource_text(name: str) -> str:
    try:
        return resources.files("kgraph").joinpath("resources", name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot read the viewer's {name} from kgraph/resources: {exc}") from exc


def _inline_asset(text: str, closing_tag: str) -> Markup:
    """Script or style text, checked to be safe to inline in its element."""
    if closing_tag in text.lower():
        raise ExportError(f"an inlined asset contains {closing_tag!r} and cannot be inlined")
    return Markup(text)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
