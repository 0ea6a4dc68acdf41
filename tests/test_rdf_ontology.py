"""The ontology and the shapes: complete, consistent with the graph schema, documented."""

from __future__ import annotations

import doctest
import importlib
import inspect
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.namespace import SH

import kgraph.rdf
from kgraph.export.rdf import dumps_ontology
from kgraph.model import RelationType
from kgraph.rdf import load_shapes
from kgraph.rdf.vocab import KG, KG_NAMESPACE, NODE_CLASSES, RELATION_PROPERTIES
from kgraph.resolve.entities import DOMAIN_RANGE

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DOC = ROOT / "docs" / "ONTOLOGY.md"
LPWC = "https://linkedpaperswithcode.com/"
CSKG = "http://scholkg.kmi.open.ac.uk/cskg/ontology#"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(data=dumps_ontology(), format="turtle")


def classes_of(ontology: Graph, node) -> set[URIRef]:
    """A class, or the members of an owl:unionOf."""
    union = ontology.value(node, OWL.unionOf)
    if union is None:
        return {node}
    return set(ontology.items(union))


@pytest.mark.parametrize("term", sorted(KG.__annotations__))
def test_rdf_ontology_every_term_is_labelled_commented_and_typed(ontology, term):
    iri = KG[term]
    assert ontology.value(iri, RDFS.label) is not None, term
    assert ontology.value(iri, RDFS.comment) is not None, term
    kinds = set(ontology.objects(iri, RDF.type))
    if OWL.Class in kinds:
        return
    assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, term
    assert ontology.value(iri, RDFS.domain) is not None, f"{term} has no domain"
    assert ontology.value(iri, RDFS.range) is not None, f"{term} has no range"


@pytest.mark.parametrize("relation", list(RelationType))
def test_rdf_ontology_relation_domain_and_range_follow_the_schema(ontology, relation):
    domain, range_ = DOMAIN_RANGE[relation]
    prop = RELATION_PROPERTIES[relation.value]
    if not str(prop).startswith(KG_NAMESPACE):
        # a reused property (cito:cites): described by its own vocabulary, not redeclared; its range is in the shapes
        assert not set(ontology.predicate_objects(prop)), prop
        assert (domain, range_) == ({"paper"}, {"paper"})
        return
    expected_domain = {NODE_CLASSES[str(t)] for t in domain}
    expected_range = {NODE_CLASSES[str(t)] for t in range_}
    assert classes_of(ontology, ontology.value(prop, RDFS.domain)) == expected_domain
    found_range = classes_of(ontology, ontology.value(prop, RDFS.range))
    if found_range == {KG.Entity}:
        found_range = {KG.Method, KG.Task, KG.Dataset}
    assert found_range == expected_range


def test_rdf_ontology_aligns_with_lpwc_and_cskg(ontology):
    mappings = {(s, p, str(o)) for s, p, o in ontology
                if p in (OWL.equivalentProperty, RDFS.subPropertyOf, RDFS.subClassOf, SKOS.closeMatch,
                         SKOS.broadMatch) and str(o).startswith((LPWC, CSKG))}
    assert (KG.support, OWL.equivalentProperty, CSKG + "hasSupport") in mappings
    assert (KG.addresses, RDFS.subPropertyOf, LPWC + "property/hasTask") in mappings
    assert (KG.uses, SKOS.closeMatch, LPWC + "property/hasMethod") in mappings
    assert (KG.uses, SKOS.closeMatch, LPWC + "property/usesDataset") in mappings
    for cls in (KG.Paper, KG.Method, KG.Task, KG.Dataset):
        assert any(s == cls and o.startswith(LPWC + "class/") for s, _, o in mappings), cls
    # only kgraph's own terms are described: nothing is said about the other vocabularies' terms
    assert all(str(s).startswith(KG_NAMESPACE) or isinstance(s, type(None)) for s, _, _ in mappings)


def test_rdf_ontology_shapes_follow_the_relations(ontology):
    shapes = load_shapes()
    lists = [set(shapes.items(o)) for o in shapes.objects(None, SH["in"])]
    assert set(RELATION_PROPERTIES.values()) in lists
    used = {term for triple in shapes for term in triple
            if isinstance(term, URIRef) and str(term).startswith(KG_NAMESPACE)}
    assert used <= {KG[name] for name in KG.__annotations__}
    text = (ROOT / "kgraph" / "resources" / "shapes.ttl").read_text(encoding="utf-8")
    for prop in RELATION_PROPERTIES.values():
        short = f"kg:{prop.split('#')[1]}" if prop.startswith(KG_NAMESPACE) else f"cito:{prop.rsplit('/', 1)[1]}"
        assert short in text


def test_rdf_ontology_doc_names_every_term_and_canned_query():
    doc = ONTOLOGY_DOC.read_text(encoding="utf-8")
    for term in KG.__annotations__:
        assert re.search(rf"`kg:{term}`|kg:{term}\b", doc), f"docs/ONTOLOGY.md does not mention kg:{term}"
    for query in (ROOT / "examples" / "queries").glob("*.rq"):
        assert query.name in doc
    for word in ("RDF-star", "named graphs", "reification", "owl:equivalentProperty", "skos:closeMatch",
                 "kgraph validate", "kgraph sparql", "kgraph store load", "--rdf-format"):
        assert word in doc, word


MODULES = ["kgraph.rdf", "kgraph.rdf.graph", "kgraph.rdf.io", "kgraph.rdf.sparql", "kgraph.rdf.shacl",
           "kgraph.rdf.store", "kgraph.rdf.vocab", "kgraph.cli.rdf"]


@pytest.mark.parametrize("name", MODULES)
def test_rdf_modules_and_public_names_are_documented(name):
    module = importlib.import_module(name)
    assert inspect.getdoc(module)
    for attr, value in vars(module).items():
        if not attr.startswith("_") and inspect.isfunction(value) and value.__module__ == name:
            assert inspect.getdoc(value), f"{name}.{attr} has no docstring"


def test_rdf_package_exports_are_documented_and_examples_run():
    for name in kgraph.rdf.__all__:
        assert inspect.getdoc(getattr(kgraph.rdf, name)), name
    for module in ("kgraph.rdf.graph", "kgraph.rdf.sparql", "kgraph.rdf.vocab"):
        result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0
