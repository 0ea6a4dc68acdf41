"""Paper ids: stable ids minted from titles, and checks on ids given in the input.

>>> paper_id_from_title("Fast3R: Towards 3D Reconstruction of 1000+ Images in One Forward Pass")
'fast3r-towards-3d-reconstruction-of-1000-images-3bd460e6'
>>> paper_id_from_title("fast3r:  towards 3D reconstruction of 1000+ images in one FORWARD pass")
'fast3r-towards-3d-reconstruction-of-1000-images-3bd460e6'
"""

from __future__ import annotations

import hashlib
import unicodedata

from slugify import slugify

from .clean import clean_text

__all__ = ["normalize_title", "paper_id_from_title"]

SLUG_MAX_LENGTH = 48
HASH_LENGTH = 8


def normalize_title(title: str) -> str:
    """The form of a title that ids and duplicate detection compare: cleaned, case-folded.

    >>> normalize_title("  Attention Is\\nAll You   NEED ")
    'attention is all you need'
    """
    return " ".join(unicodedata.normalize("NFC", clean_text(title).casefold()).split())


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
