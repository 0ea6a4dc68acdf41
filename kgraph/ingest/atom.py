"""The ``atom`` format: Atom feeds of the arXiv API (``export.arxiv.org/api/query``).

One ``<entry>`` per paper::

    <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry>
        <id>http://arxiv.org/abs/1706.03762v7</id>
        <published>2017-06-12T17:57:34Z</published>
        <title>Attention Is All You Need</title>
        <summary>The dominant sequence transduction models are ...</summary>
        <author><name>Ashish Vaswani</name></author>
        <arxiv:doi>10.48550/arXiv.1706.03762</arxiv:doi>
        <link href="http://arxiv.org/abs/1706.03762v7" rel="alternate" type="text/html"/>
        <arxiv:primary_category term="cs.CL"/>
        <category term="cs.CL"/><category term="cs.LG"/>
      </entry>
    </feed>

Read: ``title``, ``summary`` (the abstract), the year of ``published``, the
authors' ``name``, the arXiv id of ``id`` (without its version; it is the
paper's id, as in the arXiv metadata snapshot), ``arxiv:doi``, the
``alternate`` link, and the categories (primary first). Each paper's source
line is the line of its ``<entry>``. An entry the API uses to report an error
(its id under ``arxiv.org/api/errors``) is an error Problem with the API's message.

Corpus text is untrusted, so the feed is parsed by expat as a stream, never
whole, and a DOCTYPE is refused before it is read: no entity is declared,
expanded or fetched (the attacks ``defusedxml`` guards against). Malformed XML
ends the file with an error at its line; the entries before it are kept.

>>> from kgraph.ingest.textfile import lines_from_string
>>> feed = ('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2101.00001v2</id>'
...         '<title>A Title</title><summary>An abstract.</summary></entry></feed>')
>>> [(p.id, p.title, p.abstract) for p in parse_atom(lines_from_string(feed), name="x.xml")]
[('2101.00001', 'A Title', 'An abstract.')]
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, TreeBuilder

from kgraph.model import Paper, Problem, SourceRef

from .ids import normalize_arxiv_id
from .records import date_year, paper_from_fields
from .textfile import Line, read_lines

__all__ = ["ARXIV_NAMESPACE", "ATOM_NAMESPACE", "iter_atom", "parse_atom"]

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
ARXIV_NAMESPACE = "http://arxiv.org/schemas/atom"
_ERROR_IDS = ("http://arxiv.org/api/errors", "https://arxiv.org/api/errors")
# expat reports a namespaced name as "namespace local" with this separator.
_SEPARATOR = " "
_FEED, _ENTRY = f"{ATOM_NAMESPACE} feed", f"{ATOM_NAMESPACE} entry"


class _Refused(Exception):
    """The feed holds something kgraph does not read: the rest of the file is skipped."""


def iter_atom(path: Path | str) -> Iterator[Paper | Problem]:
    """Read an Atom feed file (it may be compressed) lazily."""
    return parse_atom(read_lines(path), name=str(path))


def parse_atom(lines: Iterable[Line | Problem], *, name: str) -> Iterator[Paper | Problem]:
    """Papers and problems from the lines of an Atom feed; see the module docstring."""
    feed = _FeedReader(name)
    fed = False
    for line in lines:
        if isinstance(line, Problem):
            yield line
            continue
        if line.error:
            yield Problem(SourceRef(name, line.number), line.error)
            feed.bad_lines.append(line.number)
        fed = True
        stop = feed.feed(line.text + "\n")
        yield from feed.take()
        if stop is not None:
            yield stop
            return
    if fed:
        stop = feed.feed("", final=True)
        yield from feed.take()
        if stop is not None:
            yield stop


class _FeedReader:
    """An expat parser that keeps only the entry being read, and the records of the entries finished."""

    def __init__(self, name: str):
        self.name = name
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=_SEPARATOR)
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._data
        self.depth = 0
        self.entry: TreeBuilder | None = None
        self.entry_line = 0
        self.entry_depth = 0
        self.bad_lines: list[int] = []  # lines that could not be decoded: an entry on them is skipped
        self.records: list[Paper | Problem] = []

    def feed(self, text: str, *, final: bool = False) -> Problem | None:
        """Parse more text; a Problem that ends the file, or None."""
        try:
            self.parser.Parse(text, final)
        except xml.parsers.expat.ExpatError as error:
            reason = xml.parsers.expat.errors.messages.get(error.code, str(error))
            return Problem(SourceRef(self.name, max(1, error.lineno)),
                           f"not valid XML: {reason} at column {error.offset + 1}; rest of file skipped")
        except _Refused as refused:
            return Problem(SourceRef(self.name, max(1, self.parser.CurrentLineNumber)),
                           f"{refused}; rest of file skipped")
        return None

    def take(self) -> list[Paper | Problem]:
        records, self.records = self.records, []
        return records

    def _doctype(self, *_) -> None:
        raise _Refused("the feed has a DOCTYPE declaration, which kgraph does not read "
                       "(its entities could expand without bound or reach outside the file)")

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1 and tag not in (_FEED, _ENTRY):
            raise _Refused(f"not an Atom feed: the document is <{_local(tag)}>, not an Atom <feed>; kgraph reads "
                           "arXiv API feeds as the atom format")
        if self.entry is None and tag == _ENTRY:
            self.entry = TreeBuilder()
            self.entry_line = self.parser.CurrentLineNumber
            self.entry_depth = self.depth
        if self.entry is not None:
            self.entry.start(_clark(tag), attributes)

    def _end(self, tag: str) -> None:
        if self.entry is not None:
            self.entry.end(_clark(tag))
            if self.depth == self.entry_depth:
                element = self.entry.close()
                self.entry = None
                last = self.parser.CurrentLineNumber
                if not any(self.entry_line <= number <= last for number in self.bad_lines):
                    self.records.extend(_entry_records(element, SourceRef(self.name, self.entry_line)))
        self.depth -= 1

    def _data(self, text: str) -> None:
        if self.entry is not None:
            self.entry.data(text)


def _entry_records(entry: Element, source: SourceRef) -> Iterator[Paper | Problem]:
    notes: list[str] = []
    entry_id = _text(entry, "id")
    if entry_id and entry_id.startswith(_ERROR_IDS):
        message = " ".join((_text(entry, "summary") or "no message").split())
        yield Problem(source, f"the feed reports an arXiv API error: {message}")
        return
    arxiv_id = normalize_arxiv_id(entry_id) if entry_id else None
    links = [link.attrib for link in entry.iter(f"{{{ATOM_NAMESPACE}}}link")]
    page = next((link.get("href") for link in links
                 if link.get("rel", "alternate") == "alternate" and link.get("href")), None)
    categories = [element.get("term") for element in (*entry.iter(f"{{{ARXIV_NAMESPACE}}}primary_category"),
                                                       *entry.iter(f"{{{ATOM_NAMESPACE}}}category"))]
    fields = {
        "id": arxiv_id,
        "title": _text(entry, "title"),
        "abstract": _text(entry, "summary"),
        "year": date_year("published", _text(entry, "published"), notes),
        "authors": [name for author in entry.iter(f"{{{ATOM_NAMESPACE}}}author")
                    if (name := _text(author, "name"))],
        "url": page or (entry_id if entry_id and entry_id.startswith(("http://", "https://")) else None),
        "doi": _text(entry, "doi", ARXIV_NAMESPACE),
        "arxiv_id": arxiv_id,
        "categories": [term for term in categories if term],
    }
    yield from paper_from_fields(fields, source, notes=notes)


def _text(element: Element, local: str, namespace: str = ATOM_NAMESPACE) -> str | None:
    """The text of the first child ``local`` of ``element`` (with the text of any markup in it), or None."""
    child = element.find(f"{{{namespace}}}{local}")
    return None if child is None else "".join(child.itertext())


def _local(tag: str) -> str:
    return tag.rpartition(_SEPARATOR)[2]


def _clark(tag: str) -> str:
    """``{namespace}local``, ElementTree's form of expat's ``namespace local``."""
    namespace, separator, local = tag.rpartition(_SEPARATOR)
    return f"{{{namespace}}}{local}" if separator else local
