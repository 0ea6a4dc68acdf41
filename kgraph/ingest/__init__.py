"""Input stage: files of titles and abstracts in, :class:`~kgraph.model.Paper` records out.

One reader per format (:mod:`.scraped`, :mod:`.jsonl`, :mod:`.tabular` for
CSV/TSV) on a shared line reader (:mod:`.textfile`) that reports encoding
problems instead of raising; :mod:`.clean` turns LaTeX and messy whitespace
into plain Unicode; :mod:`.ids` mints stable paper ids.

>>> from kgraph.ingest import iter_records, dedupe
>>> from kgraph.model import Paper
>>> papers = [r for r in dedupe(iter_records(["data/"])) if isinstance(r, Paper)]  # doctest: +SKIP
>>> len(papers)  # doctest: +SKIP
119
"""

from .clean import clean_text
from .corpus import dedupe, iter_records, list_input_files
from .formats import detect_format, iter_file, iter_string
from .ids import normalize_title, paper_id_from_title

__all__ = [
    "clean_text",
    "dedupe",
    "detect_format",
    "iter_file",
    "iter_records",
    "iter_string",
    "list_input_files",
    "normalize_title",
    "paper_id_from_title",
]
