"""Outputs written again from the unchanged parts of their previous version.

A large output is a sequence of *fragments*, one per node or edge of the
graph (as that format writes it), with fixed text between them. Each fragment
has a digest of everything it is made from. When an output is written, an
index of where each fragment's bytes lie in the file is kept beside the
extraction cache; the next build copies the bytes of every fragment whose
digest the index holds straight from the previous file (the kernel copies
them, with ``os.copy_file_range``) and renders only the fragments that are new
or changed. Adding 1 % of papers to a corpus changes about 1 % of the edges,
so most of a large file is copied, not written again.

The result is the same bytes as writing everything: a fragment is reused
only when the digest of its inputs is the same (a 128-bit BLAKE2b of their
pickle: equal pickles are equal values, and a value pickled differently only
misses), the index was written by the same exporter code with the same
options (its *salt*), the index is whole (a SHA-256 of everything in it,
checked before any byte is copied, and every fragment within its file, in
order), and the previous file is the one the index describes (same size,
inode and modification time). Anything else, and every fragment is rendered.

>>> import io, tempfile, pathlib
>>> directory = pathlib.Path(tempfile.mkdtemp())
>>> def write(items, previous):
...     with open(directory / "new", "wb") as handle:
...         splicer = Splicer({"txt": Output(handle, b",", previous.get("txt"))}, previous.index, "salt")
...         for key, text in items:
...             splicer.element(digest(key), lambda text=text: {"txt": text})
...         index = splicer.close()
...     (directory / "new").replace(directory / "out")
...     return Previous(index.stamped({"txt": directory / "out"}), {"txt": directory / "out"}).checked("salt")
>>> first = write([("a", "A"), ("b", "B")], Previous.none())
>>> second = write([("a", "A"), ("c", "C"), ("b", "B")], first)
>>> (directory / "out").read_bytes(), second.index.files["txt"].offsets.tolist()
(b'A,C,B', [0, 2, 4])
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import pickle
import shutil
import tempfile
import warnings
from array import array
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..errors import ExportError, KGraphWarning
from ..graph.schema import COMMUNITY
from .atomic import atomic_open
from .ordering import iter_sorted_edges, sorted_nodes

INDEX_VERSION = 2  # 2: the header holds a checksum of the index
_DIGEST_SIZE = 16
_NO_DIGEST = bytes(_DIGEST_SIZE)


def digest(value: Any) -> bytes | None:
    """The 16-byte digest of a value made of plain data (str, int, float, bool, None, lists, tuples, dicts).

    None for a value that cannot be pickled: its fragment is always rendered.

    >>> digest(("paper:1", {"label": "A"})) == digest(("paper:1", {"label": "A"})), digest(lambda: 0)
    (True, None)
    """
    try:
        data = pickle.dumps(value, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None
    return hashlib.blake2b(data, digest_size=_DIGEST_SIZE).digest()


def combined(base: bytes | None, *parts: Any) -> bytes | None:
    """The digest of a base digest and a few more values (None if either is None or cannot be pickled)."""
    return None if base is None else digest((base, parts))


@dataclass(frozen=True)
class GraphDigests:
    """One digest per node and per edge of a graph, made once and shared by every output's fragments.

    A node's covers its id and its attributes but ``community`` (which RDF
    writes apart, as communities are renumbered by every build); an edge's
    covers its source, target, key and attributes. Both are in the order the
    exporters write (:func:`~kgraph.export.ordering.sorted_nodes`,
    :func:`~kgraph.export.ordering.iter_sorted_edges`), 16 bytes each, all
    zeros for none; each output combines them (:func:`combined`) with what
    else its fragment is made of. Unless ``hashed`` (:meth:`none`), there are
    no digests at all, and the outputs keep no index.
    """

    nodes: list  # the graph's nodes, sorted
    node_digests: bytes  # empty unless hashed
    edge_digests: bytes
    hashed: bool = True

    @staticmethod
    def of(G: Any) -> "GraphDigests":
        nodes = sorted_nodes(G)
        node_digests = bytearray()
        for node in nodes:
            attrs = G.nodes[node]
            if COMMUNITY in attrs:
                attrs = {name: value for name, value in attrs.items() if name != COMMUNITY}
            node_digests += digest((node, attrs)) or _NO_DIGEST
        edge_digests = bytearray()
        for edge in iter_sorted_edges(G, nodes):
            edge_digests += digest(edge) or _NO_DIGEST
        return GraphDigests(nodes, bytes(node_digests), bytes(edge_digests))

    @staticmethod
    def none(G: Any) -> "GraphDigests":
        """No digests (every fragment rendered, nothing hashed): for an output written without an index."""
        return GraphDigests(sorted_nodes(G), b"", b"", hashed=False)

    def node(self, number: int) -> bytes | None:
        return _at(self.node_digests, number)

    def edge(self, number: int) -> bytes | None:
        return _at(self.edge_digests, number)


def _at(digests: bytes, number: int) -> bytes | None:
    if not digests:
        return None
    value = digests[number * _DIGEST_SIZE:(number + 1) * _DIGEST_SIZE]
    return None if value == _NO_DIGEST else value


@dataclass(frozen=True)
class Fragments:
    """A group of files as a writer makes them, in one pass: text, and fragments that may be copied.

    The writer says how its files are made; :func:`write_fragments` writes
    them (copying unchanged fragments from their previous version, with a
    :class:`Reuse`), and :func:`dumps_fragments` makes their text.
    ``separators`` names each file of the group (as the fragment index names
    it) with the bytes written between two consecutive fragments of it.
    ``fill(splicer)`` writes every file's text and fragments, in order
    (:meth:`Splicer.text`, :meth:`Splicer.element`). ``salt``
    (:func:`code_salt`) names the format and its options. Unless ``indexed``
    (the fragments have digests), nothing is copied and no index is kept.
    ``prologues``: for a file whose beginning is known only once its
    fragments are written (GraphML declares the keys that its elements use), a
    function giving that beginning; the rest of the file is written to a
    scratch file first.
    """

    separators: dict[str, bytes]
    fill: Callable[["Splicer"], None]
    salt: str = ""
    indexed: bool = False
    prologues: dict[str, Callable[[], str]] = field(default_factory=dict)


def write_fragments(fragments: Fragments, paths: Mapping[str, str | os.PathLike[str]], *,
                    reuse: "Reuse | None" = None) -> "Spliced":
    """Write the files of ``fragments`` to ``paths`` (by their names in the group), each atomically.

    With ``reuse``, the fragments that the index at ``reuse.index`` holds for
    the files at ``reuse.previous`` are copied from them, and the new files'
    index is saved there once they are written; the bytes are the same
    either way. Fragments that are not ``indexed`` are all rendered, and no
    index is read or saved. Returns how many fragments were copied and how
    many rendered.
    """
    files = {name: Path(paths[name]) for name in fragments.separators}
    if not fragments.indexed:
        reuse = None
    previous = Previous.none()
    if reuse is not None:
        previous = Previous.at(reuse.index, {name: Path(reuse.previous[name]) for name in files}, fragments.salt)
    with ExitStack() as stack:
        handles = {name: stack.enter_context(atomic_open(path, "wb")) for name, path in files.items()}
        scratch = {name: stack.enter_context(_scratch_file(files[name])) for name in fragments.prologues}
        index, stats = _write(fragments, handles, scratch, previous)
    if reuse is not None:
        index.stamped(files).save(reuse.index)
    return stats


def dumps_fragments(fragments: Fragments) -> dict[str, str]:
    """The text of each file of ``fragments``, by its name in the group (every fragment rendered)."""
    handles = {name: io.BytesIO() for name in fragments.separators}
    _write(fragments, handles, {name: io.BytesIO() for name in fragments.prologues}, Previous.none())
    return {name: handle.getvalue().decode("utf-8") for name, handle in handles.items()}


def _scratch_file(path: Path) -> IO[bytes]:
    """An unnamed temporary file beside ``path``, for the part of it written before its beginning."""
    try:
        return tempfile.TemporaryFile("w+b", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _write(fragments: Fragments, handles: dict[str, IO[bytes]], scratch: dict[str, IO[bytes]],
           previous: "Previous") -> tuple["FragmentIndex", "Spliced"]:
    """Fill the open ``handles`` (a file with a prologue through its ``scratch`` file); returns the new index."""
    outputs = {name: Output(scratch.get(name, handle), fragments.separators[name], previous.get(name),
                            indexed=fragments.indexed)
               for name, handle in handles.items()}
    splicer = Splicer(outputs, previous.index, fragments.salt)
    try:
        fragments.fill(splicer)
    except BaseException:
        splicer.abort()
        raise
    index = splicer.close()
    files = dict(index.files)
    for name, body in scratch.items():
        head = fragments.prologues[name]().encode("utf-8")
        handles[name].write(head)
        body.seek(0)
        shutil.copyfileobj(body, handles[name], 1 << 16)
        entry = files[name]
        files[name] = FileIndex(entry.offsets + np.uint64(len(head)), entry.lengths)
    return FragmentIndex(index.salt, index.digests, files), splicer.stats()


def code_salt(*parts: str) -> str:
    """A salt naming ``parts`` (format names, options) and the source of every exporter module.

    Any change to how outputs are written changes the salt, so an index
    written by other code is never used. The exporter modules are those of
    this package and the RDF vocabulary (:mod:`kgraph.rdf.vocab`), which
    mints the IRIs the RDF holds.
    """
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    h.update(_exporter_source())
    h.update(str(INDEX_VERSION).encode())
    return h.hexdigest()


@functools.cache
def _exporter_source() -> bytes:
    """The name and source of each exporter module, read once."""
    package = Path(__file__).parent
    paths = [*sorted(package.glob("*.py")), package.parent / "rdf" / "vocab.py"]
    return b"".join(path.name.encode() + b"\x00" + path.read_bytes() + b"\x00" for path in paths)


@dataclass(frozen=True)
class FileIndex:
    """Where each fragment lies in one written file, and which file that is."""

    offsets: np.ndarray  # uint64, one per fragment, in the order written
    lengths: np.ndarray  # uint64
    size: int = 0
    inode: int = 0
    mtime_ns: int = 0

    def matches(self, path: Path) -> bool:
        try:
            st = path.stat()
        except OSError:
            return False
        return (st.st_size, st.st_ino, st.st_mtime_ns) == (self.size, self.inode, self.mtime_ns)


@dataclass(frozen=True)
class FragmentIndex:
    """The fragments of a group of files written together: one digest per fragment, a range per file."""

    salt: str
    digests: bytes  # the fragments' digests, concatenated, in the order written
    files: dict[str, FileIndex] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.digests) // _DIGEST_SIZE

    def stamped(self, paths: dict[str, Path]) -> "FragmentIndex":
        """This index with the size, inode and time of each file as written at ``paths``."""
        files = {}
        for name, entry in self.files.items():
            st = Path(paths[name]).stat()
            files[name] = FileIndex(entry.offsets, entry.lengths, st.st_size, st.st_ino, st.st_mtime_ns)
        return FragmentIndex(self.salt, self.digests, files)

    def checksum(self) -> str:
        """A SHA-256 of everything in the index: salt, digests, and each file's stamp, offsets and lengths."""
        h = hashlib.sha256()
        h.update(f"{INDEX_VERSION}\0{self.salt}\0{len(self.digests)}\0".encode("utf-8", "surrogatepass"))
        h.update(self.digests)
        for name, entry in sorted(self.files.items()):
            h.update(f"\0{name}\0{entry.size}\0{entry.inode}\0{entry.mtime_ns}\0{len(entry.offsets)}\0"
                     .encode("utf-8", "surrogatepass"))
            h.update(np.ascontiguousarray(entry.offsets, dtype="<u8").tobytes())
            h.update(np.ascontiguousarray(entry.lengths, dtype="<u8").tobytes())
        return h.hexdigest()

    def within_files(self) -> bool:
        """Whether every fragment lies inside its file, after the one before it (no overlap, nothing past the end)."""
        for entry in self.files.values():
            if len(entry.offsets) == 0:
                continue
            offsets, lengths = entry.offsets.astype(np.uint64), entry.lengths.astype(np.uint64)
            ends = offsets + lengths
            if (ends < offsets).any() or int(ends.max()) > entry.size or (offsets[1:] < ends[:-1]).any():
                return False
        return True

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index atomically (``.npz``: arrays and a JSON header holding its checksum)."""
        header = {"version": INDEX_VERSION, "salt": self.salt, "checksum": self.checksum(),
                  "files": {name: [f.size, f.inode, f.mtime_ns] for name, f in self.files.items()}}
        arrays = {"header": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
                  "digests": np.frombuffer(self.digests, dtype=np.uint8)}
        for number, (name, entry) in enumerate(sorted(self.files.items())):
            arrays[f"offsets_{number}"] = entry.offsets
            arrays[f"lengths_{number}"] = entry.lengths
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "wb") as handle:
            np.savez(handle, **arrays)

    @staticmethod
    def load(path: str | os.PathLike[str]) -> "FragmentIndex | None":
        """The index at ``path``; None if there is none, it cannot be read or it is not whole.

        An index is only ever an optimization: one that fails its checksum,
        or has a fragment outside its file, is no index (with a
        :class:`~kgraph.errors.KGraphWarning`), and every fragment is rendered.
        """
        index = FragmentIndex._read(path)
        if index is None or isinstance(index, FragmentIndex):
            return index
        warnings.warn(KGraphWarning(f"the fragment index {path} is damaged ({index}): outputs written in full"),
                      stacklevel=2)
        return None

    @staticmethod
    def _read(path: str | os.PathLike[str]) -> "FragmentIndex | str | None":
        """The index at ``path``, None if there is none (or of another version), or what is wrong with it."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(data["header"].tobytes().decode("utf-8"))
                if header.get("version") != INDEX_VERSION:
                    return None
                digests = data["digests"].tobytes()
                files = {}
                for number, (name, (size, inode, mtime_ns)) in enumerate(sorted(header["files"].items())):
                    offsets = data[f"offsets_{number}"].astype(np.uint64)
                    lengths = data[f"lengths_{number}"].astype(np.uint64)
                    if len(offsets) != len(digests) // _DIGEST_SIZE or len(lengths) != len(offsets):
                        return "arrays of different lengths"
                    files[name] = FileIndex(offsets, lengths, size, inode, mtime_ns)
                index = FragmentIndex(header["salt"], digests, files)
                if header.get("checksum") != index.checksum():
                    return "checksum mismatch"
                if not index.within_files():
                    return "fragments outside their file"
                return index
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged index (bad zip, short file, wrong arrays) is no index
            return type(exc).__name__


@dataclass(frozen=True)
class Spliced:
    """How a group of files was written: fragments copied from the previous files, and rendered."""

    copied: int = 0
    rendered: int = 0


@dataclass(frozen=True)
class Reuse:
    """Where a writer finds the previous version of its files, and keeps their fragment index."""

    index: Path  # the index file, read before writing and replaced after
    previous: dict[str, Path]  # each file's final path, by the writer's name for it


@dataclass(frozen=True)
class Previous:
    """The previous version of a group of files, and the index that describes it (if usable)."""

    index: FragmentIndex | None
    paths: dict[str, Path]

    @staticmethod
    def none() -> "Previous":
        return Previous(None, {})

    @staticmethod
    def at(index_path: str | os.PathLike[str] | None, paths: dict[str, Path], salt: str) -> "Previous":
        """The index at ``index_path``, if written with ``salt`` for exactly the files now at ``paths``."""
        if index_path is None:
            return Previous.none()
        return Previous(FragmentIndex.load(index_path), dict(paths)).checked(salt)

    def checked(self, salt: str) -> "Previous":
        index = self.index
        if (index is None or index.salt != salt or set(index.files) != set(self.paths)
                or not all(index.files[name].matches(Path(path)) for name, path in self.paths.items())):
            return Previous.none()
        return self

    def get(self, name: str) -> Path | None:
        return self.paths.get(name) if self.index is not None else None

    def __bool__(self) -> bool:
        return self.index is not None


class Output:
    """One file being written: text as it is rendered, runs of old fragments copied from the previous file.

    ``separator`` goes between two fragments that follow each other (JSON's
    ``","``); text written with :meth:`text` (a header, a footer) is not a
    fragment, and the fragment after it gets no separator. Unless
    ``indexed``, where the fragments lie is not kept (the output will have
    no index), so memory stays that of one fragment.
    """

    def __init__(self, handle: IO[bytes], separator: bytes = b"", previous: Path | None = None,
                 indexed: bool = True):
        self.handle = handle
        self.separator = separator
        self.position = 0
        self.after_fragment = False
        self.indexed = indexed
        self.offsets = array("Q")
        self.lengths = array("Q")
        self.source = open(previous, "rb") if previous is not None else None  # noqa: SIM115 (closed in close)

    def text(self, text: str) -> None:
        self._write(text.encode("utf-8"))
        self.after_fragment = False

    def fragment(self, text: str) -> None:
        data = text.encode("utf-8")
        if self.after_fragment:
            self._write(self.separator)
        if self.indexed:
            self.offsets.append(self.position)
            self.lengths.append(len(data))
        self._write(data)
        self.after_fragment = True

    def joined(self, old: FileIndex) -> np.ndarray:
        """For each fragment of the previous file, whether only a separator was between it and the one before."""
        joined = np.zeros(len(old.offsets), dtype=bool)
        joined[1:] = old.offsets[1:] == old.offsets[:-1] + old.lengths[:-1] + np.uint64(len(self.separator))
        return joined

    def copy(self, old: FileIndex, first: int, last: int) -> None:
        """The previous file's fragments ``first`` to ``last`` (inclusive), with their separators."""
        start = int(old.offsets[first])
        end = int(old.offsets[last]) + int(old.lengths[last])
        if self.after_fragment:
            self._write(self.separator)
        if self.indexed:
            self.offsets.extend((old.offsets[first:last + 1].astype(np.int64) + (self.position - start)).tolist())
            self.lengths.extend(old.lengths[first:last + 1].tolist())
        self._copy_range(start, end - start)
        self.after_fragment = True

    def _write(self, data: bytes) -> None:
        if data:
            self.handle.write(data)
            self.position += len(data)

    def _copy_range(self, offset: int, count: int) -> None:
        assert self.source is not None
        self.handle.flush()
        source, target = self.source.fileno(), self.handle.fileno()
        done = 0
        try:
            while done < count:
                copied = os.copy_file_range(source, target, count - done, offset + done)
                if copied == 0:
                    raise ExportError(f"{self.source.name} is shorter than its fragment index says")
                done += copied
        except OSError:  # no copy_file_range between these files: copy through memory
            while done < count:
                chunk = os.pread(source, min(1 << 20, count - done), offset + done)
                if not chunk:
                    raise ExportError(f"{self.source.name} is shorter than its fragment index says") from None
                self.handle.write(chunk)
                done += len(chunk)
        self.position += count

    def index(self) -> FileIndex:
        return FileIndex(np.frombuffer(self.offsets, dtype=np.uint64).copy(),
                         np.frombuffer(self.lengths, dtype=np.uint64).copy())

    def close(self) -> None:
        if self.source is not None:
            self.source.close()
            self.source = None


class Splicer:
    """Writes the fragments of a group of files, copying those the previous index has.

    Call :meth:`element` once per fragment, in order, with its digest (None:
    always render) and a function rendering its text for every file. Runs of
    consecutive fragments that were consecutive before too are copied in one
    call. :meth:`close` returns the new index (stamp it with
    :meth:`FragmentIndex.stamped` once the files are closed; it is empty
    where the outputs are not ``indexed``).
    """

    def __init__(self, outputs: dict[str, Output], previous: FragmentIndex | None, salt: str = ""):
        self.outputs = outputs
        self.indexed = all(output.indexed for output in outputs.values())
        self.previous = previous if previous is not None and all(o.source is not None for o in outputs.values()) \
            else None
        self.salt = salt if salt else (previous.salt if previous is not None else "")
        self.digests = bytearray()
        self.run: tuple[int, int] | None = None  # old fragments first..last, waiting to be copied
        self.next_old = 0
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None
        self.joined = b""  # per old fragment: 1 if a run may go on into it (it followed the one before directly)
        if self.previous is not None:
            joined = np.ones(len(self.previous), dtype=bool)
            for name, output in outputs.items():
                joined &= output.joined(self.previous.files[name])
            self.joined = joined.tobytes()
        self.copied = 0
        self.rendered = 0

    def element(self, digest: bytes | None, render: Callable[[], dict[str, str]]) -> None:
        position = self._find(digest) if digest is not None and self.previous is not None else None
        if self.indexed:
            self.digests += digest if digest is not None else _NO_DIGEST
        if position is not None:
            self.copied += 1
            self.next_old = position + 1
            if self.run is not None and self.run[1] + 1 == position and self.joined[position]:
                self.run = (self.run[0], position)
                return
            self._flush()
            self.run = (position, position)
            return
        self._flush()
        self.rendered += 1
        texts = render()
        for name, output in self.outputs.items():
            output.fragment(texts[name])

    def text(self, name: str, text: str) -> None:
        self._flush()
        self.outputs[name].text(text)

    def abort(self) -> None:
        """Give up: close the previous files, copy nothing more."""
        self.run = None
        for output in self.outputs.values():
            output.close()

    def stats(self) -> Spliced:
        return Spliced(self.copied, self.rendered)

    def close(self) -> FragmentIndex:
        self._flush()
        for output in self.outputs.values():
            output.close()
        return FragmentIndex(self.salt, bytes(self.digests),
                             {name: output.index() for name, output in self.outputs.items()})

    def _flush(self) -> None:
        if self.run is None:
            return
        first, last = self.run
        self.run = None
        for name, output in self.outputs.items():
            output.copy(self.previous.files[name], first, last)

    def _find(self, digest: bytes) -> int | None:
        """Where the previous index has ``digest``: most often right after the last one found."""
        old = self.previous.digests
        at = self.next_old * _DIGEST_SIZE
        if old[at:at + _DIGEST_SIZE] == digest and digest != bytes(_DIGEST_SIZE):
            return self.next_old
        if self._sorted is None:
            keys = np.frombuffer(old, dtype=f"S{_DIGEST_SIZE}")
            order = np.argsort(keys, kind="stable")
            self._sorted = (keys[order], order)
        keys, order = self._sorted
        i = int(np.searchsorted(keys, np.bytes_(digest)))
        if i < len(keys) and keys[i] == np.bytes_(digest):
            return int(order[i])
        return None

