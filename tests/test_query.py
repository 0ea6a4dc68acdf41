"""kgraph.query and `kgraph query` on a small hand-built graph with known answers."""

from __future__ import annotations

import csv
import doctest
import importlib
import io
import json
import random

import networkx as nx
import pytest
from click.testing import CliRunner

import kgraph.query as q
from kgraph.cli import cli
from kgraph.errors import KGraphError
from kgraph.export.json import write_graph_json
from kgraph.graph.analytics import compute_communities

# (id, label, aliases with counts) of every entity
ENTITIES = [
    ("method:fast-3d-reconstruction", "Fast 3D Reconstruction", {"Fast3R": 5, "Fast 3D Reconstruction": 1}),
    ("method:dust3r", "DUSt3R", {"DUSt3R": 4}),
    ("method:must3r", "MUSt3R", {"MUSt3R": 2}),
    ("method:large-language-model", "large language models", {"LLMs": 3, "large language models": 1}),
    ("method:brs", "backpropagating refinement scheme", {"BRS": 2}),
    ("method:segformer", "SegFormer", {"SegFormer": 1}),
    ("method:island", "Island Net", {"Island Net": 1}),
    ("method:imagenet", "ImageNet", {"ImageNet": 1}),
    ("task:camera-pose-estimation", "camera pose estimation", {"camera pose estimation": 1}),
    ("task:3d-reconstruction", "3D reconstruction", {"3D reconstruction": 2}),
    ("task:segmentation", "segmentation", {"segmentation": 1}),
    ("task:interactive-segmentation", "interactive segmentation", {"interactive segmentation": 2}),
    ("task:mask-refinement", "mask refinement", {"mask refinement": 1}),
    ("dataset:scannet", "ScanNet", {"ScanNet": 1}),
    ("dataset:davis", "DAVIS", {"DAVIS": 2}),
    ("dataset:imagenet", "ImageNet", {"ImageNet": 3}),
]
PAPERS = {
    "fast3r": "Fast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass",
    "must3r": "MUSt3R: Multi-view Network for Stereo 3D Reconstruction",
    "brs": "Interactive Segmentation with a Backpropagating Refinement Scheme",
    "segformer": "SegFormer: Simple and Efficient Design for Semantic Segmentation",
    "llm": "Large Language Models Mention DUSt3R Once",
    "island": "Island Net: A Paper About Nothing Else",
}
# (head, relation, tail, paper of the evidence); the sentence is made from them
EDGES = [
    ("paper:fast3r", "proposes", "method:fast-3d-reconstruction", "fast3r"),
    ("paper:fast3r", "mentions", "method:dust3r", "fast3r"),
    ("paper:fast3r", "addresses", "task:camera-pose-estimation", "fast3r"),
    ("paper:fast3r", "addresses", "task:3d-reconstruction", "fast3r"),
    ("paper:fast3r", "uses", "dataset:imagenet", "fast3r"),
    ("method:fast-3d-reconstruction", "extends", "method:dust3r", "fast3r"),
    ("method:fast-3d-reconstruction", "used_for", "task:camera-pose-estimation", "fast3r"),
    ("method:fast-3d-reconstruction", "used_for", "task:3d-reconstruction", "fast3r"),
    ("paper:must3r", "proposes", "method:must3r", "must3r"),
    ("paper:must3r", "uses", "method:dust3r", "must3r"),
    ("paper:must3r", "addresses", "task:3d-reconstruction", "must3r"),
    ("paper:must3r", "uses", "dataset:scannet", "must3r"),
    ("method:must3r", "extends", "method:dust3r", "must3r"),
    ("method:must3r", "evaluated_on", "dataset:scannet", "must3r"),
    ("method:dust3r", "used_for", "task:3d-reconstruction", "must3r"),
    ("paper:brs", "proposes", "method:brs", "brs"),
    ("paper:brs", "addresses", "task:interactive-segmentation", "brs"),
    ("paper:brs", "uses", "dataset:davis", "brs"),
    ("method:brs", "used_for", "task:interactive-segmentation", "brs"),
    ("method:brs", "evaluated_on", "dataset:davis", "brs"),
    ("task:mask-refinement", "part_of", "task:segmentation", "brs"),
    ("paper:segformer", "proposes", "method:segformer", "segformer"),
    ("paper:segformer", "addresses", "task:segmentation", "segformer"),
    ("paper:segformer", "uses", "dataset:davis", "segformer"),
    ("paper:segformer", "mentions", "method:imagenet", "segformer"),
    ("paper:segformer", "uses", "dataset:imagenet", "segformer"),
    ("method:segformer", "compared_with", "method:brs", "segformer"),
    ("method:segformer", "evaluated_on", "dataset:davis", "segformer"),
    ("paper:llm", "proposes", "method:large-language-model", "llm"),
    ("paper:llm", "mentions", "method:dust3r", "llm"),
    ("paper:island", "proposes", "method:island", "island"),
]
YEARS = {"fast3r": 2025, "must3r": 2025, "brs": 2020, "segformer": 2021}


def sentence(head: str, relation: str, tail: str) -> str:
    return f"{head.split(':')[1]} {relation.replace('_', ' ')} {tail.split(':')[1]}."


def build_fixture_graph(order_seed: int | None = None) -> nx.MultiDiGraph:
    """The fixture graph, its nodes and edges inserted in a shuffled order when a seed is given."""
    nodes = []
    for paper, title in PAPERS.items():
        nodes.append((f"paper:{paper}", {"type": "paper", "label": title, "year": YEARS.get(paper),
                                         "abstract": "", "authors": [], "url": None, "source": None}))
    for node, label, aliases in ENTITIES:
        papers = sorted({h for h, _, t, _ in EDGES if t == node and h.startswith("paper:")})
        nodes.append((node, {"type": node.split(":")[0], "label": label, "aliases": list(aliases),
                             "alias_counts": list(aliases.values()), "papers": papers,
                             "proposed_in": sorted(h for h, r, t, _ in EDGES if t == node and r == "proposes"),
                             "mentions": sum(aliases.values()), "known_id": None}))
    edges = []
    for head, relation, tail, paper in EDGES:
        text = sentence(head, relation, tail)
        edges.append((head, tail, relation, {
            "relation": relation, "support": 1, "extractors": ["test"],
            "evidence": [{"paper": paper, "field": "abstract", "start": 0, "end": len(text),
                          "sentence": text, "extractor": "test"}],
        }))
    if order_seed is not None:
        rng = random.Random(order_seed)
        rng.shuffle(nodes)
        rng.shuffle(edges)
    graph = nx.MultiDiGraph(name="fixture")
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph


@pytest.fixture()
def G() -> nx.MultiDiGraph:
    return build_fixture_graph()


def ids(refs) -> list[str]:
    return [ref.id for ref in refs]


# --------------------------------------------------------------------------- docs


@pytest.mark.parametrize("name", ["kgraph.query", "kgraph.graph.analytics", "kgraph.graph.lookup", "kgraph.errors"])
def test_query_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("name", q.__all__)
def test_query_public_names_are_documented(name):
    value = getattr(q, name)
    if callable(value):
        assert value.__doc__, f"kgraph.query.{name} has no docstring"


# --------------------------------------------------------------------------- lookup


@pytest.mark.parametrize("name, expected", [
    ("Fast3R", "method:fast-3d-reconstruction"),
    ("fast3r", "method:fast-3d-reconstruction"),
    ("FAST3R", "method:fast-3d-reconstruction"),
    ("Fast 3D reconstruction", "method:fast-3d-reconstruction"),
    ("fast-3d-reconstruction", "method:fast-3d-reconstruction"),
    ("the Fast 3D Reconstruction", "method:fast-3d-reconstruction"),
    ("method:fast-3d-reconstruction", "method:fast-3d-reconstruction"),
    ("dust3r", "method:dust3r"),
    ("LLM", "method:large-language-model"),
    ("llms", "method:large-language-model"),
    ("Large Language Model", "method:large-language-model"),
    ("camera-pose estimation", "task:camera-pose-estimation"),
    ("Camera Pose Estimations", "task:camera-pose-estimation"),
    ("ImageNet", "dataset:imagenet"),  # in more papers than the method of the same name
    ("Interactive Segmentation with a Backpropagating Refinement Scheme", "paper:brs"),
])
def test_query_find_entity_by_label_alias_or_variant(G, name, expected):
    assert q.find_entity(G, name).id == expected


def test_query_find_entity_type_restricts_the_search(G):
    assert q.find_entity(G, "ImageNet", type="method").id == "method:imagenet"
    with pytest.raises(q.EntityNotFound, match="no task named 'DUSt3R'"):
        q.find_entity(G, "DUSt3R", type="task")


def test_query_unknown_name_suggests_the_closest(G):
    with pytest.raises(q.EntityNotFound) as info:
        q.find_entity(G, "Fsat3R")
    error = info.value
    assert isinstance(error, KGraphError)
    assert error.suggestions[0].name == "Fast3R"
    assert error.suggestions[0].node.id == "method:fast-3d-reconstruction"
    assert str(error).startswith("no entity named 'Fsat3R'; closest: Fast3R (method)")
    assert "\n" not in str(error)


def test_query_unknown_name_with_nothing_close(G):
    with pytest.raises(q.EntityNotFound) as info:
        q.find_entity(G, "zzzzqqqq")
    assert info.value.suggestions == ()
    assert str(info.value) == "no entity named 'zzzzqqqq'"


def test_query_find_entity_ignores_accents():
    G = nx.MultiDiGraph()
    G.add_node("task:schrodinger-equation", type="task", label="Schrödinger equation", papers=["paper:1"])
    G.add_node("method:cafe", type="method", label="Café", aliases=["Café", "CAFE"])
    assert q.find_entity(G, "schrodinger equation").id == "task:schrodinger-equation"
    assert q.find_entity(G, "Schrodinger-Equations").id == "task:schrodinger-equation"
    assert q.find_entity(G, "cafe").id == "method:cafe"


def test_query_lookup_is_one_function_for_every_command():
    from kgraph.export import html
    from kgraph.graph import lookup
    from kgraph.serve import site

    assert q.find_entity is lookup.find_entity and q.closest_names is lookup.closest_names
    assert html.find_entity is lookup.find_entity and not hasattr(html, "find_node")
    assert site._lookup_keys is lookup.lookup_keys and site.candidate_rank is lookup.candidate_rank
    assert q.EntityNotFound.__module__ == q.NoPath.__module__ == "kgraph.errors"


@pytest.mark.parametrize("name", ["Fast3R", "fast 3d reconstruction", "DUST3R", "camera-pose estimation", "LLMs",
                                  "ImageNet", "method:dust3r"])
def test_query_html_focus_and_serve_resolve_names_as_query_does(G, name):
    from kgraph.export.html import select_view
    from kgraph.serve.site import Site

    expected = q.find_entity(G, name).id
    assert expected in select_view(G, focus=name, depth=0)
    assert Site(G).resolve(name)["id"] == expected


def test_query_results_are_frozen(G):
    ref = q.find_entity(G, "Fast3R")
    with pytest.raises(AttributeError):
        ref.label = "x"  # type: ignore[misc]


def test_query_functions_do_not_change_the_graph(G):
    before = json.dumps(nx.node_link_data(G, edges="edges"), sort_keys=True, default=str)
    q.methods_for_task(G, "segmentation")
    q.papers_for(G, method="DUSt3R")
    q.related(G, "Fast3R")
    q.shortest_path(G, "MUSt3R", "camera pose estimation")
    q.top(G, by="pagerank")
    q.communities(G)
    q.neighbors(G, "DUSt3R", depth=2)
    q.show(G, "Fast3R")
    assert json.dumps(nx.node_link_data(G, edges="edges"), sort_keys=True, default=str) == before


# --------------------------------------------------------------------------- methods / papers


def test_query_methods_for_task_ranked_with_papers(G):
    answers = q.methods_for_task(G, "3D reconstruction")
    assert [(a.method.id, a.support) for a in answers] == [
        ("method:dust3r", 1),                   # used_for edge (MUSt3R paper) + MUSt3R paper uses it
        ("method:fast-3d-reconstruction", 1),
        ("method:must3r", 1),                   # through its paper only
    ]
    fast3r = answers[1]
    assert ids(fast3r.papers) == ["paper:fast3r"]
    assert [st.sentence for st in fast3r.statements] == ["Fast 3D Reconstruction is used for 3D reconstruction"]
    assert fast3r.statements[0].evidence[0].sentence == "fast-3d-reconstruction used for 3d-reconstruction."
    assert answers[2].statements == ()


def test_query_methods_for_task_includes_subtasks(G):
    assert ids(q.subtasks(G, "segmentation")) == ["task:interactive-segmentation", "task:mask-refinement"]
    with_sub = q.methods_for_task(G, "segmentation")
    assert ids(a.method for a in with_sub) == ["method:brs", "method:segformer"]
    assert ids(with_sub[0].tasks) == ["task:interactive-segmentation"]
    without = q.methods_for_task(G, "segmentation", include_subtasks=False)
    assert ids(a.method for a in without) == ["method:segformer"]


def test_query_methods_for_task_limit_and_unknown_task(G):
    assert len(q.methods_for_task(G, "3D reconstruction", limit=1)) == 1
    with pytest.raises(q.EntityNotFound, match="no task named"):
        q.methods_for_task(G, "Fast3R")


def test_query_papers_for_method_strongest_relation_first(G):
    hits = q.papers_for(G, method="DUSt3R")
    assert [(h.paper.id, [st.relation for st in h.statements]) for h in hits] == [
        ("paper:must3r", ["uses"]),
        ("paper:fast3r", ["mentions"]),
        ("paper:llm", ["mentions"]),
    ]
    assert hits[0].year == 2025
    assert ids(h.paper for h in q.papers_for(G, method="DUSt3R", relations=["uses"])) == ["paper:must3r"]


def test_query_papers_for_several_entities_intersects(G):
    hits = q.papers_for(G, dataset="DAVIS", task="segmentation")
    assert ids(h.paper for h in hits) == ["paper:segformer", "paper:brs"]
    assert [st.tail.id for st in hits[1].statements] == ["dataset:davis", "task:interactive-segmentation"]
    assert q.papers_for(G, method="MUSt3R", task="camera pose estimation") == ()


def test_query_papers_for_needs_an_entity_and_known_relations(G):
    with pytest.raises(KGraphError, match="give a method"):
        q.papers_for(G)
    with pytest.raises(KGraphError, match="unknown paper relation 'cites'"):
        q.papers_for(G, method="DUSt3R", relations=["cites"])


# --------------------------------------------------------------------------- related / path


def test_query_related_with_reasons(G):
    answers = q.related(G, "Fast3R")
    by_id = {r.entity.id: r for r in answers}
    dust3r = by_id["method:dust3r"]
    assert answers[0].entity.id == "method:dust3r"
    kinds = [reason.kind for reason in dust3r.reasons]
    assert kinds[0] == "relation"
    assert dust3r.reasons[0].statement.relation == "extends"
    assert dust3r.reasons[0].text == "Fast 3D Reconstruction extends DUSt3R"
    assert "shared_task" in kinds and "shared_paper" in kinds
    must3r = by_id["method:must3r"]
    assert [(r.kind, r.via.id) for r in must3r.reasons] == [("shared_task", "task:3d-reconstruction")]
    assert "method:island" not in by_id


def test_query_related_shared_dataset(G):
    answers = q.related(G, "BRS")
    segformer = next(r for r in answers if r.entity.id == "method:segformer")
    assert ("shared_dataset", "dataset:davis") in [(r.kind, r.via.id if r.via else None) for r in segformer.reasons]
    assert segformer.reasons[0].text == "SegFormer is compared with backpropagating refinement scheme"


def test_query_path_single_extends_edge(G):
    path = q.shortest_path(G, "Fast3R", "DUSt3R")
    assert path.length == 1
    step = path.steps[0]
    assert (step.head.id, step.relation, step.tail.id) == ("method:fast-3d-reconstruction", "extends", "method:dust3r")
    assert step.sentence == "Fast 3D Reconstruction extends DUSt3R"
    assert step.evidence[0].paper_id == "fast3r"


def test_query_path_shows_each_edge_in_its_own_direction(G):
    path = q.shortest_path(G, "DUSt3R", "Fast3R")
    assert [(st.head.id, st.tail.id) for st in path.steps] == [("method:fast-3d-reconstruction", "method:dust3r")]
    longer = q.shortest_path(G, "MUSt3R", "camera pose estimation")
    assert [st.sentence for st in longer.steps] == [
        "MUSt3R extends DUSt3R",
        "Fast 3D Reconstruction extends DUSt3R",
        "Fast 3D Reconstruction is used for camera pose estimation",
    ]


def test_query_path_prefers_entity_edges_over_papers_at_equal_length(G):
    # MUSt3R -> 3D reconstruction: via DUSt3R (extends, used_for) or via its paper (proposes, addresses)
    path = q.shortest_path(G, "MUSt3R", "3D reconstruction")
    assert [st.relation for st in path.steps] == ["extends", "used_for"]


def test_query_path_uses_mentions_only_when_needed(G):
    path = q.shortest_path(G, "large language models", "DUSt3R")
    assert [st.relation for st in path.steps] == ["proposes", "mentions"]
    assert path.steps[0].sentence.startswith('the paper "Large Language Models Mention DUSt3R Once" proposes')
    with pytest.raises(q.NoPath):
        q.shortest_path(G, "large language models", "DUSt3R", mentions=False)
    assert all(st.relation != "mentions" for st in q.shortest_path(G, "Fast3R", "MUSt3R").steps)


def test_query_path_none_and_same(G):
    with pytest.raises(q.NoPath, match="no chain of relations connects 'Island Net' and 'DUSt3R'"):
        q.shortest_path(G, "Island Net", "DUSt3R")
    assert q.shortest_path(G, "Fast3R", "fast 3d reconstruction").steps == ()


# --------------------------------------------------------------------------- top / communities


def test_query_top_by_support(G):
    answers = q.top(G, by="support", limit=3)
    assert [(r.rank, r.node.id, r.score) for r in answers] == [
        (1, "method:dust3r", 3.0), (2, "task:3d-reconstruction", 2.0), (3, "dataset:davis", 2.0),
    ]


@pytest.mark.parametrize("by", ["degree", "pagerank", "betweenness", "support"])
def test_query_top_by_every_measure_is_sorted_and_typed(G, by):
    answers = q.top(G, by=by, type="method", limit=None)
    assert {r.node.type for r in answers} == {"method"}
    assert len(answers) == 8
    scores = [r.score for r in answers]
    assert scores == sorted(scores, reverse=True)


def test_query_top_known_answers(G):
    assert q.top(G, by="degree", limit=1)[0].node.id == "method:dust3r"
    assert q.top(G, by="betweenness", type="method", limit=1)[0].node.id == "method:dust3r"
    assert q.top(G, by="support", type="paper", limit=None)[0].score == 1.0
    with pytest.raises(KGraphError, match="unknown measure 'fame'"):
        q.top(G, by="fame")
    with pytest.raises(KGraphError, match="unknown node type 'author'"):
        q.top(G, type="author")


def test_query_communities_separate_3d_from_segmentation(G):
    groups = q.communities(G)
    member_of = {m.id: c.id for c in groups for m in c.members}
    assert member_of["method:fast-3d-reconstruction"] == member_of["method:dust3r"] == member_of["method:must3r"]
    assert member_of["method:brs"] == member_of["method:segformer"] == member_of["dataset:davis"]
    assert member_of["method:brs"] != member_of["method:dust3r"]
    assert "method:island" not in member_of  # a community of one entity
    three_d = next(c for c in groups if c.id == member_of["method:dust3r"])
    assert "DUSt3R" in three_d.name
    assert [c.id for c in groups] == sorted(c.id for c in groups)


def test_query_communities_are_deterministic_and_independent_of_insertion_order(G):
    expected = compute_communities(G)
    for seed in range(3):
        assert compute_communities(build_fixture_graph(order_seed=seed)) == expected
    assert q.communities(build_fixture_graph(order_seed=7)) == q.communities(G)


def test_query_communities_read_the_stored_attribute(G):
    nx.set_node_attributes(G, {n: (0 if n.startswith(("method", "task")) else 1) for n in G}, "community")
    groups = q.communities(G)
    assert [c.id for c in groups] == [0, 1]
    assert {m.type for m in groups[0].members} == {"method", "task"}


# --------------------------------------------------------------------------- neighbors / show


def test_query_neighbors_depth_one_and_two(G):
    first = q.neighbors(G, "DUSt3R", papers=False)
    assert [(n.depth, n.node.id, n.via.relation) for n in first] == [
        (1, "method:fast-3d-reconstruction", "extends"),
        (1, "method:must3r", "extends"),
        (1, "task:3d-reconstruction", "used_for"),
    ]
    second = q.neighbors(G, "DUSt3R", depth=2, papers=False)
    assert {n.node.id for n in second if n.depth == 2} == {"task:camera-pose-estimation", "dataset:scannet"}
    with_papers = q.neighbors(G, "DUSt3R")
    assert {n.node.id for n in with_papers if n.node.type == "paper"} == {"paper:fast3r", "paper:must3r", "paper:llm"}
    no_mentions = q.neighbors(G, "DUSt3R", mentions=False)
    assert {n.node.id for n in no_mentions if n.node.type == "paper"} == {"paper:must3r"}
    with pytest.raises(KGraphError, match="depth must be at least 1"):
        q.neighbors(G, "DUSt3R", depth=0)


def test_query_show_entity(G):
    details = q.show(G, "fast3r")
    assert details.node.id == "method:fast-3d-reconstruction"
    assert details.aliases == (("Fast3R", 5), ("Fast 3D Reconstruction", 1))
    assert [st.sentence for st in details.papers] == [
        'the paper "Fast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass" proposes '
        "Fast 3D Reconstruction"
    ]
    assert [(st.relation, st.tail.id) for st in details.relations] == [
        ("extends", "method:dust3r"),
        ("used_for", "task:3d-reconstruction"),
        ("used_for", "task:camera-pose-estimation"),
    ]
    assert details.relations[0].evidence[0].sentence == "fast-3d-reconstruction extends dust3r."
    assert details.community == compute_communities(G)["method:fast-3d-reconstruction"]


def test_query_show_incoming_relations_and_a_paper(G):
    dust3r = q.show(G, "DUSt3R")
    assert {(st.head.id, st.relation) for st in dust3r.relations} == {
        ("method:fast-3d-reconstruction", "extends"), ("method:must3r", "extends"), ("method:dust3r", "used_for"),
    }
    paper = q.show(G, "paper:brs")
    assert paper.node.type == "paper"
    assert {st.tail.id for st in paper.papers} == {"method:brs", "task:interactive-segmentation", "dataset:davis"}


# --------------------------------------------------------------------------- command line


@pytest.fixture()
def graph_dir(tmp_path, G):
    write_graph_json(G, tmp_path / "graph.json")
    return tmp_path


def run(graph_dir, *args):
    result = CliRunner().invoke(cli, ["query", *args, "--graph", str(graph_dir)])
    return result


QUERY_COMMANDS = ["methods", "papers", "related", "path", "top", "communities", "neighbors", "show", "cited"]


@pytest.mark.parametrize("command", [[], *([c] for c in QUERY_COMMANDS)])
def test_query_cli_help_for_every_command(command):
    result = CliRunner().invoke(cli, ["query", *command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    if command:
        assert "-g, --graph" in result.output and "-f, --format" in result.output


def test_query_cli_short_options(graph_dir):
    long = CliRunner().invoke(cli, ["query", "top", "--limit", "3", "--graph", str(graph_dir), "--format", "csv"])
    short = CliRunner().invoke(cli, ["query", "top", "--limit", "3", "-g", str(graph_dir), "-f", "csv"])
    assert long.exit_code == short.exit_code == 0 and long.output == short.output


def test_query_cli_methods_table(graph_dir):
    result = run(graph_dir, "methods", "--task", "3d reconstruction")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["rank", "method", "support", "tasks", "papers"]
    assert "Fast 3D Reconstruction (Fast3R)" in lines[3]


@pytest.mark.parametrize("args", [
    ["methods", "--task", "segmentation"],
    ["papers", "--method", "DUSt3R"],
    ["related", "Fast3R"],
    ["path", "Fast3R", "DUSt3R"],
    ["top", "--by", "pagerank"],
    ["communities"],
    ["neighbors", "DUSt3R", "--depth", "2"],
    ["show", "Fast3R"],
])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_query_cli_every_command_in_every_format(graph_dir, args, fmt):
    result = run(graph_dir, *args, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.output.strip()
    if fmt == "json":
        json.loads(result.output)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.output)))
        assert rows


def test_query_cli_path_reads_as_sentences_with_evidence(graph_dir):
    result = run(graph_dir, "path", "fast3r", "dust3r")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Fast 3D Reconstruction (Fast3R) -> DUSt3R: 1 step",
        "1. Fast 3D Reconstruction extends DUSt3R  (support 1)",
        '   "fast-3d-reconstruction extends dust3r." [fast3r, abstract 0-38]',
    ]


def test_query_cli_json_is_the_result(graph_dir):
    result = run(graph_dir, "path", "Fast3R", "DUSt3R", "--format", "json")
    data = json.loads(result.output)
    assert data["source"]["id"] == "method:fast-3d-reconstruction"
    assert data["steps"][0]["relation"] == "extends"
    assert data["steps"][0]["evidence"][0]["paper_id"] == "fast3r"


def test_query_cli_csv_rows(graph_dir):
    result = run(graph_dir, "top", "--by", "support", "--limit", "2", "--format", "csv")
    assert result.output.splitlines() == [
        "rank,entity,type,id,support",
        "1,DUSt3R,method,method:dust3r,3",
        "2,3D reconstruction,task,task:3d-reconstruction,2",
    ]


@pytest.mark.parametrize("args, message", [
    (["show", "Fsat3R"], "Error: no entity named 'Fsat3R'; closest: Fast3R (method)"),
    (["methods", "--task", "DUSt3R"], "Error: no task named 'DUSt3R'"),
    (["path", "Island Net", "DUSt3R"], "Error: no chain of relations connects 'Island Net' and 'DUSt3R'"),
    (["papers"], "Error: give --method, --dataset or --task"),
    (["neighbors", "DUSt3R", "--depth", "0"], "Error: depth must be at least 1, not 0"),
])
def test_query_cli_errors_are_one_line(graph_dir, args, message):
    result = run(graph_dir, *args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1


def test_query_cli_missing_or_bad_graph(tmp_path):
    result = run(tmp_path / "nowhere", "show", "x")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "kgraph build" in result.output
    (tmp_path / "graph.json").write_text("{not json")
    result = run(tmp_path, "show", "x")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "graph.json:1" in result.output
