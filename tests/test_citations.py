"""Citations between the papers of a corpus, and the papers' outward links, in the graph and every output.

``tests/data/citations/openalex_works.jsonl`` holds four OpenAlex works (as the
snapshot gives them) whose ``referenced_works`` name each other, works
outside the corpus, one work twice and the work itself: BERT, GAT and RoBERTa
cite "Attention Is All You Need", RoBERTa cites BERT.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import RDF, URIRef

from kgraph.cli import cli
from kgraph.config import OUTPUT_FORMATS, Config
from kgraph.errors import KGraphError
from kgraph.export.html import _page_data, paper_links
from kgraph.export.json import read_graph_json
from kgraph.graph.citations import CitationIndex, citation_relations, reference_source
from kgraph.ingest import dedupe, iter_records
from kgraph.ingest.duplicates import merge_duplicates
from kgraph.ingest.ids import id_urls
from kgraph.model import Paper, Problem, RelationType, SourceRef
from kgraph.query import cited, example_graph, papers_for
from kgraph.rdf import to_networkx, validate
from kgraph.rdf.vocab import CITO, SCHEMA, node_iri
from kgraph.run import OUTPUT_FILES, build

DATA = Path(__file__).resolve().parent / "data"
WORKS = DATA / "citations" / "openalex_works.jsonl"
MIXED = DATA / "ingest" / "mixed"
BASE = "https://w3id.org/kgraph/"

ATTENTION, BERT, GAT, ROBERTA = "paper:W2963403868", "paper:W2896457183", "paper:W2766453196", "paper:W2965373594"
CITATIONS = {(BERT, ATTENTION), (GAT, ATTENTION), (ROBERTA, ATTENTION), (ROBERTA, BERT)}


def build_into(rules_nlp, out: Path, *inputs: Path, use_cache: bool = False):
    config = Config(inputs=inputs, output_dir=out, outputs=OUTPUT_FORMATS, processes=1, use_cache=use_cache)
    return build(config=config, nlp=rules_nlp)


@pytest.fixture(scope="module")
def works_build(rules_nlp, tmp_path_factory):
    out = tmp_path_factory.mktemp("citations")
    return build_into(rules_nlp, out, WORKS), out


def cites_edges(G: nx.MultiDiGraph) -> set[tuple[str, str]]:
    return {(u, v) for u, v, key in G.edges(keys=True) if key == "cites"}


# --------------------------------------------------------------------------- matching references


def test_citations_match_a_reference_by_any_id_of_the_paper() -> None:
    papers = [
        Paper("W1", "A", "", openalex_id="W1"),
        Paper("s", "B", "", s2_id="a" * 40),
        Paper("d", "C", "", doi="10.1000/xyz"),
        Paper("x", "D", "", arxiv_id="1706.03762"),
        Paper("citing", "E", "", references=(
            "https://openalex.org/W1", "A" * 40, "https://doi.org/10.1000/XYZ", "arXiv:1706.03762v2", "W999",
            "not an id", "", "citing")),
    ]
    relations = citation_relations(papers)
    assert [(r.head, r.tail) for r in relations] == [
        ("paper:citing", "paper:W1"), ("paper:citing", "paper:d"), ("paper:citing", "paper:s"),
        ("paper:citing", "paper:x")]
    assert all(r.relation is RelationType.CITES and r.support == 1 for r in relations)
    evidence = {r.tail: r.evidence[0] for r in relations}
    assert (evidence["paper:W1"].field, evidence["paper:W1"].start, evidence["paper:W1"].end,
            evidence["paper:W1"].sentence, evidence["paper:W1"].extractor) == (
        "references", 0, 1, "https://openalex.org/W1", "openalex referenced_works")
    assert evidence["paper:s"].extractor == "s2 references"
    assert evidence["paper:x"].extractor == "references"


@pytest.mark.parametrize(("reference", "found"), [
    ("1706.03762", "1706.03762"),                          # a paper's own id wins over another's arXiv id
    ("arXiv:1706.03762", "arxiv-paper"),
    ("https://arxiv.org/abs/1706.03762v7", "arxiv-paper"),
    ("10.48550/arXiv.1706.03762", "arxiv-paper"),          # arXiv's DOI names the arXiv id
    ("W5", None),
    ("  ", None),
])
def test_citations_index_find(reference: str, found: str | None) -> None:
    index = CitationIndex([Paper("arxiv-paper", "T", "", arxiv_id="1706.03762"), Paper("1706.03762", "U", "")])
    assert index.find(reference) == found


def test_citations_self_and_repeated_references_give_one_edge_or_none() -> None:
    papers = [Paper("W1", "A", "", openalex_id="W1", references=("W1", "W2", "W2", "https://openalex.org/W2")),
              Paper("W2", "B", "", openalex_id="W2")]
    assert [(r.head, r.tail, r.evidence[0].start) for r in citation_relations(papers)] == [("paper:W1", "paper:W2", 1)]


def test_citations_none_without_references() -> None:
    assert citation_relations([Paper("a", "A", ""), Paper("b", "B", "")]) == []
    assert reference_source("https://openalex.org/W1") == "openalex referenced_works"


def test_citations_reach_a_paper_merged_from_another_format() -> None:
    """GAT is read from the arXiv feed first; its OpenAlex copy, merged into it, brings its id and references."""
    records = list(dedupe(iter_records([MIXED])))
    papers = merge_duplicates([r for r in records if isinstance(r, Paper)],
                              [r for r in records if isinstance(r, Problem)])
    gat = next(p for p in papers if p.id == "1710.10903")
    assert gat.openalex_id == "W2766453196" and gat.references == ("W2963403868",)
    bert = next(p for p in papers if p.id.startswith("bert-"))
    assert bert.s2_id == "df2b0e26d0599ce3e70df8a9da02e51594e0e992"  # from the Semantic Scholar copy
    assert [(r.head, r.tail) for r in citation_relations(papers)] == [("paper:1710.10903", "paper:W2963403868")]


def test_citations_merge_keeps_the_kept_papers_ids_first() -> None:
    kept = Paper("a", "Title", "x", source=SourceRef("a.jsonl", 1), doi="10.1/a", references=("r1",))
    copy = Paper("b", "title", "", source=SourceRef("b.jsonl", 1), doi="10.1/a", openalex_id="W7",
                 references=("r2", "r1"))
    problems = [r for r in dedupe([kept, copy]) if isinstance(r, Problem)]
    merged, = merge_duplicates([kept], problems)
    assert (merged.doi, merged.openalex_id, merged.references) == ("10.1/a", "W7", ("r1", "r2"))
    plain = Paper("c", "Other", "x", source=SourceRef("c.jsonl", 1))
    assert merge_duplicates([plain], []) == [plain]


# --------------------------------------------------------------------------- the graph


def test_citations_build_cites_edges(works_build) -> None:
    result, _ = works_build
    G = result.graph
    assert cites_edges(G) == CITATIONS
    data = G.edges[GAT, ATTENTION, "cites"]
    assert data["support"] == 1 and data["extractors"] == ["openalex referenced_works"]
    assert data["evidence"] == [{"paper": "W2766453196", "field": "references", "start": 0, "end": 1,
                                 "sentence": "W2963403868", "extractor": "openalex referenced_works"}]
    assert result.report["relations"]["cites"] == 4
    attention = G.nodes[ATTENTION]
    assert (attention["doi"], attention["arxiv_id"], attention["openalex_id"]) == (
        "10.48550/arxiv.1706.03762", "1706.03762", "W2963403868")
    assert "s2_id" not in attention  # ids are attributes only where known


def test_citations_in_json_and_graphml(works_build) -> None:
    _, out = works_build
    assert cites_edges(read_graph_json(out / "graph.json")) == CITATIONS
    graphml = nx.read_graphml(out / "graph.graphml")
    assert {(u, v) for u, v, data in graphml.edges(data=True) if data.get("relation") == "cites"} == CITATIONS


def test_citations_in_rdf_as_cito_cites_with_same_as_links(works_build) -> None:
    result, out = works_build
    for name, rdf_format in (("graph.ttl", "turtle"), ("graph.nt", "nt"), ("graph.jsonld", "json-ld")):
        rdf = rdflib.Graph().parse(out / name, format=rdf_format)
        found = {(str(s), str(o)) for s, o in rdf.subject_objects(CITO.cites)}
        assert found == {(str(node_iri(u, BASE)), str(node_iri(v, BASE))) for u, v in CITATIONS}, name
        statements = set(rdf.subjects(RDF.predicate, CITO.cites))
        assert len(statements) == 4 and all((s, RDF.type, RDF.Statement) in rdf for s in statements)
        attention = node_iri(ATTENTION, BASE)
        assert set(rdf.objects(attention, SCHEMA.sameAs)) == {
            URIRef("https://doi.org/10.48550/arxiv.1706.03762"), URIRef("https://arxiv.org/abs/1706.03762"),
            URIRef("https://openalex.org/W2963403868")}
    assert nx.utils.graphs_equal(to_networkx(out / "graph.nt"), result.graph)


def test_citations_rdf_validates(works_build) -> None:
    _, out = works_build
    report = validate(out / "graph.ttl")
    assert report.conforms, [str(v) for v in report.violations]


def test_citations_cited_query_from_the_command_line(works_build) -> None:
    _, out = works_build
    result = CliRunner().invoke(cli, ["query", "cited", "--graph", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["rank", "paper", "year", "cited_by", "citing"]
    assert lines[2].startswith("1     Attention Is All You Need") and "  3  " in lines[2]
    assert lines[3].startswith("2     BERT: Pre-training") and "RoBERTa" in lines[3]
    assert len(lines) == 4
    data = json.loads(CliRunner().invoke(cli, ["query", "cited", "--graph", str(out), "--format", "json"]).output)
    assert [(c["paper"]["id"], [p["id"] for p in c["cited_by"]]) for c in data] == [
        (ATTENTION, [BERT, ROBERTA, GAT]), (BERT, [ROBERTA])]  # citing papers newest first


def test_citations_html_draws_cites_edges_and_links_papers(works_build) -> None:
    result, out = works_build
    G = result.graph
    data = _page_data(G, G, sorted(G), {}, size_by="degree", large=False)
    assert "cites" in {entry["name"] for entry in data["relations"]}
    attention = next(n for n in data["nodes"] if n["id"] == ATTENTION)
    assert attention["links"] == [
        ["DOI 10.48550/arxiv.1706.03762", "https://doi.org/10.48550/arxiv.1706.03762"],
        ["arXiv 1706.03762", "https://arxiv.org/abs/1706.03762"],
        ["OpenAlex W2963403868", "https://openalex.org/W2963403868"]]
    assert "https://openalex.org/W2963403868" in (out / "graph.html").read_text(encoding="utf-8")


def test_citations_builds_are_deterministic_and_the_cache_changes_nothing(rules_nlp, works_build, tmp_path) -> None:
    """Two clean builds give the same bytes; so does a build that reuses the cache and the previous outputs."""
    _, first = works_build
    again = tmp_path / "again"
    build_into(rules_nlp, again, WORKS)
    cached = tmp_path / "cached"
    build_into(rules_nlp, cached, WORKS, use_cache=True)
    rebuilt = build_into(rules_nlp, cached, WORKS, use_cache=True)
    assert rebuilt.reused["json"]["copied"] > 0  # the second build copied from the first one's files
    for name in OUTPUT_FILES.values():
        expected = (first / name).read_bytes()
        assert (again / name).read_bytes() == expected, name
        assert (cached / name).read_bytes() == expected, name


# --------------------------------------------------------------------------- queries


@pytest.fixture()
def G() -> nx.MultiDiGraph:
    G = example_graph()
    G.add_node("paper:later", type="paper", label="A later paper", year=2026)
    for citing, cited_paper in (("paper:must3r", "paper:fast3r"), ("paper:later", "paper:fast3r"),
                                ("paper:later", "paper:must3r")):
        G.add_edge(citing, cited_paper, key="cites", relation="cites", support=1, extractors=["references"],
                   evidence=[{"paper": citing.split(":")[1], "field": "references", "start": 0, "end": 1,
                              "sentence": cited_paper, "extractor": "references"}])
    return G


def test_citations_cited_ranks_papers_by_citations(G) -> None:
    answers = cited(G)
    assert [(c.paper.id, c.citations, [p.id for p in c.cited_by]) for c in answers] == [
        ("paper:fast3r", 2, ["paper:later", "paper:must3r"]), ("paper:must3r", 1, ["paper:later"])]
    assert [m.id for m in answers[0].proposes] == ["method:fast-3d-reconstruction"]
    assert [c.paper.id for c in cited(G, limit=1)] == ["paper:fast3r"]
    assert [c.paper.id for c in cited(G, method="MUSt3R")] == ["paper:must3r"]


def test_citations_papers_citing_a_methods_proposer(G) -> None:
    hits = papers_for(G, citing_proposer="Fast3R")
    assert [(h.paper.id, [(st.relation, st.tail.id) for st in h.statements]) for h in hits] == [
        ("paper:later", [("cites", "paper:fast3r")]), ("paper:must3r", [("cites", "paper:fast3r")])]
    assert hits[0].statements[0].sentence == (
        'the paper "A later paper" cites the paper "Fast3R: Towards 3D Reconstruction of 1000+ Images"')
    # with another filter: papers that use DUSt3R and cite Fast3R's paper
    assert [h.paper.id for h in papers_for(G, method="DUSt3R", citing_proposer="Fast3R")] == ["paper:must3r"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"citing_proposer": "DUSt3R"}, "no paper of the graph proposes DUSt3R (method)"),
    ({"citing_proposer": "paper:fast3r"}, "'paper:fast3r' is a paper"),
])
def test_citations_citing_proposer_errors(G, kwargs, message) -> None:
    with pytest.raises(KGraphError, match=message.replace("(", r"\(").replace(")", r"\)")):
        papers_for(G, **kwargs)


def test_citations_cli_papers_citing_proposer_and_errors(G, tmp_path) -> None:
    from kgraph.export.json import write_graph_json

    write_graph_json(G, tmp_path / "graph.json")
    result = CliRunner().invoke(cli, ["query", "papers", "--citing-proposer", "fast3r", "--graph", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [line.split("  ")[0] for line in result.output.splitlines()[2:]] == [
        "A later paper", "MUSt3R: Multi-view Network for Stereo 3D Reconstruction"]
    result = CliRunner().invoke(cli, ["query", "cited", "--method", "DUSt3R", "--graph", str(tmp_path)])
    assert result.exit_code == 1 and result.output == "Error: no paper of the graph proposes DUSt3R (method)\n"


# --------------------------------------------------------------------------- outward links


def test_citations_id_urls_are_minted_from_checked_ids() -> None:
    assert id_urls(doi="10.1000/(x)\"<z>#", s2_id="F" * 40) == (
        ("doi", "https://doi.org/10.1000/(x)%22%3Cz%3E%23"), ("s2", "https://www.semanticscholar.org/paper/" + "f" * 40))
    assert id_urls(doi="10.1000/x y") == ()  # no DOI: no link
    assert id_urls(arxiv_id="hep-th/9901001v2", openalex_id="https://openalex.org/W12") == (
        ("arxiv", "https://arxiv.org/abs/hep-th/9901001"), ("openalex", "https://openalex.org/W12"))
    assert paper_links({"arxiv_id": "1 onclick=alert(1)", "openalex_id": "W1\"><script>"}) == []
