"""What the beginning of a text shows it to be: the content half of format detection.

:func:`sniff_format` names the format that the first lines of a text are
written in, or None when they show none. Each format is known by what no
other has: a BibTeX entry (``@article{``) or a RIS tag (``TY  - ``) on the
first line that is not blank or a comment, an XML root (an Atom ``<feed>``
is the ``atom`` format; other XML is ``xml``, which kgraph does not read),
JSON (an OpenAlex work or Semantic Scholar paper by its keys, else ``jsonl``),
a header row with a ``title`` column (``csv``), and lines of plain text
(``scraped``). The readers use it too, to refuse a file whose extension named
the wrong format (a BibTeX file saved as ``.txt``).

The last rule is a guess (:data:`GUESSES`): two short lines of text are as
much a YAML file or notes as a listing of titles and abstracts, so
:func:`~kgraph.ingest.formats.detect_format` takes it only for a file with no
extension at all, never for one whose extension kgraph does not read.

>>> sniff_format("% JabRef\\n\\n@Article{key,\\n  title = {A}}")
'bibtex'
>>> sniff_format("TY  - JOUR\\nTI  - A\\nER  - \\n")
'ris'
>>> sniff_format('<?xml version="1.0"?>\\n<feed xmlns="http://www.w3.org/2005/Atom">')
'atom'
>>> sniff_format('{"id": "https://openalex.org/W1", "display_name": "A"}\\n')
'openalex'
>>> sniff_format("A title\\nIts abstract, a sentence or more.\\n")
'scraped'
>>> sniff_format("one line") is None
True
>>> sniff_format("@Scale (2020): Training at Scale\\nWe train at scale.")
'scraped'
"""

from __future__ import annotations

import json
import re

__all__ = ["FORMAT_NAMES", "GUESSES", "STRUCTURED", "sniff_format"]

# How a format is named in messages.
FORMAT_NAMES = {
    "scraped": "a scraped listing", "jsonl": "JSON", "csv": "CSV", "bibtex": "BibTeX", "ris": "RIS",
    "openalex": "OpenAlex JSON", "s2": "Semantic Scholar JSON", "atom": "an Atom feed", "xml": "XML",
}
# Formats whose first line no listing of titles and abstracts has.
STRUCTURED = frozenset({"bibtex", "ris", "atom", "xml", "jsonl", "openalex", "s2"})
# Formats that the content only hints at: any text of a few short lines looks like a scraped listing.
GUESSES = frozenset({"scraped"})

# "@article{" (or, rarely, "@article(key,": not the title "@Scale (2020)")
_BIBTEX_ENTRY = re.compile(r"@\s*[A-Za-z]+\s*(?:\{|\(\s*[^\s,(){}]+\s*,)")
_RIS_TAG = re.compile(r"TY[ \t]{1,2}-(?:[ \t]|$)")
_XML_START = re.compile(r"<(?:\?xml|!--|!DOCTYPE|[A-Za-z_][\w.-]*(?::[\w.-]+)?[\s>/])", re.IGNORECASE)
_ATOM_FEED = re.compile(r"<(?:[\w.-]+:)?feed\b[^>]*http://www\.w3\.org/2005/Atom")
_OPENALEX_KEYS = re.compile(r'"(?:abstract_inverted_index|authorships)"\s*:|"https://openalex\.org/W\d')
_S2_KEYS = re.compile(r'"(?:paperId|externalIds|corpusid|externalids|citedPaper|citingPaper)"\s*:')
_CSV_DELIMITERS = (",", "\t", ";", "|")
# A line of a scraped listing is a title or an abstract: plain text, not markup.
_MARKUP = ("<", "{", "#", "%", "\\")
_TITLE_WORDS = 60


def sniff_format(text: str) -> str | None:
    """The format ``text`` (the beginning of a file, decoded) is written in, or None; see the module docstring."""
    lines = [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        return None
    first = next((line for line in lines if not line.startswith("%")), "")
    if _BIBTEX_ENTRY.match(first):
        return "bibtex"
    if _RIS_TAG.match(lines[0]):
        return "ris"
    if _XML_START.match(lines[0]):
        return "atom" if _ATOM_FEED.search(text) else "xml"
    if lines[0].startswith(("{", "[")) and _looks_like_json(lines[0]):
        if _OPENALEX_KEYS.search(text):
            return "openalex"
        if _S2_KEYS.search(text):
            return "s2"
        return "jsonl"
    if _is_csv_header(lines[0]):
        return "csv"
    if len(lines) >= 2 and len(lines[0].split()) <= _TITLE_WORDS and not lines[0].startswith(_MARKUP):
        return "scraped"
    return None


def _looks_like_json(line: str) -> bool:
    """A first line that starts a JSON array or object: a whole one, a lone bracket, or a key."""
    if line in ("{", "[") or line.startswith(('{"', "[{", '["', "[[")):
        return True
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _is_csv_header(line: str) -> bool:
    for delimiter in _CSV_DELIMITERS:
        cells = [cell.strip().strip("\"'").strip().lower() for cell in line.split(delimiter)]
        if len(cells) > 1 and "title" in cells:
            return True
    return False
