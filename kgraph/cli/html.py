"""`kgraph html`: draw (part of) a built graph as one interactive HTML page."""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..errors import ConfigError
from ..graph import schema
from . import cli
from .common import graph_json, graph_input, info


def _types(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(t.strip() for t in value.split(",") if t.strip())
    unknown = [t for t in names if t not in schema.NODE_TYPES]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown node type {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(schema.NODE_TYPES)}",
            param_hint="--types",
        )
    return names


@cli.command("html")
@graph_input("Output directory of `kgraph build` (or a graph.json file).", metavar="GRAPH_DIR")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="HTML file to write (replaced if it exists).  [default: GRAPH_DIR/graph.html if there is "
                   "none yet; with --focus, GRAPH_DIR/focus-NAME.html]")
@click.option("--view", type=click.Choice(["auto", "map", "papers"]), default="auto", show_default=True,
              help="The view the page opens on: the method map (entities only, papers folded into the edges), "
                   "the paper graph, or auto: the map for more than a few dozen papers without --focus.")
@click.option("--focus", metavar="NAME", default=None,
              help="Draw only the ego network of this node (an id, a name or an alias) in the paper graph.")
@click.option("--depth", default=2, show_default=True, type=click.IntRange(min=0),
              help="With --focus: how many hops around the focus to draw.")
@click.option("--max-nodes", default=2000, show_default=True, type=click.IntRange(min=1),
              help="Draw at most this many nodes in each view (nearest the focus, else highest degree, first; "
                   "on the map, the most supported).")
@click.option("--min-support", default=1, show_default=True, type=click.IntRange(min=1),
              help="Drop edges, and entities, that fewer papers support.")
@click.option("--types", "types_", metavar="TYPES", default=None,
              help=f"Comma-separated node types to draw, from {','.join(schema.NODE_TYPES)}, e.g. method,task.")
@click.option("--together", default=2, show_default=True, type=click.IntRange(min=0),
              help="On the map: join two entities that at least this many papers both name "
                   "(a 'studied together' edge; 0: none).")
@click.option("--size-by", type=click.Choice(["degree", "support"]), default="degree", show_default=True,
              help="Node size in the paper graph: degree, or the number of papers.")
@click.option("--title", default=None, help="Page title.  [default: kgraph, or the focus]")
def html(graph, output, view, focus, depth, max_nodes, min_support, types_, together, size_by, title) -> None:
    """Write an interactive, self-contained HTML view of the graph built in GRAPH_DIR.

    GRAPH_DIR (or --graph/-g) is the output directory of `kgraph build`
    (default: output/) or a graph.json file. The page works offline; open it in any browser. It has two
    views, a switch apart: the method map and the paper graph. Without -o an
    existing graph.html is never replaced.

    \b
    Examples:
      kgraph html output/ -o graph.html
      kgraph html output/ --focus "DUSt3R" --depth 2 -o dust3r.html
      kgraph html output/ --types method,task --min-support 2 -o methods.html
    """
    from ..export.html import select_view, write_html
    from ..export.json import read_graph_json

    types = _types(types_)
    path = graph_json(graph)
    built = read_graph_json(path)
    options = dict(max_nodes=max_nodes, min_support=min_support, types=types, focus=focus, depth=depth)
    selected = select_view(built, **options)
    target = output if output is not None else _default_target(path.parent, built, focus)
    write_html(built, target, size_by=size_by, view=view, together=together,
               title=title or (f"kgraph: {focus}" if focus else "kgraph"), **options)
    info(f"{selected.number_of_nodes()} of {built.number_of_nodes()} nodes, "
         f"{selected.number_of_edges()} of {built.number_of_edges()} edges -> {target}")


def _default_target(folder: Path, graph, focus: str | None) -> Path:
    """Where a page goes without -o: never over an existing graph.html (the build's own page)."""
    from ..graph.lookup import find_entity

    if focus is not None:
        node = str(find_entity(graph, focus).id)
        slug = re.sub(r"[^a-z0-9]+", "-", node.split(":", 1)[-1].lower()).strip("-")[:60] or "node"
        return folder / f"focus-{slug}.html"
    target = folder / "graph.html"
    if target.exists():
        raise ConfigError(f"{target} exists; give -o {target} to replace it, or -o another file")
    return target
