"""The method map: kgraph.graph.method_map, the map's page data (kgraph.export.html.map_data), years in queries."""

from __future__ import annotations

import copy
import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kgraph.cli import cli
from kgraph.errors import ConfigError
from kgraph.export.html import (
    MAP_FROM_PAPERS,
    MAP_PAPERS_LISTED,
    dumps_html,
    map_data,
    mention_marks,
)
from kgraph.export.json import write_graph_json
from kgraph.graph.analytics import papers_per_year
from kgraph.graph.method_map import STUDIED_WITH, build_method_map, map_communities
from kgraph.query import emerging, trends


def page_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.DOTALL).group(1))


# ------------------------------------------------------------------ build_method_map


def test_method_map_keeps_entities_and_folds_papers_into_edges(yearly_graph):
    M = build_method_map(yearly_graph)
    assert {kind for _, kind in M.nodes(data="type")} == {"method", "task", "dataset"}
    assert M.number_of_nodes() == 11
    typed = {(u, k, v) for u, v, k in M.edges(keys=True) if k != STUDIED_WITH}
    assert typed == {(u, k, v) for u, v, k in yearly_graph.edges(keys=True) if not u.startswith("paper:")}
    edge = M.edges["method:diffusion", "task:image-generation", "used_for"]
    assert edge["evidence"][0]["sentence"] == "Diffusion models are used for image generation."
    assert edge["years"] == {2023: 1}
    # studied together: the papers naming both, where no typed relation joins them already
    together = M.edges["method:cnn", "method:transformer", STUDIED_WITH]
    assert together["support"] == 24 and len(together["papers"]) == 24
    assert together["years"] == {2019: 8, 2020: 8, 2021: 8}
    assert not M.has_edge("method:transformer", "task:translation", STUDIED_WITH)
    assert M.nodes["method:diffusion"]["support"] == 16
    assert M.nodes["method:diffusion"]["years"] == {2023: 8, 2024: 8}


@pytest.mark.parametrize(("together", "per_node"), [(0, 5), (10, 5), (2, 1), (100, 5)])
def test_method_map_studied_with_threshold_and_cap(yearly_graph, together, per_node):
    M = build_method_map(yearly_graph, together=together, together_per_node=per_node)
    found = {(u, v): d["support"] for u, v, k, d in M.edges(keys=True, data=True) if k == STUDIED_WITH}
    assert all(n >= together for n in found.values())
    assert all(u < v for u, v in found)
    assert len(found) <= per_node * M.number_of_nodes()
    if together in (0, 100):
        assert found == {}
    else:  # the pair most papers name together, transformers and CNNs (24), is always kept
        assert found[("method:cnn", "method:transformer")] == 24
    if per_node == 1:  # each kept edge is the strongest of one of its ends
        for (u, v), n in found.items():
            assert any(n == max(m for pair, m in found.items() if end in pair) for end in (u, v))


def test_method_map_max_nodes_keeps_the_most_supported(yearly_graph):
    M = build_method_map(yearly_graph, max_nodes=3)
    assert len(M) == 3 and "method:transformer" in M  # 48 papers; then four of 24, the most related first
    assert all(M.nodes[n]["support"] >= 24 for n in M)


def test_method_map_is_deterministic_and_leaves_the_graph_alone(yearly_graph):
    G = yearly_graph
    before = copy.deepcopy(dict(G.nodes(data=True))), copy.deepcopy(list(G.edges(keys=True, data=True)))
    H = nx.MultiDiGraph()
    for node in reversed(list(G)):
        H.add_node(node, **G.nodes[node])
    for u, v, k, d in reversed(list(G.edges(keys=True, data=True))):
        H.add_edge(u, v, key=k, **d)
    assert nx.utils.graphs_equal(build_method_map(G), build_method_map(H))
    assert map_data(G) == map_data(H)
    assert (dict(G.nodes(data=True)), list(G.edges(keys=True, data=True))) == before


def test_method_map_communities_are_named_by_their_best_supported_members(yearly_graph):
    communities = map_communities(build_method_map(yearly_graph))
    assert [len(c.members) for c in communities] == sorted((len(c.members) for c in communities), reverse=True)
    first = communities[0]
    assert first.name.split(" / ")[0] == "Transformer"
    assert communities[-1].members == ("method:lonely",)


# ------------------------------------------------------------------ map_data and the page


def test_map_data_draws_entities_with_positions_sizes_and_community_colours(yearly_graph):
    data = map_data(yearly_graph)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert all(not node.startswith("paper:") for node in nodes)
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes.values())
    assert len({(n["x"], n["y"]) for n in nodes.values()}) == len(nodes)
    assert nodes["method:transformer"]["size"] > nodes["method:fast3r"]["size"]  # 48 papers > 6
    assert nodes["method:transformer"]["color"] == data["communities"][0]["color"]
    assert nodes["method:lonely"]["color"] == "#b8b8b8"  # a community of one: grey, no name drawn
    assert [c["label"] for c in data["communities"]] == ["Transformer / machine translation", "WMT / ImageNet"]
    assert data["years"] == [2019, 2024]
    assert data["hideIsolated"] is True and data["minSupport"] == 1


def test_map_data_aliases_years_and_papers_with_links(yearly_graph):
    data = map_data(yearly_graph)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["method:fast3r"]["aliases"] == [["Fast3R", 5], ["Fast 3D Reconstruction", 4]]
    assert nodes["method:diffusion"]["years"] == [[2023, 8], [2024, 8]]
    assert nodes["method:transformer"]["morePapers"] == 48 - MAP_PAPERS_LISTED
    assert nodes["method:transformer"]["papers"][0] == "paper:p40"  # the newest first
    paper = data["papers"]["paper:p40"]
    assert paper["title"] == "Paper 40 of 2024" and paper["year"] == 2024
    assert paper["links"] == [["DOI 10.1000/p40", "https://doi.org/10.1000/p40"],
                              ["arXiv 2401.00040", "https://arxiv.org/abs/2401.00040"]]


def test_map_data_marks_both_mentions_in_the_evidence(yearly_graph):
    edges = {(e["from"], e["relation"], e["to"]): e for e in map_data(yearly_graph)["edges"]}
    for key, expected in [(("method:transformer", "used_for", "task:translation"), ["transformers", "machine translation"]),
                          (("method:boldnet", "extends", "method:transformer"), ["<b>Bold</b>Net", "Transformer"]),
                          (("method:cnn", "evaluated_on", "dataset:imagenet"), ["CNN", "ImageNet"])]:
        item = edges[key]["evidence"][0]
        assert [item["sentence"][a:b] for a, b in item["marks"]] == expected


def test_map_years_are_the_numbers_of_query_trends(yearly_graph):
    nodes = {n["id"]: n for n in map_data(yearly_graph)["nodes"]}
    for trend in trends(yearly_graph, limit=None):
        drawn = dict(map(tuple, nodes[trend.entity.id]["years"]))
        assert {year: n for year, n in trend.by_year if n} == drawn
        assert trend.papers == nodes[trend.entity.id]["support"]


@pytest.mark.parametrize(("papers", "start"), [(MAP_FROM_PAPERS, "papers"), (MAP_FROM_PAPERS + 1, "map")])
def test_html_opens_on_the_map_for_more_than_a_few_dozen_papers(papers, start):
    G = nx.MultiDiGraph()
    for name in ("m", "n"):  # two methods that every paper names: a map with an edge
        G.add_node(f"method:{name}", type="method", label=name.upper(), papers=[f"paper:{i}" for i in range(papers)])
    for i in range(papers):
        G.add_node(f"paper:{i}", type="paper", label=f"P{i}")
        G.add_edge(f"paper:{i}", "method:m", key="uses", relation="uses", support=1)
    assert page_data(dumps_html(G))["start"] == start
    assert page_data(dumps_html(G, focus="M"))["start"] == "papers"  # a focus opens the paper graph around it
    G.nodes["method:n"]["papers"] = []
    assert page_data(dumps_html(G))["start"] == "papers"  # a map without an edge would open empty


def test_html_map_page_embeds_both_views_inert(yearly_graph):
    page = dumps_html(yearly_graph)
    data = page_data(page)
    assert data["start"] == "map" and set(data["views"]) == {"map", "papers"}
    assert "<b>Bold</b>" not in page and "\\u003cb\\u003eBold\\u003c/b\\u003eNet" in page
    assert dumps_html(yearly_graph) == page


@given(st.text(max_size=60), st.lists(st.text(min_size=1, max_size=8), max_size=3),
       st.lists(st.text(min_size=1, max_size=8), max_size=3))
def test_mention_marks_lie_in_the_sentence_in_order_without_overlap(sentence, first, second):
    marks = mention_marks(sentence, first, second)
    assert len(marks) <= 2
    assert marks == sorted(marks)
    for a, b in marks:
        assert 0 <= a < b <= len(sentence)
    if len(marks) == 2:
        assert marks[0][1] <= marks[1][0]


# ------------------------------------------------------------------ trends and emerging


def test_query_trends_counts_papers_per_year(yearly_graph):
    found = {t.entity.id: t for t in trends(yearly_graph, type="method", limit=None)}
    assert [y for y, _ in found["method:cnn"].by_year] == list(range(2019, 2025))
    assert found["method:cnn"].by_year == ((2019, 8), (2020, 8), (2021, 8), (2022, 0), (2023, 0), (2024, 0))
    assert list(found)[0] == "method:transformer"
    assert papers_per_year(yearly_graph, yearly_graph.nodes["method:fast3r"]["papers"]) == {
        y: 1 for y in range(2019, 2025)}


def test_query_emerging_ranks_by_growth_of_share(yearly_graph):
    found = emerging(yearly_graph, years=2, min_papers=3, limit=None)
    assert found[0].entity.id in ("method:diffusion", "task:image-generation")
    top = found[0]
    assert (top.recent, top.earlier, top.recent_share, top.earlier_share, top.growth, top.years) == (
        16, 0, 1.0, 0.0, 1.0, (2023, 2024))
    cnn = next(e for e in found if e.entity.id == "method:cnn")
    assert cnn.growth == round(0 - 24 / 32, 6)
    assert [e.entity.id for e in emerging(yearly_graph, years=2, type="dataset", limit=None)] == [
        "dataset:wmt", "dataset:imagenet"]


def test_cli_query_trends_and_emerging(yearly_graph, tmp_path):
    write_graph_json(yearly_graph, tmp_path / "graph.json")
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "trends", "--type", "method", "--years", "3", "--graph", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["rank", "entity", "papers", "2022", "2023", "2024"]
    assert lines[2].split() == ["1", "Transformer", "48", "8", "8", "8"]
    result = runner.invoke(cli, ["query", "trends", "--format", "json", "--limit", "1", "--graph", str(tmp_path)])
    assert json.loads(result.output)[0]["by_year"][0] == [2019, 8]
    result = runner.invoke(cli, ["query", "emerging", "--years", "2", "--graph", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "share 2023-2024 %" in lines[0]
    assert lines[2].split()[:4] == ["1", "diffusion", "models", "method"]
    assert lines[2].split()[-3:] == ["100.0", "0.0", "100.0"]  # every recent paper, none before: +100 points


def test_cli_query_emerging_without_years(tmp_path):
    from kgraph.query import example_graph

    G = example_graph()
    for node in list(G):
        G.nodes[node].pop("year", None)
    write_graph_json(G, tmp_path / "graph.json")
    result = CliRunner().invoke(cli, ["query", "emerging", "--graph", str(tmp_path)])
    assert result.exit_code == 0 and "no paper of the graph has a year" in result.output


@pytest.mark.slow
def test_method_map_of_the_bundled_corpus(corpus_build):
    G = corpus_build.graph
    data = map_data(G)
    nodes = {n["id"]: n for n in data["nodes"]}
    family = ["method:dust3r", "method:fast-3d-reconstruction", "method:must3r", "method:panst3r"]
    assert len({nodes[n]["community"] for n in family}) == 1  # one neighbourhood
    linked = {end for e in data["edges"] for end in (e["from"], e["to"]) if {e["from"], e["to"]} & set(family)}
    assert set(family) <= linked  # each with its relations
    assert not any(n.startswith("paper:") for n in nodes)
    assert len(data["communities"]) >= 5


def test_method_map_keeps_the_best_supported_relations_of_either_end():
    G = nx.MultiDiGraph()
    G.add_node("task:hub", type="task", label="hub", papers=["paper:0"])
    for i in range(10):  # ten methods used for one task: the hub has ten relations, each method one
        G.add_node(f"method:m{i}", type="method", label=f"m{i}", papers=["paper:0"])
        G.add_edge(f"method:m{i}", "task:hub", key="used_for", relation="used_for", support=1 + i % 3)
    assert build_method_map(G, relations_per_node=3, together=0).number_of_edges() == 10  # each a method's best
    G.add_edge("method:m1", "method:m2", key="extends", relation="extends", support=1)
    M = build_method_map(G, relations_per_node=1, together=0)
    assert not M.has_edge("method:m1", "method:m2")  # neither end's best: used for the hub by 2 and 3 papers
    assert M.number_of_edges() == 10
    with pytest.raises(ConfigError, match="relations_per_node must not be negative"):
        build_method_map(G, relations_per_node=-1)
