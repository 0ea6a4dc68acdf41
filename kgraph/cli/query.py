"""`kgraph query ...`: questions asked of a built graph (see :mod:`kgraph.query`).

Each subcommand reads ``graph.json``, calls one function of :mod:`kgraph.query`
and prints its answer as a table (readable text for ``path`` and ``show``),
JSON (the result dataclasses as they are) or CSV (one row per item).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import ConfigError
from ..graph import schema as s
from ..graph.analytics import CENTRALITY_MEASURES
from ..model import PAPER_RELATIONS
from . import cli
from .common import FORMATS, csv_cell, read_built_graph

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["FORMATS", "query"]

_CELL_WIDTH = 60


@cli.group()
def query() -> None:
    """Ask a built graph: methods for a task, papers, related entities, paths, central nodes, citations.

    Names are matched by label or alias, in any case or spelling variant; an
    unknown name is answered with the closest names in the graph.

    \b
    kgraph query methods --task "camera pose estimation"
    kgraph query path Fast3R DUSt3R
    kgraph query show Fast3R --format json
    """


def _command(function: Callable) -> Callable:
    """Register a query subcommand with -g/--graph and -f/--format; it is called with the graph read."""

    @click.option("-g", "--graph", "graph_dir", default="output", show_default=True, type=click.Path(path_type=Path),
                  help="Output directory of `kgraph build` (or a graph.json file).")
    @click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                  help="Print a table, JSON or CSV.")
    @functools.wraps(function)
    def wrapper(graph_dir: Path, fmt: str, **options) -> None:
        function(read_built_graph(graph_dir), fmt, **options)

    command = query.command(name=function.__name__)(wrapper)
    common = [p for p in command.params if p.name in ("graph_dir", "fmt")]
    command.params = [p for p in command.params if p not in common] + common  # in --help: own options first
    return command


_LIMIT = click.option("--limit", default=20, show_default=True, help="Show at most this many (0: all).")


def _limit(value: int) -> int | None:
    return value if value > 0 else None


# --------------------------------------------------------------------------- printing


def _emit(fmt: str, data, rows: Sequence[dict], text: str | None = None) -> None:
    if fmt == "json":
        click.echo(json.dumps(_jsonable(data), ensure_ascii=False, indent=1))
    elif fmt == "csv":
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    elif text is not None:
        click.echo(text)
    else:
        click.echo(_table(rows))


def _jsonable(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _table(rows: Sequence[dict]) -> str:
    if not rows:
        return "(nothing found)"
    columns = list(rows[0])
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"


def _name(graph: nx.MultiDiGraph, ref) -> str:
    """A label with its most frequent alias when that reads differently: "Fast 3D Reconstruction (Fast3R)"."""
    aliases = graph.nodes[ref.id].get(s.ALIASES) or () if ref.id in graph else ()
    if aliases and str(aliases[0]).casefold() != ref.label.casefold():
        return f"{ref.label} ({aliases[0]})"
    return ref.label


def _evidence_line(statement) -> str:
    if not statement.evidence:
        return ""
    e = statement.evidence[0]
    more = f" (+{len(statement.evidence) - 1} more)" if len(statement.evidence) > 1 else ""
    return f'"{e.sentence}" [{e.paper_id}, {e.field} {e.start}-{e.end}]{more}'


# --------------------------------------------------------------------------- commands


@_command
@click.option("--task", required=True, help="Task name (label or alias).")
@click.option("--subtasks/--no-subtasks", default=True, show_default=True,
              help="Include the task's sub-tasks (kinds of the task the graph knows).")
@_LIMIT
def methods(graph, fmt, task, subtasks, limit) -> None:
    """Methods used for a task, most supported (number of papers) first, with the papers."""
    from ..query import methods_for_task

    answers = methods_for_task(graph, task, include_subtasks=subtasks, limit=_limit(limit))
    rows = [{"rank": i, "method": _name(graph, a.method), "id": a.method.id, "support": a.support,
             "tasks": "; ".join(t.label for t in a.tasks),
             "papers": "; ".join(p.label for p in a.papers),
             "evidence": _evidence_line(a.statements[0]) if a.statements else ""}
            for i, a in enumerate(answers, start=1)]
    if fmt == "table":
        rows = [{k: r[k] for k in ("rank", "method", "support", "tasks", "papers")} for r in rows]
    _emit(fmt, answers, rows)


@_command
@click.option("--method", default=None, help="Method name.")
@click.option("--dataset", default=None, help="Dataset name.")
@click.option("--task", default=None, help="Task name (its sub-tasks included).")
@click.option("--citing-proposer", default=None, metavar="NAME",
              help="Keep papers that cite a paper proposing this method or dataset.")
@click.option("--relation", "relations", multiple=True,
              type=click.Choice(sorted(r.value for r in PAPER_RELATIONS)),
              help="Keep papers linked by this relation (repeatable; default: all).")
@_LIMIT
def papers(graph, fmt, method, dataset, task, citing_proposer, relations, limit) -> None:
    """Papers that propose, use, address or mention a method, dataset and/or task, or cite a method's proposer
    (all given)."""
    from ..query import papers_for

    if method is None and dataset is None and task is None and citing_proposer is None:
        raise ConfigError("give --method, --dataset or --task (or --citing-proposer)")
    hits = papers_for(graph, method=method, dataset=dataset, task=task, relations=relations or None,
                      citing_proposer=citing_proposer)
    hits = hits[: _limit(limit)]
    rows = [{"paper": h.paper.label, "id": h.paper.id, "year": h.year,
             "how": "; ".join(f"{st.relation} {st.tail.label}" for st in h.statements),
             "evidence": _evidence_line(h.statements[0])}
            for h in hits]
    if fmt == "table":
        columns = ("paper", "year", "how") if any(h.year for h in hits) else ("paper", "how")
        rows = [{k: r[k] for k in columns} for r in rows]
    _emit(fmt, hits, rows)


@_command
@click.option("--method", default=None, metavar="NAME",
              help="Only the papers proposing this method or dataset (cited or not).")
@_LIMIT
def cited(graph, fmt, method, limit) -> None:
    """The papers of the corpus most cited by its other papers, with who cites them."""
    from ..query import cited as most_cited

    answers = most_cited(graph, method=method, limit=_limit(limit))
    rows = [{"rank": i, "paper": c.paper.label, "id": c.paper.id, "year": c.year, "cited_by": c.citations,
             "citing": "; ".join(p.label for p in c.cited_by),
             "proposes": "; ".join(m.label for m in c.proposes)}
            for i, c in enumerate(answers, start=1)]
    if fmt == "table":
        rows = [{k: r[k] for k in ("rank", "paper", "year", "cited_by", "citing")} for r in rows]
    _emit(fmt, answers, rows)


@_command
@click.argument("name")
@click.option("--limit", default=10, show_default=True, help="Show at most this many (0: all).")
def related(graph, fmt, name, limit) -> None:
    """Entities most related to NAME, each with its reasons (relations, shared tasks, datasets, papers)."""
    from ..query import related as find_related

    answers = find_related(graph, name, limit=_limit(limit))
    rows = [{"entity": _name(graph, r.entity), "type": r.entity.type, "id": r.entity.id, "score": r.score,
             "reasons": "; ".join(reason.text for reason in r.reasons)}
            for r in answers]
    if fmt == "table":
        text = "\n".join(
            f"{r.score:3}  {_name(graph, r.entity)} ({r.entity.type})\n"
            + "\n".join(f"       - {reason.text}" for reason in r.reasons)
            for r in answers
        ) or "(nothing found)"
        _emit(fmt, answers, rows, text)
    else:
        _emit(fmt, answers, rows)


@_command
@click.argument("source")
@click.argument("target")
@click.option("--mentions/--no-mentions", default=None,
              help="Allow (or forbid) `mentions` edges; by default only when no chain exists without them.")
def path(graph, fmt, source, target, mentions) -> None:
    """The shortest chain of relations between SOURCE and TARGET, with the evidence of each step."""
    from ..query import shortest_path

    found = shortest_path(graph, source, target, mentions=mentions)
    rows = [{"step": i, "head": st.head.label, "relation": st.relation, "tail": st.tail.label,
             "support": st.support, "sentence": st.sentence, "evidence": _evidence_line(st)}
            for i, st in enumerate(found.steps, start=1)]
    lines = [f"{_name(graph, found.source)} -> {_name(graph, found.target)}: "
             f"{found.length} step{'s' if found.length != 1 else ''}"]
    for i, st in enumerate(found.steps, start=1):
        lines.append(f"{i}. {st.sentence}  (support {st.support})")
        if st.evidence:
            lines.append(f"   {_evidence_line(st)}")
    _emit(fmt, found, rows, "\n".join(lines))


@_command
@click.option("--type", "node_type", type=click.Choice(s.NODE_TYPES), default=None,
              help="Only nodes of this type (default: every method, task and dataset).")
@click.option("--by", type=click.Choice(CENTRALITY_MEASURES), default="degree",
              show_default=True, help="Centrality measure.")
@click.option("--limit", default=10, show_default=True, help="Show at most this many (0: all).")
def top(graph, fmt, node_type, by, limit) -> None:
    """The most central nodes: by degree, PageRank, betweenness or support (number of papers)."""
    from ..query import top as rank

    answers = rank(graph, by=by, type=node_type, limit=_limit(limit))
    whole = by in ("degree", "support")  # counts, shown without a decimal point
    rows = [{"rank": r.rank, "entity": _name(graph, r.node), "type": r.node.type, "id": r.node.id,
             by: int(r.score) if whole else r.score}
            for r in answers]
    if fmt == "table":
        rows = [{k: v for k, v in r.items() if k != "id"} for r in rows]
    _emit(fmt, answers, rows)


@_command
@click.option("--limit", default=10, show_default=True, help="Show at most this many (0: all).")
@click.option("--min-size", default=2, show_default=True, help="Leave out communities with fewer entities.")
@click.option("--members", default=8, show_default=True, help="Members to list per community in a table or CSV.")
def communities(graph, fmt, limit, min_size, members) -> None:
    """Groups of methods, tasks and datasets (Leiden, fixed seed), named by their most central members."""
    from ..query import communities as find_communities

    answers = find_communities(graph, min_size=min_size)[: _limit(limit)]
    rows = [{"community": c.id, "name": c.name, "entities": c.size, "papers": len(c.papers),
             "members": "; ".join(m.label for m in c.members[:members])}
            for c in answers]
    if fmt == "table":
        text = "\n".join(
            f"#{c.id} {c.name}  ({c.size} entities, {len(c.papers)} papers)\n    "
            + ", ".join(m.label for m in c.members[:members])
            + (", ..." if c.size > members else "")
            for c in answers
        ) or "(nothing found)"
        _emit(fmt, answers, rows, text)
    else:
        _emit(fmt, answers, rows)


@_command
@click.option("--type", "entity_type", type=click.Choice(("method", "task", "dataset")), default=None,
              help="Only entities of this type (default: methods, tasks and datasets).")
@click.option("--years", "last_years", default=8, show_default=True,
              help="Columns for the last this-many years of the corpus in a table (0: all; JSON and CSV: all).")
@click.option("--limit", default=20, show_default=True, help="Show at most this many (0: all).")
def trends(graph, fmt, entity_type, last_years, limit) -> None:
    """Papers per year naming each of the most-named entities (the viewer's bar charts, as numbers)."""
    from ..query import trends as find_trends

    answers = find_trends(graph, type=entity_type, limit=_limit(limit))
    rows = []
    for i, t in enumerate(answers, start=1):
        by_year = t.by_year[-last_years:] if fmt == "table" and last_years > 0 else t.by_year
        rows.append({"rank": i, "entity": _name(graph, t.entity), "type": t.entity.type, "id": t.entity.id,
                     "papers": t.papers, **{str(year): n for year, n in by_year}})
    if fmt == "table":
        rows = [{k: v for k, v in r.items() if k not in ("id", "type" if entity_type else "")} for r in rows]
    _emit(fmt, answers, rows)


@_command
@click.option("--years", "recent_years", default=3, show_default=True, type=click.IntRange(min=1),
              help="The recent years: the last this-many years of the corpus.")
@click.option("--type", "entity_type", type=click.Choice(("method", "task", "dataset")), default=None,
              help="Only entities of this type (default: methods, tasks and datasets).")
@click.option("--min-papers", default=3, show_default=True, type=click.IntRange(min=1),
              help="Leave out entities that fewer papers (with a year) name.")
@click.option("--limit", default=20, show_default=True, help="Show at most this many (0: all).")
def emerging(graph, fmt, recent_years, entity_type, min_papers, limit) -> None:
    """Entities whose share of papers grew most in the last --years years, against the years before."""
    from ..query import emerging as find_emerging

    answers = find_emerging(graph, years=recent_years, type=entity_type, min_papers=min_papers,
                            limit=_limit(limit))
    if not answers and fmt == "table":
        click.echo("(no paper of the graph has a year)" if not any(
            isinstance(y, int) for _, y in graph.nodes(data=s.YEAR)) else "(nothing found)")
        return
    span = f"{answers[0].years[0]}-{answers[0].years[1]}" if answers else "recent"
    rows = [{"rank": i, "entity": _name(graph, e.entity), "type": e.entity.type, "id": e.entity.id,
             f"papers {span}": e.recent, "papers before": e.earlier,
             f"share {span} %": round(100 * e.recent_share, 2), "share before %": round(100 * e.earlier_share, 2),
             "growth (points)": round(100 * e.growth, 2)}
            for i, e in enumerate(answers, start=1)]
    if fmt == "table":
        rows = [{k: v for k, v in r.items() if k != "id"} for r in rows]
    _emit(fmt, answers, rows)


@_command
@click.argument("name")
@click.option("--depth", default=1, show_default=True, help="How many hops away.")
@click.option("--papers/--no-papers", default=True, show_default=True, help="Include paper nodes.")
@click.option("--mentions/--no-mentions", default=True, show_default=True, help="Follow `mentions` edges.")
@_LIMIT
def neighbors(graph, fmt, name, depth, papers, mentions, limit) -> None:
    """Nodes within --depth hops of NAME, nearest first, with the edge each was reached by."""
    from ..query import neighbors as find_neighbors

    answers = find_neighbors(graph, name, depth=depth, papers=papers, mentions=mentions)[: _limit(limit)]
    rows = [{"depth": n.depth, "node": _name(graph, n.node), "type": n.node.type, "id": n.node.id,
             "via": n.via.sentence}
            for n in answers]
    if fmt == "table":
        rows = [{k: v for k, v in r.items() if k != "id"} for r in rows]
    _emit(fmt, answers, rows)


@_command
@click.argument("name")
def show(graph, fmt, name) -> None:
    """An entity (or paper): aliases, type, papers, relations and their evidence."""
    from ..query import show as details

    d = details(graph, name)
    rows = [{"kind": "paper" if st in d.papers else "relation", "head": st.head.label, "relation": st.relation,
             "tail": st.tail.label, "support": st.support, "sentence": st.sentence, "evidence": _evidence_line(st)}
            for st in (*d.papers, *d.relations)]
    lines = [f"{d.node.label}  [{d.node.id}]", f"type:       {d.node.type}"]
    if d.aliases:
        lines.append("aliases:    " + ", ".join(f"{alias} ({count})" for alias, count in d.aliases))
    if d.known_id:
        lines.append(f"known as:   {d.known_id}")
    if d.community is not None:
        lines.append(f"community:  {d.community}")
    for title, statements in ((f"papers ({len(d.papers)})", d.papers),
                              (f"relations ({len(d.relations)})", d.relations)):
        if statements:
            lines.append(f"{title}:")
            for st in statements:
                lines.append(f"  {st.sentence}  (support {st.support})")
                if st.evidence:
                    lines.append(f"      {_evidence_line(st)}")
    _emit(fmt, d, rows, "\n".join(lines))
