"""Canonical keys for entity names: pure and idempotent.

>>> canonical_key("The Forward-Forward algorithm")
'forward forward algorithm'
>>> canonical_key("GAN") == canonical_key("gan")
False
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_ARTICLES = ("the ", "a ", "an ")
_SINGULAR_IN_S = frozenset(
    "series species physics dynamics mathematics statistics analysis robotics graphics "
    "economics news lens bias basis thesis synthesis diagnosis".split()
)
# Trailing words that do not change which thing a long form names.
_GENERIC_TAIL = frozenset("algorithm method model network framework approach technique scheme".split())
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_/]+")
_HYPHENS = re.compile(r"[\-‐‑‒–—/]+")
_STRIP = " .,;:!?\"'()[]{}"
_ACRONYM = re.compile(r"^(?=.*[A-Z].*[A-Z]|.*[A-Z].*\d|.*\d.*[A-Z]|.*[a-z][A-Z])\S+$")


def is_acronym(word: str) -> bool:
    """Words whose case carries meaning: GAN, DUSt3R, LoRA, NeRF.

    >>> [is_acronym(w) for w in ("GAN", "LoRA", "Gan", "gan")]
    [True, True, False, False]
    """
    return bool(_ACRONYM.match(word))


def canonical_key(text: str) -> str:
    """The key under which spelling variants of one name meet.

    Unicode-normalized (NFKC), leading article dropped, hyphens, slashes and
    runs of spaces folded to one space, lower-cased except acronym-like words.
    Plurals are folded upstream (mentions carry a lemma).
    """
    text = unicodedata.normalize("NFKC", text).strip(_STRIP)
    words = [w for w in _SEPARATORS.split(text) if w]
    words = [w.strip(_STRIP) for w in words]
    words = [w if is_acronym(w) else w.lower() for w in words if w]
    while len(words) > 1 and words[0] + " " in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def looks_like_short_form(text: str) -> bool:
    """A single acronym-like word ("NLI", "Fast3R", "GPT-4").

    Capitalised words joined by hyphens are a long form, not an acronym:

    >>> [looks_like_short_form(t) for t in ("NLI", "GPT-4", "3D-GS", "Bures-Wasserstein", "Mono-Forward")]
    [True, True, True, False, False]
    """
    text = text.strip()
    if not text or " " in text or not is_acronym(text):
        return False
    parts = [p for p in _HYPHENS.split(text) if p]
    return len(parts) == 1 or any(is_acronym(p) or p.isdigit() for p in parts)


def lemma_key_text(text: str, lemma: str) -> str:
    """The text a mention is keyed by: its lemma when that only folds a regular plural.

    The lemmatizer reads some "-ing" nouns as verbs ("inpainting" ->
    "inpainte", "forecasting" -> "forecast"); those lemmas would join a
    task to the name of its output, so the text is kept instead.

    >>> lemma_key_text("diffusion models", "diffusion model"), lemma_key_text("LLMs", "LLM")
    ('diffusion model', 'LLM')
    >>> lemma_key_text("time series forecasting", "time series forecast")
    'time series forecasting'
    """
    if not lemma or lemma == text:
        return text
    head, _, last = text.rpartition(" ")
    lemma_head, _, lemma_last = lemma.rpartition(" ")
    if head != lemma_head:
        return text
    word, stem = last.lower(), lemma_last.lower()
    plural = word in {stem + "s", stem + "es"} or (stem.endswith("y") and word == stem[:-1] + "ies")
    return lemma if plural else text


def singular_acronym(word: str) -> str:
    """Drop the plural 's' of an acronym: "LLMs" -> "LLM", "DEQs" -> "DEQ".

    >>> singular_acronym("LLMs"), singular_acronym("GANs"), singular_acronym("Fast3R")
    ('LLM', 'GAN', 'Fast3R')
    """
    word = word.strip()
    stem = word[:-1]
    if len(word) > 2 and word.endswith("s") and sum(c.isupper() for c in stem) >= 2 and not any(c.islower() for c in stem):
        return stem
    return word


def fold_plural(key: str) -> str:
    """Singular of a key's last word when it is a plain lower-case word.

    A backstop for names whose lemma was not available (acronym long forms):
    "deep equilibrium models" -> "deep equilibrium model". Idempotent.
    """
    head, _, last = key.rpartition(" ")
    if not last.isalpha() or not last.islower() or len(last) <= 3 or last in _SINGULAR_IN_S:
        return key
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith("sses"):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        last = last[:-1]
    return f"{head} {last}" if head else last


def entity_key(text: str) -> str:
    """The key mentions are grouped by: :func:`canonical_key` with plurals folded."""
    return fold_plural(canonical_key(text))


def narrows(general: Iterable[str], specific: Iterable[str]) -> bool:
    """Whether some name in ``specific`` is some name in ``general`` with words put before it:
    "Deep Reinforcement Learning" narrows "reinforcement learning", "3D Gaussian Splatting"
    narrows "Gaussian Splatting".

    >>> narrows(["reinforcement learning", "RL"], ["Deep Reinforcement Learning", "DRL"])
    True
    >>> narrows(["GRPO", "Group Relative Policy Optimization"], ["Language-aware Group Relative Policy Optimization"])
    True
    >>> narrows(["Deep Reinforcement Learning"], ["reinforcement learning"]), narrows(["GRPO"], ["GRPO"])
    (False, False)
    """
    short = {tuple(entity_key(name).casefold().split()) for name in general}
    short.discard(())
    for name in specific:
        words = tuple(entity_key(name).casefold().split())
        if any(len(s) < len(words) and words[-len(s):] == s for s in short):
            return True
    return False


def reading_key(long_key: str) -> str:
    """A long form's key without a generic trailing word, to compare two readings.

    "forward forward algorithm" and "forward forward" are one reading of FF.
    """
    head, _, last = long_key.rpartition(" ")
    return head if head and last in _GENERIC_TAIL else long_key


def spacing_key(key: str) -> str | None:
    """A key with its spaces removed and its case folded, for names written with and without
    spaces or hyphens ("fine tuning" / "finetuning", "back propagation" / "backpropagation",
    "GenerativeAdapter" / "generative adapter"); ``None`` for a one-word key, which only
    meets such a variant from the spaced side (so "GAN" and "gan" stay apart).

    >>> spacing_key("back propagation"), spacing_key("backpropagation"), spacing_key("Generative Adapter")
    ('backpropagation', None, 'generativeadapter')
    """
    return key.replace(" ", "").casefold() if " " in key else None


def generic_base(key: str) -> str | None:
    """The name a key repeats with a generic trailing word ("forward forward algorithm" ->
    "forward forward"), or ``None``."""
    base = reading_key(key)
    return base if base != key else None
