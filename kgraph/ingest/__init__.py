"""Input stage: files of titles and abstracts in, :class:`~kgraph.model.Paper` records out.

One reader per format (:mod:`.scraped`, :mod:`.jsonl` with the record
mappings of :mod:`.openalex` and :mod:`.semanticscholar`, :mod:`.tabular` for
CSV/TSV, :mod:`.bibtex`, :mod:`.ris`, :mod:`.atom` for arXiv API feeds) on a
shared line reader (:mod:`.textfile`) that reports encoding problems instead
of raising; :mod:`.formats` picks the reader by extension and content
(:mod:`.sniff`); :mod:`.clean` turns LaTeX and messy whitespace into plain
Unicode; :mod:`.ids` mints stable paper ids and normalizes DOIs and arXiv
ids; :mod:`.duplicates` merges a paper read twice (same id, DOI, arXiv id or
title), across formats.

>>> from kgraph.ingest import iter_records, dedupe
>>> from kgraph.model import Paper
>>> papers = [r for r in dedupe(iter_records(["data/"])) if isinstance(r, Paper)]  # doctest: +SKIP
>>> len(papers)  # doctest: +SKIP
119
"""

from .clean import clean_text
from .corpus import iter_records, list_input_files
from .duplicates import dedupe
from .formats import detect_format, iter_file, iter_string
from .ids import normalize_title, paper_id_from_title, title_key

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
    "title_key",
]
