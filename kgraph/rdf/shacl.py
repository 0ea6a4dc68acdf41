"""SHACL validation of a kgraph RDF graph against the bundled shapes, with pyshacl.

``kgraph/resources/shapes.ttl`` says what a kgraph graph must look like:
closed shapes for papers, entities, labels, statements and evidence; relation
domains and ranges; and SPARQL constraints that tie the parts together (every
relation has its statement, a statement's support is the number of papers
its evidence comes from, an evidence sentence is the text between its
offsets, an IRI is minted from its identifier).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rdflib import RDF, Graph
from rdflib.namespace import SH, VOID

from ..errors import ConfigError, CorpusFormatError
from .io import read_rdf


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the node, the property path, the value and what is wrong."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str = "Violation"
    shape: str | None = None

    def __str__(self) -> str:
        where = self.focus + (f" {self.path}" if self.path else "")
        value = f" (value {self.value})" if self.value is not None else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`: conforms or not, and every result, sorted."""

    conforms: bool
    violations: tuple[Violation, ...]
    triples: int
    source: str


def load_shapes(path: str | os.PathLike[str] | None = None) -> Graph:
    """The shapes graph: ``path``, or the shapes bundled with kgraph."""
    graph = Graph()
    try:
        if path is None:
            text = resources.files("kgraph").joinpath("resources/shapes.ttl").read_text(encoding="utf-8")
            graph.parse(data=text, format="turtle")
        else:
            graph.parse(Path(path), format="turtle")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such shapes file") from None
    except Exception as exc:  # rdflib parser errors
        raise CorpusFormatError(str(path or "shapes.ttl"), None, f"not valid Turtle: {exc}") from exc
    return graph


def validate(
    graph: Graph | str | os.PathLike[str] = "output", *, shapes: Graph | str | os.PathLike[str] | None = None
) -> ValidationReport:
    """Validate ``graph`` (build directory, RDF file or rdflib Graph) against ``shapes``.

    No inference is run: the graph must state what the shapes ask for.
    """
    import pyshacl

    source = "<rdf graph>" if isinstance(graph, Graph) else str(graph)
    data = graph if isinstance(graph, Graph) else read_rdf(graph)
    shapes_graph = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference="none", abort_on_first=False, allow_warnings=False,
        advanced=False, inplace=not isinstance(graph, Graph),  # no copy of a graph parsed here
    )
    if not isinstance(results, Graph):  # pyshacl reports a broken shapes graph this way
        raise ConfigError(f"the shapes cannot be used: {results}")
    violations = list(_violations(results))
    if not any(data.triples((None, VOID.uriSpace, None))):
        # The checks across nodes hang on the graph's description; without it they cannot run.
        violations.append(Violation(source, str(VOID.uriSpace), None,
                                    "the graph has no void:Dataset with a void:uriSpace (its base IRI), "
                                    "so the checks across nodes could not run"))
        conforms = False
    return ValidationReport(bool(conforms), tuple(violations), len(data), source)


def _violations(results: Graph) -> tuple[Violation, ...]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        found.append(Violation(
            focus=_text(results.value(result, SH.focusNode)) or "",
            path=_text(results.value(result, SH.resultPath)),
            value=_text(results.value(result, SH.value)),
            message=_text(results.value(result, SH.resultMessage)) or "constraint not met",
            severity=(_text(results.value(result, SH.resultSeverity)) or str(SH.Violation)).rpartition("#")[2],
            shape=_text(results.value(result, SH.sourceShape)),
        ))
    return tuple(sorted(found, key=lambda v: tuple(x or "" for x in (v.focus, v.path, v.value, v.message))))


def _text(term) -> str | None:
    return None if term is None else str(term)
