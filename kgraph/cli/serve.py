"""`kgraph serve`: a built graph as a local web app (see :mod:`kgraph.serve`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ConfigError
from . import cli
from .common import graph_input, info, warn


@cli.command()
@graph_input("Output directory of `kgraph build`, or a pyoxigraph store.", metavar="DIRECTORY")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but a loopback address lets other machines read the graph.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port (0: any free one).")
@click.option("-s", "--store", "store", type=click.Path(path_type=Path), default=None,
              help="pyoxigraph store for SPARQL (`kgraph store load`); default: DIRECTORY if it is one, "
                   "else a temporary store loaded from the build's RDF.")
@click.option("--sparql/--no-sparql", default=True, show_default=True, help="Serve the SPARQL endpoint.")
@click.option("--sparql-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="Seconds a SPARQL query may run before it is stopped.")
@click.option("--sparql-rows", default=10_000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Rows a SPARQL result may hold; the rest is cut (the X-Kgraph-Truncated header says so).")
@click.option("--sparql-workers", default=2, show_default=True, type=click.IntRange(1, 16),
              help="SPARQL queries that may run at once, each in its own process.")
@click.option("--queries", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Directory of canned .rq queries to link on the SPARQL page (default: examples/queries).")
def serve(graph, host, port, store, sparql, sparql_timeout, sparql_rows, sparql_workers, queries) -> None:
    """Serve a built graph (DIRECTORY or --graph/-g: output directory or pyoxigraph store; default: output/) read-only.

    Pages for search, entities, papers and the `kgraph query` questions, a JSON
    API under /api/ and a SPARQL endpoint at /sparql. Listens on loopback
    unless --host names another address. Stop with Ctrl-C.

    \b
        kgraph serve output/ --port 8000
    """
    from ..serve import is_loopback, open_served, run
    from ..serve.server import free_port

    if not is_loopback(host):
        warn(f"serving on {host}: any machine that can reach it can read the whole graph "
             "(there is no authentication); use --host 127.0.0.1 to keep it to this machine")
    served = open_served(graph, store=store, sparql=sparql, workers=sparql_workers,
                         time_limit=sparql_timeout, row_limit=sparql_rows,
                         progress=lambda line: info(line, err=True))
    if served.sparql is None:
        warn(f"no SPARQL endpoint: {served.sparql_note}")
    if port == 0:
        port = free_port(host)
    shown = f"[{host}]" if ":" in host else host
    info(f"serving {graph} on http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    try:
        run(served, host=host, port=port, queries=queries)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc}") from None
