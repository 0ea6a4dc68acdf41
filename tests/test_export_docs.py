"""kgraph.export: every public function is documented, and the examples run."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

import kgraph.export

MODULES = [
    "kgraph.export",
    "kgraph.export.atomic",
    "kgraph.export.csv",
    "kgraph.export.gexf",
    "kgraph.export.graphml",
    "kgraph.export.html",
    "kgraph.export.json",
    "kgraph.export.ordering",
    "kgraph.export.outputs",
    "kgraph.export.rdf",
    "kgraph.export.rdf_syntax",
    "kgraph.export.rdf_triples",
    "kgraph.export.report",
    "kgraph.export.splice",
]


@pytest.mark.parametrize("name", MODULES)
def test_export_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


@pytest.mark.parametrize("name", kgraph.export.__all__)
def test_export_public_names_are_documented(name):
    value = getattr(kgraph.export, name)
    assert inspect.getdoc(value), f"kgraph.export.{name} has no docstring"


def test_export_functions_come_in_dumps_write_pairs():
    names = set(kgraph.export.__all__)
    for name in names:
        if name.startswith("dumps_"):
            assert "write_" + name[len("dumps_"):] in names
