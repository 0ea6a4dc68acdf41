"""Command line: parse, call the library, print. The only place that exits.

Built on click (parsing, help, errors) and tqdm (progress bars). Each module of
this package holds a group of commands and registers them on :data:`cli`.
"""

from __future__ import annotations

import sys

import click

from .. import __version__


class Progress:
    """A tqdm bar on a terminal, nothing otherwise."""

    def __init__(self, enabled: bool, desc: str):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(desc=desc, unit=" papers", file=sys.stderr, leave=False)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgraph")
def cli() -> None:
    """Build knowledge graphs of methods, tasks and datasets from paper abstracts."""



def main() -> None:
    cli(prog_name="kgraph")


# command modules register themselves on `cli` when imported
from . import build  # noqa: E402,F401
from . import query  # noqa: E402,F401
from . import ner_eval  # noqa: E402,F401
from . import eval  # noqa: E402,F401
from . import rdf  # noqa: E402,F401
from . import html  # noqa: E402,F401
