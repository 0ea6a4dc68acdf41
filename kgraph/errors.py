"""One exception hierarchy for everything kgraph raises on purpose."""

from __future__ import annotations


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


class PipelineError(KGraphError):
    """The extraction pipeline could not be loaded or run."""


class ExportError(KGraphError):
    """An output could not be written."""


class KGraphWarning(UserWarning):
    """Something went wrong and was repaired, or a setting was lowered; the run goes on.

    Issued with :func:`warnings.warn`; the CLI prints each as one ``warning: ...`` line.
    """


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): unwinds like Ctrl-C, so every cleanup on the way runs.

    Raised by the CLI's SIGTERM handler in the main thread. A subclass of
    :class:`KeyboardInterrupt`, so that no ``except Exception`` swallows it.
    """
