"""Command line: parse, call the library, print. The only place that exits.

Built on click (parsing, help, errors) and tqdm (progress bars). Each module of
this package holds a group of commands and registers them on :data:`cli`;
:mod:`kgraph.cli.common` holds what they share. Every command runs inside one
error boundary (:func:`~kgraph.cli.common.errors_as_lines`): a kgraph error
becomes one ``Error: ...`` line and exit code 1.
"""

from __future__ import annotations

import click

from .._version import __version__
from .common import errors_as_lines, fail, printable, warn

__all__ = ["KGraphGroup", "cli", "fail", "main", "printable", "warn"]


class KGraphGroup(click.Group):
    """The ``kgraph`` group: every command under it, however nested, runs inside :func:`errors_as_lines`."""

    def invoke(self, ctx: click.Context):
        with errors_as_lines():
            return super().invoke(ctx)


@click.group(cls=KGraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgraph")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress bar and no info lines (summaries, where files went); "
                   "answers, warnings and errors are still printed.")
def cli(quiet: bool) -> None:
    """Build knowledge graphs of methods, tasks and datasets from paper abstracts.

    Every command that reads a built graph takes it as --graph/-g (default:
    output/); every command that prints a table takes -f/--format table|json|csv.
    """


def main() -> None:
    cli(prog_name="kgraph")


# command modules register themselves on `cli` when imported
from . import build  # noqa: E402,F401
from . import query  # noqa: E402,F401
from . import eval  # noqa: E402,F401
from . import rdf  # noqa: E402,F401
from . import html  # noqa: E402,F401
from . import serve  # noqa: E402,F401
