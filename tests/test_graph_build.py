"""The graph builder: nodes, typed edges and their attributes."""

from __future__ import annotations

from kgraph.graph import build_graph
from kgraph.graph import schema as s
from kgraph.model import EntityType, LocalRelation, Mention, Paper, PaperExtraction, RelationType, Span
from kgraph.resolve import resolve


def _corpus():
    text = "We propose X1Net for image denoising."
    paper = Paper(id="p1", title="X1Net", abstract=text, year=2024, authors=("Ada", "Alan"))
    mentions = (
        Mention("abstract", 11, 16, "X1Net", EntityType.METHOD, "test", lemma="X1Net", proposed=True),
        Mention("abstract", 21, 36, "image denoising", EntityType.TASK, "test", lemma="image denoising"),
    )
    sent = Span("abstract", 0, len(text))
    relations = (
        LocalRelation(None, RelationType.PROPOSES, 0, sent, "rule"),
        LocalRelation(None, RelationType.ADDRESSES, 1, sent, "rule"),
        LocalRelation(0, RelationType.USED_FOR, 1, sent, "rule"),
    )
    ex = PaperExtraction(paper, mentions, (), relations)
    return [paper], resolve([ex])


def test_graph_build_nodes_and_attributes():
    papers, res = _corpus()
    graph = build_graph(papers, res)
    assert graph.nodes["paper:p1"][s.TYPE] == "paper"
    assert graph.nodes["paper:p1"][s.AUTHORS] == ["Ada", "Alan"]
    method = graph.nodes["method:x1net"]
    assert method[s.LABEL] == "X1Net"
    assert method[s.PROPOSED_IN] == ["paper:p1"]
    assert graph.nodes["task:image-denoising"][s.TYPE] == "task"


def test_graph_build_edges_are_keyed_by_relation_with_evidence():
    papers, res = _corpus()
    graph = build_graph(papers, res)
    edge = graph.edges["method:x1net", "task:image-denoising", "used_for"]
    assert edge[s.SUPPORT] == 1
    assert edge[s.EVIDENCE][0]["sentence"] == "We propose X1Net for image denoising."
    assert graph.has_edge("paper:p1", "method:x1net", key="proposes")
    assert graph.has_edge("paper:p1", "task:image-denoising", key="addresses")


def test_graph_build_is_deterministic():
    papers, res = _corpus()
    a, b = build_graph(papers, res), build_graph(papers, res)
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))
