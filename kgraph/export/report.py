"""``report.json``: what a build read, made and met (:func:`kgraph.run.make_report`), as JSON."""

from __future__ import annotations

import json
import os

from .atomic import atomic_write_text


def dumps_report(report: dict) -> str:
    """The report as JSON text, indented by two, UTF-8 characters kept, one trailing newline.

    >>> print(dumps_report({"papers": {"read": 2}}), end="")
    {
      "papers": {
        "read": 2
      }
    }
    """
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def write_report(report: dict, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_report` to ``path`` atomically."""
    atomic_write_text(path, dumps_report(report))
