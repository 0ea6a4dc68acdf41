"""`kgraph build`, `kgraph extract` and `kgraph stats`."""

from __future__ import annotations

import csv
import json
import stat
import sys
import threading
from collections import Counter
from pathlib import Path

import click

from ..config import DEFAULT_OUTPUTS, ENGINES, INPUT_FORMATS, OUTPUT_FORMATS, OUTPUT_GROUPS, RDF_FORMATS, Config
from ..errors import ConfigError, KGraphError
from . import cli
from .common import Progress, csv_cell, format_option, graph_input, info, printable, read_built_graph, warn

_FORMAT = click.Choice(INPUT_FORMATS)


def _config(inputs, output, input_format, skip_bad, **extra) -> Config:
    if not str(output):
        raise ConfigError("the output directory is empty (-o ''): name a directory, such as -o output or -o .")
    return Config(
        inputs=tuple(Path(p) for p in inputs) or (Path("data"),),
        output_dir=Path(output),
        input_format=input_format,
        skip_bad=skip_bad,
        **extra,
    )


def _scale_options(command):
    """Options for where extraction runs and what is read (docs/SCALING.md)."""
    options = [
        click.option("--processes", "-j", type=click.IntRange(min=0), default=0,
                     help="Extraction processes (local engine) or LocalCluster workers (dask engine); "
                          "default 0: every core; never more than the cores, or than memory allows."),
        click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
                     help="Run extraction here, or on a Dask cluster."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Dask scheduler address (tcp://host:8786) or scheduler file; "
                          "without it --engine dask starts a LocalCluster."),
        click.option("--no-cache", is_flag=True,
                     help="Extract every paper again instead of reusing OUTPUT/.cache."),
        click.option("--fast", is_flag=True,
                     help="The fast pipeline (no tagger or parser, the small CNN recognizer): about 5x the "
                          "throughput, fewer relations (docs/NER_MODEL_CARD.md)."),
        click.option("--categories", metavar="LIST",
                     help="Keep only JSON Lines (arXiv) records in these comma-separated categories or "
                          "archives, e.g. cs.CL,cs.LG or cs."),
        click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                     help="Keep only records whose update_date is on or after this day."),
        click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                     help="Keep only records whose update_date is on or before this day."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _scale_settings(processes, engine, scheduler, no_cache, fast, categories, since, until) -> dict:
    return {
        "fast": fast,
        "processes": processes,
        "engine": engine,
        "scheduler": scheduler,
        "use_cache": not no_cache,
        "categories": tuple((categories or "").replace(" ", ",").split(",")),
        "since": since,
        "until": until,
    }


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", default="output", show_default=True, type=click.Path(),
              help="Directory to write the outputs into.")
@click.option("--format", "input_format", type=_FORMAT, default=None,
              help="Input format; detected from extension and content by default.")
@click.option("--skip-bad", is_flag=True, help="Skip unreadable records (listed in report.json) instead of stopping.")
@click.option("--outputs", default=",".join(DEFAULT_OUTPUTS), show_default=True,
              help="Comma-separated outputs to write, of: " + ", ".join((*OUTPUT_FORMATS, *OUTPUT_GROUPS))
                   + " (csv: the node and edge tables).")
@click.option("--base-iri", default=Config.base_iri, show_default=True, help="Base IRI for RDF resources.")
@click.option("--rdf-format", type=click.Choice(RDF_FORMATS), default=None,
              help="Write only this RDF format (default: graph.ttl, graph.nt and graph.jsonld).")
@click.option("--max-html-nodes", default=Config.html_max_nodes, show_default=True,
              help="Draw at most this many nodes in graph.html.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@_scale_options
def build(inputs, output, input_format, skip_bad, outputs, base_iri, rdf_format, max_html_nodes, progress,
          **scale) -> None:
    """Build the graph of INPUTS (files or directories; default: data/) into OUTPUT.

    Writes extractions.jsonl, graph.json, graph.graphml, graph.ttl, graph.nt,
    graph.jsonld, ontology.ttl, graph.html and report.json; with --outputs,
    also graph.gexf (gexf) and nodes.csv / edges.csv (csv).
    """
    from ..run import build as run_build

    config = _config(inputs, output, input_format, skip_bad,
                     outputs=tuple(o.strip() for o in outputs.split(",") if o.strip()),
                     base_iri=base_iri, rdf_format=rdf_format, html_max_nodes=max_html_nodes,
                     **_scale_settings(**scale))
    _warn_if_processes_lowered(config)
    with Progress(sys.stderr.isatty() if progress is None else progress, "extracting") as bar:
        on_paper = _count_papers(config, bar, then="resolving, building the graph, writing the outputs")
        result = run_build(config=config, on_paper=on_paper)
    _print_summary(result.report, result.files, result.timings, result.extraction, result.reused)


def _count_papers(config: Config, bar: Progress, *, then: str | None = None):
    """The ``on_paper`` callback of a run that moves ``bar``; the papers to extract are counted meanwhile.

    The inputs are read a second time in a background thread, so that the
    bar shows the share done and the time left as soon as the count is in.
    Only regular files are counted (a pipe cannot be read twice); a count
    that fails leaves the bar without a total. Once every paper is
    extracted, the bar says ``then`` until the run returns.
    """
    if not bar.shown:
        return None
    from ..run import list_inputs, read_papers

    def count() -> None:
        try:
            listed = list_inputs(config)
            if all(stat.S_ISREG(path.stat().st_mode) for path, _ in listed[0]):
                bar.set_total(sum(1 for _ in read_papers(config, [], listed=listed)))
        except (KGraphError, OSError, ValueError):
            pass

    threading.Thread(target=count, name="kgraph-count", daemon=True).start()

    def on_paper(n: int) -> None:
        bar.update(n)
        if then and bar.complete:
            bar.describe(then)

    return on_paper


def _warn_if_processes_lowered(config: Config) -> None:
    """Say so when ``-j`` asks for more processes than the machine can run (kgraph.engine.resolve_processes)."""
    from ..engine import process_limit

    if config.engine == "local" or not config.scheduler:
        limit, why = process_limit()
        if config.processes and config.processes > limit:
            warn(f"-j {config.processes} is more processes than this machine can run ({why}); using {limit}")


def _routine_ignored() -> frozenset[str]:
    """Reasons for not reading a file or directory that need no word on the terminal (report.json lists them all)."""
    from ..ingest.corpus import HIDDEN, UNKNOWN_TYPE, WRITTEN_BY_KGRAPH
    from ..run import CACHE_DIRECTORY, OUTPUT_DIRECTORY

    return frozenset({UNKNOWN_TYPE, HIDDEN, WRITTEN_BY_KGRAPH, OUTPUT_DIRECTORY, CACHE_DIRECTORY})


def _print_summary(report: dict, files, timings, extraction=None, reused=None) -> None:
    """The summary of a build (info lines, which --quiet silences); the problems of its inputs on standard error."""
    papers = report["papers"]
    nodes = report["nodes"]
    entities = ", ".join(f"{nodes.get(t, 0)} {t}s" for t in ("method", "task", "dataset"))
    relations = sum(report["relations"].values())
    info(f"papers:    {papers['read']} read, {papers['in_graph']} in the graph, "
         f"{papers['skipped']} skipped, {papers['duplicates_merged']} duplicates merged, "
         f"{papers.get('title_only', 0)} title only")
    info(f"entities:  {entities}")
    info(f"relations: {relations} (" + ", ".join(f"{k} {v}" for k, v in report["relations"].items()) + ")")
    for problem in report["problems"][:10]:
        click.echo(printable(f"{problem['severity']}: {problem['file']}:{problem['line']}: {problem['reason']}"),
                   err=True)
    if len(report["problems"]) > 10:
        click.echo(f"... {len(report['problems']) - 10} more problems in report.json", err=True)
    routine = _routine_ignored()
    unexpected = [i for i in report["inputs"]["ignored"] if i["reason"] not in routine]
    for ignored in unexpected[:10]:
        warn(f"{ignored['path']}: not read: {ignored['reason']}")
    if len(unexpected) > 10:
        warn(f"... {len(unexpected) - 10} more files or directories not read, in report.json")
    if "filtered_out" in papers:
        info(f"filtered:  {papers['filtered_out']} records outside the categories or dates asked for")
    if extraction:
        workers = extraction["workers"]
        where = "dask" if extraction["engine"] == "dask" else "local"
        info(f"extracted: {extraction['extracted']} papers, {extraction['cached']} from the cache "
             f"({where}, {workers} {'worker' if workers == 1 else 'workers'})")
    reused = reused or {}
    copied = sum(group["copied"] for group in reused.values())
    if copied:
        total = copied + sum(group["written"] for group in reused.values())
        info(f"reused:    {copied} of {total} papers' lines, nodes and edges copied from the previous "
             f"outputs ({100 * copied / total:.1f} %)")
    info(f"time:      {timings.get('total', 0):.1f} s")
    info("files:     " + ", ".join(str(f) for f in files))
    html = [f for f in files if f.name == "graph.html"]
    if html:
        info(f"open {html[0].resolve()} in a browser to explore the graph")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(allow_dash=True),
              help="JSON Lines file to write the mentions to ('-' for standard output).")
@click.option("--format", "input_format", type=_FORMAT, default=None, help="Input format.")
@click.option("--skip-bad", is_flag=True, help="Skip unreadable records instead of stopping.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--processes", "-j", type=click.IntRange(min=0), default=0,
              help="Extraction processes; default 0: every core; never more than the cores, or than memory allows.")
def extract(inputs, output, input_format, skip_bad, progress, processes) -> None:
    """Extract mentions and in-paper relations from INPUTS, without building a graph.

    One JSON object per paper: its mentions (type, offsets, extractor), the
    acronyms it defines and the relations between its mentions (by index).
    """
    from ..export.atomic import atomic_open
    from ..run import iter_extract

    if not str(output):
        raise ConfigError("the output file is empty (-o ''): name a file, or - for standard output")
    config = _config(inputs, ".", input_format, skip_bad, processes=processes, use_cache=False)
    _warn_if_processes_lowered(config)
    problems: list = []
    papers = mentions = 0

    def write(handle, on_paper) -> None:  # one line per paper as it is extracted: nothing is held
        nonlocal papers, mentions
        for ex in iter_extract(config, problems, on_paper=on_paper):
            handle.write(json.dumps(_extraction_dict(ex), ensure_ascii=False) + "\n")
            papers += 1
            mentions += len(ex.mentions)

    show = (sys.stderr.isatty() and str(output) != "-") if progress is None else progress
    with Progress(show, "extracting") as bar:
        on_paper = _count_papers(config, bar)
        if str(output) == "-":
            write(sys.stdout, on_paper)
        else:
            with atomic_open(Path(output), "w") as handle:
                write(handle, on_paper)
    for problem in problems:
        click.echo(printable(f"{problem.severity}: {problem}"), err=True)
    if str(output) != "-":
        info(f"{papers} papers, {mentions} mentions -> {output}")


def _extraction_dict(ex) -> dict:
    return {
        "id": ex.paper.id,
        "title": ex.paper.title,
        "abstract": ex.paper.abstract,
        "mentions": [
            {"field": m.field, "start": m.start, "end": m.end, "text": m.text, "type": m.type.value,
             "proposed": m.proposed, "extractor": m.extractor, "known_id": m.known_id}
            for m in ex.mentions
        ],
        "acronyms": [
            {"short": a.short_form, "long": a.long_form, "field": a.field, "start": a.start, "end": a.end}
            for a in ex.acronyms
        ],
        "relations": [
            {"head": r.head, "relation": r.relation.value, "tail": r.tail,
             "evidence": {"field": r.evidence.field, "start": r.evidence.start, "end": r.evidence.end},
             "extractor": r.extractor}
            for r in ex.relations
        ],
    }


@cli.command()
@graph_input("Output directory of `kgraph build` (or a graph.json file).", metavar="GRAPH_DIR")
@click.option("--top", default=10, show_default=True, help="How many top entities to list per type.")
@format_option
def stats(graph, top, fmt) -> None:
    """Counts by node type and relation, and the most connected entities, of a built graph.

    As JSON, one object; as CSV, one row per node type, relation and top
    entity (the section column says which), with the columns that apply filled.
    """
    counts = graph_stats(read_built_graph(graph), top=top)
    if fmt == "json":
        click.echo(json.dumps(counts, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        _stats_csv(counts)
    else:
        _stats_table(counts)


def graph_stats(graph, *, top: int = 10) -> dict:
    """Counts of a built graph: nodes by type, edges by relation with their support, the top entities per type."""
    nodes = Counter(d.get("type") for _, d in graph.nodes(data=True))
    edges = Counter(k for _, _, k in graph.edges(keys=True))
    relations = {}
    for rel, n in sorted(edges.items()):
        support = [d.get("support") or 0 for _, _, k, d in graph.edges(keys=True, data=True) if k == rel]
        learned = sum(1 for _, _, k, d in graph.edges(keys=True, data=True)
                      if k == rel and d.get("extractors") and all(str(e).startswith("model:") for e in d["extractors"]))
        relations[rel] = {"edges": n, "support_1": support.count(1), "support_2": support.count(2),
                          "support_3_or_more": sum(1 for x in support if x >= 3),
                          "support_max": max(support, default=0), "model_only": learned}
    ranked = {}
    for kind in ("method", "task", "dataset"):
        best = sorted(
            (n for n, d in graph.nodes(data=True) if d.get("type") == kind),
            key=lambda n: (-len(graph.nodes[n].get("papers") or []), -graph.degree(n), n),
        )[:top]
        ranked[kind] = [{"id": n, "label": graph.nodes[n].get("label"),
                         "papers": len(graph.nodes[n].get("papers") or []), "degree": graph.degree(n)}
                        for n in best]
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
            "nodes_by_type": dict(sorted(nodes.items(), key=lambda item: str(item[0]))),
            "relations": relations, "top": ranked}


def _stats_table(counts: dict) -> None:
    click.echo(f"{counts['nodes']} nodes, {counts['edges']} edges")
    click.echo("nodes by type:")
    for kind, n in counts["nodes_by_type"].items():
        click.echo(f"  {kind:10} {n}")
    click.echo("relations (edges; by support, the number of papers stating them; edges only the learned model found):")
    click.echo(f"  {'':14} {'edges':>6} {'1':>6} {'2':>6} {'3+':>6} {'max':>6} {'model':>6}")
    for rel, r in counts["relations"].items():
        click.echo(f"  {rel:14} {r['edges']:6} {r['support_1']:6} {r['support_2']:6} "
                   f"{r['support_3_or_more']:6} {r['support_max']:6} {r['model_only']:6}")
    for kind, ranked in counts["top"].items():
        if ranked:
            click.echo(f"top {kind}s (papers, degree):")
            for entity in ranked:
                click.echo(f"  {entity['label']!s:40} {entity['papers']:4} {entity['degree']:4}")


_STATS_COLUMNS = ("section", "name", "id", "count", "support_1", "support_2", "support_3_or_more", "support_max",
                  "model_only", "papers", "degree")


def _stats_csv(counts: dict) -> None:
    rows = [{"section": "nodes", "name": kind, "count": n} for kind, n in counts["nodes_by_type"].items()]
    rows += [{"section": "relations", "name": rel, "count": r.pop("edges"), **r}
             for rel, r in ((rel, dict(r)) for rel, r in counts["relations"].items())]
    rows += [{"section": f"top {kind}s", "name": e["label"], "id": e["id"], "papers": e["papers"], "degree": e["degree"]}
             for kind, ranked in counts["top"].items() for e in ranked]
    writer = csv.DictWriter(sys.stdout, fieldnames=_STATS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
