"""The extraction cache: a paper already extracted by the same pipeline is not extracted again.

An entry is keyed by the paper's content (its cleaned title and abstract, the
only input of extraction) and belongs to one *pipeline fingerprint*: a hash of what extraction runs
(:func:`pipeline_fingerprint`: the pipeline's options, the code of the
run-time ``kgraph.nlp`` modules and of :mod:`kgraph.model`, the models and
vocabulary the pipeline loads, the versions of spaCy and of the base model).
Any change to one of them, a lexicon word or a component's code, gives a new
fingerprint, and the entries of the old one are dropped when the cache is
opened. Training code is not part of it: retraining changes the fingerprint
through the model files it writes, not through its own code.

The value is what :func:`~kgraph.nlp.extract.doc_to_extraction` found (mentions,
acronyms, relations, sentences) without the paper itself: a hit is completed
with the paper as read this time (its id, source line and metadata may have
changed), so a cached extraction is the one a fresh run would make.

The store is one SQLite file (``extractions.sqlite``, by default in
``<output>/.cache/``): safe to interrupt (each chunk is committed as it
arrives, so an interrupted build resumes where it stopped) and fast at millions
of rows. Values are zlib-compressed JSON, never pickles, so a cache file from
elsewhere cannot run code.

The cache is only ever a shortcut, so damage costs time, never a build: each
row carries a checksum of its key and value, and a row that fails it or does
not decode is a miss (removed, the paper extracted again); a database file that
SQLite finds damaged is moved aside (``extractions.sqlite.damaged``) and a new,
empty one made. Either way a :class:`~kgraph.errors.KGraphWarning` says so.

>>> import tempfile
>>> from kgraph.model import Paper
>>> paper = Paper("p1", "A title", "An abstract.")
>>> with ExtractionCache(Path(tempfile.mkdtemp()), fingerprint="test") as cache:
...     cache.put_many([PaperExtraction(paper)])
...     [hit.paper.id for hit in cache.get_many([Paper("p2", "A title", "An abstract.")])]
['p2']
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import sys
import types
import typing
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from enum import Enum
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import CacheError, KGraphWarning
from ..model import Paper, PaperExtraction

__all__ = ["CACHE_FILE", "EXTRACTION_FILES", "ExtractionCache", "dumps_entry", "extraction_files", "loads_entry",
           "paper_key", "pipeline_fingerprint"]

CACHE_FILE = "extractions.sqlite"
# Bump when the layout of an entry changes (dumps_entry / loads_entry).
ENTRY_FORMAT = 1
# Bump when the layout of a row changes (ExtractionCache: a checksum, then the entry); other rows are dropped.
ROW_FORMAT = 2
_CHECK_SIZE = 8
_DAMAGED = {getattr(sqlite3, "SQLITE_CORRUPT", 11), getattr(sqlite3, "SQLITE_NOTADB", 26)}


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


# What extraction runs and reads, relative to the kgraph package: the run-time modules of kgraph.nlp (its top
# level only: training code, in nlp/training/ or training/, makes the models and is never run by a build), the
# records that hold the extractions, the trained models (kgraph.nlp.ner.MODEL_DIR) and the bundled vocabulary
# (kgraph.nlp.vocab.BUNDLED_VOCAB). Other resources (the ontology, the viewer, licences) are read by exporters.
EXTRACTION_FILES = ("nlp/*.py", "model.py", "resources/ner/**/*", "resources/pwc_vocab.jsonl")
# The kgraph package whose files are hashed.
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def extraction_files(package: Path) -> list[Path]:
    """The files of ``package`` (a kgraph package directory) named by :data:`EXTRACTION_FILES`, in a fixed order.

    >>> [p.relative_to(PACKAGE_DIR).as_posix() for p in extraction_files(PACKAGE_DIR)][:2]
    ['model.py', 'nlp/__init__.py']
    """
    files = {path for pattern in EXTRACTION_FILES for path in package.glob(pattern)
             if path.is_file() and "__pycache__" not in path.relative_to(package).parts}
    return sorted(files, key=lambda path: path.relative_to(package).as_posix())


def pipeline_fingerprint(options: Mapping[str, Any] | None = None) -> str:
    """A hash that changes whenever the extraction of some paper could.

    Covers :data:`~kgraph.nlp.pipeline.PIPELINE_VERSION`, the files
    :func:`extraction_files` names (the run-time ``kgraph.nlp`` modules:
    components, lexicon, candidates, relations...; ``kgraph/model.py``; the
    trained models and the bundled vocabulary), the spaCy, base-model and
    onnxruntime versions, and ``options``, the keyword arguments of
    :func:`~kgraph.nlp.pipeline.load_pipeline` (a file or directory they name
    is hashed by content).

    >>> pipeline_fingerprint() == pipeline_fingerprint({})
    True
    """
    import spacy

    from ..nlp import pipeline

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("format", str(ENTRY_FORMAT).encode())
    add("pipeline", pipeline.PIPELINE_VERSION.encode())
    add("spacy", spacy.__version__.encode())
    add("base-model", f"{pipeline.BASE_MODEL}=={_package_version(pipeline.BASE_MODEL)}".encode())
    add("onnxruntime", _package_version("onnxruntime").encode())  # runs the default tagger: its kernels round
    for path in extraction_files(PACKAGE_DIR):
        add(path.relative_to(PACKAGE_DIR).as_posix(), _file_digest(path))
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
    another fingerprint empties it. What it reads is verified: a damaged row
    is a miss, a damaged database is replaced by an empty one (see the module
    docstring); ``damaged`` counts the rows found damaged.
    """

    def __init__(self, directory: Path | str, *, fingerprint: str):
        self.directory = Path(directory)
        self.fingerprint = fingerprint
        self.path = self.directory / CACHE_FILE
        self.hits = 0
        self.misses = 0
        self.damaged = 0
        self._connection: sqlite3.Connection | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        """The database, opened (and created) on first use: a build that stops early leaves nothing."""
        if self._connection is None:
            try:
                self._connection = self._open()
            except sqlite3.DatabaseError as exc:
                if not _is_damage(exc):
                    raise self._open_error(exc) from None
                self._set_aside(exc)
                try:
                    self._connection = self._open()
                except (sqlite3.Error, OSError) as again:
                    raise self._open_error(again) from None
            except OSError as exc:
                raise self._open_error(exc) from None
        return self._connection

    def _open(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS extraction (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID")
            stamp = f"{ROW_FORMAT}:{self.fingerprint}"
            row = db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
            if row is None or row[0] != stamp:
                db.execute("BEGIN")
                db.execute("DELETE FROM extraction")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (stamp,))
                db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def _open_error(self, exc: BaseException) -> CacheError:
        return CacheError(f"cannot open the extraction cache {self.path}: {exc} "
                          "(use --no-cache to build without it)")

    def _set_aside(self, exc: sqlite3.DatabaseError) -> None:
        """Move a damaged database out of the way (``extractions.sqlite.damaged``), so that a new one is made."""
        self.close()
        aside = self.path.with_name(CACHE_FILE + ".damaged")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):  # the journal of the damaged file is no use to a new one
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.path}{suffix}")
        except OSError as move:
            raise CacheError(f"the extraction cache {self.path} is damaged ({exc}) and cannot be moved aside: "
                             f"{move.strerror or move}; delete it, or use --no-cache") from None
        warnings.warn(KGraphWarning(f"the extraction cache {self.path} was damaged ({exc}): moved to {aside.name}, "
                                    "and a new one started (papers are extracted again)"), stacklevel=3)

    def _guarded(self, work: Callable[[sqlite3.Connection], Any], damaged: Callable[[], Any]) -> Any:
        """``work(db)``; if SQLite finds the database damaged, it is replaced by an empty one and ``damaged()`` returned."""
        try:
            return work(self._db)
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise CacheError(f"cannot use the extraction cache {self.path}: {exc} "
                             "(use --no-cache to build without it)") from None
            self._set_aside(exc)
            return damaged()

    def get_many(self, papers: Sequence[Paper]) -> list[PaperExtraction | None]:
        """The cached extraction of each paper (completed with that paper), or None.

        A row that fails its checksum or does not decode is a miss, and is removed.
        """
        keys = [paper_key(p) for p in papers]
        found = self._guarded(lambda db: dict(self._select(db, "key, value", keys)), dict)
        out: list[PaperExtraction | None] = []
        bad: list[bytes] = []
        for paper, key in zip(papers, keys):
            value = found.get(key)
            extraction = None if value is None else _verified_entry(key, value, paper)
            if extraction is None:
                self.misses += 1
                if value is not None:
                    bad.append(key)
            else:
                self.hits += 1
            out.append(extraction)
        if bad:
            self._forget(bad)
        return out

    def _forget(self, keys: list[bytes]) -> None:
        """Remove damaged rows (their papers are extracted again, and stored anew)."""
        if not self.damaged:
            warnings.warn(KGraphWarning(f"the extraction cache {self.path} has damaged entries: they are "
                                        "removed and their papers extracted again"), stacklevel=3)
        self.damaged += len(keys)
        with contextlib.suppress(CacheError):  # the rows are misses anyway, and put_many replaces them
            self._guarded(lambda db: _write(db, "DELETE FROM extraction WHERE key = ?", [(key,) for key in keys]),
                          lambda: None)

    def contains_many(self, papers: Sequence[Paper]) -> list[bool]:
        """Whether the cache holds each paper's extraction (nothing is decoded or verified yet)."""
        keys = [paper_key(p) for p in papers]
        present = self._guarded(lambda db: {key for (key,) in self._select(db, "key", keys)}, set)
        return [key in present for key in keys]

    @staticmethod
    def _select(db: sqlite3.Connection, columns: str, keys: Sequence[bytes]) -> Iterator[tuple]:
        """``columns`` of the rows whose key is among ``keys``."""
        for start in range(0, len(keys), 500):  # SQLite's limit on host parameters
            part = keys[start : start + 500]
            yield from db.execute(f"SELECT {columns} FROM extraction WHERE key IN ({','.join('?' * len(part))})", part)

    def put_many(self, extractions: Iterable[PaperExtraction], *, entries: Sequence[bytes] | None = None) -> None:
        """Store extractions (committed at once); ``entries``: their :func:`dumps_entry`, if made already."""
        extractions = list(extractions)
        if entries is None:
            entries = [dumps_entry(ex) for ex in extractions]
        keys = [paper_key(ex.paper) for ex in extractions]
        rows = [(key, _checksum(key, entry) + entry) for key, entry in zip(keys, entries, strict=True)]
        if not rows:
            return
        if not self._guarded(lambda db: _write(db, "INSERT OR REPLACE INTO extraction VALUES (?, ?)", rows),
                             lambda: False):
            # the database was damaged, and a new one made: store them there (damaged again: not stored)
            self._guarded(lambda db: _write(db, "INSERT OR REPLACE INTO extraction VALUES (?, ?)", rows),
                          lambda: False)

    def __len__(self) -> int:
        return self._guarded(lambda db: db.execute("SELECT count(*) FROM extraction").fetchone()[0], lambda: 0)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write(db: sqlite3.Connection, statement: str, rows: list[tuple]) -> bool:
    """Run ``statement`` for every row in one transaction (rolled back if it fails)."""
    try:
        db.execute("BEGIN")
        db.executemany(statement, rows)
        db.execute("COMMIT")
    except sqlite3.Error:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise
    return True


def _checksum(key: bytes, entry: bytes) -> bytes:
    """The check stored before an entry: a keyed hash of it, so a damaged value, or one under another key, fails."""
    return hashlib.blake2b(entry, digest_size=_CHECK_SIZE, key=key).digest()


def _verified_entry(key: bytes, value: bytes, paper: Paper) -> PaperExtraction | None:
    """The extraction in a row, or None if the row is damaged (it fails its checksum or does not decode)."""
    value = bytes(value)
    check, entry = value[:_CHECK_SIZE], value[_CHECK_SIZE:]
    if len(check) != _CHECK_SIZE or check != _checksum(key, entry):
        return None
    try:
        return loads_entry(entry, paper)
    except (zlib.error, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is damaged or not a database (rather than locked, read-only, full...)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _DAMAGED
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


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
