"""One exception hierarchy for everything kgraph raises on purpose.

The command line turns each :class:`KGraphError` into a one-line ``Error: ...``
and exit code 1 (:func:`kgraph.cli.common.errors_as_lines`); the web app into an HTTP
status. Each class says what went wrong, the message names the bad value.

::

    KGraphError
    ├── ConfigError            an invalid option or value
    ├── CorpusFormatError      input that cannot be read (file and line)
    ├── PipelineError          the extraction pipeline or one of its models
    ├── CacheError             the extraction cache
    ├── ExportError            an output that cannot be written
    ├── EntityNotFound         a name that matches no node (with the closest names)
    ├── NoPath                 two entities no chain of relations connects
    ├── QueryError             a SPARQL query that cannot be run
    ├── NotFound               kgraph serve: a node, name or page that is not there
    ├── RequestTooLarge        kgraph serve: a request body over the limit
    ├── QueryRefused           kgraph serve: an update, or no store to query
    ├── QueryTimeout           kgraph serve: a query stopped at its time limit
    ├── WorkerStopped          kgraph serve: a query's worker process ended
    └── Busy                   kgraph serve: every worker stayed busy
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class KGraphError(Exception):
    """Base class: the CLI turns these into a one-line ``Error: ...``."""


class ConfigError(KGraphError):
    """An invalid option or combination of options."""


class CorpusFormatError(KGraphError):
    """Input that cannot be read; names the file and line."""

    def __init__(self, path: str, line: int | None, reason: str):
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):  # so that it crosses a process boundary (pickle) intact
        return type(self), (self.path, self.line, self.reason)


class PipelineError(KGraphError):
    """The extraction pipeline, or a model of it, could not be loaded or run."""


class CacheError(KGraphError):
    """The extraction cache cannot be opened or written."""


class ExportError(KGraphError):
    """An output could not be written."""


class EntityNotFound(KGraphError):
    """A name that matches no node; ``suggestions`` holds the closest ones.

    Each suggestion is a :class:`kgraph.graph.lookup.Suggestion` (``name``, ``node``, ``score``).

    >>> raise EntityNotFound("Fsat3R", type="method")
    Traceback (most recent call last):
    ...
    kgraph.errors.EntityNotFound: no method named 'Fsat3R'
    """

    def __init__(self, name: str, suggestions: Iterable[Any] = (), *, type: str | None = None):
        self.name = name
        self.suggestions = tuple(suggestions)
        self.type = type
        message = f"no {type or 'entity'} named {name!r}"
        if self.suggestions:
            message += "; closest: " + ", ".join(f"{sug.name} ({sug.node.type})" for sug in self.suggestions)
        super().__init__(message)


class NoPath(KGraphError):
    """Two entities that no chain of relations connects."""


class QueryError(KGraphError):
    """A SPARQL query that cannot be run: bad syntax, an unknown variable, a bad value."""


class NotFound(KGraphError):
    """A node, name or page of ``kgraph serve`` that is not there; ``suggestions`` holds close names as node dicts."""

    def __init__(self, message: str, suggestions: Iterable[dict[str, Any]] = ()):
        super().__init__(message)
        self.suggestions = list(suggestions)


class RequestTooLarge(KGraphError):
    """A request to ``kgraph serve`` whose body is larger than the server reads."""


class QueryRefused(KGraphError):
    """A request the SPARQL endpoint does not run: an update, or no store to query."""


class QueryTimeout(KGraphError):
    """A SPARQL query stopped at its time limit."""


class WorkerStopped(KGraphError):
    """A SPARQL query's worker process ended before it answered (killed, out of memory)."""


class Busy(KGraphError):
    """Every SPARQL worker stayed busy for as long as a query may run."""


class KGraphWarning(UserWarning):
    """Something went wrong and was repaired, or a setting was lowered; the run goes on.

    Issued with :func:`warnings.warn`; the CLI prints each as one ``warning: ...`` line.
    """


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): unwinds like Ctrl-C, so every cleanup on the way runs.

    Raised by the CLI's SIGTERM handler in the main thread. A subclass of
    :class:`KeyboardInterrupt`, so that no ``except Exception`` swallows it.
    """
