"""kgraph: knowledge graphs of methods, tasks and datasets from scientific abstracts.

>>> import kgraph                                   # doctest: +SKIP
>>> result = kgraph.build(["data/"], "output/")     # doctest: +SKIP
>>> nlp = kgraph.load_pipeline()                    # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = ["BuildResult", "Config", "KGraphError", "build", "extract", "load_pipeline", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .errors import KGraphError
    from .nlp.pipeline import load_pipeline
    from .run import BuildResult, build, extract

_LAZY = {
    "Config": ("kgraph.config", "Config"),
    "KGraphError": ("kgraph.errors", "KGraphError"),
    "load_pipeline": ("kgraph.nlp.pipeline", "load_pipeline"),
    "build": ("kgraph.run", "build"),
    "extract": ("kgraph.run", "extract"),
    "BuildResult": ("kgraph.run", "BuildResult"),
}


def __getattr__(name: str) -> Any:
    # spaCy takes a second to import: load it only when the API is used.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'kgraph' has no attribute {name!r}")
