"""Outputs written again from their previous version: the same bytes as written afresh, less work."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgraph.export import splice
from kgraph.export.extractions import extraction_fragments, write_extractions
from kgraph.export.graphml import graphml_fragments
from kgraph.export.json import graph_json_fragments
from kgraph.export.rdf import rdf_fragments, write_rdf_files
from kgraph.export.rdf_triples import mention_chunks
from kgraph.export.splice import FragmentIndex, GraphDigests, Output, Previous, Reuse, Splicer, digest, write_fragments

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"
BASE = "https://example.org/kg/"
RDF = {"nt": "graph.nt", "turtle": "graph.ttl", "json-ld": "graph.jsonld"}


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def write_all(G: nx.MultiDiGraph, directory: Path, *, reuse: bool = True, base: str = BASE):
    """graph.json, graph.graphml and the three RDF files into ``directory``, reusing its previous ones when ``reuse``."""
    directory.mkdir(exist_ok=True)
    digests = GraphDigests.of(G) if reuse else None

    def spliced(fragments, group, finals):
        return write_fragments(fragments, finals,
                               reuse=Reuse(directory / "idx" / f"{group}.npz", finals) if reuse else None)

    finals = {name: directory / file for name, file in RDF.items()}
    rdf = spliced(rdf_fragments(G, finals, base, digests), "rdf", finals)
    js = spliced(graph_json_fragments(G, digests), "json", {"json": directory / "graph.json"})
    gml = spliced(graphml_fragments(G, digests), "graphml", {"graphml": directory / "graph.graphml"})
    return rdf, js, gml


def files(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in [*RDF.values(), "graph.json", "graph.graphml"]}


def grown(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``G`` with a paper and two edges added, one node changed and one edge removed."""
    H = copy.deepcopy(G)
    H.add_node("paper:new-1", type="paper", label="A new paper", abstract="It uses the thing.", year=2026,
               authors=["N. Ew"], url=None, source="corpus.jsonl:999")
    entity = next(n for n, d in H.nodes(data=True) if d["type"] == "method")
    H.add_edge("paper:new-1", entity, key="uses", relation="uses", support=1, extractors=["pattern"],
               evidence=[{"paper": "new-1", "field": "abstract", "start": 0, "end": 18,
                          "sentence": "It uses the thing.", "extractor": "pattern"}])
    H.add_edge("paper:new-1", entity, key="mentions", relation="mentions", support=1)
    H.nodes[entity]["papers"] = list(H.nodes[entity].get("papers") or []) + ["paper:new-1"]
    victim = sorted(H.edges(keys=True))[len(H.edges) // 2]
    H.remove_edge(*victim)
    return H


def victim_source(G: nx.MultiDiGraph, H: nx.MultiDiGraph):
    """The source of the edge :func:`grown` removed."""
    return next(u for u, v, k in G.edges(keys=True) if not H.has_edge(u, v, k))


def test_splice_after_a_change_same_bytes_as_written_afresh(tmp_path):
    G, H = load_fixture(), None
    H = grown(G)
    write_all(G, tmp_path / "inc")
    rdf, js, gml = write_all(H, tmp_path / "inc")
    write_all(H, tmp_path / "fresh", reuse=False)
    assert files(tmp_path / "inc") == files(tmp_path / "fresh")
    elements = 1 + H.number_of_nodes() + H.number_of_edges()
    blocks = sum(len(mention_chunks(d["papers"])) for d in H.nodes.values()
                 if d["type"] != "paper" and d.get("papers"))  # RDF writes entities' kg:mentioned_in apart
    assert rdf.copied + rdf.rendered == elements + blocks and js.copied + js.rendered == elements - 1
    # what changed: the new paper, the changed entity and the block of its mentions the paper fell into,
    # the two new edges, the removed edge's head (its direct triples) and the dataset (always made)
    assert rdf.rendered <= 7 and js.rendered <= 4
    # GraphML also renumbers the edges after the removed one among its source's (edge ids: source#n)
    assert gml.copied + gml.rendered == elements - 1 and gml.rendered <= 4 + H.out_degree(victim_source(G, H))


def test_splice_new_communities_leave_the_nodes_copied(tmp_path):
    """Communities are renumbered by every build: in RDF only the community elements are made again."""
    G = load_fixture()
    for number, node in enumerate(sorted(G.nodes)):
        G.nodes[node]["community"] = number % 3
    write_all(G, tmp_path)
    for number, node in enumerate(sorted(G.nodes)):
        G.nodes[node]["community"] = (number + 1) % 3
    rdf, js, gml = write_all(G, tmp_path)
    assert rdf.rendered == 1 + 3  # the dataset and the three communities
    assert js.rendered == gml.rendered == G.number_of_nodes()  # both keep the community in the node
    write_all(G, tmp_path / "fresh", reuse=False)
    assert files(tmp_path) == files(tmp_path / "fresh")


def test_splice_unchanged_graph_copies_everything(tmp_path):
    G = load_fixture()
    write_all(G, tmp_path)
    before = files(tmp_path)
    rdf, js, gml = write_all(G, tmp_path)
    assert (rdf.rendered, js.rendered, gml.rendered) == (1, 0, 0)  # the dataset's few triples are always made
    assert files(tmp_path) == before


def test_splice_without_reuse_writes_no_index(tmp_path):
    write_all(load_fixture(), tmp_path, reuse=False)
    assert not (tmp_path / "idx").exists()


def test_splice_edited_output_is_not_reused(tmp_path):
    """An index describes the file as written: after the file changed, nothing is copied from it."""
    G = load_fixture()
    write_all(G, tmp_path)
    for name in [*RDF.values(), "graph.json", "graph.graphml"]:
        path = tmp_path / name
        path.write_bytes(path.read_bytes().replace(b"a", b"b"))
    rdf, js, gml = write_all(G, tmp_path)
    assert rdf.copied == js.copied == gml.copied == 0
    write_all(G, tmp_path / "fresh", reuse=False)
    assert files(tmp_path) == files(tmp_path / "fresh")


def test_splice_other_options_are_not_reused(tmp_path):
    G = load_fixture()
    write_all(G, tmp_path)
    rdf, _, gml = write_all(G, tmp_path, base="https://example.org/other/")
    assert rdf.copied == 0
    write_all(G, tmp_path / "fresh", reuse=False, base="https://example.org/other/")
    assert files(tmp_path) == files(tmp_path / "fresh")


@pytest.mark.parametrize("damage", [b"", b"not an npz", None])
def test_splice_unreadable_index_is_ignored(tmp_path, damage):
    G = load_fixture()
    write_all(G, tmp_path)
    for index in (tmp_path / "idx").iterdir():
        if damage is None:
            os.truncate(index, index.stat().st_size // 2)
        else:
            index.write_bytes(damage)
    rdf, js, gml = write_all(grown(G), tmp_path)
    assert rdf.copied == js.copied == gml.copied == 0
    write_all(grown(G), tmp_path / "fresh", reuse=False)
    assert files(tmp_path) == files(tmp_path / "fresh")


def test_splice_index_round_trip(tmp_path):
    with open(tmp_path / "out", "wb") as handle:
        splicer = Splicer({"a": Output(handle, b",")}, None, "salt")
        splicer.text("a", "[")
        for text in ("x", "yy", "zzz"):
            splicer.element(digest(text), lambda text=text: {"a": text})
        splicer.text("a", "]")
        index = splicer.close()
    assert (tmp_path / "out").read_bytes() == b"[x,yy,zzz]"
    assert index.files["a"].offsets.tolist() == [1, 3, 6] and index.files["a"].lengths.tolist() == [1, 2, 3]
    index.stamped({"a": tmp_path / "out"}).save(tmp_path / "idx.npz")
    loaded = FragmentIndex.load(tmp_path / "idx.npz")
    assert loaded.digests == index.digests and len(loaded) == 3
    assert Previous(loaded, {"a": tmp_path / "out"}).checked("salt")
    assert not Previous(loaded, {"a": tmp_path / "out"}).checked("other salt")
    assert not Previous(loaded, {"b": tmp_path / "out"}).checked("salt")


def test_splice_runs_do_not_cross_text(tmp_path):
    """Fragments that were consecutive but had text between them are copied one run each."""
    def write(groups, previous):
        with open(tmp_path / "new", "wb") as handle:
            splicer = Splicer({"a": Output(handle, b",", previous.get("a"))}, previous.index, "s")
            for header, items in groups:
                splicer.text("a", header)
                for item in items:
                    splicer.element(digest(item), lambda item=item: {"a": item})
            index = splicer.close()
        (tmp_path / "new").replace(tmp_path / "out")
        return Previous(index.stamped({"a": tmp_path / "out"}), {"a": tmp_path / "out"}).checked("s"), splicer.stats()

    first, _ = write([("<", ["p", "q"]), ("|", ["r", "s"])], Previous.none())
    _, stats = write([("<", ["p", "q"]), ("#", ["r", "s"])], first)
    assert (tmp_path / "out").read_bytes() == b"<p,q#r,s"
    assert stats.copied == 4


_ids = st.text("abcdefgh", min_size=1, max_size=3)


@st.composite
def graph_pairs(draw):
    """A small kgraph-shaped graph and an edited copy of it."""
    def graph(papers, entities, edges, community):
        G = nx.MultiDiGraph(name="g")
        for paper, title in papers.items():
            G.add_node(f"paper:{paper}", type="paper", label=title, abstract=title * 2, year=2020, authors=["A"])
        for entity, label in entities.items():
            G.add_node(f"method:{entity}", type="method", label=label, aliases=[label], alias_counts=[1],
                       papers=[f"paper:{p}" for p in papers][:2], mentions=1)
        for paper, entity, relation, sentence in edges:
            if paper in papers and entity in entities:
                G.add_edge(f"paper:{paper}", f"method:{entity}", key=relation, relation=relation, support=1,
                           evidence=[{"paper": paper, "field": "abstract", "start": 0, "end": 1,
                                      "sentence": sentence, "extractor": "pattern"}])
        for node in G.nodes:  # renumbered by every build, as the communities are
            G.nodes[node]["community"] = community(node)
        return G

    papers = draw(st.dictionaries(_ids, st.text(max_size=8), min_size=1, max_size=6))
    entities = draw(st.dictionaries(_ids, st.text(min_size=1, max_size=8), min_size=1, max_size=6))
    edges = draw(st.lists(st.tuples(_ids, _ids, st.sampled_from(["uses", "mentions"]), st.text(max_size=6)),
                          max_size=12))
    papers2 = {**draw(st.dictionaries(_ids, st.text(max_size=8), max_size=3)), **papers}
    for gone in draw(st.lists(st.sampled_from(sorted(papers)), max_size=2)):
        papers2.pop(gone, None)
    entities2 = {**entities, **draw(st.dictionaries(_ids, st.text(min_size=1, max_size=8), max_size=2))}
    edges2 = draw(st.permutations(edges))[: len(edges) - draw(st.integers(0, min(3, len(edges))))]
    edges2 += draw(st.lists(st.tuples(_ids, _ids, st.sampled_from(["uses", "mentions"]), st.text(max_size=6)),
                            max_size=4))
    shift = draw(st.integers(0, 3))
    return (graph(papers, entities, edges, lambda node: len(node) % 3),
            graph(papers2, entities2, edges2, lambda node: (len(node) + shift) % 4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(pair=graph_pairs())
def test_splice_any_edit_same_bytes_as_written_afresh_property(tmp_path_factory, pair):
    G, H = pair
    root = tmp_path_factory.mktemp("splice")
    write_all(G, root / "inc")
    write_all(H, root / "inc")
    write_all(H, root / "fresh", reuse=False)
    assert files(root / "inc") == files(root / "fresh")


def test_splice_copies_through_memory_without_copy_file_range(tmp_path, monkeypatch):
    G, H = load_fixture(), grown(load_fixture())
    write_all(G, tmp_path / "inc")

    def unsupported(*args, **kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(splice.os, "copy_file_range", unsupported)
    rdf, _, gml = write_all(H, tmp_path / "inc")
    assert rdf.copied > 0
    write_all(H, tmp_path / "fresh", reuse=False)
    assert files(tmp_path / "inc") == files(tmp_path / "fresh")


def test_splice_graphml_new_paper_renders_only_its_elements(tmp_path):
    """GraphML edge ids are numbered per source and keys by first use: a new paper changes only its own elements."""
    G = nx.MultiDiGraph(name="g")
    for i in range(200):
        G.add_node(f"paper:p{i:03d}", type="paper", label=f"Paper {i}", year=2020, authors=["A. B."])
        method = f"method:m{i % 7}"
        G.add_node(method, type="method", label=f"m{i % 7}", aliases=[f"m{i % 7}"])
        G.add_edge(f"paper:p{i:03d}", method, key="uses", relation="uses", support=1, evidence=[{"paper": str(i)}])
    write_all(G, tmp_path)
    G.add_node("paper:p050x", type="paper", label="New", year=2026, authors=[], url=None)
    G.add_edge("paper:p050x", "method:m3", key="uses", relation="uses", support=1, evidence=[{"paper": "050x"}])
    G.add_edge("paper:p050x", "method:m4", key="mentions", relation="mentions", support=1)
    _, _, gml = write_all(G, tmp_path)
    assert (gml.rendered, gml.copied) == (3, G.number_of_nodes() + G.number_of_edges() - 3)
    write_all(G, tmp_path / "fresh", reuse=False)
    assert files(tmp_path) == files(tmp_path / "fresh")
    ids = [edge.get("id") for edge in __import__("xml.etree.ElementTree").etree.ElementTree.parse(
        tmp_path / "graph.graphml").getroot().iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert "paper:p050x#1" in ids and len(set(ids)) == len(ids) == G.number_of_edges()
    # an attribute no element had before is a new key, numbered where it is first used: the keys after
    # it get new numbers and the elements that use them are written again (the bytes are still the same)
    G.nodes["paper:p050x"]["url"] = "https://example.org/x"
    _, _, gml = write_all(G, tmp_path)
    assert gml.rendered > 200
    write_all(G, tmp_path / "fresh", reuse=False)
    assert files(tmp_path) == files(tmp_path / "fresh")


def _extractions(n: int, *, label: str = "Glarfnet"):
    """``n`` papers, each mentioning one method whose label is ``label``, resolved."""
    from kgraph.model import EntityType, LocalRelation, Mention, Paper, PaperExtraction, RelationType, Span
    from kgraph.resolve import resolve

    extractions = []
    for i in range(n):
        abstract = f"We propose {label} for task {i}."
        mention = Mention("abstract", 11, 11 + len(label), label, EntityType.METHOD, "test", lemma=label,
                          proposed=i == 0)
        extractions.append(PaperExtraction(
            Paper(f"p{i}", f"Paper {i}", abstract), mentions=(mention,),
            relations=(LocalRelation(None, RelationType.USES, 0, Span("abstract", 0, len(abstract)), "test"),)))
    return extractions, resolve(extractions)


def write_lines(extractions, resolution, final: Path, *, reuse: Reuse | None = None, extracted_by: str | None = None):
    """extractions.jsonl, reusing the previous file's lines where ``reuse`` and ``extracted_by`` allow."""
    return write_fragments(extraction_fragments(extractions, resolution, extracted_by=extracted_by),
                           {"extractions": final}, reuse=reuse)


def test_splice_extractions_lines_copied_and_same_bytes(tmp_path):
    final = tmp_path / "extractions.jsonl"
    reuse = Reuse(tmp_path / "idx" / "extractions.npz", {"extractions": final})
    extractions, resolution = _extractions(5)
    first = write_lines(extractions, resolution, final, reuse=reuse, extracted_by="pipeline-1")
    assert (first.copied, first.rendered) == (0, 5)
    extractions, resolution = _extractions(6)  # a paper appended
    again = write_lines(extractions, resolution, final, reuse=reuse, extracted_by="pipeline-1")
    fresh = write_lines(extractions, resolution, tmp_path / "fresh.jsonl")
    assert (again.copied, again.rendered, fresh.copied) == (5, 1, 0)
    assert final.read_bytes() == (tmp_path / "fresh.jsonl").read_bytes()
    write_extractions(extractions, resolution, tmp_path / "plain.jsonl")
    assert (tmp_path / "plain.jsonl").read_bytes() == final.read_bytes()
    assert [json.loads(line)["id"] for line in final.read_text().splitlines()] == [f"p{i}" for i in range(6)]
    assert not (tmp_path / "idx").exists() or len(list((tmp_path / "idx").iterdir())) == 1


def test_splice_extractions_without_a_pipeline_name_keep_no_index(tmp_path):
    final = tmp_path / "extractions.jsonl"
    reuse = Reuse(tmp_path / "idx" / "extractions.npz", {"extractions": final})
    for _ in range(2):
        written = write_lines(*_extractions(3), final, reuse=reuse)
        assert (written.copied, written.rendered) == (0, 3)
    assert not (tmp_path / "idx").exists()


def test_splice_extractions_line_made_again_when_its_entity_or_the_pipeline_changes(tmp_path):
    final = tmp_path / "extractions.jsonl"
    reuse = Reuse(tmp_path / "idx" / "extractions.npz", {"extractions": final})
    write_lines(*_extractions(3), final, reuse=reuse, extracted_by="pipeline-1")
    relabelled = write_lines(*_extractions(3, label="GlarfNet"), final, reuse=reuse, extracted_by="pipeline-1")
    assert (relabelled.copied, relabelled.rendered) == (0, 3)
    assert all('"label":"GlarfNet"' in line for line in final.read_text().splitlines())
    other_pipeline = write_lines(*_extractions(3, label="GlarfNet"), final, reuse=reuse, extracted_by="pipeline-2")
    assert (other_pipeline.copied, other_pipeline.rendered) == (0, 3)


def test_splice_popular_entity_gaining_a_paper_renders_one_block_of_its_mentions(tmp_path):
    """An entity mentioned by many papers keeps its kg:mentioned_in triples in blocks; a new paper changes one."""
    def graph(papers):
        G = nx.MultiDiGraph()
        for paper in papers:
            G.add_node(paper, type="paper", label=f"Title of {paper}")
        G.add_node("method:x", type="method", label="X", papers=sorted(papers), mentions=len(papers))
        return G

    papers = [f"paper:{i:03d}" for i in range(300)]
    blocks = mention_chunks(sorted(papers))
    assert len(blocks) > 5
    finals = {name: tmp_path / file for name, file in RDF.items()}
    reuse = Reuse(tmp_path / "idx" / "rdf.npz", finals)
    write_fragments(rdf_fragments(graph(papers), finals, BASE, GraphDigests.of(graph(papers))), finals, reuse=reuse)
    grown_graph = graph(papers + ["paper:150a"])
    again = write_fragments(rdf_fragments(grown_graph, finals, BASE, GraphDigests.of(grown_graph)), finals,
                            reuse=reuse)
    # the dataset, the new paper, the entity's own triples and the one block the paper falls into
    assert again.rendered == 4 and again.copied == 300 + len(blocks) - 1
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_rdf_files(grown_graph, {name: fresh / file for name, file in RDF.items()}, BASE)
    assert all(finals[name].read_bytes() == (fresh / file).read_bytes() for name, file in RDF.items())
