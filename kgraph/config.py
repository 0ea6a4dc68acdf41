"""The one configuration object, built once (by the CLI or the caller) and passed down."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import ConfigError

INPUT_FORMATS = ("scraped", "jsonl", "csv")
OUTPUT_FORMATS = ("extractions", "json", "graphml", "ttl", "html", "report")
DEFAULT_BASE_IRI = "https://w3id.org/kgraph/"


@dataclass(frozen=True)
class Config:
    """Settings for a kgraph run.

    >>> Config(inputs=(Path("papers.jsonl"),)).output_dir
    PosixPath('output')
    """

    inputs: tuple[Path, ...] = (Path("data"),)
    output_dir: Path = Path("output")
    input_format: str | None = None  # None: detect from extension and content
    outputs: tuple[str, ...] = OUTPUT_FORMATS
    skip_bad: bool = False
    base_iri: str = DEFAULT_BASE_IRI
    batch_size: int = 32
    progress: bool = False
    gazetteer: Path | None = None  # None: the vocabulary bundled with kgraph
    html_max_nodes: int = 2000
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(Path(p) for p in self.inputs))
        object.__setattr__(self, "output_dir", Path(self.output_dir))
        if self.input_format is not None and self.input_format not in INPUT_FORMATS:
            raise ConfigError(
                f"unknown input format {self.input_format!r}; expected one of {', '.join(INPUT_FORMATS)}"
            )
        unknown = [o for o in self.outputs if o not in OUTPUT_FORMATS]
        if unknown:
            raise ConfigError(
                f"unknown output {unknown[0]!r}; expected one of {', '.join(OUTPUT_FORMATS)}"
            )
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be >= 1, got {self.batch_size}")
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith(("/", "#")):
            raise ConfigError(f"base IRI must be http(s) and end with '/' or '#', got {self.base_iri!r}")

    def with_(self, **changes) -> "Config":
        """A copy with some settings changed."""
        return replace(self, **changes)
