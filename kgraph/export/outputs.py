"""A build's output files behind one seam: which there are, what writes each, all written or none.

:data:`OUTPUTS` is the one registry of them: each key of ``kgraph build
--outputs`` names the file it is written to and what writes it, from what
the build made (:class:`Made`). Most files are written whole by every build
(``write``). The large ones are made fragment by fragment instead
(``fragments``: a node, an edge, a paper's line; see
:class:`~kgraph.export.splice.Fragments`), and with the cache the seam
copies each fragment that is the same as in the previous build's file from
it (:mod:`kgraph.export.splice`), keeping each group's fragment index in the
cache (``fragments/<group>.npz``); the files written together in one pass,
as the three RDF files are, form one group. The writers know nothing of
this: they are plain ``write_*``/``dumps_*`` functions.

A new format is a module with its ``write_*``/``dumps_*`` pair and one line
in :data:`OUTPUTS` (its key is also one of
:data:`kgraph.config.OUTPUT_FORMATS`, which the configuration checks
``--outputs`` against before anything is written).

:func:`staged_outputs` writes a build's outputs: each to a hidden staging
file, renamed into place only when every one is written
(:func:`~kgraph.export.atomic.atomic_files`), so that a failure or a kill
part-way leaves the previous outputs as they were. With them, every build
writes the mark of a kgraph output directory
(:data:`~kgraph.ingest.corpus.OUTPUT_MARK`, the same bytes each time), so
that no later build reads the directory as its input, whatever ``--outputs``
selected. A build writes them in
two steps, as what they are made from exists: ``extractions.jsonl`` from the
papers' extractions, whose records are let go before the graph is built
(:meth:`StagedOutputs.write_extractions`), then everything else from the
graph (:meth:`StagedOutputs.write_graph`).

>>> OUTPUT_FILES["ttl"], OUTPUTS["ttl"].group, OUTPUTS["nt"].group
('graph.ttl', 'rdf', 'rdf')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ..config import Config
from ..errors import ExportError
from ..ingest.corpus import OUTPUT_MARK, OUTPUT_MARK_TEXT
from ..model import PaperExtraction
from ..rdf.vocab import RDF_FILES
from ..resolve.entities import Resolution
from .atomic import atomic_files, atomic_write_bytes, remove_stale_temps
from .csv import write_csv_edges, write_csv_nodes
from .extractions import extraction_fragments
from .gexf import write_gexf
from .graphml import graphml_fragments
from .html import write_html
from .json import graph_json_fragments
from .rdf import rdf_fragments, write_ontology
from .report import write_report
from .splice import Fragments, GraphDigests, Reuse, write_fragments

EXTRACTIONS = "extractions"  # made from the papers' extractions, before the graph exists
GRAPH = "graph"  # made from the graph and the report


@dataclass(frozen=True)
class Made:
    """What a build made, that its outputs are written from; each output reads what it needs."""

    config: Config
    graph: nx.MultiDiGraph | None = None
    report: dict | None = None
    extractions: Sequence[PaperExtraction] = ()
    resolution: Resolution | None = None
    # the extraction cache's pipeline fingerprint, where it names the pipeline the extractions come from
    extracted_by: str | None = None
    digests: GraphDigests | None = None  # the graph's, hashed once for every output made of fragments


@dataclass(frozen=True)
class Output:
    """One output file: its name, and what writes it from what the build made.

    Either ``write(made, path)`` writes the whole file, or the file is one
    of a ``group`` of files made in one pass, fragment by fragment:
    ``fragments(made, parts)`` gives the group's
    :class:`~kgraph.export.splice.Fragments` for the files requested, each
    named by its ``part`` in the group (by default the group's name).
    ``made_from``: :data:`EXTRACTIONS` or :data:`GRAPH`.
    """

    file: str
    write: Callable[[Made, Path], object] | None = None
    fragments: Callable[[Made, tuple[str, ...]], Fragments] | None = None
    group: str = ""
    part: str = ""
    made_from: str = GRAPH

    def __post_init__(self) -> None:
        if not self.part:
            object.__setattr__(self, "part", self.group)


def _rdf(made: Made, parts: tuple[str, ...]) -> Fragments:
    return rdf_fragments(made.graph, parts, made.config.base_iri, made.digests)


OUTPUTS: dict[str, Output] = {
    "extractions": Output("extractions.jsonl", group="extractions", made_from=EXTRACTIONS, fragments=lambda made, _: (
        extraction_fragments(made.extractions, made.resolution, extracted_by=made.extracted_by))),
    "json": Output("graph.json", group="json", fragments=lambda made, _: graph_json_fragments(made.graph, made.digests)),
    "graphml": Output("graph.graphml", group="graphml",
                      fragments=lambda made, _: graphml_fragments(made.graph, made.digests)),
    "ttl": Output(RDF_FILES["ttl"], group="rdf", part="turtle", fragments=_rdf),
    "nt": Output(RDF_FILES["nt"], group="rdf", part="nt", fragments=_rdf),
    "jsonld": Output(RDF_FILES["jsonld"], group="rdf", part="json-ld", fragments=_rdf),
    "ontology": Output("ontology.ttl", lambda made, path: write_ontology(path)),
    "html": Output("graph.html", lambda made, path: write_html(made.graph, path, max_nodes=made.config.html_max_nodes)),
    "report": Output("report.json", lambda made, path: write_report(made.report, path)),
    "gexf": Output("graph.gexf", lambda made, path: write_gexf(made.graph, path)),
    "csv_nodes": Output("nodes.csv", lambda made, path: write_csv_nodes(made.graph, path)),
    "csv_edges": Output("edges.csv", lambda made, path: write_csv_edges(made.graph, path)),
}
OUTPUT_FILES: dict[str, str] = {key: output.file for key, output in OUTPUTS.items()}


def output_paths(config: Config) -> tuple[Path, ...]:
    """The file each output of ``config.outputs`` is written to, in that order."""
    return tuple(config.output_dir / OUTPUTS[key].file for key in config.outputs)


def write_outputs(config: Config, graph: nx.MultiDiGraph, extractions: Sequence[PaperExtraction],
                  resolution: Resolution | None, report: dict) -> tuple[Path, ...]:
    """Write the requested outputs into the output directory, all or none; returns their paths.

    Each output is written to a hidden staging file; only when all are
    written are they renamed into place (:func:`~kgraph.export.atomic.atomic_files`),
    so a failure or a kill part-way leaves the previous outputs as they were.
    Temporary files that a killed build left (over an hour old) are removed.
    """
    with staged_outputs(config) as outputs:
        outputs.write_extractions(extractions, resolution)
        outputs.write_graph(graph, report)
    return outputs.files


@contextmanager
def staged_outputs(config: Config) -> Iterator[StagedOutputs]:
    """The outputs of a build, written in the block and renamed into place together when it ends without an error.

    The output directory is made first, and the temporary files that a
    killed build left there (over an hour old) are removed. The mark of an
    output directory (:data:`~kgraph.ingest.corpus.OUTPUT_MARK`) is staged
    first, so that it is renamed into place before any output, and written
    last, so that a failure names the output that failed.
    """
    out = config.output_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create output directory {out}: {exc.strerror or exc}") from exc
    remove_stale_temps(out, [OUTPUT_MARK, *(OUTPUTS[key].file for key in config.outputs)])
    with atomic_files() as stage:
        mark = stage(out / OUTPUT_MARK)
        yield StagedOutputs(config, stage)
        atomic_write_bytes(mark, OUTPUT_MARK_TEXT)


class StagedOutputs:
    """The requested outputs of one build, written to staging files as what they are made from exists."""

    def __init__(self, config: Config, stage: Callable[[Path], Path]):
        self.config = config
        self.stage = stage
        # per group of files made of fragments: how many were copied from the previous build's, and written
        self.reused: dict[str, dict[str, int]] = {}

    @property
    def files(self) -> tuple[Path, ...]:
        """Every requested output's file, in the order requested (:func:`output_paths`)."""
        return output_paths(self.config)

    def write_extractions(self, extractions: Sequence[PaperExtraction], resolution: Resolution | None, *,
                          extracted_by: str | None = None) -> None:
        """Write the outputs made from the papers' extractions (``extractions.jsonl``), if requested.

        ``extracted_by`` names the pipeline that made them (the extraction
        cache's fingerprint); only then is a paper's line copied from the
        previous file.
        """
        self._write(EXTRACTIONS, Made(self.config, extractions=extractions, resolution=resolution,
                                      extracted_by=extracted_by))

    def write_graph(self, graph: nx.MultiDiGraph, report: dict) -> None:
        """Write the other requested outputs, from the graph and the report."""
        keys = self._requested(GRAPH)
        # with the cache, the per-node and per-edge digests that say which fragments each output may copy
        # from its previous version: hashed once, shared by all the outputs
        fragmented = any(OUTPUTS[key].fragments is not None for key in keys)
        digests = GraphDigests.of(graph) if self.config.use_cache and fragmented else None
        self._write(GRAPH, Made(self.config, graph=graph, report=report, digests=digests))

    def _requested(self, made_from: str) -> list[str]:
        return [key for key in self.config.outputs if OUTPUTS[key].made_from == made_from]

    def _write(self, made_from: str, made: Made) -> None:
        keys = self._requested(made_from)
        staged = {key: self.stage(self.config.output_dir / OUTPUTS[key].file) for key in keys}
        groups_written = set()
        for key in keys:
            output = OUTPUTS[key]
            if output.fragments is None:
                output.write(made, staged[key])
            elif output.group not in groups_written:
                groups_written.add(output.group)
                self._write_group(output, made, {k: staged[k] for k in keys if OUTPUTS[k].group == output.group})

    def _write_group(self, output: Output, made: Made, staged: dict[str, Path]) -> None:
        """The files of one group (``staged``: their staging paths by key), from their previous version if the cache has it."""
        parts = {OUTPUTS[key].part: key for key in staged}
        fragments = output.fragments(made, tuple(parts))
        reuse = None
        if self.config.use_cache:
            reuse = Reuse(self.config.cache_path / "fragments" / f"{output.group}.npz",
                          {part: self.config.output_dir / OUTPUTS[key].file for part, key in parts.items()})
        spliced = write_fragments(fragments, {part: staged[key] for part, key in parts.items()}, reuse=reuse)
        self.reused[output.group] = {"copied": spliced.copied, "written": spliced.rendered}
