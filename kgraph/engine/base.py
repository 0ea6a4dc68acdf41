"""What an engine is: it takes chunks of papers and gives back their extractions, in order.

:class:`Engine` is the interface the driver (:mod:`.driver`) relies on;
:class:`EngineBase` is the context-manager glue the engines share.
"""

from __future__ import annotations

from typing import Protocol

from ..model import Paper, PaperExtraction

__all__ = ["ChunkFuture", "Engine", "EngineBase"]


class ChunkFuture(Protocol):
    def result(self) -> list[PaperExtraction] | tuple[list[PaperExtraction], list[bytes]]: ...


class Engine(Protocol):
    """Runs extraction of chunks of papers somewhere.

    A future's result is the chunk's extractions, or the extractions and
    their cache entries (encoded where they were made, off the driver).
    """

    name: str
    workers: int  # how many chunks it works on at once

    def submit(self, papers: list[Paper]) -> ChunkFuture: ...

    def close(self) -> None: ...


class EngineBase:
    """Context-manager glue shared by the engines: closed when the block ends, aborted when it raises."""

    name = "engine"
    workers = 1

    def close(self) -> None:
        pass

    def abort(self) -> None:
        """Stop at once, leaving work unfinished (an error, Ctrl-C or SIGTERM ends the block)."""
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
