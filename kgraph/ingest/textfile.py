"""Reading a text file line by line, with every decoding problem reported, never raised.

All readers sit on :func:`read_lines` (files) or :func:`lines_from_string`
(strings). They yield :class:`Line` objects, and :class:`~kgraph.model.Problem`
objects for the file as a whole: unreadable, binary, empty, NUL bytes removed.
A line whose bytes are not valid UTF-8 still comes out (with U+FFFD in place of
the bad bytes) and carries the reason in ``Line.error``, so that a reader can
skip the record it belongs to and go on.

Encodings: UTF-8 (with or without BOM), and UTF-16/UTF-32 with a BOM. File-level
problems are reported at line 1, where the file starts.

Compressed files (gzip, bzip2, xz: ``papers.jsonl.gz``, ``.bz2``, ``.xz``, or any
file starting with one of their signatures) are decompressed as they are read,
never whole; line numbers are those of the decompressed text. Corrupt or
truncated compressed data is a Problem at the line where it shows (``cannot
read gzip data: the file ends early (truncated); rest of file skipped``).
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import IO

from kgraph.model import Problem, SourceRef

__all__ = ["BINARY_FILE", "COMPRESSIONS", "HEAD_SIZE", "Line", "compression", "decompress_head", "inner_suffix",
           "lines_from_string", "read_lines", "sniff_encoding", "special_file_kind"]

HEAD_SIZE = 64 * 1024  # bytes read up front to recognise encoding, binary data, format
BINARY_FILE = "binary file (NUL bytes)"  # how the reason for a binary file starts

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes that do not occur in text: C0 controls other than \t \n \f \r and ESC.
_BINARY_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0c\r\x1b")
_BINARY_SHARE = 0.05
_SURROGATE = re.compile("[\ud800-\udfff]")

# Compressed inputs: by extension, and by signature (bzip2's with its block
# magic, so that no text starting with "BZh" is taken for it).
COMPRESSIONS = MappingProxyType({".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"})
_SIGNATURES = (
    (re.compile(b"\x1f\x8b"), "gzip"),
    (re.compile(b"BZh[1-9]1AY&SY"), "bzip2"),
    (re.compile(b"\xfd7zXZ\x00"), "xz"),
)
_OPENERS: MappingProxyType[str, Callable[[IO[bytes]], IO[bytes]]] = MappingProxyType(
    {"gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"), "bzip2": bz2.BZ2File, "xz": lzma.LZMAFile}
)
# What decompressing bad data raises: EOFError for a truncated stream, OSError
# (gzip.BadGzipFile, bz2) or zlib.error / lzma.LZMAError for corrupt data.
_DECOMPRESSION_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text, without its line terminator.

    ``error`` says why the line's bytes could not be decoded; ``text`` then has
    U+FFFD in their place.
    """

    number: int
    text: str
    error: str | None = None


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """The encoding of a file starting with ``head``, and the length of its BOM.

    >>> sniff_encoding(b"\\xff\\xfeT\\x00")
    ('utf-16-le', 2)
    >>> sniff_encoding(b"title")
    ('utf-8', 0)
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return "utf-8", 0


def path_text(path: str | Path) -> str:
    r"""A file name as text that every output can hold: bytes that are not UTF-8 written as ``\xff``.

    Python gives such bytes of a file name as lone surrogates, which no UTF-8
    file can hold.

    >>> path_text(os.fsdecode(b"in/caf\xe9.jsonl"))
    'in/caf\\xe9.jsonl'
    """
    text = str(path)
    if text.isascii():
        return text
    return os.fsencode(text).decode("utf-8", "backslashreplace")



def read_lines(path: Path | str) -> Iterator[Line | Problem]:
    """Yield the lines of a file, and problems with the file as a whole.

    Lines are split on ``\\n``; a ``\\r`` before it is dropped. Nothing is
    raised for an unreadable, binary or empty file: a Problem says so. A
    FIFO, socket or device is never opened (reading one could block forever
    or never end): it is reported as not a regular file. A compressed file
    is read decompressed (see the module docstring).
    """
    name = path_text(path)
    start = SourceRef(name, 1)
    try:
        kind = special_file_kind(path)
        if kind is not None:
            yield Problem(start, f"cannot read file: not a regular file ({kind})")
            return
        with open(path, "rb") as raw:
            codec = compression(path, raw.read(16))
            raw.seek(0)
            with _OPENERS[codec](raw) if codec else raw as handle:
                try:
                    head = handle.read(HEAD_SIZE)
                except _DECOMPRESSION_ERRORS as error:
                    if codec is None:
                        raise
                    yield Problem(start, _decompression_reason(error, codec))
                    return
                encoding, bom_length = sniff_encoding(head)
                if encoding == "utf-8":
                    if _looks_binary(head):
                        yield Problem(start, _binary_reason(head))
                        return
                    handle.seek(bom_length)
                    yield from _finish(_utf8_lines(handle, name, codec), name)
                    return
        with open(path, "rb") as raw, _OPENERS[codec](raw) if codec else raw as handle:
            text = io.TextIOWrapper(handle, encoding=encoding, errors="surrogatepass", newline="\n")
            yield from _finish(_wide_lines(text, encoding, name, codec), name)
    except OSError as error:
        yield Problem(start, f"cannot read file: {_os_reason(error)}")


def compression(path: Path | str, head: bytes) -> str | None:
    """``"gzip"``, ``"bzip2"`` or ``"xz"`` for a compressed file starting with ``head``, else None.

    The signature decides, else the extension (so that a file named ``.gz``
    that is not gzip data is reported as such).

    >>> compression("papers.jsonl.gz", b"\\x1f\\x8b\\x08")
    'gzip'
    >>> compression("papers.jsonl", b'{"title": "A"}') is None
    True
    """
    for signature, codec in _SIGNATURES:
        if signature.match(head):
            return codec
    return COMPRESSIONS.get(Path(path).suffix.lower())


def inner_suffix(path: Path | str) -> str:
    """The extension of a file once decompressed, lower-cased: ``.jsonl`` for ``a.JSONL.gz``.

    >>> inner_suffix("a/papers.JSONL.gz"), inner_suffix("papers.csv"), inner_suffix("papers.xz")
    ('.jsonl', '.csv', '')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    return Path(path.stem).suffix.lower() if suffix in COMPRESSIONS else suffix


def decompress_head(path: Path | str, head: bytes) -> bytes:
    """The first bytes of a file's text: ``head`` (its first bytes), decompressed if it is compressed.

    Bad compressed data gives what could be decompressed before it (the
    reader reports the error).

    >>> decompress_head("a.gz", gzip.compress(b"title,abstract\\n"))
    b'title,abstract\\n'
    """
    codec = compression(path, head)
    if codec is None:
        return head
    decompressor = {"gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS), "bzip2": bz2.BZ2Decompressor,
                    "xz": lzma.LZMADecompressor}[codec]()
    try:
        if codec == "gzip":
            return decompressor.decompress(head, HEAD_SIZE)
        return decompressor.decompress(head, max_length=HEAD_SIZE)
    except (EOFError, OSError, zlib.error, lzma.LZMAError):
        return b""


def special_file_kind(path: Path | str) -> str | None:
    """What ``path`` is when it is neither a regular file nor a directory, else None.

    Raises :class:`OSError` when ``path`` cannot be examined.

    >>> special_file_kind("/dev/null")
    'character device'
    >>> special_file_kind(".") is None
    True
    """
    mode = os.stat(path).st_mode
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def lines_from_string(text: str, *, name: str = "<string>") -> Iterator[Line | Problem]:
    r"""The string-level twin of :func:`read_lines`.

    >>> list(lines_from_string("a\r\nb"))
    [Line(number=1, text='a', error=None), Line(number=2, text='b', error=None)]
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    raw_lines = (Line(number, piece.removesuffix("\r")) for number, piece in enumerate(pieces, 1))
    yield from _finish(raw_lines, name)


def _finish(lines: Iterator[Line | Problem], name: str) -> Iterator[Line | Problem]:
    """Remove NUL characters (with one warning per file) and report a file with no text."""
    warned_nul = False
    has_text = False
    for line in lines:
        if isinstance(line, Line):
            if "\x00" in line.text:
                if not warned_nul:
                    yield Problem(
                        SourceRef(name, line.number),
                        "NUL bytes removed (first on this line)",
                        severity="warning",
                    )
                    warned_nul = True
                line = Line(line.number, line.text.replace("\x00", ""), line.error)
            has_text = has_text or bool(line.text.strip())
        yield line
    if not has_text:
        yield Problem(SourceRef(name, 1), "empty file")


def _utf8_lines(handle: IO[bytes], name: str, codec: str | None) -> Iterator[Line | Problem]:
    number = 0
    try:
        for number, raw in enumerate(handle, 1):
            raw = raw.removesuffix(b"\n").removesuffix(b"\r")
            try:
                yield Line(number, raw.decode("utf-8"))
            except UnicodeDecodeError as error:
                reason = f"bytes are not valid UTF-8 (byte 0x{raw[error.start]:02x} at column {error.start + 1})"
                yield Line(number, raw.decode("utf-8", "replace"), reason)
    except _DECOMPRESSION_ERRORS as error:
        if codec is None:
            raise
        yield Problem(SourceRef(name, number + 1), f"{_decompression_reason(error, codec)}; rest of file skipped")


def _wide_lines(text: io.TextIOWrapper, encoding: str, name: str, codec: str | None) -> Iterator[Line | Problem]:
    # The file is opened with errors="surrogatepass": an unpaired surrogate
    # becomes a lone code point, found below, so that one bad line does not end
    # the file.
    label = encoding.upper().removesuffix("-LE").removesuffix("-BE")
    number = 0
    try:
        text.read(1)  # the BOM
        for number, line in enumerate(text, 1):
            line = line.removesuffix("\n").removesuffix("\r")
            surrogate = _SURROGATE.search(line)
            if surrogate is None:
                yield Line(number, line)
            else:
                reason = f"bytes are not valid {label} (unpaired surrogate at column {surrogate.start() + 1})"
                yield Line(number, _SURROGATE.sub("\ufffd", line), reason)
    except UnicodeError as error:  # a truncated last character; a UTF-32 value beyond Unicode
        reason = getattr(error, "reason", str(error))
        rest = "" if reason == "truncated data" else "; rest of file skipped"
        yield Problem(SourceRef(name, number + 1), f"bytes are not valid {label} ({reason}){rest}")
    except _DECOMPRESSION_ERRORS as error:
        if codec is None:
            raise
        yield Problem(SourceRef(name, number + 1), f"{_decompression_reason(error, codec)}; rest of file skipped")


def _decompression_reason(error: BaseException, codec: str) -> str:
    if isinstance(error, EOFError):
        return f"cannot read {codec} data: the file ends early (truncated)"
    reason = str(error) or type(error).__name__
    return f"cannot read {codec} data: {reason[:1].lower() + reason[1:]}"


def _looks_binary(head: bytes) -> bool:
    """NUL bytes and a real share of control bytes or undecodable bytes: not text.

    A text file with a few stray NUL bytes is read (they are removed, with a warning).
    """
    if b"\x00" not in head:
        return False
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    if controls > _BINARY_SHARE * len(head):
        return True
    undecodable = head.decode("utf-8", "replace").count("\ufffd")
    return undecodable > _BINARY_SHARE * len(head)


def _binary_reason(head: bytes) -> str:
    even_nuls, odd_nuls = head[0::2].count(0), head[1::2].count(0)
    if max(even_nuls, odd_nuls) > 0.3 * len(head) and min(even_nuls, odd_nuls) < 0.05 * len(head):
        return f"{BINARY_FILE}; it looks like UTF-16 without a byte-order mark: save it as UTF-8"
    return BINARY_FILE


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
