"""kgraph.export.outputs: one registry of a build's output files, written all or none, spliced behind the seam."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import networkx as nx
import pytest

import kgraph.config
from kgraph.config import DEFAULT_OUTPUTS, OUTPUT_FORMATS, Config
from kgraph.export.atomic import atomic_write_text
from kgraph.export.outputs import OUTPUT_FILES, OUTPUTS, Output, output_paths, staged_outputs, write_outputs

FIXTURE = Path(__file__).parent / "data" / "export" / "graph.json"


def load_fixture() -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(FIXTURE.read_text(encoding="utf-8")), edges="edges")


def test_outputs_registry_names_every_output_once():
    assert tuple(OUTPUTS) == OUTPUT_FORMATS
    assert len(set(OUTPUT_FILES.values())) == len(OUTPUT_FILES)
    for key, output in OUTPUTS.items():
        assert (output.write is None) != (output.fragments is None), key
        if output.fragments is not None:
            members = [k for k, o in OUTPUTS.items() if o.group == output.group]
            assert len({OUTPUTS[k].part for k in members}) == len(members), output.group


def test_outputs_written_all_and_spliced_with_the_cache(tmp_path):
    G = load_fixture()
    config = Config(output_dir=tmp_path / "out", outputs=tuple(k for k in DEFAULT_OUTPUTS if k != "extractions"),
                    cache_dir=tmp_path / "cache")
    first = write_outputs(config, G, [], None, {"report": 1})
    assert first == output_paths(config) and all(path.is_file() for path in first)
    before = {path.name: path.read_bytes() for path in first}
    with staged_outputs(config) as outputs:
        outputs.write_graph(G, {"report": 1})
    assert set(outputs.reused) == {"json", "graphml", "rdf"}
    assert all(group["written"] <= 1 and group["copied"] > 0 for group in outputs.reused.values())
    assert {path.name: path.read_bytes() for path in first} == before
    assert sorted((tmp_path / "cache" / "fragments").iterdir()) == [
        tmp_path / "cache" / "fragments" / f"{group}.npz" for group in ("graphml", "json", "rdf")]


def test_outputs_a_new_format_is_one_registry_entry(tmp_path, monkeypatch):
    def write_labels(G, path):
        atomic_write_text(path, "".join(f"{node}\t{G.nodes[node].get('label')}\n" for node in sorted(G.nodes)))

    monkeypatch.setitem(OUTPUTS, "labels", Output("labels.tsv", lambda made, path: write_labels(made.graph, path)))
    monkeypatch.setattr(kgraph.config, "OUTPUT_FORMATS", (*OUTPUT_FORMATS, "labels"))  # what --outputs accepts
    config = Config(output_dir=tmp_path, outputs=("labels", "json"))
    assert write_outputs(config, load_fixture(), [], None, {}) == (tmp_path / "labels.tsv", tmp_path / "graph.json")
    assert (tmp_path / "labels.tsv").read_text(encoding="utf-8").startswith("dataset:")


def test_outputs_a_failing_writer_leaves_the_previous_outputs(tmp_path, monkeypatch):
    config = Config(output_dir=tmp_path, outputs=("json", "report"), use_cache=False)
    write_outputs(config, load_fixture(), [], None, {"before": True})
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def fail(made, path):
        raise OSError("disk full (simulated)")

    monkeypatch.setitem(OUTPUTS, "report", dataclasses.replace(OUTPUTS["report"], write=fail))
    with pytest.raises(OSError, match="simulated"):
        write_outputs(config, nx.MultiDiGraph(), [], None, {"after": True})
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
