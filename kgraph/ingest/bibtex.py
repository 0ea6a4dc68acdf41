r"""The ``bibtex`` format: BibTeX and BibLaTeX files (``.bib``), parsed by bibtexparser 2.

One entry per paper::

    @inproceedings{vaswani2017attention,
      title     = {Attention is All you {N}eed},
      author    = {Vaswani, Ashish and Shazeer, Noam and Schr{\"o}der, Jan},
      year      = {2017},
      abstract  = {The dominant sequence transduction models are ...},
      doi       = {10.48550/arXiv.1706.03762},
      url       = {https://arxiv.org/abs/1706.03762},
      eprint    = {1706.03762},
      archivePrefix = {arXiv},
    }

Read: ``title``, ``abstract``, ``year`` (else the year of BibLaTeX's
``date``), ``author`` (each name as "First von Last, Jr"; ``others`` left
out), ``doi``, ``url``, and the arXiv id: ``eprint`` when ``archivePrefix``
or ``eprinttype`` is arXiv (or absent and the eprint is an arXiv id), else
``arxivId``, else one named in ``journal``, ``note`` or ``howpublished``
("arXiv preprint arXiv:1706.03762"), the DOI or the URL. LaTeX in every field is
cleaned as all input text is (:func:`~kgraph.ingest.clean.clean_text`:
``{N}eed`` -> Need, ``Schr{\"o}der`` -> Schröder); ``@string`` macros are
expanded. The citation key is not kept: keys are local to a file, so a paper's
id is made from its title.

An entry without an abstract is a paper with its title only (the warning
``title with no abstract``); one without a title is an error. An entry
bibtexparser cannot parse is an error at its line, and reading goes on with
the next entry; a citation key used twice, or a field given twice in one
entry, is a warning and the entry is read. A file with no entry at all is an
error: it is not BibTeX. The file is read whole (bibliographies are small).

>>> from kgraph.ingest.textfile import lines_from_string
>>> text = '@article{k, title={{BERT}: Deep {T}ransformers}, author={Devlin, Jacob and others}, year=2019}'
>>> [(p.title, p.authors, p.year) for p in parse_bibtex(lines_from_string(text), name="x.bib")
...  if isinstance(p, Paper)]
[('BERT: Deep Transformers', ('Jacob Devlin',), 2019)]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
)

from kgraph.model import Paper, Problem, SourceRef

from .ids import arxiv_id_in_text, normalize_arxiv_id
from .records import date_year, paper_from_fields, show_value
from .textfile import Line, read_lines

__all__ = ["iter_bibtex", "parse_bibtex"]

# bibtexparser logs each block it cannot parse; here every one becomes a Problem instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_MIDDLEWARES = (ResolveStringReferencesMiddleware(allow_inplace_modification=True),
                RemoveEnclosingMiddleware(allow_inplace_modification=True))
# Fields that may name an arXiv preprint in prose ("arXiv preprint arXiv:1706.03762").
_PROSE_FIELDS = ("journal", "journaltitle", "note", "howpublished", "eprint")


def iter_bibtex(path: Path | str) -> Iterator[Paper | Problem]:
    """Read a BibTeX file (it may be compressed)."""
    return parse_bibtex(read_lines(path), name=str(path))


def parse_bibtex(lines: Iterable[Line | Problem], *, name: str) -> Iterator[Paper | Problem]:
    """Papers and problems from the lines of a BibTeX file; see the module docstring."""
    texts: list[str] = []
    bad_lines: dict[int, str] = {}
    for line in lines:
        if isinstance(line, Problem):
            yield line
            continue
        texts.append(line.text)
        if line.error:
            bad_lines[line.number] = line.error
    if not "".join(texts).strip():
        return  # the line reader reported the empty file
    try:
        library = bibtexparser.parse_string("\n".join(texts), parse_stack=_MIDDLEWARES)
    except Exception as error:  # noqa: BLE001 - a third-party parser on untrusted text: any failure is the file's
        yield Problem(SourceRef(name, 1), f"cannot parse BibTeX: {_reason(error)}; file skipped")
        return
    found = False
    for block in library.blocks:
        if not isinstance(block, (Entry, ParsingFailedBlock)):
            continue  # @string, @preamble, @comment and text between entries
        found = True
        source = SourceRef(name, (block.start_line or 0) + 1)
        last = source.line + (block.raw or "").count("\n")
        bad = next((bad_lines[n] for n in range(source.line, last + 1) if n in bad_lines), None)
        if bad is not None:
            yield Problem(source, f"{bad}; entry skipped")
        elif isinstance(block, Entry):
            yield from _entry_records(block, source)
        elif isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, MiddlewareErrorBlock)) and isinstance(
            block.ignore_error_block, Entry
        ):
            entry = block.ignore_error_block
            if not isinstance(block, MiddlewareErrorBlock):  # that one failed in the middlewares: as written
                entry = _finish(entry, library)
            if isinstance(block, DuplicateBlockKeyBlock):
                note = f"citation key {show_value(entry.key)} is used by an earlier entry too; both are read"
            elif isinstance(block, DuplicateFieldKeyBlock):
                note = f"{_reason(block.error)}; the last value of each is read"
            else:
                note = f"{_reason(block.error)}; the entry is read as written"
            yield from _entry_records(entry, source, [note])
        else:
            yield Problem(source, f"not valid BibTeX: {_reason(block.error)}; entry skipped")
    if not found:
        yield Problem(SourceRef(name, 1), "no BibTeX entries found (such as @article{key, title = {...}}): "
                                          "this is not a BibTeX file")


def _finish(entry: Entry, library: bibtexparser.Library) -> Entry:
    """An entry kept out of the library (a duplicate) with the parse stack applied, as the others have it."""
    alone = bibtexparser.Library(blocks=[*library.strings, entry], fail_on_duplicate_key=False)
    for middleware in _MIDDLEWARES:
        alone = middleware.transform(alone)
    return alone.entries[0] if alone.entries else entry


def _entry_records(entry: Entry, source: SourceRef, notes: list[str] | None = None) -> Iterator[Paper | Problem]:
    notes = list(notes or ())
    fields = {str(key).strip().lower(): value for key, value in entry.fields_dict.items()}
    values = {key: field.value for key, field in fields.items()}
    year = values.get("year")
    if year is None:
        year = date_year("date", values.get("date"), notes)
    yield from paper_from_fields(
        {
            "title": values.get("title"),
            "abstract": values.get("abstract"),
            "year": year,
            "authors": _authors(values.get("author"), notes),
            "doi": values.get("doi"),
            "url": values.get("url"),
            "arxiv_id": _arxiv_id(values),
        },
        source,
        notes=notes,
    )


def _authors(value: Any, notes: list[str]) -> list[str] | None:
    """``Vaswani, Ashish and Shazeer, Noam`` -> ``["Ashish Vaswani", "Noam Shazeer"]`` (still LaTeX: cleaned later)."""
    if not isinstance(value, str):
        return None
    names = []
    for person in split_multiple_persons_names(value):
        if person.strip().lower() == "others":
            continue
        try:
            parts = parse_single_name_into_parts(person, strict=False)
        except (InvalidNameError, ValueError, IndexError) as error:
            notes.append(f"author {show_value(person)} could not be split into first and last names "
                         f"({_reason(error)}); read as written")
            names.append(person)
            continue
        name = " ".join([*parts.first, *parts.von, *parts.last])
        names.append(name + (", " + " ".join(parts.jr) if parts.jr else ""))
    return names


def _arxiv_id(values: Mapping[str, Any]) -> str | None:
    """The arXiv id an entry gives: ``eprint`` of an arXiv ``archivePrefix``, ``arxivId``, or one named in prose.

    A DOI or URL on arXiv is read by :func:`~kgraph.ingest.records.paper_from_fields`.
    """
    archive = values.get("archiveprefix") or values.get("eprinttype")
    eprint = values.get("eprint")
    if isinstance(eprint, str) and isinstance(archive, str) and archive.strip().lower() == "arxiv":
        return eprint  # checked (and reported if it is no arXiv id) by paper_from_fields
    if isinstance(eprint, str) and archive is None and normalize_arxiv_id(eprint):
        return eprint
    for key in ("arxivid", "arxiv"):
        if isinstance(values.get(key), str):
            return values[key]
    for key in _PROSE_FIELDS:
        found = arxiv_id_in_text(values[key]) if isinstance(values.get(key), str) else None
        if found:
            return found
    return None


def _reason(error: BaseException) -> str:
    """An exception's message on one line, without bibtexparser's own (0-based) line numbers."""
    text = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
    return " ".join(str(text).split())
