"""The known-names vocabulary (gazetteer) of methods, tasks and datasets, as extraction reads it.

Bundled as ``kgraph/resources/pwc_vocab.jsonl``, one :class:`VocabEntry` a line,
which stays under CC BY-SA 4.0 (``kgraph/resources/PWC_VOCAB_LICENSE.md``). It is
built offline from the Papers with Code lists by :mod:`kgraph.training.vocab`,
whose docstring gives the rules::

    python -m kgraph.training.vocab ../shared/vocab/pwc kgraph/resources/pwc_vocab.jsonl

>>> entries = load_vocab()                                  # doctest: +SKIP
>>> [e for e in entries if e.id == "pwc:method/resnet"]     # doctest: +SKIP
[VocabEntry(id='pwc:method/resnet', type='method', name='ResNet', aliases=('Residual Network',), ...)]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import PipelineError
from ..model import EntityType

BUNDLED_VOCAB = "pwc_vocab.jsonl"
TYPES = tuple(t.value for t in EntityType)


@dataclass(frozen=True, slots=True)
class VocabEntry:
    """One known method, task or dataset and the surface forms it is written in.

    ``case_sensitive`` says how ``name`` is matched; the aliases listed in
    ``exact_aliases`` are matched case-sensitively, the other aliases in any
    case. ``parents`` (tasks only) are names of broader tasks.

    >>> e = VocabEntry("pwc:method/gan", "method", "GAN", ("Generative Adversarial Network",), True)
    >>> e.surface_forms()
    (('GAN', True), ('Generative Adversarial Network', False))
    """

    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False
    parents: tuple[str, ...] = ()
    exact_aliases: tuple[str, ...] = ()

    def surface_forms(self) -> tuple[tuple[str, bool], ...]:
        """Every form to match, with whether it must match case-sensitively."""
        exact = set(self.exact_aliases)
        return ((self.name, self.case_sensitive),) + tuple((a, a in exact) for a in self.aliases)

    def as_dict(self) -> dict:
        """The JSON Lines record; empty lists are left out."""
        record: dict = {"id": self.id, "type": self.type, "name": self.name}
        record["case_sensitive"] = self.case_sensitive
        for key in ("aliases", "exact_aliases", "parents"):
            if getattr(self, key):
                record[key] = list(getattr(self, key))
        return record


# --- the bundled file ----------------------------------------------------------


def dumps_entry(entry: VocabEntry) -> str:
    """One JSON Lines record, keys in a fixed order."""
    return json.dumps(entry.as_dict(), ensure_ascii=False, separators=(", ", ": "))


def write_vocab(entries: Iterable[VocabEntry], path: Path) -> None:
    """Write ``entries`` as JSON Lines, sorted by id (byte-for-byte reproducible)."""
    lines = [dumps_entry(e) + "\n" for e in sorted(entries, key=lambda e: e.id)]
    Path(path).write_text("".join(lines), encoding="utf-8", newline="\n")


def load_vocab(path: Path | str | None = None) -> tuple[VocabEntry, ...]:
    """The vocabulary in ``path``, or the one bundled with kgraph when ``path`` is None."""
    if path is None:
        resource = resources.files("kgraph").joinpath("resources", BUNDLED_VOCAB)
        where = str(resource)
        try:
            text = resource.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PipelineError(f"cannot read the bundled vocabulary {where}: {exc}") from None
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PipelineError(f"cannot read vocabulary {where}: {exc}") from None
    return tuple(_parse_lines(text.splitlines(), where))


def _parse_lines(lines: Iterable[str], where: str) -> Iterator[VocabEntry]:
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = _parse_entry(json.loads(line))
        except (json.JSONDecodeError, TypeError, ValueError) as exc:
            raise PipelineError(f"{where}:{number}: bad vocabulary entry ({exc})") from None
        if entry.id in seen:
            raise PipelineError(f"{where}:{number}: duplicate id {entry.id!r}")
        seen.add(entry.id)
        yield entry


def _parse_entry(record: object) -> VocabEntry:
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")

    def text(key: str) -> str:
        value = record.get(key)
        if not isinstance(value, str) or not value:
            raise ValueError(f"{key!r} must be a non-empty string")
        return value

    def texts(key: str) -> tuple[str, ...]:
        value = record.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"{key!r} must be a list of non-empty strings")
        return tuple(value)

    type_ = text("type")
    if type_ not in TYPES:
        raise ValueError(f"unknown type {type_!r}; expected one of {', '.join(TYPES)}")
    case_sensitive = record.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise ValueError("'case_sensitive' must be true or false")
    aliases = texts("aliases")
    exact = texts("exact_aliases")
    if not set(exact) <= set(aliases):
        raise ValueError("'exact_aliases' must be a subset of 'aliases'")
    return VocabEntry(text("id"), type_, text("name"), aliases, case_sensitive, texts("parents"), exact)
