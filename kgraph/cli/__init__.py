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


def printable(text: str) -> str:
    r"""``text`` as a terminal may show it: characters it would act on written as escapes.

    Control characters (an escape sequence in a file name could recolour or
    clear the terminal, a line break would split a one-line message), format
    characters such as right-to-left overrides, and the bytes of a file name
    that are not UTF-8 (which Python gives as lone surrogates) become ``\n``,
    ``\x1b``, ``\u202e``, ``\xff``; other Unicode is kept.

    >>> printable("a\x1b[31mb\nc\u202e.jsonl é\udcff")
    'a\\x1b[31mb\\nc\\u202e.jsonl é\\xff'
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8, as Python decodes it
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def warn(message: str) -> None:
    """One ``warning: ...`` line on standard error."""
    click.echo(f"warning: {printable(message)}", err=True)


def fail(message: str) -> None:
    click.echo(f"Error: {printable(message)}", err=True)
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
from . import serve  # noqa: E402,F401
