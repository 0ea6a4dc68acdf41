"""A corpus: the input files named on the command line, read in order, duplicates merged.

>>> files, ignored = list_input_files([Path("data")])  # doctest: +SKIP
>>> files  # doctest: +SKIP
[(PosixPath('data/000_6f416096fe93fe6b.txt'), 'scraped')]
>>> ignored  # doctest: +SKIP
[Ignored(path=PosixPath('data/README.md'), reason='unknown file type')]
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kgraph.errors import CorpusFormatError
from kgraph.model import Paper, Problem, SourceRef

from .formats import check_format, detect_format, format_from_extension, iter_file
from .textfile import HEAD_SIZE, special_file_kind

__all__ = ["Ignored", "list_input_files", "iter_records", "is_kgraph_output", "OUTPUT_MARK", "OUTPUT_MARK_TEXT"]

_HIDDEN_PREFIXES = (".", "~$")  # dot files; Office lock files such as "~$papers.csv"

# Why a file or directory met in an input directory is not read (Ignored.reason).
UNKNOWN_TYPE = "unknown file type"
HIDDEN = "hidden"
KGRAPH_OUTPUT = "a kgraph output directory (it holds kgraph's .kgraph-output or report.json)"
WRITTEN_BY_KGRAPH = "written by kgraph"
# The mark of a kgraph output directory: a file every build writes there, whatever --outputs
# selects (kgraph.export.outputs.staged_outputs), always with these bytes.
OUTPUT_MARK = ".kgraph-output"
OUTPUT_MARK_TEXT = b"kgraph output directory: kgraph build wrote it, and never reads it as input\n"
# The first bytes of every report.json kgraph writes (kgraph.run.make_report: its first key): the only
# mark of an output directory that kgraph wrote before OUTPUT_MARK, or with --outputs report alone.
_REPORT_HEAD = b'{\n  "kgraph_version": '


@dataclass(frozen=True)
class Ignored:
    """A file or directory met in the inputs and not read, and why."""

    path: Path
    reason: str


def list_input_files(
    paths: Sequence[Path | str],
    *,
    input_format: str | None = None,
    outputs: Mapping[Path | str, str] | None = None,
    written: Collection[str] = (),
) -> tuple[list[tuple[Path, str]], list[Ignored]]:
    """The files to read, each with its format, and what was met in directories and not read, with the reason.

    Directories are walked (iteratively: any depth) in sorted order, the
    files of a directory before its subdirectories. Every entry met is read
    or listed as ignored with its reason:

    - a file with a known extension is read, in ``input_format`` if given,
      else the extension's; another file is ignored (``unknown file type``,
      ``README.md``);
    - a hidden file or directory (``.git``, ``~$papers.csv``) is ignored (``hidden``);
    - a directory that cannot be listed is ignored (``cannot read directory: ...``);
    - a symbolic link to a directory is followed, unless it leads to a
      directory already walked (``symlink loop: ...`` when it leads back to a
      directory above it, ``already read as ...`` otherwise): directories are
      told apart by device and inode, so no loop is walked twice;
    - a directory of ``outputs`` (the build's output directory and cache,
      each mapped to the reason to give) or one that kgraph marked as an
      output directory (:func:`is_kgraph_output`) is ignored whole: kgraph
      never reads its own outputs back.

    A file named explicitly is read: in ``input_format`` if given, else by
    extension, else by content; only a file called one of ``written`` (the
    names kgraph writes, such as ``graph.json``) or :data:`OUTPUT_MARK` in an
    ``outputs`` directory is ignored (``written by kgraph``). A directory
    named explicitly is walked even when it is an output directory, but those
    files directly in it, and kgraph's ``report.json`` and
    :data:`OUTPUT_MARK`, are ignored. A file met twice is listed once.

    Raises :class:`CorpusFormatError` for a path that does not exist, and
    :class:`~kgraph.errors.ConfigError` for an unknown ``input_format``.
    """
    check_format(input_format)
    files: list[tuple[Path, str]] = []
    ignored: list[Ignored] = []
    seen: set = set()
    written = frozenset(written) | {OUTPUT_MARK}
    excluded = {key: reason for path, reason in (outputs or {}).items() if (key := _identity(Path(path))) is not None}
    walked: dict[tuple[int, int], Path] = {}  # directories walked, by (device, inode)

    def add(path: Path, file_format: str) -> None:
        key = _identity(path) or os.path.realpath(path)  # a dangling link or a link loop: by its name
        if key not in seen:
            seen.add(key)
            files.append((path, file_format))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            outputs_here = _identity(path) in excluded or is_kgraph_output(path)
            for child in _walk(path, walked, excluded, ignored, written | {"report.json"} if outputs_here else ()):
                known = format_from_extension(child)
                if known is None:
                    ignored.append(Ignored(child, _unknown_reason(child)))
                else:
                    add(child, input_format or (detect_format(child, _head(child)) if known == "jsonl" else known))
        elif os.path.lexists(path):  # a dangling link too: reading it is the error
            if path.name in written and _identity(path.parent) in excluded:
                ignored.append(Ignored(path, WRITTEN_BY_KGRAPH))
                continue
            add(path, input_format or detect_format(path, _head(path)))
        else:
            raise CorpusFormatError(str(path), None, "no such file or directory")
    return files, ignored


def is_kgraph_output(directory: Path) -> bool:
    """Whether ``directory`` is a kgraph build's output directory: it holds kgraph's :data:`OUTPUT_MARK`.

    Every build writes the mark, whatever ``--outputs`` selects; a directory
    that kgraph wrote without one (an older kgraph) is known by its
    ``report.json``. Each is recognised by its first bytes, not its name alone.

    >>> import tempfile
    >>> directory = Path(tempfile.mkdtemp())
    >>> is_kgraph_output(directory)
    False
    >>> _ = (directory / OUTPUT_MARK).write_bytes(OUTPUT_MARK_TEXT)
    >>> is_kgraph_output(directory)
    True
    """
    return (_starts_with(directory / OUTPUT_MARK, OUTPUT_MARK_TEXT)
            or _starts_with(directory / "report.json", _REPORT_HEAD))


def _starts_with(path: Path, head: bytes) -> bool:
    """Whether the file ``path`` begins with ``head`` (False if it cannot be read, or is no regular file)."""
    try:
        if special_file_kind(path) is not None:  # a FIFO is not opened: that could block
            return False
        with open(path, "rb") as handle:
            return handle.read(len(head)) == head
    except OSError:
        return False


def iter_records(paths: Sequence[Path | str], *, input_format: str | None = None) -> Iterator[Paper | Problem]:
    """Every paper and problem in the inputs, file after file, lazily.

    Bad records become :class:`~kgraph.model.Problem` objects (``error``: the
    record was skipped; ``warning``: it was kept with a caveat); nothing is
    raised for bad data. The inputs are listed (and missing paths raised) when
    this is called, the files read as the result is consumed. A file that
    yields nothing at all gets a ``no records found`` warning.
    """
    files, _ = list_input_files(paths, input_format=input_format)
    return _read_all(files)


def _read_all(files: Iterable[tuple[Path, str]]) -> Iterator[Paper | Problem]:
    for path, file_format in files:
        empty = True
        for record in iter_file(path, file_format):
            empty = False
            yield record
        if empty:
            yield Problem(SourceRef(str(path), 1), "no records found", severity="warning")


def _walk(top: Path, walked: dict[tuple[int, int], Path], excluded: Mapping[tuple[int, int], str],
          ignored: list[Ignored], written_here: Collection[str]) -> Iterator[Path]:
    """The files under ``top``, sorted, files before subdirectories; what is not walked goes to ``ignored``.

    An explicit stack rather than recursion, so any depth is walked (a
    directory 1,100 deep is not an error); ``walked`` holds each directory
    walked by (device, inode), so a symbolic link back to a directory above
    (a loop) or to one walked already is not walked again. ``written_here``:
    names of files directly in ``top`` that kgraph wrote.
    """
    key = _identity(top)
    if key is not None:
        if key in walked:
            ignored.append(Ignored(top, _seen_reason(top, walked[key])))
            return
        walked[key] = top
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            ignored.append(Ignored(directory, f"cannot read directory: {_reason(exc)}"))
            continue
        subdirectories = []
        for entry in entries:
            path = directory / entry.name
            if directory is top and entry.name in written_here and not _is_directory(entry):
                ignored.append(Ignored(path, WRITTEN_BY_KGRAPH))  # OUTPUT_MARK too, though its name is hidden
            elif entry.name.startswith(_HIDDEN_PREFIXES):
                ignored.append(Ignored(path, HIDDEN))
            elif not _is_directory(entry):
                yield path
            elif (key := _identity(path)) is None:
                ignored.append(Ignored(path, "cannot read directory"))
            elif key in excluded:
                ignored.append(Ignored(path, excluded[key]))
            elif key in walked:
                ignored.append(Ignored(path, _seen_reason(path, walked[key])))
            elif is_kgraph_output(path):
                ignored.append(Ignored(path, KGRAPH_OUTPUT))
            else:
                walked[key] = path
                subdirectories.append(path)
        stack.extend(reversed(subdirectories))  # the first one is walked next, whole, as os.walk does


def _is_directory(entry: os.DirEntry) -> bool:
    """A directory, or a symbolic link to one (a dangling link or a link loop is not)."""
    try:
        return entry.is_dir()  # follows symbolic links
    except OSError:
        return False


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of what ``path`` leads to; None if it leads nowhere (missing, a link loop, no access)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _unknown_reason(path: Path) -> str:
    """Why a file of no known type is not read: its type, or a link that leads nowhere."""
    try:
        os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            return f"symbolic link that leads nowhere: {_reason(exc)}"
    return UNKNOWN_TYPE


def _seen_reason(path: Path, first: Path) -> str:
    if path.is_relative_to(first):
        return f"symlink loop: the same directory as {first}, above it"
    return f"already read as {first}"


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)


def _head(path: Path) -> bytes:
    """The first bytes of a file for content sniffing; empty if it cannot be read.

    A FIFO or device is not opened (that could block); its reader reports it.
    """
    try:
        if special_file_kind(path) is not None:
            return b""
        with open(path, "rb") as handle:
            return handle.read(HEAD_SIZE)
    except OSError:
        return b""
