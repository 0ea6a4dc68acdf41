"""The whole build as one function: inputs in, graph and files out, a report back.

Nothing here prints; the CLI shows progress and the summary.
"""

from __future__ import annotations

import gc
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from spacy.language import Language

from ._version import __version__
from .config import Config
from .errors import ConfigError, CorpusFormatError
from .export.atomic import check_output_directory
from .export.outputs import OUTPUT_FILES, staged_outputs
from .graph import build_graph, graph_communities
from .graph.citations import citation_relations
from .graph.schema import COMMUNITY
from .engine import LOOKAHEAD, ExtractionStats, cache_fingerprint, extract_papers
from .ingest import dedupe, iter_records, list_input_files
from .ingest.duplicates import merge_duplicates
from .ingest.arxiv import FilterCounts, RecordFilter, iter_filtered_records
from .ingest.corpus import Ignored
from .ingest.limits import cap_extraction_text, restore_paper
from .ingest.textfile import inner_suffix, path_text
from .model import Paper, PaperExtraction, Problem
from .nlp.pipeline import PIPELINE_VERSION
from .resolve import resolve
from .resolve.entities import Resolution


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` made: the graph, the report and the files written."""

    graph: nx.MultiDiGraph
    report: dict
    files: tuple[Path, ...]
    timings: dict[str, float] = field(default_factory=dict)
    extraction: dict = field(default_factory=dict)  # engine, workers, papers extracted / from the cache
    # per output group ("extractions", "json", "graphml", "rdf"): fragments (a paper's line, a node, an edge)
    # copied from the previous files, and written anew
    reused: dict = field(default_factory=dict)


Listing = tuple[list[tuple[Path, str]], list[Ignored]]


def list_inputs(config: Config) -> Listing:
    """The input files of a build, with their formats, and what its input directories hold that is not read.

    A build's own output directory and cache, found inside its inputs, are
    never read (nor another build's output directory):
    :func:`~kgraph.ingest.corpus.list_input_files` with ``outputs`` and
    ``written`` set.
    """
    return list_input_files(config.inputs, input_format=config.input_format, outputs=_outputs(config),
                            written=OUTPUT_FILES.values())


def read_papers(config: Config, problems: list[Problem], counts: FilterCounts | None = None, *,
                listed: Listing | None = None) -> Iterator[Paper]:
    """Papers from the configured inputs, lazily; problems are collected.

    A record that cannot be read stops the run with :class:`CorpusFormatError`
    naming file and line, unless ``config.skip_bad`` is set. Records that the
    arXiv category/date filters drop are counted in ``counts``. ``listed``:
    the inputs as :func:`list_inputs` gave them, if listed already.
    """
    files, ignored = listed if listed is not None else list_inputs(config)
    if not files:
        not_read = "; ".join(f"{i.path}: {i.reason}" for i in ignored[:3]) + ("; ..." if len(ignored) > 3 else "")
        raise CorpusFormatError(", ".join(str(p) for p in config.inputs), None,
                                "no input files found" + (f" (not read: {not_read})" if ignored else ""))
    # the files as listed here, named one by one: what this listing left out is not read by another
    paths = [path for path, _ in files]
    if config.filters_records or any(f in ("jsonl", "openalex", "s2") and inner_suffix(p) == ".json" for p, f in files):
        record_filter = RecordFilter(config.categories, config.since, config.until)
        records = iter_filtered_records(paths, input_format=config.input_format,
                                        record_filter=record_filter, counts=counts)
    else:
        records = iter_records(paths, input_format=config.input_format)
    for record in dedupe(records):
        if isinstance(record, Problem):
            if record.severity == "error" and not config.skip_bad:
                raise CorpusFormatError(record.source.path, record.source.line,
                                        f"{record.reason} (use --skip-bad to skip bad records)")
            problems.append(record)
        else:
            yield record


def extract(config: Config | None = None, *, nlp: Language | None = None,
            on_paper: Callable[[int], None] | None = None, stats: ExtractionStats | None = None,
            counts: FilterCounts | None = None,
            listed: Listing | None = None) -> tuple[list[PaperExtraction], list[Problem]]:
    """Read and extract every paper; no graph, no files.

    Extraction runs on ``config.engine`` with ``config.processes``, answered
    from the extraction cache where possible (see :func:`kgraph.engine.extract_papers`);
    ``on_paper(n)`` is called as each ``n`` papers are done. A paper whose
    text is too long for the pipeline is extracted from its beginning only,
    with a warning, and keeps its whole text (:mod:`kgraph.ingest.limits`).
    """
    problems: list[Problem] = []
    # every record is kept, so the cache is looked up over the whole input at once (see run_extraction)
    extractions = list(iter_extract(config, problems, nlp=nlp, on_paper=on_paper, stats=stats, counts=counts,
                                    lookahead=sys.maxsize, listed=listed))
    return extractions, problems


def iter_extract(config: Config | None, problems: list[Problem], *, nlp: Language | None = None,
                 on_paper: Callable[[int], None] | None = None, stats: ExtractionStats | None = None,
                 counts: FilterCounts | None = None, lookahead: int = LOOKAHEAD,
                 listed: Listing | None = None) -> Iterator[PaperExtraction]:
    """:func:`extract`, one extraction at a time, in input order; ``problems`` fills as the inputs are read.

    Up to ``lookahead`` papers are read ahead of the one yielded (see
    :func:`~kgraph.engine.run_extraction`).
    """
    config = config or Config()
    whole: dict[str, Paper] = {}  # papers extracted from their beginning only, by id
    papers = cap_extraction_text(read_papers(config, problems, counts, listed=listed), whole, problems)
    for ex in extract_papers(config, papers, nlp=nlp, stats=stats, on_papers=on_paper, lookahead=lookahead):
        yield restore_paper(ex, whole)


def build(inputs: Sequence[str | Path] | None = None, output_dir: str | Path | None = None, *,
          config: Config | None = None, nlp: Language | None = None,
          on_paper: Callable[[int], None] | None = None) -> BuildResult:
    """Build the knowledge graph of a corpus and write its outputs.

    >>> result = build(["data/"], "output/")             # doctest: +SKIP
    >>> result.report["papers"]["in_graph"]               # doctest: +SKIP
    119
    """
    with cyclic_gc_paused():
        return _build(inputs, output_dir, config=config, nlp=nlp, on_paper=on_paper)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Run the block with Python's cyclic garbage collector paused, and restore it after.

    A build holds millions of small, long-lived objects (records, the
    resolution, the graph) that form no reference cycles: frozen dataclasses,
    tuples, dicts and strings, freed by reference counting alone. The cyclic
    collector's full passes walk every one of them anyway, again each time the
    heap grows by a quarter, which cost about a quarter of everything after
    extraction (docs/BENCHMARKS.md). Extraction with spaCy in this process
    leaves no cycles either (checked: ``gc.collect()`` finds nothing after it).
    Whatever cycles do arise are collected when the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(inputs: Sequence[str | Path] | None, output_dir: str | Path | None, *, config: Config | None,
           nlp: Language | None, on_paper: Callable[[int], None] | None) -> BuildResult:
    config = config or Config()
    if inputs is not None:
        config = config.with_(inputs=tuple(Path(p) for p in inputs))
    if output_dir is not None:
        if not str(output_dir):  # Path("") would be the current directory
            raise ConfigError("the output directory is empty: name a directory, such as 'output' or '.'")
        config = config.with_(output_dir=Path(output_dir))
    check_output_directory(config.output_dir)  # before the long part, not after it
    timings: dict[str, float] = {}
    start = time.perf_counter()
    stats = ExtractionStats()
    counts = FilterCounts()
    t = time.perf_counter()
    # listed once: the report says what was read, whatever the build writes into its inputs afterwards
    listed = list_inputs(config)
    extractions, problems = extract(config, nlp=nlp, on_paper=on_paper, stats=stats, counts=counts, listed=listed)
    timings["read_and_extract"] = time.perf_counter() - t

    t = time.perf_counter()
    resolution = resolve(extractions)
    mentions = sum(len(ex.mentions) for ex in extractions)
    timings["resolve_and_build"] = time.perf_counter() - t
    with staged_outputs(config) as outputs:
        # The records of every paper are the largest thing a build holds. They
        # are needed for extractions.jsonl and the paper nodes only, so that
        # file is written first and the records let go before the graph is
        # made: the graph and the records are never in memory together.
        t = time.perf_counter()
        # a line is copied from the previous file only when the extraction cache names the pipeline
        outputs.write_extractions(extractions, resolution, extracted_by=cache_fingerprint(config, nlp))
        # a duplicate merged into a paper brings its ids and references (citations reach it by them)
        papers = merge_duplicates([ex.paper for ex in extractions], problems)
        extractions.clear()
        timings["export"] = time.perf_counter() - t

        t = time.perf_counter()
        citations = citation_relations(papers)
        # before the graph: the two are never in memory together
        communities = graph_communities(papers, resolution, citations=citations)
        graph = build_graph(papers, resolution, citations=citations)
        del papers, citations
        report = make_report(config, mentions, problems, resolution, graph, listed=listed)
        del resolution  # everything after this reads the graph
        nx.set_node_attributes(graph, communities, COMMUNITY)
        del communities
        timings["resolve_and_build"] += time.perf_counter() - t

        t = time.perf_counter()
        if config.filters_records:
            report["papers"]["filtered_out"] = counts.dropped
        outputs.write_graph(graph, report)
        timings["export"] += time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    return BuildResult(graph=graph, report=report, files=outputs.files, timings=timings,
                       extraction=stats.as_dict(), reused=outputs.reused)


# Why a directory met in the inputs is not read (report.json's inputs.ignored): the build writes into it.
OUTPUT_DIRECTORY = "the output directory of this build"
CACHE_DIRECTORY = "the extraction cache of this build"


def _outputs(config: Config) -> dict[Path, str]:
    """The directories a build writes into, never read as its input, with the reason to give."""
    return {config.output_dir: OUTPUT_DIRECTORY, config.cache_path: CACHE_DIRECTORY}


def make_report(config: Config, mentions: int, problems: Sequence[Problem],
                resolution: Resolution, graph: nx.MultiDiGraph, *, listed: Listing | None = None) -> dict:
    """Counts and problems of a run (``mentions``: how many the papers had). Deterministic: no timings, no absolute paths.

    ``inputs`` lists the files read and, under ``ignored``, every file or
    directory met in the input directories and not read, with the reason
    (``listed``: the inputs as :func:`list_inputs` gave them when the build read them).
    """
    files, ignored = listed if listed is not None else list_inputs(config)
    skipped = [p for p in problems if p.severity == "error"]
    duplicates = [p for p in problems if p.severity == "warning" and p.reason.startswith("duplicate")]
    warnings = [p for p in problems if p.severity == "warning" and p not in duplicates]
    node_types = Counter(data["type"] for _, data in graph.nodes(data=True))
    relation_types = Counter(key for _, _, key in graph.edges(keys=True))
    top = sorted(
        (e for e in resolution.entities), key=lambda e: (-len(e.papers), -e.mention_count, e.id)
    )[:20]
    return {
        "kgraph_version": __version__,
        "pipeline": PIPELINE_VERSION + ("-fast" if config.fast else ""),
        "inputs": {
            "files": [{"path": path_text(p), "format": fmt} for p, fmt in files],
            "ignored": [{"path": path_text(i.path), "reason": i.reason} for i in ignored],
        },
        "papers": {
            "read": node_types.get("paper", 0) + len(skipped) + len(duplicates),
            "in_graph": node_types.get("paper", 0),
            "skipped": len(skipped),
            "duplicates_merged": len(duplicates),
            "title_only": sum(1 for _, d in graph.nodes(data=True) if d.get("type") == "paper" and not d.get("abstract")),
        },
        "nodes": dict(sorted(node_types.items())),
        "relations": dict(sorted(relation_types.items())),
        "resolution": {
            "mentions": mentions,
            "distinct_keys": resolution.distinct_keys,
            "entities": len(resolution.entities),
            "largest_merges": [{"entity": m.entity, "keys": list(m.keys)} for m in resolution.merges[:20]],
            "acronym_conflicts": [
                {"short_form": c.short_form, "long_forms": list(c.long_forms)} for c in resolution.acronym_conflicts
            ],
            "relations_dropped_by_schema": resolution.dropped_relations,
            "relations_outvoted_by_reverse": resolution.outvoted_relations,
            "relations_turned_round": resolution.turned_relations,
        },
        "top_entities": [
            {"id": e.id, "label": e.label, "type": e.type.value, "papers": len(e.papers)} for e in top
        ],
        "problems": [
            {"file": path_text(p.source.path), "line": p.source.line, "severity": p.severity,
             "reason": p.reason, "paper": p.paper_id}
            for p in problems
        ],
    }
