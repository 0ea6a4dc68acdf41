"""`kgraph sparql`, `kgraph validate` and `kgraph store load|query`: the RDF of a build."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import KGraphError
from . import cli
from . import fail as _fail

_OUTPUT = click.Choice(("table", "csv", "json"))
_ENGINE = click.Choice(("oxigraph", "rdflib"))
_BIND_HELP = ("Bind a query variable: NAME=VALUE binds a string literal, NAME=<IRI> an IRI. "
              "Repeatable. Values are bound as RDF terms, never pasted into the query.")


def _bindings(pairs) -> dict:
    from ..rdf.sparql import parse_binding

    return dict(parse_binding(pair) for pair in pairs)


def _print_result(result, output_format: str) -> None:
    click.echo(result.format(output_format), nl=False)


@cli.command()
@click.argument("query")
@click.option("-g", "--graph", "graph", default="output", show_default=True, type=click.Path(path_type=Path),
              help="Build directory (graph.nt, graph.ttl or graph.jsonld in it) or RDF file to query.")
@click.option("-b", "--bind", "binds", multiple=True, metavar="NAME=VALUE", help=_BIND_HELP)
@click.option("-f", "--format", "output_format", type=_OUTPUT, default="table", show_default=True,
              help="Print a table, or SPARQL 1.1 CSV or JSON results.")
@click.option("--engine", type=_ENGINE, default="oxigraph", show_default=True,
              help="Query engine: pyoxigraph (fast) or rdflib.")
def sparql(query, graph, binds, output_format, engine) -> None:
    """Run a SPARQL QUERY (text, or a .rq file) on the RDF of a build.

    The usual prefixes (kg:, rdf:, rdfs:, owl:, xsd:, skos:, skosxl:, dcterms:,
    prov:, foaf:, bibo:, void:) are predeclared. Example, with a canned query:

    \b
        kgraph sparql examples/queries/methods-for-task.rq \\
            -b "task_name=camera pose estimation"
    """
    from ..rdf.sparql import read_query
    from ..rdf.sparql import sparql as run_sparql

    try:
        result = run_sparql(read_query(query), graph, bindings=_bindings(binds), engine=engine)
    except KGraphError as exc:
        _fail(str(exc))
    _print_result(result, output_format)


@cli.command()
@click.argument("graph", default="output", type=click.Path(path_type=Path))
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="SHACL shapes (Turtle) to validate with; default: the shapes bundled with kgraph.")
@click.option("--max-shown", default=20, show_default=True, help="Print at most this many violations.")
def validate(graph, shapes, max_shown) -> None:
    """Validate the RDF of a build (GRAPH: directory or RDF file; default: output/) with SHACL.

    Prints the violations and exits with status 1 if the graph does not conform.
    """
    from ..rdf.shacl import validate as run_validate

    try:
        report = run_validate(graph, shapes=shapes)
    except KGraphError as exc:
        _fail(str(exc))
    if report.conforms:
        click.echo(f"{graph}: conforms to the kgraph shapes ({report.triples} triples)")
        return
    for violation in report.violations[:max_shown]:
        click.echo(str(violation))
    if len(report.violations) > max_shown:
        click.echo(f"... {len(report.violations) - max_shown} more")
    _fail(f"{graph} does not conform to the shapes: {len(report.violations)} violation"
          f"{'s' if len(report.violations) != 1 else ''}")


@cli.group()
def store() -> None:
    """A persistent pyoxigraph store for large graphs: load a build into it, query it."""


@store.command("load")
@click.argument("graph", default="output", type=click.Path(path_type=Path))
@click.option("-s", "--store", "store_path", required=True, type=click.Path(path_type=Path),
              help="Directory of the on-disk store (created, or replaced if it is a store).")
@click.option("--append", is_flag=True, help="Add to the store's triples instead of replacing them.")
def store_load(graph, store_path, append) -> None:
    """Load the RDF of a build (GRAPH: directory or RDF file; default: output/) into a store."""
    from ..rdf.store import load_store

    try:
        size = load_store(graph, store_path, append=append)
    except KGraphError as exc:
        _fail(str(exc))
    click.echo(f"{store_path}: {size} triples")


@store.command("query")
@click.argument("query")
@click.option("-s", "--store", "store_path", required=True, type=click.Path(path_type=Path),
              help="Directory of the store made by `kgraph store load`.")
@click.option("-b", "--bind", "binds", multiple=True, metavar="NAME=VALUE", help=_BIND_HELP)
@click.option("-f", "--format", "output_format", type=_OUTPUT, default="table", show_default=True,
              help="Print a table, or SPARQL 1.1 CSV or JSON results.")
def store_query(query, store_path, binds, output_format) -> None:
    """Run a SPARQL QUERY (text, or a .rq file) on a store, as `kgraph sparql` does on a build."""
    from ..rdf.sparql import read_query
    from ..rdf.store import query_store

    try:
        result = query_store(store_path, read_query(query), bindings=_bindings(binds))
    except KGraphError as exc:
        _fail(str(exc))
    _print_result(result, output_format)
