"""RDF text: an element's N-Triples lines as N-Triples, Turtle and JSON-LD, the same triples in each.

:class:`Renderer` turns the sorted N-Triples lines of one element of the
graph (:func:`~kgraph.export.rdf_triples.element_lines`) into its text in
each format: the lines themselves; one Turtle block per subject, with
prefixes where a local name is plain; one JSON-LD node object per subject,
with the text ``json.dumps`` gives it inside the whole document. A file is
its :meth:`Renderer.head`, the elements' texts joined by
:data:`SEPARATORS`, and its :meth:`Renderer.foot`. Nothing here knows the
graph or rdflib's terms: it is text in, text out.

>>> lines = ['<https://example.org/kg/task/qa> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
...          '<https://w3id.org/kgraph/ontology#Task> .\\n']
>>> render = Renderer({"kg": "https://w3id.org/kgraph/ontology#", "task": "https://example.org/kg/task/"},
...                   ("turtle", "json-ld"))
>>> print(render(lines)["turtle"], end="")
<BLANKLINE>
task:qa a kg:Task .
>>> print(render(lines)["json-ld"])
{
   "@id": "task:qa",
   "@type": "kg:Task"
  }
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import RDF, XSD

from .json import dumps_indented

FORMATS = ("nt", "turtle", "json-ld")  # rdflib's names for them
SEPARATORS = {"nt": b"", "turtle": b"", "json-ld": b",\n  "}  # between the texts of two elements


class Renderer:
    """The text of one element's triples in each of ``formats``: N-Triples lines, Turtle blocks, JSON-LD objects.

    The triples are sorted; each subject (one element may have several: a
    paper, its author list) becomes one Turtle block and one JSON-LD object.
    ``prefixes`` are those of the document (its Turtle prefixes, its JSON-LD context).
    """

    def __init__(self, prefixes: dict[str, str], formats: Iterable[str]):
        self.formats = tuple(formats)
        self.context = dict(prefixes)
        self.turtle = _Compactor({namespace: prefix for prefix, namespace in sorted(prefixes.items())})
        self.jsonld = _JsonLdCompactor(self.context)

    def head(self, format: str) -> str:
        """What a file of ``format`` holds before its first element."""
        if format == "turtle":
            return _turtle_prefixes(self.context)
        if format == "json-ld":
            return '{\n "@context": ' + dumps_indented(self.context, "\n ") + ',\n "@graph": [\n  '
        return ""

    def foot(self, format: str) -> str:
        """What a file of ``format`` holds after its last element."""
        return "\n ]\n}\n" if format == "json-ld" else ""

    def __call__(self, lines: list[str]) -> dict[str, str]:
        """The text of the element whose sorted, distinct N-Triples lines are ``lines``, by format."""
        texts = {}
        if "nt" in self.formats:
            texts["nt"] = "".join(lines)
        if "turtle" in self.formats or "json-ld" in self.formats:
            blocks = list(_subject_blocks(lines))
            if "turtle" in self.formats:
                texts["turtle"] = "".join(_turtle_block(self.turtle, subject, block) for subject, block in blocks)
            if "json-ld" in self.formats:
                texts["json-ld"] = ",\n  ".join(_jsonld_object(self.jsonld, subject[1:-1], block)
                                                for subject, block in blocks)
        return texts


def _turtle_prefixes(prefixes: dict[str, str]) -> str:
    return "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in sorted(prefixes.items()))


def _subject_blocks(lines: Iterable[str]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Sorted N-Triples lines as ``(subject, [(predicate, object), ...])``, one per subject."""
    subject = None
    block: list[tuple[str, str]] = []
    for line in lines:
        s_end = line.index(" ")
        p_end = line.index(" ", s_end + 1)
        s = line[:s_end]
        if s != subject:
            if block:
                yield subject, block
            subject, block = s, []
        block.append((line[s_end + 1:p_end], line[p_end + 1:-3]))
    if block:
        yield subject, block


def iter_turtle(lines: Iterable[str], prefixes: dict[str, str]) -> Iterator[str]:
    """Turtle text from N-Triples ``lines`` grouped by subject: prefixes, then one block per subject.

    The triples and their order are the lines'; ``rdf:type`` comes first in
    each block (as ``a``), and consecutive objects of one predicate share it.
    An IRI is written with a prefix only when its local part is plain
    (letters, digits, ``_``, ``-``), a subset of Turtle's that every parser
    reads; otherwise in full. Literals keep their N-Triples form, which is
    Turtle too (integers written bare).

    >>> lines = ['<https://example.org/kg/task/qa> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...          '<https://w3id.org/kgraph/ontology#Task> .\\n']
    >>> prefixes = {"kg": "https://w3id.org/kgraph/ontology#", "task": "https://example.org/kg/task/"}
    >>> print("".join(iter_turtle(lines, prefixes)), end="")
    @prefix kg: <https://w3id.org/kgraph/ontology#> .
    @prefix task: <https://example.org/kg/task/> .
    <BLANKLINE>
    task:qa a kg:Task .
    """
    yield _turtle_prefixes(prefixes)
    compact = _Compactor({namespace: prefix for prefix, namespace in sorted(prefixes.items())})
    for subject, block in _subject_blocks(lines):
        yield _turtle_block(compact, subject, block)


def _turtle_block(compact: _Compactor, subject: str, block: list[tuple[str, str]]) -> str:
    types = [o for p, o in block if p == _RDF_TYPE]
    parts = []
    if types:
        parts.append("a " + " , ".join(compact.term(o) for o in types))
    predicate, objects = None, []
    for p, o in block:
        if p == _RDF_TYPE:
            continue
        if p != predicate:
            if objects:
                parts.append(f"{compact.iri(predicate)} {' , '.join(objects)}")
            predicate, objects = p, []
        objects.append(compact.term(o))
    if objects:
        parts.append(f"{compact.iri(predicate)} {' , '.join(objects)}")
    return "\n" + compact.term(subject) + " " + " ;\n    ".join(parts) + " .\n"


_RDF_TYPE = f"<{RDF.type}>"
_XSD_INTEGER = f"^^<{XSD.integer}>"
_XSD_INTEGER_IRI = f"{XSD.integer}>"
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")


class _Compactor:
    """N-Triples terms as Turtle terms: prefixed names where safe, integers bare."""

    def __init__(self, namespaces: dict[str, str]):
        self.namespaces = namespaces
        self.known: dict[str, str] = {}  # predicates, classes and datatypes recur: remember them

    def iri(self, term: str) -> str:
        """``<iri>`` as ``prefix:local`` when a prefix covers it and ``local`` is plain."""
        known = self.known.get(term)
        if known is not None:
            return known
        iri = term[1:-1]
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.namespaces.get(iri[:cut])
        local = iri[cut:]
        short = f"{prefix}:{local}" if prefix is not None and _PLAIN_LOCAL.fullmatch(local) else term
        if len(self.known) < 10_000:
            self.known[term] = short
        return short

    def term(self, term: str) -> str:
        if term.startswith("<"):
            return self.iri(term)
        if term.startswith('"') and term.endswith(">"):
            lexical, _, datatype = term.rpartition('"^^')
            if "^^" + datatype == _XSD_INTEGER and _INTEGER.fullmatch(lexical[1:]):
                return lexical[1:]
            return f'{lexical}"^^{self.iri(datatype)}'
        return term  # a plain or language-tagged literal, or a blank node


def _jsonld_object(compact: _JsonLdCompactor, subject: str, block: list[tuple[str, str]]) -> str:
    """One subject's JSON-LD node object: its IRI, its types, its values by property (several sorted).

    Indented as in the whole document (``json.dumps`` with ``indent=1`` and
    ``sort_keys=True``). Handles what N-Triples lines hold: IRIs, plain and
    language-tagged literals, integer and other typed literals (integers
    become JSON numbers).
    """
    properties: dict[str, list[Any]] = {}
    for predicate, obj in block:
        if predicate == _RDF_TYPE and obj.startswith("<"):
            properties.setdefault("@type", []).append(compact(obj[1:-1]))
        else:
            properties.setdefault(compact(predicate[1:-1]), []).append(_jsonld_value(compact, obj))
    node: dict[str, Any] = {"@id": compact(subject)}
    for key, values in properties.items():
        node[key] = values[0] if len(values) == 1 else sorted(values, key=_json_key)
    return dumps_indented(node, "\n  ")


def _jsonld_value(compact: _JsonLdCompactor, term: str) -> Any:
    if term.startswith("<"):
        return {"@id": compact(term[1:-1])}
    if term.endswith('"'):
        return _unescape(term[1:-1])
    if term.endswith(">"):
        lexical, _, datatype = term.rpartition('"^^<')
        if datatype == _XSD_INTEGER_IRI and _INTEGER.fullmatch(lexical[1:]):
            return int(lexical[1:])
        return {"@value": _unescape(lexical[1:]), "@type": compact(datatype[:-1])}
    lexical, _, language = term.rpartition('"@')
    return {"@value": _unescape(lexical[1:]), "@language": language}


class _JsonLdCompactor:
    """``prefix:local`` for the longest namespace of the context that leaves a local part (not starting ``//``)."""

    def __init__(self, context: dict[str, str]):
        self.by_namespace = {namespace: prefix for prefix, namespace in context.items()}
        self.namespaces = sorted(context.items(), key=lambda item: -len(item[1]))
        self.ends = all(namespace.endswith(("/", "#")) for namespace in self.by_namespace)
        self.known: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        known = self.known.get(iri)
        if known is not None:
            return known
        short = self._compact(iri)
        if len(self.known) < 10_000:
            self.known[iri] = short
        return short

    def _compact(self, iri: str) -> str:
        if not self.ends:  # some namespace ends otherwise: try them all, longest first
            for prefix, namespace in self.namespaces:
                local = iri[len(namespace):]
                if iri.startswith(namespace) and local and not local.startswith("//"):
                    return f"{prefix}:{local}"
            return iri
        cut = len(iri) - 1  # a namespace ends with "/" or "#": try each such cut, longest first
        while cut >= 0:
            cut = max(iri.rfind("/", 0, cut), iri.rfind("#", 0, cut))
            if cut < 0:
                break
            prefix = self.by_namespace.get(iri[:cut + 1])
            local = iri[cut + 1:]
            if prefix is not None and local and not local.startswith("//"):
                return f"{prefix}:{local}"
        return iri


_NT_ESCAPE = re.compile(r"\\(.)")
_NT_ESCAPED = {"\\": "\\", "n": "\n", '"': '"', "r": "\r"}


def _unescape(text: str) -> str:
    """The text of an N-Triples string as rdflib's serializer escapes it (\\\\, \\n, \\", \\r)."""
    if "\\" not in text:
        return text
    return _NT_ESCAPE.sub(lambda match: _NT_ESCAPED[match.group(1)], text)


def _json_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
