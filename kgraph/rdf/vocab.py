"""The RDF vocabulary kgraph writes and reads, declared once, and the IRIs it mints.

The terms are those of ``kgraph/resources/ontology.ttl`` (documented in
``docs/ONTOLOGY.md``): :class:`KG` is kgraph's own namespace, closed (a
misspelt term raises ``AttributeError`` rather than making a wrong IRI),
beside the few terms of other vocabularies kgraph uses (:class:`SKOSXL`,
:class:`BIBO`, :class:`CITO`, :class:`SCHEMA`). :data:`NODE_CLASSES` and
:data:`RELATION_PROPERTIES` map the graph's node types and relations
(:mod:`kgraph.graph.schema`) to classes and properties.

Every IRI is minted here, from the base IRI of a build and a node id or a
hash: :func:`node_iri` percent-encodes everything outside RFC 3986's
unreserved characters, so corpus text never appears raw in an IRI, and
:func:`node_id_from_iri` reads the id back. The writer
(:mod:`kgraph.export.rdf`) and the readers (:mod:`kgraph.rdf`) both use them.

>>> str(node_iri("method:graph-neural-network", "https://example.org/kg/"))
'https://example.org/kg/method/graph-neural-network'
>>> node_id_from_iri("https://example.org/kg/paper/arXiv%3A2401.1", "https://example.org/kg/")
'paper:arXiv:2401.1'
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote, unquote

from rdflib import RDF, SKOS, XSD, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, VOID, DefinedNamespace

from ..config import DEFAULT_BASE_IRI
from ..errors import ConfigError, ExportError
from ..graph import schema
from ..ingest.clean import clean_url

# the files of a build that hold its RDF (output key -> file name), in the order a reader looks for them
RDF_FILES = {"nt": "graph.nt", "ttl": "graph.ttl", "jsonld": "graph.jsonld"}
KG_NAMESPACE = "https://w3id.org/kgraph/ontology#"
ONTOLOGY_IRI = URIRef("https://w3id.org/kgraph/ontology")


class KG(DefinedNamespace):
    """The kgraph vocabulary; a misspelt term raises ``AttributeError``.

    Local names are the graph's own relation and attribute names
    (``kg:used_for``, ``kg:mention_count``), so the mapping stays mechanical.
    ``kgraph/resources/ontology.ttl`` declares the same terms; a test keeps
    the two in step.

    >>> KG.Paper
    rdflib.term.URIRef('https://w3id.org/kgraph/ontology#Paper')
    """

    _NS = Namespace(KG_NAMESPACE)
    _fail = True

    # classes
    Paper: URIRef
    Method: URIRef
    Task: URIRef
    Dataset: URIRef
    Entity: URIRef  # superclass of Method, Task and Dataset (in the ontology)
    Evidence: URIRef
    # relations, paper -> entity
    proposes: URIRef
    addresses: URIRef
    uses: URIRef
    mentions: URIRef
    # relations, entity -> entity (paper -> paper: cito:cites)
    used_for: URIRef
    evaluated_on: URIRef
    compared_with: URIRef
    extends: URIRef
    part_of: URIRef
    # statement and evidence
    support: URIRef
    evidence: URIRef
    sentence: URIRef
    field: URIRef
    start: URIRef
    end: URIRef
    extractor: URIRef
    # papers
    source: URIRef
    url: URIRef
    arxiv_id: URIRef
    openalex_id: URIRef
    s2_id: URIRef
    # papers and entities
    community: URIRef
    # entities and their labels
    mention_count: URIRef
    known_id: URIRef
    mentioned_in: URIRef
    proposed_in: URIRef
    alias_count: URIRef
    rank: URIRef
    lookup_key: URIRef


class SKOSXL(DefinedNamespace):
    """The SKOS-XL terms kgraph writes: labels as resources, so they can carry counts."""

    _NS = Namespace("http://www.w3.org/2008/05/skos-xl#")
    _fail = True

    Label: URIRef
    prefLabel: URIRef
    altLabel: URIRef
    literalForm: URIRef


class BIBO(DefinedNamespace):
    """The BIBO terms kgraph writes: the ordered author list of a paper, and its DOI."""

    _NS = Namespace("http://purl.org/ontology/bibo/")
    _fail = True

    authorList: URIRef
    doi: URIRef


class CITO(DefinedNamespace):
    """The one CiTO term kgraph writes: a paper of the corpus cites another."""

    _NS = Namespace("http://purl.org/spar/cito/")
    _fail = True

    cites: URIRef


class SCHEMA(DefinedNamespace):
    """The one schema.org term kgraph writes: the pages that identify a paper (DOI, arXiv, OpenAlex, ...)."""

    _NS = Namespace("https://schema.org/")
    _fail = True

    sameAs: URIRef


NODE_CLASSES: dict[str, URIRef] = {
    schema.PAPER: KG.Paper,
    "method": KG.Method,
    "task": KG.Task,
    "dataset": KG.Dataset,
}
# Each relation's property: kgraph's own, but a citation, which CiTO names already.
_REUSED_RELATIONS: dict[str, URIRef] = {"cites": CITO.cites}
RELATION_PROPERTIES: dict[str, URIRef] = {relation: _REUSED_RELATIONS.get(relation) or KG[relation]
                                          for relation in schema.RELATIONS}

PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "skosxl": str(SKOSXL._NS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "bibo": str(BIBO._NS),
    "cito": str(CITO._NS),
    "schema": str(SCHEMA._NS),
    "void": str(VOID),
    "kg": KG_NAMESPACE,
}

# Node collections under the base IRI, each a prefix in Turtle (``method:`` for ``<base>method/``).
COLLECTIONS = (*NODE_CLASSES, "statement", "evidence")

# An absolute http(s) IRI without the characters RFC 3987 forbids anywhere.
_VALID_IRI = re.compile(r"https?://[^\x00-\x20\x7f-\x9f<>\"{}|\\^`]+", re.IGNORECASE)


def prefixes(base_iri: str) -> dict[str, str]:
    """:data:`PREFIXES`, and one prefix per node collection under ``base_iri`` (``method:`` for ``<base>method/``)."""
    check_base_iri(base_iri)
    return {**PREFIXES, **{collection: f"{base_iri}{collection}/" for collection in COLLECTIONS}}


def node_iri(node_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of a graph node: ``<base><type>/<percent-encoded rest of the id>``.

    >>> str(node_iri("paper:arXiv:2401.1 x/y", "https://example.org/kg/"))
    'https://example.org/kg/paper/arXiv%3A2401.1%20x%2Fy'
    >>> str(node_iri("method:φ-decoding", "https://example.org/kg/"))
    'https://example.org/kg/method/%CF%86-decoding'
    """
    node_type, sep, local = str(node_id).partition(":")
    if not sep or node_type not in NODE_CLASSES:
        raise ExportError(
            f"node id {node_id!r} does not start with a node type; expected one of "
            f"{', '.join(t + ':' for t in NODE_CLASSES)}"
        )
    return mint_iri(base_iri, node_type, local)


def node_id_from_iri(iri: str, base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The node id a :func:`node_iri` was minted from.

    >>> node_id_from_iri("https://example.org/kg/paper/arXiv%3A2401.1%20x%2Fy", "https://example.org/kg/")
    'paper:arXiv:2401.1 x/y'
    """
    iri = str(iri)
    rest = iri[len(base_iri):] if iri.startswith(base_iri) else None
    node_type, sep, local = (rest or "").partition("/")
    if rest is None or not sep or node_type not in NODE_CLASSES or "/" in local or not local:
        raise ValueError(f"{iri!r} is not a node IRI under {base_iri!r}")
    return f"{node_type}:{unquote(local, errors='strict')}"


def mint_iri(base_iri: str, collection: str, local: str) -> URIRef:
    """``<base><collection>/<local>`` with ``local`` percent-encoded, validated.

    >>> str(mint_iri("https://example.org/kg/", "task", '<a href="x">'))
    'https://example.org/kg/task/%3Ca%20href%3D%22x%22%3E'
    """
    check_base_iri(base_iri)
    if not local:
        raise ExportError(f"cannot mint an IRI in {collection!r} from an empty id")
    try:
        encoded = quote(local, safe="", encoding="utf-8", errors="strict")
    except UnicodeEncodeError as exc:
        raise ExportError(f"cannot mint an IRI from {local!r}: {exc.reason}") from exc
    if encoded in (".", ".."):  # a dot segment would be removed by IRI normalization
        encoded = encoded.replace(".", "%2E")
    iri = f"{base_iri}{collection}/{encoded}"
    if not _VALID_IRI.fullmatch(iri):
        raise ExportError(f"minted an invalid IRI {iri!r}")
    return URIRef(iri)


def statement_iri(head: str, relation: str, tail: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of the reified statement ``head relation tail``: a hash of the three."""
    return mint_iri(base_iri, "statement", _digest(head, relation, tail))


def evidence_iri(statement: URIRef, evidence: dict[str, Any], base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of one piece of a statement's evidence: a hash of the statement and the evidence."""
    return mint_iri(base_iri, "evidence", _digest(str(statement), json.dumps(evidence, sort_keys=True, default=str)))


def label_iri(node: URIRef, rank: int) -> URIRef:
    """The SKOS-XL label of a node's ``rank``-th alias (1 = the most frequent)."""
    return URIRef(f"{node}/label/{int(rank)}")


def authors_iri(paper: URIRef) -> URIRef:
    """The ``rdf:Seq`` holding a paper's authors in order."""
    return URIRef(f"{paper}/authors")


def member_property(index: int) -> URIRef:
    """``rdf:_1``, ``rdf:_2``, ...: the container membership properties."""
    return URIRef(f"{RDF}_{int(index)}")


def web_iri(url: Any) -> URIRef | None:
    """An http(s) URL as a valid IRI (:func:`~kgraph.ingest.clean.clean_url`); else None.

    Characters IRIs forbid are percent-encoded (``[``, a second ``#``, a
    ``%`` that starts no escape, ...), so that every RDF reader accepts the
    IRI, whatever string arrives.

    >>> str(web_iri("https://arxiv.org/abs/1 x"))
    'https://arxiv.org/abs/1%20x'
    >>> str(web_iri("https://example.org/[a]#b#c"))
    'https://example.org/%5Ba%5D#b%23c'
    >>> web_iri("arxiv.org/abs/1") is None
    True
    """
    if not isinstance(url, str):
        return None
    iri, _ = clean_url(url)
    return URIRef(iri) if iri is not None and _VALID_IRI.fullmatch(iri) else None


def check_base_iri(base_iri: str) -> None:
    """Raise :class:`~kgraph.errors.ConfigError` unless ``base_iri`` is an http(s) IRI ending with ``/`` or ``#``."""
    # Every IRI minted is the base and percent-encoded text: a base that
    # clean_url would change is not one that every RDF reader accepts.
    if not (
        isinstance(base_iri, str)
        and base_iri.endswith(("/", "#"))
        and _VALID_IRI.fullmatch(base_iri)
        and clean_url(base_iri) == (base_iri, None)
    ):
        raise ConfigError(f"base IRI must be an http(s) IRI ending with '/' or '#', got {base_iri!r}")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
