"""A self-contained interactive HTML view of the graph (pyvis / vis-network).

The page is one file that works offline: vis-network's script and style (as
bundled with pyvis) are inlined, and nothing is loaded from anywhere else.
pyvis assembles the node and edge records; the page itself comes from the
template below rather than pyvis's, whose "in_line" mode still links
Bootstrap from a CDN and whose "local" mode writes ``lib/`` into the working
directory.

Corpus text is untrusted. It reaches the page in two ways, both inert:

* labels and tooltips travel as JSON inside ``<script type="application/json">``
  blocks, with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e``,
  ``\\u0026``, so no text can close the script element;
* tooltips are HTML in which every piece of corpus text went through
  :func:`html.escape`; the page parses them inside a ``<template>`` element.
  Labels are drawn on the canvas, which never interprets markup.

Nodes are coloured and shaped by type and sized by degree; edges are coloured
by relation. Graphs larger than ``max_nodes`` keep the highest-degree nodes.
The layout is vis-network's physics with a fixed random seed, stopped after a
short stabilization. Output is deterministic: the same graph gives the same
bytes.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("paper:1", type="paper", label="<img src=x onerror=alert(1)>")
>>> page = dumps_html(G, title="demo")
>>> "<img src=x" in page, "\\\\u003cimg src=x onerror=alert(1)\\\\u003e" in page
(False, True)
"""

from __future__ import annotations

import html
import json
import math
import os
from importlib import resources
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup

from ..errors import ExportError
from ..graph import schema
from .atomic import atomic_write_text

# type -> (colour, vis-network shape)
NODE_STYLES: dict[str, tuple[str, str]] = {
    "paper": ("#4e79a7", "square"),
    "method": ("#f28e2b", "dot"),
    "task": ("#59a14f", "diamond"),
    "dataset": ("#e15759", "triangle"),
}
OTHER_NODE_STYLE = ("#9e9e9e", "dot")
RELATION_COLORS: dict[str, str] = {
    "proposes": "#d62728",
    "addresses": "#2ca02c",
    "uses": "#1f77b4",
    "mentions": "#b8b8b8",
    "used_for": "#9467bd",
    "evaluated_on": "#8c564b",
    "compared_with": "#e377c2",
    "extends": "#bcbd22",
    "part_of": "#17becf",
}
OTHER_RELATION_COLOR = "#7f7f7f"

LARGE_GRAPH = 500  # above this many nodes: cheaper physics, straight edges
LABEL_CHARS = 40
ABSTRACT_CHARS = 500
SENTENCE_CHARS = 300
TOOLTIP_LIST_ITEMS = 8
EVIDENCE_SHOWN = 3

_VIS_JS = "templates/lib/vis-9.1.2/vis-network.min.js"
_VIS_CSS = "templates/lib/vis-9.1.2/vis-network.css"


def dumps_html(G: nx.MultiDiGraph, *, max_nodes: int = 2000, title: str = "kgraph") -> str:
    """The graph as one self-contained HTML page.

    ``max_nodes`` caps the nodes shown: the highest-degree ones are kept
    (ties broken by id) with the edges among them, and the page says so.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for i in range(5):
    ...     G.add_node(f"task:t{i}", type="task", label=f"t{i}")
    >>> _ = G.add_edge("task:t0", "task:t1", key="part_of", relation="part_of")
    >>> "Showing 2 of 5 nodes" in dumps_html(G, max_nodes=2)
    True
    """
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    shown = select_nodes(G, max_nodes)
    view = G.subgraph(shown)
    nodes, edges = _network_records(G, view, shown)
    types = {view.nodes[n].get(schema.TYPE) for n in shown}
    relations = {data.get(schema.RELATION, key) for _, _, key, data in view.edges(keys=True, data=True)}
    page = _environment().from_string(_TEMPLATE)
    return page.render(
        title=title,
        note=_note(G, len(shown), view.number_of_edges()),
        node_legend=[(t, *NODE_STYLES[t]) for t in NODE_STYLES if t in types]
        + [(str(t), *OTHER_NODE_STYLE) for t in sorted(types - NODE_STYLES.keys(), key=str)],
        edge_legend=[(r, RELATION_COLORS[r]) for r in RELATION_COLORS if r in relations]
        + [(str(r), OTHER_RELATION_COLOR) for r in sorted(relations - RELATION_COLORS.keys(), key=str)],
        nodes_json=script_json(nodes),
        edges_json=script_json(edges),
        options_json=script_json(_vis_options(len(shown))),
        vis_js=_vendor_asset(_VIS_JS, "</script"),
        vis_css=_vendor_asset(_VIS_CSS, "</style"),
    )


def write_html(G: nx.MultiDiGraph, path: str | os.PathLike[str], **kw: Any) -> None:
    """Write :func:`dumps_html` to ``path`` atomically; nothing else is written."""
    atomic_write_text(path, dumps_html(G, **kw))


def select_nodes(G: nx.MultiDiGraph, max_nodes: int) -> list:
    """The ``max_nodes`` highest-degree nodes, ties broken by id, sorted by id.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("b", "a"), ("c", "a"), ("d", "e")])
    >>> select_nodes(G, 2)
    ['a', 'b']
    """
    if G.number_of_nodes() <= max_nodes:
        return sorted(G.nodes, key=str)
    ranked = sorted(G.degree, key=lambda item: (-item[1], str(item[0])))
    return sorted((node for node, _ in ranked[:max_nodes]), key=str)


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element, deterministic.

    >>> script_json({"label": "</script><!--&"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u0026"}'
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _network_records(G: nx.MultiDiGraph, view: nx.MultiDiGraph, shown: list) -> tuple[list, list]:
    """Node and edge records for vis-network, built with pyvis from copies of the data."""
    from pyvis.network import Network  # imports IPython: only when a page is made

    net = Network(directed=True, cdn_resources="in_line")
    for node in shown:
        attrs = view.nodes[node]
        colour, shape = NODE_STYLES.get(attrs.get(schema.TYPE), OTHER_NODE_STYLE)
        net.add_node(
            node,
            label=_shorten(_node_label(node, attrs), LABEL_CHARS) or str(node),
            title=_node_tooltip(node, attrs, G.degree(node)),
            color=colour,
            shape=shape,
            size=round(8 + 4 * math.sqrt(G.degree(node)), 1),
        )
    edges = sorted(view.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    parallel: dict[frozenset, int] = {}
    for index, (head, tail, key, data) in enumerate(edges):
        relation = data.get(schema.RELATION, key)
        options: dict[str, Any] = {
            "id": f"e{index}",
            "title": _edge_tooltip(view, head, tail, relation, data),
            "color": RELATION_COLORS.get(relation, OTHER_RELATION_COLOR),
            "width": round(1 + math.log2(max(1, int(data.get(schema.SUPPORT) or 1))), 2),
        }
        pair = frozenset((str(head), str(tail)))
        rank = parallel[pair] = parallel.get(pair, -1) + 1
        if rank:  # bend parallel edges apart so each stays visible
            options["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": round(0.15 * rank, 2)}
        net.add_edge(head, tail, **options)
    nodes, edges_out, *_ = net.get_network_data()
    return nodes, edges_out


def _node_label(node: Any, attrs: dict[str, Any]) -> str:
    return str(attrs.get(schema.LABEL) or node)


def _node_tooltip(node: Any, attrs: dict[str, Any], degree: int) -> str:
    node_type = attrs.get(schema.TYPE) or "node"
    lines = [_div("kg-tt-title", _node_label(node, attrs))]
    if node_type == schema.PAPER:
        meta = ["paper", attrs.get(schema.YEAR), f"id {_paper_id(node)}", f"degree {degree}"]
        lines.append(_div("kg-tt-meta", " · ".join(str(m) for m in meta if m is not None)))
        if attrs.get(schema.AUTHORS):
            lines.append(_div("kg-tt-list", _join(attrs[schema.AUTHORS])))
        if attrs.get(schema.ABSTRACT):
            lines.append(_div("kg-tt-text", _shorten(str(attrs[schema.ABSTRACT]), ABSTRACT_CHARS)))
        if attrs.get(schema.URL):
            lines.append(_div("kg-tt-meta", str(attrs[schema.URL])))
    else:
        papers = attrs.get(schema.PAPERS) or ()
        meta = [
            str(node_type),
            _count(attrs[schema.MENTION_COUNT], "mention") if attrs.get(schema.MENTION_COUNT) is not None else None,
            _count(len(papers), "paper") if papers else None,
            f"degree {degree}",
        ]
        lines.append(_div("kg-tt-meta", " · ".join(m for m in meta if m)))
        lines.append(_div("kg-tt-meta", f"id {node}"))
        if attrs.get(schema.ALIASES):
            lines.append(_div("kg-tt-list", "aliases: " + _join(attrs[schema.ALIASES])))
        if attrs.get(schema.KNOWN_ID):
            lines.append(_div("kg-tt-meta", f"known id: {attrs[schema.KNOWN_ID]}"))
    return "".join(lines)


def _edge_tooltip(view: nx.MultiDiGraph, head: Any, tail: Any, relation: Any, data: dict[str, Any]) -> str:
    heading = f"{_node_label(head, view.nodes[head])} —{relation}→ {_node_label(tail, view.nodes[tail])}"
    lines = [_div("kg-tt-title", _shorten(heading, 2 * LABEL_CHARS + 20))]
    meta = [f"support {data[schema.SUPPORT]}" if data.get(schema.SUPPORT) is not None else None]
    if data.get(schema.EXTRACTORS):
        meta.append("extractors: " + _join(data[schema.EXTRACTORS]))
    if any(meta):
        lines.append(_div("kg-tt-meta", " · ".join(m for m in meta if m)))
    evidence = data.get(schema.EVIDENCE) or ()
    for item in evidence[:EVIDENCE_SHOWN]:
        if isinstance(item, dict) and item.get("sentence"):
            lines.append(_div("kg-tt-text", f"“{_shorten(str(item['sentence']), SENTENCE_CHARS)}”"))
    if len(evidence) > EVIDENCE_SHOWN:
        lines.append(_div("kg-tt-meta", f"and {len(evidence) - EVIDENCE_SHOWN} more"))
    return "".join(lines)


def _div(css_class: str, text: str) -> str:
    """One tooltip line: the only place corpus text becomes HTML, escaped."""
    return f'<div class="{css_class}">{html.escape(text, quote=True)}</div>'


def _count(number: Any, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _join(values: Any) -> str:
    values = [str(v) for v in values]
    more = len(values) - TOOLTIP_LIST_ITEMS
    return ", ".join(values[:TOOLTIP_LIST_ITEMS]) + (f" and {more} more" if more > 0 else "")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _paper_id(node: Any) -> str:
    prefix = f"{schema.PAPER}:"
    return str(node)[len(prefix):] if str(node).startswith(prefix) else str(node)


def _note(G: nx.MultiDiGraph, shown: int, shown_edges: int) -> str:
    total = G.number_of_nodes()
    if shown < total:
        return (
            f"Showing {shown} of {total} nodes (the highest-degree ones) "
            f"and {shown_edges} of {G.number_of_edges()} edges."
        )
    return f"{total} nodes, {G.number_of_edges()} edges."


def _vis_options(node_count: int) -> dict[str, Any]:
    """vis-network options: seeded layout, physics only until stabilized."""
    large = node_count > LARGE_GRAPH
    if large:
        physics = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -8000, "springLength": 120, "avoidOverlap": 0.1},
            "stabilization": {"enabled": True, "iterations": 150, "updateInterval": 25, "fit": True},
        }
    else:
        physics = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 25, "fit": True},
        }
    return {
        "layout": {"randomSeed": 0, "improvedLayout": node_count <= 100},
        "physics": physics,
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large, "navigationButtons": False},
        "nodes": {"borderWidth": 1, "font": {"size": 13, "face": "sans-serif"}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"inherit": False},
            "smooth": {"enabled": not large, "type": "continuous"},
        },
    }


def _vendor_asset(name: str, closing_tag: str) -> Markup:
    """A vis-network file bundled with pyvis, checked to be safe to inline."""
    try:
        text = resources.files("pyvis").joinpath(name).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise ExportError(f"cannot read vis-network from the pyvis package ({name}): {exc}") from exc
    if closing_tag in text.lower():
        raise ExportError(f"pyvis's {name} contains {closing_tag!r} and cannot be inlined")
    return Markup(text)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kgraph">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>
  html, body { margin: 0; height: 100%; font-family: system-ui, sans-serif; color: #222; }
  body { display: flex; flex-direction: column; }
  header { padding: 6px 12px; border-bottom: 1px solid #ddd; }
  header h1 { font-size: 1.1em; margin: 0; display: inline; }
  header .kg-note { color: #666; margin-left: 1em; font-size: 0.9em; }
  #kg-graph { flex: 1; min-height: 400px; position: relative; }
  #kg-legend { position: absolute; top: 48px; right: 12px; background: rgba(255,255,255,0.92);
    border: 1px solid #ddd; border-radius: 4px; padding: 6px 10px; font-size: 12px; line-height: 1.6; }
  #kg-legend h2 { font-size: 12px; margin: 2px 0; }
  #kg-legend ul { list-style: none; margin: 0 0 4px 0; padding: 0; }
  .kg-swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; vertical-align: middle; }
  .kg-shape-dot { border-radius: 50%; }
  .kg-shape-diamond { transform: rotate(45deg) scale(0.85); }
  .kg-shape-triangle { width: 0; height: 0; background: none !important; border-left: 6px solid transparent;
    border-right: 6px solid transparent; border-bottom: 10px solid var(--kg-colour); }
  .kg-line { display: inline-block; width: 18px; height: 3px; margin-right: 6px; vertical-align: middle; }
  div.vis-tooltip { white-space: normal; max-width: 460px; font-size: 12px; }
  .kg-tt-title { font-weight: bold; margin-bottom: 2px; }
  .kg-tt-meta { color: #555; }
  .kg-tt-text { margin-top: 4px; white-space: pre-line; }
</style>
<script>{{ vis_js }}</script>
</head>
<body>
<header><h1>{{ title }}</h1><span class="kg-note">{{ note }}</span></header>
<div id="kg-graph"></div>
<aside id="kg-legend">
<h2>Nodes</h2>
<ul>
{%- for name, colour, shape in node_legend %}
<li><span class="kg-swatch kg-shape-{{ shape }}" style="background: {{ colour }}; --kg-colour: {{ colour }}"></span>{{ name }}</li>
{%- endfor %}
</ul>
<h2>Edges</h2>
<ul>
{%- for name, colour in edge_legend %}
<li><span class="kg-line" style="background: {{ colour }}"></span>{{ name }}</li>
{%- endfor %}
</ul>
</aside>
<script type="application/json" id="kg-nodes">{{ nodes_json|safe }}</script>
<script type="application/json" id="kg-edges">{{ edges_json|safe }}</script>
<script type="application/json" id="kg-options">{{ options_json|safe }}</script>
<script>
(function () {
  "use strict";
  function data(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }
  // Tooltips are HTML whose text was escaped when the page was made; parsing
  // it in a <template> keeps it inert until vis-network shows it.
  function tooltip(markup) {
    var template = document.createElement("template");
    template.innerHTML = markup;
    var box = document.createElement("div");
    box.appendChild(template.content);
    return box;
  }
  function withTooltips(items) {
    return items.map(function (item) {
      if (typeof item.title === "string") {
        item.title = tooltip(item.title);
      }
      return item;
    });
  }
  var options = data("kg-options");
  var network = new vis.Network(
    document.getElementById("kg-graph"),
    {nodes: new vis.DataSet(withTooltips(data("kg-nodes"))),
     edges: new vis.DataSet(withTooltips(data("kg-edges")))},
    options
  );
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});
  });
})();
</script>
</body>
</html>
"""
