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
