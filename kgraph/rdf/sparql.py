"""SPARQL over the RDF a build wrote, with pyoxigraph (default) or rdflib.

:func:`sparql` runs a query on a build directory, an RDF file, an
:class:`rdflib.Graph` or a :class:`pyoxigraph.Store`, and returns a
:class:`QueryResult` whose rows hold rdflib terms, the same whichever engine
ran it. Values for the query's variables are passed as ``bindings`` and bound
as RDF terms, never pasted into the query as text that could change it:
rdflib gets them as ``initBindings``; pyoxigraph as ``substitutions`` where the
variable is projected, otherwise as the term's own escaped N-Triples syntax
written in place of the variable (outside strings, IRIs and comments).

A query runs on the local graph only: one with a ``SERVICE`` clause (a
federated query, which both engines would answer by sending HTTP requests to
the IRI it names) is refused with :class:`QueryError` before it runs.

The usual prefixes (``kg:``, ``rdf:``, ``rdfs:``, ``owl:``, ``xsd:``,
``skos:``, ``skosxl:``, ``dcterms:``, ``prov:``, ``foaf:``, ``bibo:``,
``cito:``, ``schema:``, ``void:``) are predeclared.

>>> import networkx as nx
>>> from rdflib import Graph
>>> from kgraph.export.rdf import dumps_rdf
>>> G = nx.MultiDiGraph()
>>> G.add_node("task:qa", type="task", label="question answering")
>>> rdf = Graph().parse(data=dumps_rdf(G, format="nt"), format="nt")
>>> result = sparql("SELECT ?task WHERE { ?task skos:prefLabel ?name }", rdf,
...                 bindings={"name": "question answering"})
>>> [str(row[0]) for row in result]
['https://w3id.org/kgraph/task/qa']
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any

from rdflib import OWL, RDFS, XSD, BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import VOID
from rdflib.term import Node

from ..errors import ConfigError, KGraphError, QueryError
from .vocab import NODE_CLASSES, PREFIXES

ENGINES = ("oxigraph", "rdflib")
OUTPUT_FORMATS = ("table", "csv", "tsv", "json")
QUERY_PREFIXES: dict[str, str] = {**PREFIXES, "rdfs": str(RDFS), "owl": str(OWL)}

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Characters of a prefixed name besides letters and digits (a ':' before a word in one: the word is in its local part).
_NAME_CHARS = frozenset("_.:%\\-\u00b7")
# What a SPARQL query may hold around a variable: strings, IRIs and comments are kept whole.
_TOKENS = re.compile(
    r"""
    (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n\r]*)
    | (?P<variable>[?$][A-Za-z0-9_\u00b7\u00c0-\ufffd]+)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<other>\s+|.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryResult:
    """What a query returned: rows of rdflib terms (``None`` where unbound).

    ``kind`` is ``"select"``, ``"ask"`` (then ``boolean`` holds the answer and
    there are no rows) or ``"graph"`` (CONSTRUCT and DESCRIBE: one row per
    triple, with variables ``subject``, ``predicate``, ``object``, sorted).
    ``truncated`` is true when a row limit left rows out.
    """

    variables: tuple[str, ...]
    rows: tuple[tuple[Node | None, ...], ...]
    kind: str = "select"
    boolean: bool | None = None
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(QUERY_PREFIXES), compare=False)
    truncated: bool = False

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def as_dicts(self) -> list[dict[str, Any]]:
        """Rows as ``{variable: Python value}``: IRIs as ``str``, literals as their Python value.

        >>> QueryResult(("n",), ((Literal(3),),)).as_dicts()
        [{'n': 3}]
        """
        return [{var: _python(value) for var, value in zip(self.variables, row)} for row in self.rows]

    def column(self, variable: str) -> list[Any]:
        """The Python values of one variable, row by row."""
        try:
            index = self.variables.index(variable)
        except ValueError:
            raise QueryError(f"no variable {variable!r} in the result; it has {', '.join(self.variables)}") from None
        return [_python(row[index]) for row in self.rows]

    def to_csv(self) -> str:
        """SPARQL 1.1 Query Results CSV (ASK: one ``boolean`` column)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if self.kind == "ask":
            writer.writerows([["boolean"], ["true" if self.boolean else "false"]])
            return out.getvalue()
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if v is None else (f"_:{v}" if isinstance(v, BNode) else str(v)) for v in row])
        return out.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 Query Results TSV: ``?var`` headers, terms in their N-Triples syntax (ASK: ``boolean``).

        >>> QueryResult(("a", "b"), ((URIRef("http://x/1"), Literal("tab\\there")),)).to_tsv().splitlines()
        ['?a\\t?b', '<http://x/1>\\t"tab\\\\there"']
        """
        if self.kind == "ask":
            return "boolean\n" + ("true" if self.boolean else "false") + "\n"
        lines = ["\t".join("?" + var for var in self.variables)]
        lines += ["\t".join("" if v is None else ntriples_term(v) for v in row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        if self.kind == "ask":
            data: dict[str, Any] = {"head": {}, "boolean": bool(self.boolean)}
        else:
            data = {
                "head": {"vars": list(self.variables)},
                "results": {"bindings": [
                    {var: _json_term(value) for var, value in zip(self.variables, row) if value is not None}
                    for row in self.rows
                ]},
            }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def to_table(self, *, max_width: int = 60) -> str:
        """An aligned text table; IRIs shortened with the known prefixes, long values cut."""
        if self.kind == "ask":
            return ("true" if self.boolean else "false") + "\n"
        cells = [[self._short(v, max_width) for v in row] for row in self.rows]
        widths = [max([len(var)] + [len(row[i]) for row in cells]) for i, var in enumerate(self.variables)]
        lines = ["  ".join(var.ljust(w) for var, w in zip(self.variables, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(lines) + "\n"

    def format(self, output_format: str) -> str:
        """The result as ``table``, ``csv``, ``tsv`` or ``json`` text."""
        if output_format not in OUTPUT_FORMATS:
            raise ConfigError(f"unknown output format {output_format!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
        return {"table": self.to_table, "csv": self.to_csv, "tsv": self.to_tsv, "json": self.to_json}[output_format]()

    def _short(self, value: Node | None, max_width: int) -> str:
        if value is None:
            text = ""
        elif isinstance(value, URIRef):
            text = shorten_iri(str(value), self.prefixes)
        elif isinstance(value, BNode):
            text = f"_:{value}"
        else:
            text = " ".join(str(value).split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"


def shorten_iri(iri: str, prefixes: Mapping[str, str]) -> str:
    """``prefix:local`` for the longest matching namespace, else the IRI itself.

    >>> shorten_iri("https://w3id.org/kgraph/ontology#extends", {"kg": "https://w3id.org/kgraph/ontology#"})
    'kg:extends'
    """
    best = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(namespace) > len(prefixes.get(best, "")):
            best = prefix
    if best:
        local = iri[len(prefixes[best]):]
        if re.fullmatch(r"[A-Za-z0-9_.~%-]*", local):
            return f"{best}:{local}"
    return iri


def sparql(
    query: str,
    graph: Graph | Any | str | os.PathLike[str] = "output",
    *,
    bindings: Mapping[str, Any] | None = None,
    engine: str | None = None,
    limit: int | None = None,
) -> QueryResult:
    """Run ``query`` on ``graph``: a build directory, an RDF file, an rdflib Graph or a pyoxigraph Store.

    ``bindings`` maps variable names (without ``?``) to values: an rdflib term,
    a ``str`` (a plain string literal), an ``int``, ``float`` or ``bool`` (typed
    literals). ``engine`` picks how a file is queried (``"oxigraph"``, the
    default, or ``"rdflib"``); a Graph or Store is queried by its own engine.
    ``limit`` keeps at most that many rows (triples of a CONSTRUCT) and marks
    the result ``truncated`` when there were more; pyoxigraph stops evaluating
    there where the query allows it. Raises :class:`QueryError` for bad syntax
    or an unknown variable.
    """
    if limit is not None and limit < 0:
        raise QueryError(f"the row limit must be 0 or more, not {limit}")
    terms = {name: to_term(value) for name, value in (bindings or {}).items()}
    check_local(query)
    _check_variables(query, terms)
    if engine is not None and engine not in ENGINES:
        raise ConfigError(f"unknown SPARQL engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if not isinstance(graph, Graph) and not _is_oxigraph_store(graph):
        from .io import read_oxigraph, read_rdf

        graph = read_rdf(graph) if (engine or "oxigraph") == "rdflib" else read_oxigraph(graph)
    if isinstance(graph, Graph):
        result = _query_rdflib(graph, query, terms, limit)
        bases = [str(base) for base in graph.objects(None, VOID.uriSpace)]
    else:
        import pyoxigraph as ox

        result = _query_oxigraph(graph, query, terms, limit)
        bases = [q.object.value for q in graph.quads_for_pattern(None, ox.NamedNode(str(VOID.uriSpace)), None)]
    return replace(result, prefixes=display_prefixes(bases))


def display_prefixes(bases: list[str]) -> dict[str, str]:
    """:data:`QUERY_PREFIXES`, plus ``method:``, ``paper:``, ... for a graph with one base IRI."""
    prefixes = dict(QUERY_PREFIXES)
    if len(set(bases)) == 1:
        for collection in (*NODE_CLASSES, "statement", "evidence"):
            prefixes[collection] = f"{bases[0]}{collection}/"
    return prefixes


def read_query(query_or_file: str) -> str:
    """The query text: ``query_or_file`` itself, or the content of the ``.rq``/``.sparql`` file it names."""
    text = query_or_file.strip()
    if text.lower().endswith((".rq", ".sparql")) and "\n" not in text and "{" not in text:
        path = Path(text)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such query file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the query: {exc}") from None
    return query_or_file


def parse_binding(text: str) -> tuple[str, Node]:
    """``NAME=VALUE`` from the command line: ``<IRI>`` binds an IRI, anything else a string literal.

    >>> parse_binding("task_name=camera pose estimation")
    ('task_name', rdflib.term.Literal('camera pose estimation'))
    >>> parse_binding("relation=<https://w3id.org/kgraph/ontology#extends>")[1]
    rdflib.term.URIRef('https://w3id.org/kgraph/ontology#extends')
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _VARIABLE_NAME.fullmatch(name):
        raise ConfigError(f"binding {text!r} is not NAME=VALUE (NAME a SPARQL variable name, without '?')")
    if value.startswith("<") and value.endswith(">"):
        return name, _checked_iri(value[1:-1])
    return name, Literal(value)


def to_term(value: Any) -> Node:
    """A binding value as an rdflib term (``str`` -> plain literal; IRIs must be rdflib URIRefs)."""
    if isinstance(value, URIRef):
        return _checked_iri(str(value))
    if isinstance(value, (Literal, BNode)):
        return value
    if isinstance(value, (str, bool, int, float)):
        return Literal(value)
    raise QueryError(f"cannot bind {value!r}: expected a str, int, float, bool or rdflib term")


def _checked_iri(iri: str) -> URIRef:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*", iri):
        raise QueryError(f"{iri!r} is not a valid absolute IRI")
    return URIRef(iri)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(query: str) -> str:
    """The query with its codepoint escapes (``\\u0053``, ``\\U00000053``) read, as a SPARQL
    engine reads them before anything else (SPARQL 1.1, 19.2); an escape of no character stays.

    >>> unescape_codepoints("\\u0053ERVICE <x> { }")
    'SERVICE <x> { }'
    >>> unescape_codepoints("'\\U0001F600' \\uD800") == "'\U0001F600' \\uD800"
    True
    """
    def read(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _CODEPOINT.sub(read, query)


def check_local(query: str) -> None:
    """Refuse a query with a ``SERVICE`` clause: it would make the engine send HTTP requests.

    rdflib and pyoxigraph both answer ``SERVICE <iri> { ... }`` by querying
    the endpoint at that IRI over the network; kgraph queries only the graph
    it is given. The keyword is found as a token, so a string, an IRI, a
    comment, a variable (``?service``) or the local part of a prefixed name
    (``ex:service``) that holds the word is no clause; a prefix named
    ``service`` is refused too (pyoxigraph reads ``SERVICE:x`` as the clause).

    >>> check_local("SELECT ?service WHERE { ?s <http://x/service> 'SERVICE' }  # SERVICE")
    >>> check_local("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kgraph.errors.QueryError: SERVICE (a federated query) is not allowed: kgraph queries only the local graph, \
and would send requests to <http://example.org/sparql>
    """
    query = unescape_codepoints(query)  # "\\u0053ERVICE" is SERVICE to the engine
    tokens = list(_TOKENS.finditer(query))
    for number, tok in enumerate(tokens):
        if (tok.group("word") or "").upper() != "SERVICE":
            continue
        start = tok.start()
        while start and (query[start - 1].isalnum() or query[start - 1] in _NAME_CHARS):
            start -= 1
        if ":" in query[start:tok.start()]:
            continue  # in the local part of a prefixed name (ex:service, ex:a-service)
        target = next((t.group(0) for t in tokens[number + 1:]
                       if not t.group("other") and not t.group("comment")
                       and (t.group("word") or "").upper() != "SILENT"), "")
        raise QueryError("SERVICE (a federated query) is not allowed: kgraph queries only the local graph, "
                         f"and would send requests to {target or 'another endpoint'}")


def _check_variables(query: str, terms: Mapping[str, Node]) -> None:
    if not terms:
        return
    present = {tok.group("variable")[1:] for tok in _TOKENS.finditer(query) if tok.group("variable")}
    for name in terms:
        if not _VARIABLE_NAME.fullmatch(name):
            raise QueryError(f"{name!r} is not a SPARQL variable name")
        if name not in present:
            listed = ", ".join("?" + v for v in sorted(present)) or "none"
            raise QueryError(f"the query has no variable ?{name} to bind; its variables: {listed}")


def _take(items: Iterable[Any], limit: int | None) -> tuple[list[Any], bool]:
    """At most ``limit`` items (all for ``None``), and whether more were left."""
    iterator = iter(items)
    if limit is None:
        return list(iterator), False
    kept = list(islice(iterator, limit))
    return kept, next(iterator, None) is not None


def _query_rdflib(graph: Graph, query: str, terms: Mapping[str, Node], limit: int | None = None) -> QueryResult:
    try:
        result = graph.query(query, initNs=QUERY_PREFIXES,
                             initBindings={Variable(name): term for name, term in terms.items()})
        kind = result.type
        if kind == "ASK":
            return QueryResult((), (), kind="ask", boolean=bool(result.askAnswer))
        if kind in ("CONSTRUCT", "DESCRIBE"):
            triples, truncated = _take(result.graph, limit)
            return _graph_result(triples, truncated)
        variables = tuple(str(v) for v in result.vars)
        solutions, truncated = _take(result, limit)
        rows = tuple(tuple(_normal(row[i]) for i in range(len(variables))) for row in solutions)
    except KGraphError:
        raise
    except Exception as exc:  # pyparsing and rdflib raise assorted errors for bad queries
        raise QueryError(f"query failed (rdflib): {_first_line(exc)}") from exc
    return QueryResult(variables, rows, truncated=truncated)


def _query_oxigraph(store: Any, query: str, terms: Mapping[str, Node], limit: int | None = None) -> QueryResult:
    import pyoxigraph as ox

    projected = _projected_variables(query)
    native = {ox.Variable(n): _to_oxigraph(t) for n, t in terms.items() if n in projected}
    inline = {n: t for n, t in terms.items() if n not in projected}
    text = _substitute(query, inline) if inline else query
    try:
        result = store.query(text, prefixes=QUERY_PREFIXES, substitutions=native or None)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult((), (), kind="ask", boolean=bool(result))
        if isinstance(result, ox.QueryTriples):
            triples, truncated = _take(result, limit)
            graph = Graph()
            for triple in triples:
                graph.add((_from_oxigraph(triple.subject), _from_oxigraph(triple.predicate),
                           _from_oxigraph(triple.object)))
            return _graph_result(graph, truncated)
        variables = tuple(v.value for v in result.variables)
        solutions, truncated = _take(result, limit)
        rows = tuple(tuple(_from_oxigraph(solution[i]) for i in range(len(variables))) for solution in solutions)
    except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
        raise QueryError(f"query failed (oxigraph): {_first_line(exc)}") from exc
    return QueryResult(variables, rows, truncated=truncated)


def _graph_result(triples: Iterable[tuple[Node, Node, Node]], truncated: bool = False) -> QueryResult:
    rows = sorted(((s, p, o) for s, p, o in triples), key=lambda t: tuple(n.n3() for n in t))
    return QueryResult(("subject", "predicate", "object"), tuple(tuple(_normal(n) for n in t) for t in rows),
                       kind="graph", truncated=truncated)


def _projected_variables(query: str) -> set[str]:
    """The variables a SELECT names in its projection (before WHERE or the first ``{``)."""
    names: set[str] = set()
    inside = False
    for tok in _TOKENS.finditer(query):
        word = (tok.group("word") or "").upper()
        if not inside:
            if word == "SELECT":
                inside = True
            elif word in ("ASK", "CONSTRUCT", "DESCRIBE"):
                return names
            continue
        if word == "WHERE" or tok.group(0) == "{":
            break
        if tok.group("variable"):
            names.add(tok.group("variable")[1:])
    return names


def _substitute(query: str, terms: Mapping[str, Node]) -> str:
    """``query`` with each bound variable replaced by the term's N-Triples syntax.

    Only variable tokens change; strings, IRIs and comments are copied as they
    are. The term is written by pyoxigraph, which escapes it, so a value can
    never end its literal early. ``LCASE(STR(?v))`` of a bound ``?v`` becomes
    the lower-cased string itself (what the engine would compute): pyoxigraph
    does not fold the expression, so a pattern matching it, such as
    ``?task kg:lookup_key ?key`` after ``BIND (LCASE(STR(?name)) AS ?key)``,
    would scan every key instead of looking one up.

    >>> _substitute('BIND (LCASE(STR( ?name )) AS ?k) ?x ?p ?name', {"name": Literal("Ab")})
    'BIND ( "ab"  AS ?k) ?x ?p  "Ab" '
    """
    import pyoxigraph as ox

    written = {name: str(_to_oxigraph(term)) for name, term in terms.items()}
    lowered = {name: str(ox.Literal(str(term).lower())) for name, term in terms.items()}
    tokens = list(_TOKENS.finditer(query))
    parts = []
    i = 0
    while i < len(tokens):
        folded = _lcase_str(tokens, i, lowered)
        if folded is not None:
            text, i = folded
            parts.append(" " + text + " ")
            continue
        tok = tokens[i]
        variable = tok.group("variable")
        if variable and variable[1:] in written:
            parts.append(" " + written[variable[1:]] + " ")
        else:
            parts.append(tok.group(0))
        i += 1
    return "".join(parts)


def _lcase_str(tokens: list[re.Match[str]], i: int, lowered: Mapping[str, str]) -> tuple[str, int] | None:
    """The lower-cased value and the index after ``LCASE(STR(?v))`` starting at ``tokens[i]``, if ``?v`` is bound."""
    expected = ("LCASE", "(", "STR", "(", None, ")", ")")
    name = None
    j = i
    for want in expected:
        while j < len(tokens) and (tokens[j].group("comment") or tokens[j].group(0).isspace()) and j > i:
            j += 1
        if j >= len(tokens):
            return None
        tok = tokens[j]
        if want is None:
            variable = tok.group("variable")
            if not variable or variable[1:] not in lowered:
                return None
            name = variable[1:]
        elif (tok.group("word") or tok.group("other") or "").upper() != want:
            return None
        j += 1
    return lowered[name], j


def _to_oxigraph(term: Node):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"cannot bind {term!r}")


def _from_oxigraph(term: Any) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise QueryError(f"unsupported term in a result: {term!r}")


def _normal(term: Any) -> Node | None:
    """rdflib terms as the oxigraph side makes them: xsd:string literals are plain literals."""
    if isinstance(term, Literal) and term.datatype == XSD.string and not term.language:
        return Literal(str(term))
    return term


def _is_oxigraph_store(graph: Any) -> bool:
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - a declared dependency
        return False
    return isinstance(graph, pyoxigraph.Store)


def _python(value: Node | None) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal):
        return value.toPython()
    return str(value)


def ntriples_term(value: Node) -> str:
    """A term in its N-Triples syntax (as SPARQL TSV writes it): quotes, tabs and line breaks escaped.

    >>> print(ntriples_term(Literal('say "hi"\\n', lang="en")), ntriples_term(Literal(3)))
    "say \\"hi\\"\\n"@en "3"^^<http://www.w3.org/2001/XMLSchema#integer>
    """
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, BNode):
        return f"_:{value}"
    text = str(value).translate(_TSV_ESCAPES)
    if value.language:
        return f'"{text}"@{value.language}'
    if value.datatype is not None and value.datatype != XSD.string:
        return f'"{text}"^^<{value.datatype}>'
    return f'"{text}"'


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _json_term(value: Node) -> dict[str, str]:
    if isinstance(value, URIRef):
        return {"type": "uri", "value": str(value)}
    if isinstance(value, BNode):
        return {"type": "bnode", "value": str(value)}
    term: dict[str, str] = {"type": "literal", "value": str(value)}
    if value.language:
        term["xml:lang"] = value.language
    elif value.datatype is not None:
        term["datatype"] = str(value.datatype)
    return term


def _first_line(exc: BaseException) -> str:
    """The error message on one line (at most 300 characters)."""
    text = " ".join((str(exc).strip() or type(exc).__name__).split())
    return text if len(text) <= 300 else text[:299] + "…"
