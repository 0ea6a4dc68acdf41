"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The new content goes to a temporary file in the target's directory, is flushed
and fsynced, then renamed over the target with :func:`os.replace` (atomic on
POSIX and Windows within one file system). If anything fails, the temporary
file is removed and the old file is left as it was.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "graph.json"
>>> atomic_write_text(target, '{"nodes": []}\\n')
>>> target.read_text()
'{"nodes": []}\\n'
>>> with atomic_open(target) as f:
...     _ = f.write("new")
>>> target.read_text()
'new'

Several files that belong together (a build's outputs) are written with
:func:`atomic_files`: each goes to a hidden staging file, and only when all of
them are written are they renamed onto their targets, one after another. A
failure or a kill before that leaves every target as it was. Temporary and
staging files always have hidden names (``.graph.json.<hex>.tmp``,
``.graph.json.<hex>.staged``); :func:`remove_stale_temps` removes those that a
killed process left behind.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from ..errors import ExportError

_MODES = ("w", "wt", "wb")


@contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = "",
) -> Iterator[IO]:
    """Open ``path`` for writing; the file appears only when the block succeeds.

    ``mode`` is ``"w"`` (text, ``encoding``, newlines written as given by
    default) or ``"wb"``. An exception inside the block removes the temporary
    file and leaves any existing ``path`` untouched; the exception propagates
    (an :class:`OSError` becomes :class:`~kgraph.errors.ExportError` naming
    the path). A new file gets the usual permissions (``0o666`` less the
    umask); a replaced file keeps its permissions.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_open(target, "wb") as f:
    ...     _ = f.write(b"bytes")
    >>> target.read_bytes()
    b'bytes'
    """
    if mode not in _MODES:
        raise ValueError(f"unsupported mode {mode!r}; expected one of {', '.join(_MODES)}")
    target = Path(path)
    directory = target.parent
    fd, tmp = _create_temp(target)
    try:
        try:
            _copy_permissions(target, fd)
            if "b" in mode:
                handle = os.fdopen(fd, "wb")
            else:
                handle = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        except BaseException:
            os.close(fd)
            raise
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {target}: {_reason(exc)}") from exc
        raise
    _fsync_directory(directory)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (UTF-8, newlines as given).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write_text(target, "Schrödinger\\n")
    >>> target.read_text(encoding="utf-8")
    'Schrödinger\\n'
    """
    with atomic_open(path, "w", encoding=encoding) as handle:
        handle.write(text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.bin"
    >>> atomic_write_bytes(target, b"\\x00\\x01")
    >>> target.read_bytes()
    b'\\x00\\x01'
    """
    with atomic_open(path, "wb") as handle:
        handle.write(data)


@contextmanager
def atomic_files() -> Iterator[Callable[[str | os.PathLike[str]], Path]]:
    """Write several files that replace their targets together, when the block succeeds.

    The block gets ``stage``: ``stage(target)`` returns the hidden path to
    write ``target``'s new content to, with any writer. When the block ends
    without an exception, every staged file is renamed onto its target, in
    the order staged; if the block raises (or the process dies), the staged
    files are not renamed, and every target keeps its old content. A
    replaced file keeps its permissions.

    >>> import tempfile, pathlib
    >>> directory = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_files() as stage:
    ...     atomic_write_text(stage(directory / "a.txt"), "a")
    ...     atomic_write_text(stage(directory / "b.txt"), "b")
    >>> sorted(p.name for p in directory.iterdir())
    ['a.txt', 'b.txt']
    """
    staged: list[tuple[Path, Path]] = []

    def stage(path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        if target.is_dir():
            raise ExportError(f"cannot write {target}: it is a directory")
        if not target.parent.is_dir():
            raise ExportError(f"cannot write {target}: directory {target.parent} does not exist")
        staging = target.parent / f".{target.name}.{secrets.token_hex(6)}.staged"
        staged.append((staging, target))
        return staging

    try:
        try:
            yield stage
        except ExportError as exc:
            # A writer names the file it was given; name the output instead.
            message = str(exc)
            for staging, target in staged:
                message = message.replace(str(staging), str(target))
            if message == str(exc):
                raise
            raise ExportError(message) from exc
        missing = [target for staging, target in staged if not staging.is_file()]
        if missing:
            raise ExportError(f"cannot write {missing[0]}: nothing was written to it")
        directories = set()
        for staging, target in staged:
            try:
                mode = stat.S_IMODE(os.stat(target).st_mode)
            except FileNotFoundError:
                mode = None
            try:
                if mode is not None:
                    os.chmod(staging, mode)
                os.replace(staging, target)
            except OSError as exc:
                raise ExportError(f"cannot write {target}: {_reason(exc)}") from exc
            directories.add(target.parent)
        for directory in sorted(directories):
            _fsync_directory(directory)
    finally:
        for staging, _ in staged:
            with suppress(OSError):
                os.unlink(staging)


def remove_stale_temps(
    directory: str | os.PathLike[str], names: Sequence[str], *, older_than: float = 3600.0
) -> list[Path]:
    """Remove the temporary and staging files of ``names`` in ``directory`` that a killed write left.

    Only hidden files named as :func:`atomic_open` and :func:`atomic_files`
    name them, for one of ``names``, and last modified more than
    ``older_than`` seconds ago (so that a write still running elsewhere is
    left alone). Returns the paths removed.

    >>> import tempfile, pathlib
    >>> directory = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (directory / ".graph.json.0123456789ab.tmp").write_text("half")
    >>> [p.name for p in remove_stale_temps(directory, ["graph.json"], older_than=0)]
    ['.graph.json.0123456789ab.tmp']
    """
    if not names:
        return []
    stems = "|".join(re.escape(name) for name in names)
    pattern = re.compile(rf"\.\.?(?:{stems})\.[0-9a-f]{{12}}\.(?:tmp|staged(?:\.[0-9a-f]{{12}}\.tmp)?)")
    cutoff = time.time() - older_than
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    for entry in sorted(entries, key=lambda e: e.name):
        if not pattern.fullmatch(entry.name):
            continue
        with suppress(OSError):
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime <= cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def check_output_directory(path: str | os.PathLike[str]) -> None:
    """Raise :class:`~kgraph.errors.ExportError` if files cannot be written into directory ``path``.

    ``path`` need not exist yet, but the nearest of it and its parents that
    exists must be a writable directory. Nothing is created. (The check says
    what is wrong early; the writes themselves still report any failure.)

    >>> import tempfile, pathlib
    >>> check_output_directory(pathlib.Path(tempfile.mkdtemp()) / "new" / "out")
    >>> check_output_directory("/dev/null/out")
    Traceback (most recent call last):
    ...
    kgraph.errors.ExportError: cannot write outputs to /dev/null/out: /dev/null is not a directory
    """
    target = Path(path)
    existing = target
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ExportError(f"cannot write outputs to {target}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write outputs to {target}: {existing} is not writable")


def _create_temp(target: Path) -> tuple[int, str]:
    """Create a fresh temporary file beside ``target``; umask applies to its mode."""
    directory = target.parent
    if target.is_dir():
        raise ExportError(f"cannot write {target}: it is a directory")
    if not directory.is_dir():
        raise ExportError(f"cannot write {target}: directory {directory} does not exist")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = str(directory / f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise ExportError(
                f"cannot write {target}: directory {directory} is not writable ({_reason(exc)})"
            ) from exc
    raise ExportError(f"cannot write {target}: no free temporary file name in {directory}")


def _copy_permissions(target: Path, fd: int) -> None:
    """Give the temporary file the permission bits of the file it replaces."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; not possible (nor needed) on every platform."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
