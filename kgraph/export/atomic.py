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
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
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
