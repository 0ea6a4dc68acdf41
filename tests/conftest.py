"""Shared fixtures: the extraction pipeline (loaded once) and the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "000_6f416096fe93fe6b.txt"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    from kgraph.nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def rules_nlp():
    """The pipeline without the trained recognizer: for tests of the rule components."""
    from kgraph.nlp.pipeline import load_pipeline

    return load_pipeline(ner=None)


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The bundled corpus built once into a temporary directory."""
    from kgraph.run import build

    out = tmp_path_factory.mktemp("corpus_build")
    return build([CORPUS], out)


# Corpus text that would run, or change a page, if it were ever read as markup (kgraph serve's tests).
SERVE_FLAG = '<img src=y onerror="window.kgraphXss=1"><script>window.kgraphXss=2</script>'


@pytest.fixture(scope="session")
def serve_dir(tmp_path_factory) -> Path:
    """A build directory (graph.json, graph.nt) of kgraph.query's example graph plus a hostile paper and method.

    Written by kgraph's own writers, so that `kgraph serve` tests know every answer.
    """
    from kgraph.export.json import write_graph_json
    from kgraph.export.rdf import write_rdf
    from kgraph.query import example_graph

    G = example_graph()
    G.add_node("paper:xss <b>&amp;", type="paper", label=SERVE_FLAG + " XSSNet: Scripted Graph Networks", year=2024,
               abstract="We propose XSSNet </script><script>window.kgraphXss=3</script> {{7*7}} <!-- x -->",
               authors=["<b>Mallory</b>", "O'Brien \"Bobby\" Tables"], url="javascript:window.kgraphXss=4",
               doi="10.1000/a<b>#c", arxiv_id="javascript:alert(1)")
    G.add_node("method:xssnet", type="method", label='XSSNet <script>window.kgraphXss=5</script>',
               aliases=["XSSNet", SERVE_FLAG], alias_counts=[2, 1], papers=["paper:xss <b>&amp;"],
               proposed_in=["paper:xss <b>&amp;"], mentions=3, known_id=None)
    evidence = [{"paper": "xss <b>&amp;", "field": "abstract", "start": 0, "end": 10, "sentence": SERVE_FLAG,
                 "extractor": "example"}]
    G.add_edge("paper:xss <b>&amp;", "method:xssnet", key="proposes", relation="proposes", support=1,
               extractors=["example"], evidence=evidence)
    G.add_edge("method:xssnet", "method:dust3r", key="extends", relation="extends", support=1,
               extractors=["example"], evidence=evidence)
    out = tmp_path_factory.mktemp("serve")
    write_graph_json(G, out / "graph.json")
    write_rdf(G, out / "graph.nt", format="nt")
    return out


def build_yearly_graph():
    """48 papers of 2019-2024 (8 a year) and the methods, tasks and datasets they name, for the method map.

    Transformers are named every year, convolutional networks until 2021, diffusion models from 2023 on
    (an emerging method); Fast3R's label is not its most frequent alias; one method is named by one paper
    and related to nothing; one label is markup. Typed relations carry evidence sentences naming both ends.
    """
    import networkx as nx

    G = nx.MultiDiGraph()
    entities = {
        "method:transformer": ("method", "Transformer", ["Transformer", "transformers"]),
        "method:cnn": ("method", "convolutional neural network", ["convolutional neural network", "CNN"]),
        "method:diffusion": ("method", "diffusion models", ["diffusion models", "DDPM"]),
        "method:fast3r": ("method", "Fast 3D Reconstruction", ["Fast3R", "Fast 3D Reconstruction"]),
        "method:boldnet": ("method", "<b>Bold</b>Net", ["<b>Bold</b>Net"]),
        "method:lonely": ("method", "Lonely method", ["Lonely method"]),
        "task:translation": ("task", "machine translation", ["machine translation"]),
        "task:image-generation": ("task", "image generation", ["image generation"]),
        "task:3d-reconstruction": ("task", "3D reconstruction", ["3D reconstruction"]),
        "dataset:wmt": ("dataset", "WMT", ["WMT"]),
        "dataset:imagenet": ("dataset", "ImageNet", ["ImageNet"]),
    }
    for node, (kind, label, aliases) in entities.items():
        G.add_node(node, type=kind, label=label, aliases=aliases, alias_counts=[5 - i for i in range(len(aliases))],
                   papers=[], proposed_in=[], mentions=len(aliases), known_id=None)
    names = {}
    for i in range(48):
        year = 2019 + i // 8
        pid = f"p{i:02d}"
        G.add_node(f"paper:{pid}", type="paper", label=f"Paper {i} of {year}", year=year, abstract=f"Abstract {i}.",
                   authors=[], arxiv_id=f"{year % 100:02d}01.{i:05d}", doi=f"10.1000/p{i}")
        named = ["method:transformer", "task:translation"] if i % 2 == 0 else ["method:transformer", "dataset:wmt"]
        if year <= 2021:
            named += ["method:cnn", "dataset:imagenet"]
        if year >= 2023:
            named += ["method:diffusion", "task:image-generation"]
        if i % 8 == 3:
            named += ["method:fast3r", "task:3d-reconstruction"]
        if i == 5:
            named += ["method:boldnet"]
        if i == 7:
            named += ["method:lonely"]
        names[pid] = named
        for node in named:
            G.nodes[node]["papers"].append(f"paper:{pid}")
            G.add_edge(f"paper:{pid}", node, key="uses", relation="uses", support=1, extractors=["example"],
                       evidence=[{"paper": pid, "field": "abstract", "start": 0, "end": 11,
                                  "sentence": f"Abstract {i}.", "extractor": "example"}])
    relations = [
        ("method:transformer", "used_for", "task:translation", "p00", "We use transformers for machine translation."),
        ("method:transformer", "evaluated_on", "dataset:wmt", "p01", "The Transformer is evaluated on WMT."),
        ("method:cnn", "evaluated_on", "dataset:imagenet", "p02", "A CNN trained on ImageNet."),
        ("method:diffusion", "used_for", "task:image-generation", "p32",
         "Diffusion models are used for image generation."),
        ("method:fast3r", "used_for", "task:3d-reconstruction", "p03", "Fast3R performs 3D reconstruction."),
        ("method:boldnet", "extends", "method:transformer", "p05", "<b>Bold</b>Net extends the Transformer."),
    ]
    for head, relation, tail, pid, sentence in relations:
        G.add_edge(head, tail, key=relation, relation=relation, support=1, extractors=["example"],
                   evidence=[{"paper": pid, "field": "abstract", "start": 0, "end": len(sentence),
                              "sentence": sentence, "extractor": "example"}])
    return G


@pytest.fixture(scope="session")
def yearly_graph():
    """:func:`build_yearly_graph`, shared: tests must not change it."""
    return build_yearly_graph()
