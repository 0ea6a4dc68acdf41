r"""Text cleanup for titles and abstracts: LaTeX to Unicode, NFC, whitespace.

Scraped and arXiv text carries LaTeX (``Schr\"{o}dinger``, ``87\%``, ``{\em
word}``), control characters and irregular whitespace. :func:`clean_text`
turns it into one line of plain Unicode text.

>>> clean_text(r'Schr\"{o}dinger bridges improve FID by 5% on  ImageNet ')
'Schrödinger bridges improve FID by 5% on ImageNet'

LaTeX is decoded with pylatexenc, but only the whitespace-separated runs of
words that contain LaTeX go through its parser; text with none of ``\ { $ ~``
outside URLs never does. A bare ``%`` is kept as a per cent sign (in LaTeX it
would start a comment and swallow the rest of the text), ``&`` and ``--`` stay
as written, and ``$`` only opens math when it is paired Pandoc-style (``$x$``,
not ``$5 and $6``). URLs are never decoded (their ``~`` and ``%`` are real).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import unicodedata

from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    SpecialsTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.latexwalker import LatexWalker
from pylatexenc.latexwalker import get_default_latex_context_db as get_default_parsing_context_db
from pylatexenc.macrospec import LatexContextDb

__all__ = ["URL_SCHEMES", "clean_text", "clean_url"]

# Characters that make a text worth handing to the LaTeX parser. A lone "}" or
# "%" is not: plain text keeps them. (A tuple for the fast whole-text check, a
# pattern for finding them.)
_TRIGGERS = ("\\", "{", "$", "~")
_TRIGGER = re.compile(r"[\\{$~]")

# Control characters that are not whitespace, lone surrogates, and invisible
# characters that split words (BOM, soft hyphen, zero-width space, word joiner).
# Whitespace controls (\t \n \r \x0b \x0c \x1c-\x1f \x85) are collapsed instead.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\u00ad\u200b\u2060]")

_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.(?=[A-Za-z0-9-]+\.))[^\s{}<>\"\\^`|]+",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?'"
# "\url{https://...}" or "MatSqrt{https://...}": braces around a URL belong to LaTeX.
_URL_OPENING = re.compile(r"(?:\\(?:url|href)\s*)?\{$")

# "\%" is kept, "5%" becomes "5\%": a percent sign after an even run of backslashes.
_BARE_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")
# "~10%" at the start of a word means "about", not a LaTeX non-breaking space.
_APPROX_TILDE = re.compile(r"(?<![^\s(\[])~(?=\d)")

# A brace depth beyond this is not LaTeX anyone wrote; skip the parser (whose
# recursion it would exhaust).
_MAX_DEPTH = 64
# pylatexenc's time grows with the square of its input: a run of words handed
# to it ends once it is this long, even inside an unclosed group or math (no
# LaTeX anyone writes in an abstract spans more; arXiv abstracts are at most
# 1,920 characters). A single word longer than this is not prose and skips the
# parser. This keeps clean_text linear in the length of its input.
_MAX_RUN_CHARS = 2000
# clean_text repeats its LaTeX pass until the text stops changing (usually one
# pass); text that keeps changing gets its LaTeX characters removed instead.
_MAX_PASSES = 4

# Latin abbreviations defined as macros in many papers' preambles.
_ABBREVIATIONS = (
    ("eg", "e.g."),
    ("ie", "i.e."),
    ("etal", "et al."),
    ("cf", "cf."),
    ("wrt", "w.r.t."),
    ("etc", "etc."),
    ("vs", "vs."),
    ("aka", "a.k.a."),
    ("resp", "resp."),
)
# Macros that print nothing useful in an abstract: font and size switches,
# spacing, citations and references, definitions.
_DISCARDED_MACROS = frozenset(
    """
    em bf it rm sf tt sc sl up md bfseries itshape mdseries upshape slshape scshape
    rmfamily sffamily ttfamily normalfont tiny scriptsize footnotesize small normalsize
    large Large LARGE huge Huge noindent centering par relax protect displaystyle
    textstyle scriptstyle hfill vfill bigskip medskip smallskip newpage clearpage
    cite citep citet citealp citealt citeauthor citeyear citeyearpar citenum citetext
    citepalias citetalias Citep Citet Citealp Citealt Citeauthor ref eqref autoref
    cref Cref label bibliography color definecolor colorlet newcommand renewcommand
    providecommand newenvironment renewenvironment usepackage RequirePackage
    documentclass setlength addlength setcounter addcounter DeclareMathOperator
    hypersetup selectlanguage hphantom vphantom keywords
    """.split()
)


def _word_macro(word: str):
    """A macro spec replacement that keeps the space LaTeX would eat after ``\\eg``."""

    def replace(node) -> str:
        return word + node.macro_post_space

    return replace


def _unknown_macro(node, l2tobj) -> str:
    arguments = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    if arguments:
        # A macro whose arguments the parser knows (\texttt{x}, \mbox{x}): keep them.
        return "".join(l2tobj.nodelist_to_text([arg]) for arg in arguments if arg is not None)
    # Otherwise usually a word the author defined, such as \modelname: keep its
    # name rather than dropping it.
    return node.macroname + node.macro_post_space


def _build_context() -> LatexContextDb:
    context = get_default_latex_context_db()
    context.add_context_category(
        "kgraph-ingest",
        prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=_word_macro(word)) for name, word in _ABBREVIATIONS]
        + [MacroTextSpec(name, discard=True) for name in sorted(_DISCARDED_MACROS)],
        specials=[
            # Plain-text meaning, so that text with and without LaTeX reads alike.
            SpecialsTextSpec("&", "&"),
            SpecialsTextSpec("--", "--"),
            SpecialsTextSpec("---", "---"),
        ],
    )
    context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=_unknown_macro))
    return context


# pylatexenc reports every parse error it tolerates at INFO level, with the
# text around it; clean_text tolerates them on purpose. Keep them out of a
# user's log when something (the abbreviations package does) sets up logging at INFO.
logging.getLogger("pylatexenc").setLevel(logging.WARNING)

# Read-only after import; pylatexenc documents its context databases as immutable.
# (LatexWalker would otherwise rebuild its default context on every call.)
_LATEX_CONTEXT = _build_context()
_PARSING_CONTEXT = get_default_parsing_context_db()


def clean_text(text: str) -> str:
    r"""Return ``text`` as one line of clean Unicode: LaTeX decoded, NFC, spaces collapsed.

    Idempotent (``clean_text(clean_text(x)) == clean_text(x)``) and never raises
    on any ``str``.

    >>> clean_text(r"Matrix Pad\'e Approximants (MPA) and Fr\'echet distance")
    'Matrix Padé Approximants (MPA) and Fréchet distance'
    >>> clean_text(r"an 87\% reduction in FLOPs, math \& coding, {\em approximately}")
    'an 87% reduction in FLOPs, math & coding, approximately'
    >>> clean_text(r"new contexts (\eg text prompts) via \modelname, $\alpha$-nets")
    'new contexts (e.g. text prompts) via modelname, α-nets'
    >>> clean_text("plain text\u00a0 with\nno LaTeX, 5% better, costs $5")
    'plain text with no LaTeX, 5% better, costs $5'
    """
    current = _normalize(text)
    for _ in range(_MAX_PASSES):
        if not _has_latex(current):
            return current
        converted = _normalize(
            "".join(
                piece if is_url or not _has_latex(piece) else _prose_to_text(piece)
                for is_url, piece in _split_urls(current)
            )
        )
        if converted == current:
            return current
        current = converted
    return _normalize(_strip_latex_characters(current))


def _normalize(text: str) -> str:
    """Drop invisible characters, compose to NFC, collapse whitespace to single spaces."""
    text = _INVISIBLE.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def _has_latex(text: str) -> bool:
    return any(trigger in text for trigger in _TRIGGERS)


def _strip_latex_characters(text: str) -> str:
    """Last resort for text the parser cannot settle: remove what LaTeX would interpret."""
    return text.replace("\\", "").replace("{", "").replace("$", "").replace("~", " ")


def _split_urls(text: str) -> list[tuple[bool, str]]:
    """Split ``text`` into ``(is_url, piece)`` pairs; braces wrapped around a URL are dropped.

    >>> _split_urls("code at {https://x.org/~me}.")
    [(False, 'code at  '), (True, 'https://x.org/~me'), (False, '.')]
    """
    if "://" not in text and "www." not in text.lower():
        return [(False, text)]
    pieces: list[tuple[bool, str]] = []
    position = 0
    for match in _URL.finditer(text):
        start, end = match.span()
        url = _trim_url(match.group())
        end = start + len(url)
        if start < position or not url:
            continue
        before = text[position:start]
        wrapped = _URL_OPENING.search(before)
        if wrapped and text.startswith("}", end):
            before = before[: wrapped.start()] + " "
            position_after = end + 1
        else:
            position_after = end
        pieces.append((False, before))
        pieces.append((True, url))
        if position_after > end and text.startswith("{", position_after):
            pieces.append((False, " "))  # \href{url}{text}
        position = position_after
    pieces.append((False, text[position:]))
    return [(is_url, piece) for is_url, piece in pieces if piece]


def _trim_url(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end of a URL."""
    while url:
        last = url[-1]
        if last in _URL_TRAILING:
            url = url[:-1]
        elif last == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        elif last == "]" and url.count("[") < url.count("]"):
            url = url[:-1]
        else:
            break
    return url


def _prose_to_text(text: str) -> str:
    """Decode the LaTeX in ``text`` (no URLs in it), leaving LaTeX-free words untouched.

    A run starts at a word with a LaTeX character and goes on, word by word,
    while a group or math is open (up to about ``_MAX_RUN_CHARS``); only runs
    go through the parser.
    """
    text = _BARE_PERCENT.sub(r"\1\\%", text)
    text = _escape_unpaired_dollars(text)
    text = _APPROX_TILDE.sub(r"\\textasciitilde{}", text)
    out: list[str] = []
    position, length = 0, len(text)
    while (trigger := _TRIGGER.search(text, position)) is not None:
        start = text.rfind(" ", position, trigger.start()) + 1 or position
        state = _ScanState()
        end = start
        while True:
            word_end = text.find(" ", end + 1)
            word_end = length if word_end == -1 else word_end
            state.scan(text[end:word_end])
            end = word_end
            if not state.open or end >= length or end - start >= _MAX_RUN_CHARS:
                break
        run = text[start:end]
        # Longer than twice the limit only when its last word alone is over it.
        oversized = len(run) > 2 * _MAX_RUN_CHARS
        out.append(text[position:start])
        out.append(_latex_to_text(run, too_deep=state.too_deep or oversized))
        position = end
    out.append(text[position:])
    return "".join(out)


class _ScanState:
    """Whether a run of words is still inside a LaTeX group or math when a word ends."""

    __slots__ = ("depth", "dollar", "math", "too_deep")

    def __init__(self) -> None:
        self.depth = 0
        self.dollar = False
        self.math = 0
        self.too_deep = False

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.dollar or self.math > 0

    def scan(self, word: str) -> None:
        i, n = 0, len(word)
        while i < n:
            char = word[i]
            if char == "\\":
                following = word[i + 1 : i + 2]
                if following in ("(", "["):
                    self.math += 1
                elif following in (")", "]"):
                    self.math = max(0, self.math - 1)
                i += 2
                continue
            if char == "{":
                self.depth += 1
                self.too_deep = self.too_deep or self.depth > _MAX_DEPTH
            elif char == "}":
                self.depth = max(0, self.depth - 1)
            elif char == "$":
                self.dollar = not self.dollar
                if word.startswith("$$", i):  # display math: one delimiter
                    i += 1
            i += 1


def _escape_unpaired_dollars(text: str) -> str:
    r"""Escape every ``$`` that does not delimit math by Pandoc's rule.

    An opening ``$`` is followed by a non-space; the next ``$`` closes it if it
    follows a non-space and is not followed by a digit. ``$$`` pairs likewise.

    >>> _escape_unpaired_dollars("$x$ costs $5 and $6")
    '$x$ costs \\$5 and \\$6'
    """
    if "$" not in text:
        return text
    delimiters: list[tuple[int, int]] = []  # (position, length)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
        elif char == "$":
            length = 2 if text.startswith("$$", i) else 1
            delimiters.append((i, length))
            i += length
        else:
            i += 1
    paired: set[int] = set()
    k = 0
    while k < len(delimiters) - 1:
        (start, length), (close, close_length) = delimiters[k], delimiters[k + 1]
        after_open = start + length
        after_close = close + close_length
        if (
            length == close_length
            and after_open < close
            and not text[after_open].isspace()
            and not text[close - 1].isspace()
            and not (after_close < n and text[after_close].isdigit())
        ):
            paired.update((k, k + 1))
            k += 2
        else:
            k += 1
    if len(paired) == len(delimiters):
        return text
    parts: list[str] = []
    previous = 0
    for index, (start, length) in enumerate(delimiters):
        if index not in paired:
            parts.append(text[previous:start])
            parts.append("\\$" * length)
            previous = start + length
    parts.append(text[previous:])
    return "".join(parts)


def _latex_to_text(latex: str, *, too_deep: bool = False) -> str:
    if too_deep:
        return _strip_latex_characters(latex)
    try:
        nodes = LatexWalker(latex, latex_context=_PARSING_CONTEXT, tolerant_parsing=True).get_latex_nodes()[0]
        return LatexNodes2Text(latex_context=_LATEX_CONTEXT, math_mode="text").nodelist_to_text(nodes)
    except Exception:  # noqa: BLE001 - tolerant mode still trips on some input; never lose the text
        return _strip_latex_characters(latex)


# --- URLs -----------------------------------------------------------------
#
# A paper's URL ends up as an IRI in the RDF outputs, where every reader
# (rdflib, pyoxigraph) checks it against RFC 3987: one bad character and the
# whole file is refused. clean_url is where a URL gets that form, once, on the
# way in (and again in the RDF exporter, for graphs not read by kgraph).

URL_SCHEMES = ("http", "https")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_HEX = frozenset("0123456789abcdefABCDEF")
_UNRESERVED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
# RFC 3987's ucschar (non-ASCII characters an IRI may hold as they are) and
# iprivate (private-use characters, allowed in the query only).
_UCSCHAR = (
    (0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF),
    *((plane, plane + 0xFFFD) for plane in range(0x10000, 0xE0000, 0x10000)),
    (0xE1000, 0xEFFFD),
)
_IPRIVATE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
# Bidirectional formatting characters: RFC 3987 (4.1) forbids them in IRIs.
# Unicode spaces are encoded too: they are ucschar, but rdflib's parsers end an IRI at any space.
_BIDI_FORMATTING = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_USERINFO = _UNRESERVED | _SUB_DELIMS | {":"}
_PCHAR = _UNRESERVED | _SUB_DELIMS | {":", "@"}
_PATH = _PCHAR | {"/"}
_QUERY = _PCHAR | {"/", "?"}  # and iprivate
_FRAGMENT = _PCHAR | {"/", "?"}  # a second "#" is not allowed: it is encoded
_TAB_AND_NEWLINES = str.maketrans("", "", "\t\n\r")  # removed from URLs, as browsers do


def clean_url(url: str) -> tuple[str | None, str | None]:
    """An http(s) URL as a valid IRI (RFC 3987), or ``(None, reason)`` for text that is no such URL.

    Characters an IRI cannot hold are percent-encoded (a space, ``"``, ``<``,
    ``[`` outside an IPv6 host, a second ``#``, control characters); a ``%``
    that starts no ``%XX`` escape becomes ``%25``; tabs and line breaks are
    removed. Text without an ``http://`` or ``https://`` scheme, without a
    host, or with a bad port is not a URL. The result is unchanged by a
    second pass, so a URL already valid comes back as it was.

    >>> clean_url(" https://example.org/a b[1]?q=100%#top#more ")
    ('https://example.org/a%20b%5B1%5D?q=100%25#top%23more', None)
    >>> clean_url("https://[::1]:8080/φ")
    ('https://[::1]:8080/φ', None)
    >>> clean_url("javascript:alert(1)")
    (None, "not an http(s) URL (scheme 'javascript')")
    >>> clean_url("arxiv.org/abs/1")
    (None, 'not a URL (no scheme such as https://)')
    """
    text = url.strip().translate(_TAB_AND_NEWLINES)
    if _SURROGATE_CHARACTER.search(text):
        return None, "not a URL (not valid Unicode)"
    scheme = _URL_SCHEME.match(text)
    if scheme is None:
        return None, "not a URL (no scheme such as https://)"
    name = scheme.group(1)
    if name.lower() not in URL_SCHEMES:
        return None, f"not an http(s) URL (scheme {name.lower()!r})"
    rest = text[scheme.end():]
    if not rest.startswith("//"):
        return None, "not a URL (no '//' and host after the scheme)"
    rest = rest[2:]
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, rest = rest[:authority_end], rest[authority_end:]
    rest, hash_sign, fragment = rest.partition("#")
    path, question_mark, query = rest.partition("?")
    userinfo, at_sign, host_port = authority.rpartition("@")
    host, reason = _clean_host_port(host_port)
    if host is None:
        return None, reason
    return (
        name + "://"
        + (_encode(userinfo, _USERINFO) + at_sign if at_sign else "")
        + host
        + _encode(path, _PATH)
        + (question_mark + _encode(query, _QUERY, private=True) if question_mark else "")
        + (hash_sign + _encode(fragment, _FRAGMENT) if hash_sign else "")
    ), None


_SURROGATE_CHARACTER = re.compile("[\ud800-\udfff]")
_PORT = re.compile(r"[0-9]*")


def _clean_host_port(host_port: str) -> tuple[str | None, str | None]:
    """``host[:port]`` as it may stand in an IRI, or ``(None, reason)``."""
    if host_port.startswith("["):
        literal, bracket, port = host_port[1:].partition("]")
        if not bracket:
            return None, "not a URL (unclosed '[' in the host)"
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return None, f"not a URL (bad IPv6 host {literal!r})"
        if "%" in literal:  # a zone id ("fe80::1%eth0") has no place in a URL
            return None, f"not a URL (bad IPv6 host {literal!r})"
        host = f"[{literal}]"
        if port and not port.startswith(":"):
            return None, "not a URL (text after the IPv6 host)"
        colon, port = port[:1], port[1:]
    else:
        host, colon, port = host_port.partition(":")
    if not host:
        return None, "not a URL (no host)"
    if not _PORT.fullmatch(port):
        return None, f"not a URL (bad port {port!r})"
    if not host.startswith("["):
        if any(not (_allowed(char, _UNRESERVED | _SUB_DELIMS) or char == "%") for char in host):
            return None, f"not a URL (bad character in the host {host!r})"
        host = _encode(host, _UNRESERVED | _SUB_DELIMS)
    return host + colon + port, None


def _encode(text: str, allowed: frozenset[str], *, private: bool = False) -> str:
    """``text`` with every character not in ``allowed`` (nor ucschar) percent-encoded, as UTF-8."""
    out = []
    for index, char in enumerate(text):
        if char == "%":
            escape = text[index + 1:index + 3]
            out.append("%" if len(escape) == 2 and all(c in _HEX for c in escape) else "%25")
        elif _allowed(char, allowed, private=private):
            out.append(char)
        else:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
    return "".join(out)


def _allowed(char: str, allowed: frozenset[str], *, private: bool = False) -> bool:
    if char in allowed:
        return True
    code = ord(char)
    if code < 0xA0 or char in _BIDI_FORMATTING or char.isspace():  # rdflib refuses any space (U+00A0, U+3000)
        return False
    ranges = (*_UCSCHAR, *_IPRIVATE) if private else _UCSCHAR
    return any(low <= code <= high for low, high in ranges)
