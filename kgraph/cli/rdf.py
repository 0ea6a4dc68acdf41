"""`kgraph sparql`, `kgraph validate` and `kgraph store load|query`: the RDF of a build."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ConfigError
from . import cli
from .common import fail, graph_input, info

_OUTPUT = click.Choice(("table", "csv", "json"))
_ENGINE = click.Choice(("oxigraph", "rdflib"))
_BIND_HELP = ("Bind a query variable: NAME=VALUE binds a string literal, NAME=<IRI> an IRI. "
              "Repeatable. Values are bound as RDF terms, never pasted into the query.")


def _query_and_bindings(query: str, pairs) -> tuple[str, dict]:
    """The query text (QUERY itself, or the .rq file it names) and the ``-b NAME=VALUE`` bindings.

    A canned query run without a value for a variable its ``# Bind:`` header
    needs would find nothing: that is an error naming the variable.
    """
    from ..rdf.canned import missing_bindings
    from ..rdf.sparql import parse_binding, read_query

    text = read_query(query)
    bindings = dict(parse_binding(pair) for pair in pairs)
    missing = missing_bindings(text, bindings)
    if missing:
        where = query if text is not query else "the query"
        raise ConfigError(f"{where} needs a value for {', '.join('?' + name for name in missing)}: give "
                          + " ".join(f"-b {name}=VALUE" for name in missing))
    return text, bindings


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
    from ..rdf.sparql import sparql as run_sparql

    text, bindings = _query_and_bindings(query, binds)
    _print_result(run_sparql(text, graph, bindings=bindings, engine=engine), output_format)


@cli.command()
@graph_input("Build directory or RDF file to validate.")
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="SHACL shapes (Turtle) to validate with; default: the shapes bundled with kgraph.")
@click.option("--max-shown", default=20, show_default=True, help="Print at most this many violations.")
def validate(graph, shapes, max_shown) -> None:
    """Validate the RDF of a build (GRAPH or --graph/-g: directory or RDF file; default: output/) with SHACL.

    Prints the violations and exits with status 1 if the graph does not conform.
    """
    from ..rdf.shacl import validate as run_validate

    report = run_validate(graph, shapes=shapes)
    if report.conforms:
        click.echo(f"{graph}: conforms to the kgraph shapes ({report.triples} triples)")
        return
    for violation in report.violations[:max_shown]:
        click.echo(str(violation))
    if len(report.violations) > max_shown:
        click.echo(f"... {len(report.violations) - max_shown} more")
    fail(f"{graph} does not conform to the shapes: {len(report.violations)} violation"
          f"{'s' if len(report.violations) != 1 else ''}")


@cli.group()
def store() -> None:
    """A persistent pyoxigraph store for large graphs: load a build into it, query it."""


@store.command("load")
@graph_input("Build directory or RDF file to load.")
@click.option("-s", "--store", "store_path", required=True, type=click.Path(path_type=Path),
              help="Directory of the on-disk store (created, or replaced if it is a store).")
@click.option("--append", is_flag=True, help="Add to the store's triples instead of replacing them.")
def store_load(graph, store_path, append) -> None:
    """Load the RDF of a build (GRAPH or --graph/-g: directory or RDF file; default: output/) into a store."""
    from ..rdf.store import load_store

    size = load_store(graph, store_path, append=append)
    info(f"{store_path}: {size} triples")


@store.command("query")
@click.argument("query")
@click.option("-s", "--store", "store_path", required=True, type=click.Path(path_type=Path),
              help="Directory of the store made by `kgraph store load`.")
@click.option("-b", "--bind", "binds", multiple=True, metavar="NAME=VALUE", help=_BIND_HELP)
@click.option("-f", "--format", "output_format", type=_OUTPUT, default="table", show_default=True,
              help="Print a table, or SPARQL 1.1 CSV or JSON results.")
def store_query(query, store_path, binds, output_format) -> None:
    """Run a SPARQL QUERY (text, or a .rq file) on a store, as `kgraph sparql` does on a build."""
    from ..rdf.store import query_store

    text, bindings = _query_and_bindings(query, binds)
    _print_result(query_store(store_path, text, bindings=bindings), output_format)
