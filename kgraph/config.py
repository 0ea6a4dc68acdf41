"""The one configuration object, built once (by the CLI or the caller) and passed down."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from .errors import ConfigError

INPUT_FORMATS = ("scraped", "jsonl", "csv", "bibtex", "ris", "openalex", "s2", "atom")
# What `kgraph build` writes unless --outputs says otherwise.
DEFAULT_OUTPUTS = ("extractions", "json", "graphml", "ttl", "nt", "jsonld", "ontology", "html", "report")
# Every output; GEXF and the CSV tables only when asked for (each is written whole by every build, and
# networkx builds GEXF as one XML tree in memory).
OUTPUT_FORMATS = (*DEFAULT_OUTPUTS, "gexf", "csv_nodes", "csv_edges")
# Names that stand for several outputs: `--outputs csv` writes both tables.
OUTPUT_GROUPS = {"csv": ("csv_nodes", "csv_edges")}
RDF_FORMATS = ("ttl", "nt", "jsonld")  # graph.ttl, graph.nt, graph.jsonld: all written by default
DEFAULT_BASE_IRI = "https://w3id.org/kgraph/"
ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Config:
    """Settings for a kgraph run.

    >>> Config(inputs=(Path("papers.jsonl"),)).output_dir
    PosixPath('output')
    """

    inputs: tuple[Path, ...] = (Path("data"),)
    output_dir: Path = Path("output")
    input_format: str | None = None  # None: detect from extension and content
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS  # names of OUTPUT_FORMATS or OUTPUT_GROUPS
    skip_bad: bool = False
    base_iri: str = DEFAULT_BASE_IRI
    batch_size: int = 32
    progress: bool = False
    gazetteer: Path | None = None  # None: the vocabulary bundled with kgraph
    fast: bool = False  # the fast pipeline (kgraph.nlp.pipeline.load_pipeline(fast=True))
    html_max_nodes: int = 2000
    rdf_format: str | None = None  # write only this one of RDF_FORMATS (None: every one in outputs)
    # scale (docs/SCALING.md)
    processes: int | None = None  # extraction processes; None or 0: every available core
    engine: str = "local"  # "local" (this machine) or "dask" (a Dask cluster)
    scheduler: str | None = None  # Dask scheduler address or scheduler file; None: a LocalCluster
    use_cache: bool = True  # reuse extractions of papers already seen by the same pipeline
    cache_dir: Path | None = None  # None: <output_dir>/.cache
    categories: tuple[str, ...] = ()  # arXiv categories ("cs.CL") or archives ("cs") to keep
    since: date | None = None  # keep records whose update_date is on or after this day
    until: date | None = None  # ... and on or before this day
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(Path(p) for p in self.inputs))
        object.__setattr__(self, "output_dir", Path(self.output_dir))
        if self.input_format is not None and self.input_format not in INPUT_FORMATS:
            raise ConfigError(
                f"unknown input format {self.input_format!r}; expected one of {', '.join(INPUT_FORMATS)}"
            )
        outputs = tuple(dict.fromkeys(name for output in self.outputs for name in OUTPUT_GROUPS.get(output, (output,))))
        unknown = [o for o in outputs if o not in OUTPUT_FORMATS]
        if unknown:
            raise ConfigError(
                f"unknown output {unknown[0]!r}; expected one of {', '.join((*OUTPUT_FORMATS, *OUTPUT_GROUPS))}"
            )
        object.__setattr__(self, "outputs", outputs)
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine {self.engine!r}; expected one of {', '.join(ENGINES)}")
        if self.scheduler and self.engine != "dask":
            raise ConfigError("a scheduler address needs the dask engine (--engine dask)")
        if self.processes is not None and self.processes < 0:
            raise ConfigError(f"processes must be >= 1, or 0 for every core, got {self.processes}")
        if self.cache_dir is not None:
            object.__setattr__(self, "cache_dir", Path(self.cache_dir))
        categories = self.categories.replace(",", " ").split() if isinstance(self.categories, str) else self.categories
        object.__setattr__(self, "categories", tuple(c.strip() for c in categories if c.strip()))
        for name in ("since", "until"):
            object.__setattr__(self, name, _as_date(name, getattr(self, name)))
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"since ({self.since}) is after until ({self.until})")
        if self.rdf_format is not None:
            if self.rdf_format not in RDF_FORMATS:
                raise ConfigError(
                    f"unknown RDF format {self.rdf_format!r}; expected one of {', '.join(RDF_FORMATS)}"
                )
            kept = tuple(o for o in self.outputs if o not in RDF_FORMATS or o == self.rdf_format)
            object.__setattr__(self, "outputs", kept)
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be >= 1, got {self.batch_size}")
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith(("/", "#")):
            raise ConfigError(f"base IRI must be http(s) and end with '/' or '#', got {self.base_iri!r}")

    def with_(self, **changes) -> "Config":
        """A copy with some settings changed."""
        return replace(self, **changes)

    @property
    def cache_path(self) -> Path:
        """The extraction cache's directory.

        >>> Config(output_dir="out").cache_path
        PosixPath('out/.cache')
        """
        return self.cache_dir if self.cache_dir is not None else self.output_dir / ".cache"

    @property
    def filters_records(self) -> bool:
        """Whether input records are filtered by arXiv category or date."""
        return bool(self.categories or self.since or self.until)


def _as_date(name: str, value: date | str | None) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name} must be a date such as 2024-01-31, got {value!r}") from None
