"""What every command shares: the one error boundary, output that ``--quiet`` silences, the progress bar,
and the ``--graph/-g`` and ``--format/-f`` options.

Errors are never caught in a command: a :class:`~kgraph.errors.KGraphError`
or an :class:`OSError` raised anywhere under a command reaches
:func:`errors_as_lines`, which the ``kgraph`` group wraps around every command
(:class:`kgraph.cli.KGraphGroup`), and becomes one ``Error: ...`` line and exit
code 1.
"""

from __future__ import annotations

import errno
import functools
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from ..errors import ConfigError, KGraphError, KGraphWarning, Terminated

if TYPE_CHECKING:
    import networkx as nx

# what a command that prints a table prints: the table, JSON or CSV
FORMATS = ("table", "json", "csv")
# where `kgraph build` writes, and where every command that reads a build looks by default
DEFAULT_GRAPH = Path("output")


# --------------------------------------------------------------------------- printing


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


# A spreadsheet runs a cell that starts with one of these as a formula
# (OWASP "CSV injection"); corpus text can start with any of them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A text cell a spreadsheet shows as text: a leading ``'`` before a formula character.

    >>> print(csv_cell("=SUM(A1)"), csv_cell("-1"), csv_cell(-1), csv_cell("plain"))
    '=SUM(A1) '-1 -1 plain
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def is_quiet() -> bool:
    """Whether ``kgraph --quiet`` was given."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("quiet"))


def info(message: str, *, err: bool = False) -> None:
    """An info line (a summary, where a file went, what a server does): printed unless ``--quiet``."""
    if not is_quiet():
        click.echo(printable(message), err=err)


def warn(message: str) -> None:
    """One ``warning: ...`` line on standard error (``--quiet`` keeps warnings)."""
    click.echo(f"warning: {printable(message)}", err=True)


def fail(message: str) -> NoReturn:
    """End the command: one ``Error: ...`` line on standard error, exit code 1."""
    click.echo(f"Error: {printable(message)}", err=True)
    sys.exit(1)


# --------------------------------------------------------------------------- the error boundary


@contextmanager
def errors_as_lines() -> Iterator[None]:
    """Run a command: any kgraph or file error ends it with one line, Ctrl-C with exit 130.

    SIGTERM (``kill``, a job scheduler, a container stopping) is handled as
    Ctrl-C is: the work unwinds (worker processes killed, staged outputs
    removed, previous outputs left whole), ``Error: terminated``, exit code
    143. Warnings (:class:`~kgraph.errors.KGraphWarning`) are printed as
    ``warning: ...`` lines as they come. A progress bar opened with ``with``
    is closed before the error line is written.
    """
    with warnings.catch_warnings(), _sigterm_raises():
        warnings.simplefilter("always", KGraphWarning)
        warnings.showwarning = _show_warning
        try:
            yield
        except KGraphError as exc:
            fail(str(exc))
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader of the output went away (`| head`): click ends quietly
                raise
            fail(f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc.strerror or exc))
        except Terminated:
            _interrupted("terminated", 128 + signal.SIGTERM)
        except KeyboardInterrupt:
            _interrupted()


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


def _interrupted(what: str = "interrupted", code: int = 130) -> NoReturn:
    # Ctrl-C or SIGTERM: no traceback. A build's outputs are renamed into place only once
    # all are written (kgraph.run.write_outputs), so the previous ones stay whole.
    click.echo(f"Error: {what}", err=True)
    sys.exit(code)


# --------------------------------------------------------------------------- progress


class Progress:
    """A tqdm bar on standard error when ``enabled`` (and not ``--quiet``), nothing otherwise.

    Used as a context manager, so that it is closed however the command ends.
    ``total`` may be set later (:meth:`set_total`): the bar then shows the
    share done and the time left.
    """

    def __init__(self, enabled: bool, desc: str, *, unit: str = " papers"):
        self.bar = None
        if enabled and not is_quiet():
            from tqdm import tqdm

            self.bar = tqdm(desc=desc, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def shown(self) -> bool:
        return self.bar is not None

    @property
    def complete(self) -> bool:
        """Whether the bar has a total and has reached it."""
        return self.bar is not None and bool(self.bar.total) and self.bar.n >= self.bar.total

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def set_total(self, total: int) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.refresh()

    def describe(self, desc: str) -> None:
        if self.bar is not None:
            self.bar.set_description(desc)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


# --------------------------------------------------------------------------- shared options


def format_option(function: Callable) -> Callable:
    """``-f/--format table|json|csv``, as ``fmt``: every command that prints a table has it."""
    return click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="Print a table, JSON or CSV.")(function)


def graph_input(help: str, *, metavar: str = "GRAPH") -> Callable[[Callable], Callable]:
    """The build a command reads, as ``graph``: ``-g/--graph PATH``, or the same as an optional argument.

    Every command that reads a built graph takes ``--graph``/``-g``; those that
    took the folder as their first argument still do. Default: ``output``.
    """
    path = click.Path(path_type=Path)

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def command(*args, graph_argument: Path | None = None, graph: Path | None = None, **kwargs):
            if graph_argument is not None and graph is not None and graph_argument != graph:
                raise click.UsageError(f"two graphs given, {graph_argument} and --graph {graph}: give one")
            return function(*args, graph=graph or graph_argument or DEFAULT_GRAPH, **kwargs)

        command = click.option("-g", "--graph", "graph", type=path, default=None,
                               help=f"{help}  [default: {DEFAULT_GRAPH}]")(command)
        return click.argument("graph_argument", metavar=f"[{metavar}]", required=False, type=path)(command)

    return decorate


def graph_json(graph: Path) -> Path:
    """The ``graph.json`` of a build folder (or the file itself); :class:`ConfigError` if there is none."""
    path = graph / "graph.json" if graph.is_dir() else graph
    if not path.exists():
        raise ConfigError(f"{path}: no graph here; run `kgraph build -o {graph}` first")
    return path


def read_built_graph(graph: Path) -> nx.MultiDiGraph:
    """The graph of a build folder (or of a graph.json file)."""
    from ..export.json import read_graph_json

    return read_graph_json(graph_json(graph))
