"""The extraction cache: a paper already extracted by the same pipeline is not extracted again.

An entry is keyed by the paper's content (its cleaned title and abstract, the
only input of extraction) and belongs to one *pipeline fingerprint*: a hash of
:data:`~kgraph.nlp.pipeline.PIPELINE_VERSION`, the source of the ``kgraph.nlp``
package and of :mod:`kgraph.model`, the gazetteer file, and the versions of
spaCy and of the base model. Any change to one of them, a lexicon word or a
component's code, gives a new fingerprint, and the entries of the old one are
dropped when the cache is opened.

The value is what :func:`~kgraph.nlp.extract.doc_to_extraction` found (mentions,
acronyms, relations, sentences) without the paper itself: a hit is completed
with the paper as read this time (its id, source line and metadata may have
changed), so a cached extraction is the one a fresh run would make.

The store is one SQLite file (``extractions.sqlite``, by default in
``<output>/.cache/``): safe to interrupt (each chunk is committed as it
arrives, so an interrupted build resumes where it stopped) and fast at millions
of rows. Values are zlib-compressed JSON, never pickles, so a cache file from
elsewhere cannot run code.

>>> import tempfile
>>> from kgraph.model import Paper
>>> paper = Paper("p1", "A title", "An abstract.")
>>> with ExtractionCache(Path(tempfile.mkdtemp()), fingerprint="test") as cache:
...     cache.put_many([PaperExtraction(paper)])
...     [hit.paper.id for hit in cache.get_many([Paper("p2", "A title", "An abstract.")])]
['p2']
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import sys
import types
import typing
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from enum import Enum
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import KGraphError
from .model import Paper, PaperExtraction

__all__ = ["CACHE_FILE", "ExtractionCache", "paper_key", "pipeline_fingerprint", "dumps_entry", "loads_entry"]

CACHE_FILE = "extractions.sqlite"
# Bump when the layout of an entry changes (dumps_entry / loads_entry).
ENTRY_FORMAT = 1


class CacheError(KGraphError):
    """The extraction cache cannot be opened or written."""


def paper_key(paper: Paper) -> bytes:
    """The cache key of a paper: a hash of exactly what extraction reads.

    >>> paper_key(Paper("a", "T", "x")) == paper_key(Paper("b", "T", "x", year=2020))
    True
    >>> paper_key(Paper("a", "T", "x")) == paper_key(Paper("a", "Tx", ""))
    False
    """
    digest = hashlib.blake2b(digest_size=20)
    for part in (paper.title, paper.abstract):
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def pipeline_fingerprint(options: Mapping[str, Any] | None = None) -> str:
    """A hash that changes whenever the extraction of some paper could.

    Covers :data:`~kgraph.nlp.pipeline.PIPELINE_VERSION`, every Python file of
    ``kgraph.nlp`` (components, lexicon, candidates, relations...) and
    ``kgraph/model.py``, the bundled resources (gazetteer, trained models),
    the spaCy and base-model versions, and ``options``, the keyword arguments
    of :func:`~kgraph.nlp.pipeline.load_pipeline` (a file or directory they
    name is hashed by content).

    >>> pipeline_fingerprint() == pipeline_fingerprint({})
    True
    """
    import spacy

    from .nlp import pipeline

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("format", str(ENTRY_FORMAT).encode())
    add("pipeline", pipeline.PIPELINE_VERSION.encode())
    add("spacy", spacy.__version__.encode())
    add("base-model", f"{pipeline.BASE_MODEL}=={_package_version(pipeline.BASE_MODEL)}".encode())
    package = Path(__file__).resolve().parent
    sources = sorted((package / "nlp").rglob("*.py")) + [package / "model.py"]
    resources = sorted(p for p in (package / "resources").rglob("*")
                       if p.is_file() and p.suffix not in _NOT_FOR_EXTRACTION and "__pycache__" not in p.parts)
    for path in sources + resources:
        add(path.relative_to(package).as_posix(), _file_digest(path))
    for name, value in sorted((options or {}).items()):
        if value in (None, ""):
            continue  # the default, as when the option is not given
        add(f"option:{name}", repr(value).encode())
        path = Path(value) if isinstance(value, (str, Path)) else None
        if path is not None and path.exists():
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                add(f"option:{name}:{file.relative_to(path).as_posix()}", _file_digest(file))
    return digest.hexdigest()


# Resources that extraction never reads (the ontology, the viewer, licences): changing them keeps the cache.
_NOT_FOR_EXTRACTION = frozenset({".ttl", ".md", ".html", ".css", ".js", ".png", ".svg"})


def _file_digest(path: Path) -> bytes:
    try:
        info = path.stat()
        return _cached_digest(str(path), info.st_size, info.st_mtime_ns)
    except OSError as exc:
        raise CacheError(f"cannot read {path}: {exc.strerror or exc}") from None


@lru_cache(maxsize=256)
def _cached_digest(path: str, size: int, mtime_ns: int) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.digest()


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


class ExtractionCache:
    """Extractions by paper content, for one pipeline fingerprint.

    Use it as a context manager, or call :meth:`close`. Opening a cache made by
    another fingerprint empties it.
    """

    def __init__(self, directory: Path | str, *, fingerprint: str):
        self.directory = Path(directory)
        self.fingerprint = fingerprint
        self.path = self.directory / CACHE_FILE
        self.hits = 0
        self.misses = 0
        self._connection: sqlite3.Connection | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        """The database, opened (and created) on first use: a build that stops early leaves nothing."""
        if self._connection is None:
            self._connection = self._open()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS extraction (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID")
            row = db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
            if row is None or row[0] != self.fingerprint:
                db.execute("BEGIN")
                db.execute("DELETE FROM extraction")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (self.fingerprint,))
                db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(f"cannot open the extraction cache {self.path}: {exc} (use --no-cache to build without it)") from None
        return db

    def get_many(self, papers: Sequence[Paper]) -> list[PaperExtraction | None]:
        """The cached extraction of each paper (completed with that paper), or None."""
        keys = [paper_key(p) for p in papers]
        found = dict(self._select("key, value", keys))
        out: list[PaperExtraction | None] = []
        for paper, key in zip(papers, keys):
            value = found.get(key)
            if value is None:
                self.misses += 1
                out.append(None)
            else:
                self.hits += 1
                out.append(loads_entry(value, paper))
        return out

    def contains_many(self, papers: Sequence[Paper]) -> list[bool]:
        """Whether the cache holds each paper's extraction (nothing is decoded)."""
        keys = [paper_key(p) for p in papers]
        present = {key for (key,) in self._select("key", keys)}
        return [key in present for key in keys]

    def _select(self, columns: str, keys: Sequence[bytes]) -> Iterator[tuple]:
        """``columns`` of the rows whose key is among ``keys``."""
        for start in range(0, len(keys), 500):  # SQLite's limit on host parameters
            part = keys[start : start + 500]
            yield from self._db.execute(f"SELECT {columns} FROM extraction WHERE key IN ({','.join('?' * len(part))})",
                                        part)

    def put_many(self, extractions: Iterable[PaperExtraction], *, entries: Sequence[bytes] | None = None) -> None:
        """Store extractions (committed at once); ``entries``: their :func:`dumps_entry`, if made already."""
        extractions = list(extractions)
        if entries is None:
            entries = [dumps_entry(ex) for ex in extractions]
        rows = [(paper_key(ex.paper), entry) for ex, entry in zip(extractions, entries, strict=True)]
        if not rows:
            return
        db = self._db
        try:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO extraction VALUES (?, ?)", rows)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise CacheError(f"cannot write the extraction cache {self.path}: {exc}") from None

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM extraction").fetchone()[0]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "ExtractionCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def dumps_entry(extraction: PaperExtraction) -> bytes:
    """An extraction without its paper, as compressed JSON (each record a list of its field values)."""
    value = [_encode(getattr(extraction, name)) for name in _ENTRY_FIELDS]
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 3)


def loads_entry(data: bytes, paper: Paper) -> PaperExtraction:
    """The extraction stored by :func:`dumps_entry`, for ``paper``."""
    values = json.loads(zlib.decompress(data))
    return PaperExtraction(paper, **{name: _DECODERS[name](v) for name, v in zip(_ENTRY_FIELDS, values)})


# The fields of PaperExtraction other than the paper, encoded generically from
# the dataclass definitions in kgraph.model, so a field added there is cached
# too (and, model.py being part of the fingerprint, old entries are dropped).
_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(PaperExtraction) if f.name != "paper")


_PLAIN = (str, int, float, bool, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _encode(value):
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple or kind is list:
        return [_encode(v) for v in value]
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    if names is not None:
        return [_encode(getattr(value, name)) for name in names]
    if isinstance(value, Enum):
        return value.value
    return value


def _decoder(hint) -> Callable | None:
    """A function from the JSON form of a value of type ``hint`` back to the value; None where that form is the value.

    Built once per field, so that decoding an entry makes no more calls than
    it must: numbers are taken as they come, strings are interned (at 100k
    papers the same few thousand names and the words "abstract" and "title"
    would otherwise be millions of separate objects), a dataclass whose fields
    are all numbers is made straight from its list.
    """
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot cache a field of type {hint}")
        decode = _decoder(inner[0])
        return None if decode is None else (lambda v: None if v is None else decode(v))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return tuple if item is None else (lambda v: tuple(map(item, v)))
        items = [_decoder(a) for a in args]
        if all(f is None for f in items):
            return tuple
        return lambda v: tuple(x if f is None else f(x) for f, x in zip(items, v))
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        parts = [(index, f) for index, field in enumerate(dataclasses.fields(hint))
                 if (f := _decoder(hints[field.name])) is not None]
        if not parts:
            return lambda v: hint(*v)

        def decode(v):
            for index, f in parts:
                v[index] = f(v[index])
            return hint(*v)

        return decode
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {member.value: member for member in hint}.__getitem__  # hint(v), without Enum's slow call
    if hint is str:
        # one object per distinct string: field and extractor names, and the
        # names of methods that recur across a corpus, are held once, not per mention
        return sys.intern
    if hint in (int, float, bool):
        return None
    raise TypeError(f"cannot cache a field of type {hint}")


_DECODERS = {name: _decoder(typing.get_type_hints(PaperExtraction)[name]) or (lambda v: v) for name in _ENTRY_FIELDS}
