"""Paper ids: stable ids minted from titles, and the DOIs and arXiv ids that identify a paper across sources.

>>> paper_id_from_title("Fast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass")
'fast3r-towards-3d-reconstruction-of-1000-images-3bd460e6'
>>> paper_id_from_title("fast3r:  towards 3D reconstruction of 1000+ images in one FORWARD pass")
'fast3r-towards-3d-reconstruction-of-1000-images-3bd460e6'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from slugify import slugify

from .clean import clean_text, clean_url

__all__ = ["arxiv_id_in_text", "id_urls", "normalize_arxiv_id", "normalize_doi", "normalize_openalex_id",
           "normalize_s2_id", "normalize_title", "paper_id_from_title", "title_key"]

SLUG_MAX_LENGTH = 48
HASH_LENGTH = 8


def normalize_title(title: str) -> str:
    """The form of a title that ids and duplicate detection compare: cleaned, case-folded.

    >>> normalize_title("  Attention Is\\nAll You   NEED ")
    'attention is all you need'
    """
    return " ".join(unicodedata.normalize("NFC", clean_text(title).casefold()).split())


def title_key(title: str) -> str:
    """The form of a title that duplicate detection compares: its words, whatever the punctuation and Unicode.

    Coarser than :func:`normalize_title` (which ids are minted from, and so
    stays as it is): compatibility variants are folded (NFKC, then case:
    full-width letters, ligatures), punctuation of any kind is a word break
    (a final full stop, colons, dashes, quotes, brackets and braces left from
    LaTeX) and invisible format characters are dropped. Letters, digits and
    symbols (``+``, ``=``) are kept, so titles that differ in words stay apart;
    a title of nothing but punctuation is kept as :func:`normalize_title` has it.

    >>> title_key("{BERT}: Pre-training of Deep Bidirectional Transformers.")
    'bert pre training of deep bidirectional transformers'
    >>> title_key("\uff22\uff25\uff32\uff34 \u2013 Pre\u2010training of \u201cdeep\u201d bidirectional transformers")
    'bert pre training of deep bidirectional transformers'
    >>> title_key("Learning C++"), title_key("!!!")
    ('learning c++', '!!!')
    """
    normal = normalize_title(title)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", normal).casefold())
    words = "".join(_fold_char(char) for char in folded).split()
    return " ".join(words) or normal


def _fold_char(char: str) -> str:
    category = unicodedata.category(char)
    if category.startswith("P"):
        return " "
    return "" if category == "Cf" else char


def paper_id_from_title(title: str) -> str:
    """A stable id for a paper that has none: a short slug and 8 hex digits of SHA-1.

    The slug (at most 48 characters, cut at a word boundary) is for people; the
    hash of :func:`normalize_title` makes the id unique, so titles differing only
    in case, spacing or LaTeX spelling get the same id.

    >>> paper_id_from_title(r"Schr\\"{o}dinger Bridges")
    'schrodinger-bridges-6ac174ff'
    >>> paper_id_from_title("Schrödinger bridges")
    'schrodinger-bridges-6ac174ff'
    """
    key = normalize_title(title)
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    slug = slugify(key, max_length=SLUG_MAX_LENGTH, word_boundary=True) or "paper"
    return f"{slug}-{digest}"


# A DOI: "10.", a registrant code, "/", a suffix of any characters but spaces and control characters.
_DOI = re.compile(r"10\.\d{4,9}/[^\s\x00-\x1f\x7f-\x9f\ud800-\udfff]+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi\s*:\s*)", re.IGNORECASE)
# arXiv identifiers: 2101.00001 (since 2007) and hep-th/9901001 (before), with
# an optional version; an old one may carry a subject class (math.GT/0309136).
_ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?"
_ARXIV = re.compile(_ARXIV_ID)
_ARXIV_PREFIX = re.compile(r"^(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org/(?:abs|pdf)/|arxiv\s*:\s*)",
                           re.IGNORECASE)
_ARXIV_MENTION = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv\s*:\s*|\b10\.48550/arxiv\.)(" + _ARXIV_ID + r")", re.IGNORECASE
)


def normalize_doi(text: str) -> str | None:
    """A DOI as kgraph compares it (lower case, no resolver prefix), or None for text that is no DOI.

    >>> normalize_doi(" https://doi.org/10.1145/3292500.3330701 ")
    '10.1145/3292500.3330701'
    >>> normalize_doi("doi:10.48550/arXiv.1706.03762")
    '10.48550/arxiv.1706.03762'
    >>> normalize_doi("not a doi") is None
    True
    """
    text = _DOI_PREFIX.sub("", text.strip())
    return text.lower() if _DOI.fullmatch(text) else None


def normalize_arxiv_id(text: str) -> str | None:
    """An arXiv identifier without prefix and version (``2101.00001``), or None for text that is none.

    >>> normalize_arxiv_id("arXiv:1706.03762v7"), normalize_arxiv_id("http://arxiv.org/abs/hep-th/9901001v2")
    ('1706.03762', 'hep-th/9901001')
    >>> normalize_arxiv_id("math.GT/0309136"), normalize_arxiv_id("https://arxiv.org/pdf/2101.00001.pdf")
    ('math/0309136', '2101.00001')
    >>> normalize_arxiv_id("12345") is None
    True
    """
    text = _ARXIV_PREFIX.sub("", text.strip()).removesuffix(".pdf")
    if not _ARXIV.fullmatch(text):
        return None
    text = re.sub(r"v\d+$", "", text)
    archive, slash, number = text.partition("/")
    if slash:  # an old identifier: the archive without its subject class, lower case
        return f"{archive.split('.')[0].lower()}/{number}"
    return text


_OPENALEX_ID = re.compile(r"(?:https?://(?:www\.)?openalex\.org/(?:works/)?)?([Ww][1-9][0-9]{0,19})", re.IGNORECASE)
_S2_ID = re.compile(r"[0-9a-f]{40}")


def normalize_openalex_id(text: str) -> str | None:
    """An OpenAlex work id in its short form (``W2741809807``), or None for text that is none.

    >>> normalize_openalex_id("https://openalex.org/W2741809807"), normalize_openalex_id("w42")
    ('W2741809807', 'W42')
    >>> normalize_openalex_id("A5023888391") is None  # an author, not a work
    True
    """
    match = _OPENALEX_ID.fullmatch(text.strip())
    return "W" + match.group(1)[1:] if match else None


def normalize_s2_id(text: str) -> str | None:
    """A Semantic Scholar paperId (40 hex digits, lower case), or None for text that is none.

    >>> normalize_s2_id(" 204E3073870FAE3D05BCBC2F6A8E263D9B72E776 ")
    '204e3073870fae3d05bcbc2f6a8e263d9b72e776'
    >>> normalize_s2_id("CorpusId:13756489") is None
    True
    """
    text = text.strip().lower()
    return text if _S2_ID.fullmatch(text) else None


# Where each kind of id resolves, in the order they are listed.
ID_URLS = (
    ("doi", "https://doi.org/"),
    ("arxiv", "https://arxiv.org/abs/"),
    ("openalex", "https://openalex.org/"),
    ("s2", "https://www.semanticscholar.org/paper/"),
)
# Characters of a DOI kept as they are in its URL, beside the unreserved ones; the rest is percent-encoded.
_DOI_SAFE = "/:;()"


def id_urls(*, doi: str | None = None, arxiv_id: str | None = None, openalex_id: str | None = None,
            s2_id: str | None = None) -> tuple[tuple[str, str], ...]:
    """``(kind, url)`` for each id given: the page each resolves to, as a valid http(s) IRI.

    ``kind`` is ``doi``, ``arxiv``, ``openalex`` or ``s2``. Each id is checked
    again (:func:`normalize_doi` and the others): text that is no such id
    gives no URL. A DOI's characters other than letters, digits, ``-._~`` and
    ``/:;()`` are percent-encoded, as doi.org reads them; the URL is then made
    a valid IRI by :func:`~kgraph.ingest.clean.clean_url`, so that no corpus
    text reaches a link or an RDF IRI as it is.

    >>> id_urls(doi="10.1000/a<b>#c", arxiv_id="1706.03762", openalex_id="W2741809807")
    (('doi', 'https://doi.org/10.1000/a%3Cb%3E%23c'), ('arxiv', 'https://arxiv.org/abs/1706.03762'), \
('openalex', 'https://openalex.org/W2741809807'))
    >>> id_urls(doi="not a doi", arxiv_id="javascript:alert(1)")
    ()
    """
    checked = {
        "doi": normalize_doi(doi) if isinstance(doi, str) else None,
        "arxiv": normalize_arxiv_id(arxiv_id) if isinstance(arxiv_id, str) else None,
        "openalex": normalize_openalex_id(openalex_id) if isinstance(openalex_id, str) else None,
        "s2": normalize_s2_id(s2_id) if isinstance(s2_id, str) else None,
    }
    urls = []
    for kind, prefix in ID_URLS:
        value = checked[kind]
        if value is None:
            continue
        url, _ = clean_url(prefix + quote(value, safe=_DOI_SAFE if kind == "doi" else "/", errors="strict"))
        if url is not None:
            urls.append((kind, url))
    return tuple(urls)


def arxiv_id_in_text(text: str) -> str | None:
    """The arXiv identifier a URL, a DOI or a note names (``arXiv preprint arXiv:1706.03762``), or None.

    >>> arxiv_id_in_text("arXiv preprint arXiv:1706.03762")
    '1706.03762'
    >>> arxiv_id_in_text("10.48550/arxiv.2101.00001"), arxiv_id_in_text("https://arxiv.org/abs/2101.00001v3")
    ('2101.00001', '2101.00001')
    >>> arxiv_id_in_text("https://example.org/1706.03762") is None
    True
    """
    match = _ARXIV_MENTION.search(text)
    return normalize_arxiv_id(match.group(1)) if match else None
