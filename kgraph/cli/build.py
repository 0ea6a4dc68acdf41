"""`kgraph build`, `kgraph extract` and `kgraph stats`."""

from __future__ import annotations

import json
import signal
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..config import DEFAULT_OUTPUTS, ENGINES, INPUT_FORMATS, OUTPUT_FORMATS, OUTPUT_GROUPS, RDF_FORMATS, Config
from ..errors import ConfigError, KGraphError, KGraphWarning, Terminated
from . import Progress as _Progress
from . import cli, printable, warn
from . import fail as _fail

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

    show = sys.stderr.isatty() if progress is None else progress
    bar = _Progress(show, "extracting")
    with _one_line_errors(bar):
        config = _config(inputs, output, input_format, skip_bad,
                         outputs=tuple(o.strip() for o in outputs.split(",") if o.strip()),
                         base_iri=base_iri, rdf_format=rdf_format, html_max_nodes=max_html_nodes,
                         **_scale_settings(**scale))
        _warn_if_processes_lowered(config)
        result = run_build(config=config, on_paper=bar.update)
    _print_summary(result.report, result.files, result.timings, result.extraction, result.reused)


def _warn_if_processes_lowered(config: Config) -> None:
    """Say so when ``-j`` asks for more processes than the machine can run (kgraph.engine.resolve_processes)."""
    from ..engine import process_limit

    if config.engine == "local" or not config.scheduler:
        limit, why = process_limit()
        if config.processes and config.processes > limit:
            warn(f"-j {config.processes} is more processes than this machine can run ({why}); using {limit}")


@contextmanager
def _one_line_errors(bar: _Progress) -> Iterator[None]:
    """Run a command's work: any kgraph or file error ends it with one line, Ctrl-C with exit 130; the bar is closed.

    SIGTERM (``kill``, a job scheduler, a container stopping) is handled as
    Ctrl-C is: the work unwinds (worker processes killed, staged outputs
    removed, previous outputs left whole), ``Error: terminated``, exit code
    143. Warnings (:class:`~kgraph.errors.KGraphWarning`) are printed as
    ``warning: ...`` lines as they come.
    """
    with warnings.catch_warnings(), _sigterm_raises():
        warnings.simplefilter("always", KGraphWarning)
        warnings.showwarning = _show_warning
        try:
            yield
        except KGraphError as exc:
            bar.close()
            _fail(_one_line(str(exc)))
        except OSError as exc:
            bar.close()
            _fail(_one_line(f"{exc.filename or ''}: {exc.strerror or exc}"))
        except Terminated:
            bar.close()
            _interrupted("terminated", 128 + signal.SIGTERM)
        except KeyboardInterrupt:
            bar.close()
            _interrupted()
        bar.close()


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, KGraphWarning):
        warn(str(message))
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """In the block, SIGTERM raises :class:`~kgraph.errors.Terminated` in the main thread (once: a second kills)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum, frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _one_line(message: str) -> str:
    r"""The message on one line, as a terminal may show it: line breaks and escapes (from a file name, say) escaped.

    >>> _one_line("a.jsonl:2: bad\nname\x1b[2J")
    'a.jsonl:2: bad\\nname\\x1b[2J'
    """
    return printable(message)


def _interrupted(what: str = "interrupted", code: int = 130) -> None:
    # Ctrl-C or SIGTERM: no traceback. A build's outputs are renamed into place only once
    # all are written (kgraph.run.write_outputs), so the previous ones stay whole.
    click.echo(f"Error: {what}", err=True)
    sys.exit(code)


def _routine_ignored() -> frozenset[str]:
    """Reasons for not reading a file or directory that need no word on the terminal (report.json lists them all)."""
    from ..ingest.corpus import HIDDEN, UNKNOWN_TYPE, WRITTEN_BY_KGRAPH
    from ..run import CACHE_DIRECTORY, OUTPUT_DIRECTORY

    return frozenset({UNKNOWN_TYPE, HIDDEN, WRITTEN_BY_KGRAPH, OUTPUT_DIRECTORY, CACHE_DIRECTORY})


def _print_summary(report: dict, files, timings, extraction=None, reused=None) -> None:
    papers = report["papers"]
    nodes = report["nodes"]
    entities = ", ".join(f"{nodes.get(t, 0)} {t}s" for t in ("method", "task", "dataset"))
    relations = sum(report["relations"].values())
    click.echo(f"papers:    {papers['read']} read, {papers['in_graph']} in the graph, "
               f"{papers['skipped']} skipped, {papers['duplicates_merged']} duplicates merged, "
               f"{papers.get('title_only', 0)} title only")
    click.echo(f"entities:  {entities}")
    click.echo(f"relations: {relations} (" + ", ".join(f"{k} {v}" for k, v in report["relations"].items()) + ")")
    warnings = [p for p in report["problems"] if p["severity"] == "warning"]
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
        click.echo(f"filtered:  {papers['filtered_out']} records outside the categories or dates asked for")
    if extraction:
        workers = extraction["workers"]
        where = "dask" if extraction["engine"] == "dask" else "local"
        click.echo(f"extracted: {extraction['extracted']} papers, {extraction['cached']} from the cache "
                   f"({where}, {workers} {'worker' if workers == 1 else 'workers'})")
    reused = reused or {}
    copied = sum(group["copied"] for group in reused.values())
    if copied:
        total = copied + sum(group["written"] for group in reused.values())
        click.echo(f"reused:    {copied} of {total} papers' lines, nodes and edges copied from the previous "
                   f"outputs ({100 * copied / total:.1f} %)")
    click.echo(f"time:      {timings.get('total', 0):.1f} s")
    click.echo(printable("files:     " + ", ".join(str(f) for f in files)))
    html = [f for f in files if f.name == "graph.html"]
    if html:
        click.echo(printable(f"open {html[0].resolve()} in a browser to explore the graph"))
    del warnings


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

    show = (sys.stderr.isatty() and str(output) != "-") if progress is None else progress
    bar = _Progress(show, "extracting")
    problems: list = []
    papers = mentions = 0

    def write(handle) -> None:  # one line per paper as it is extracted: nothing is held
        nonlocal papers, mentions
        for ex in iter_extract(config, problems, on_paper=bar.update):
            handle.write(json.dumps(_extraction_dict(ex), ensure_ascii=False) + "\n")
            papers += 1
            mentions += len(ex.mentions)

    with _one_line_errors(bar):
        if not str(output):
            raise ConfigError("the output file is empty (-o ''): name a file, or - for standard output")
        config = _config(inputs, ".", input_format, skip_bad, processes=processes, use_cache=False)
        _warn_if_processes_lowered(config)
        if str(output) == "-":
            write(sys.stdout)
        else:
            with atomic_open(Path(output), "w") as handle:
                write(handle)
    for problem in problems:
        click.echo(printable(f"{problem.severity}: {problem}"), err=True)
    if str(output) != "-":
        click.echo(printable(f"{papers} papers, {mentions} mentions -> {output}"))


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
@click.argument("graph_dir", default="output", type=click.Path(path_type=Path))
@click.option("--top", default=10, show_default=True, help="How many top entities to list per type.")
def stats(graph_dir, top) -> None:
    """Counts by node type and relation, and the most connected entities, of a built graph."""
    from ..export.json import read_graph_json

    path = graph_dir / "graph.json" if graph_dir.is_dir() else graph_dir
    try:
        graph = read_graph_json(path)
    except FileNotFoundError:
        _fail(f"{path}: no graph here; run `kgraph build -o {graph_dir}` first")
    except KGraphError as exc:
        _fail(str(exc))
    nodes = Counter(d.get("type") for _, d in graph.nodes(data=True))
    edges = Counter(k for _, _, k in graph.edges(keys=True))
    click.echo(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    click.echo("nodes by type:")
    for kind, n in sorted(nodes.items()):
        click.echo(f"  {kind:10} {n}")
    click.echo("relations (edges; by support, the number of papers stating them; edges only the learned model found):")
    click.echo(f"  {'':14} {'edges':>6} {'1':>6} {'2':>6} {'3+':>6} {'max':>6} {'model':>6}")
    for rel, n in sorted(edges.items()):
        support = [d.get("support") or 0 for _, _, k, d in graph.edges(keys=True, data=True) if k == rel]
        learned = sum(1 for _, _, k, d in graph.edges(keys=True, data=True)
                      if k == rel and d.get("extractors") and all(str(e).startswith("model:") for e in d["extractors"]))
        click.echo(f"  {rel:14} {n:6} {support.count(1):6} {support.count(2):6} "
                   f"{sum(1 for x in support if x >= 3):6} {max(support, default=0):6} {learned:6}")
    for kind in ("method", "task", "dataset"):
        ranked = sorted(
            (n for n, d in graph.nodes(data=True) if d.get("type") == kind),
            key=lambda n: (-len(graph.nodes[n].get("papers") or []), -graph.degree(n), n),
        )[:top]
        if ranked:
            click.echo(f"top {kind}s (papers, degree):")
            for n in ranked:
                d = graph.nodes[n]
                click.echo(f"  {d.get('label')!s:40} {len(d.get('papers') or []):4} {graph.degree(n):4}")


