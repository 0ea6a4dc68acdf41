"""Canned SPARQL queries (``examples/queries/*.rq``): what their comment header says they need.

A canned query opens with a comment: a title line, then ``# Bind:`` naming
the variables that must be given a value (``kgraph sparql -b NAME=VALUE``),
and ``# Bind (optional):`` those that may be. Run without a value for a
variable it needs, a canned query finds nothing, so ``kgraph sparql`` and
``kgraph store query`` refuse to run it (:func:`missing_bindings`).

>>> text = '''# Methods for a task.
... #
... # Bind:    task_name   a label, alias or identifier of the task (any case)
... # Columns: method, label
... SELECT ?method ?label WHERE { ?task kg:name ?task_name }'''
>>> required_bindings(text)
('task_name',)
>>> missing_bindings(text, {}), missing_bindings(text, {"task_name": "parsing"})
(('task_name',), ())
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["header_comments", "missing_bindings", "required_bindings"]


def header_comments(text: str) -> list[str]:
    """The lines of the comment a query opens with, without their ``#``."""
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("#").strip())
    return comments


def required_bindings(text: str) -> tuple[str, ...]:
    """The variables a query's ``# Bind:`` header names (and its text uses), in order; optional ones left out."""
    variables: list[str] = []
    in_bind = False
    for line in header_comments(text):
        if line.startswith("Bind:"):
            in_bind, line = True, line[len("Bind:"):].strip()
        elif line.endswith(":") or ":" in line.split(" ", 1)[0]:
            in_bind = False
        if in_bind and line:
            name = line.split()[0]
            if name.isidentifier() and f"?{name}" in text and name not in variables:
                variables.append(name)
    return tuple(variables)


def missing_bindings(text: str, bound: Iterable[str]) -> tuple[str, ...]:
    """The variables :func:`required_bindings` names that ``bound`` has no value for."""
    given = set(bound)
    return tuple(name for name in required_bindings(text) if name not in given)
