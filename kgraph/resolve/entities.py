"""Entity resolution: from per-paper mentions to one node per real entity.

Mentions meet under a canonical key (:func:`~.normalize.canonical_key` of
their lemma). Keys are then joined when the corpus says they name the same
thing: an acronym defined as ``long form (SHORT)`` joins SHORT to the long form
everywhere, unless the corpus defines SHORT two ways with no reading that
dominates (then each defining paper keeps its own reading and bare uses stay
apart; a paper that defines a minority reading keeps it); a gazetteer entry joins
its full and short names. Nothing else merges, so "diffusion model" and
"latent diffusion model" stay two entities.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from slugify import slugify

from ..model import (
    PAPER_RELATIONS,
    Entity,
    EntityType,
    Evidence,
    PaperExtraction,
    Relation,
    RelationType,
    paper_node_id,
)
from .normalize import (
    entity_key,
    generic_base,
    lemma_key_text,
    looks_like_short_form,
    narrows,
    reading_key,
    singular_acronym,
    spacing_key,
)

METHOD, TASK, DATASET = EntityType.METHOD, EntityType.TASK, EntityType.DATASET

# What each relation may connect, once entity types are settled.
DOMAIN_RANGE: dict[RelationType, tuple[frozenset, frozenset]] = {
    RelationType.PROPOSES: (frozenset({"paper"}), frozenset({METHOD, DATASET})),
    RelationType.ADDRESSES: (frozenset({"paper"}), frozenset({TASK})),
    RelationType.USES: (frozenset({"paper"}), frozenset({METHOD, DATASET})),
    RelationType.MENTIONS: (frozenset({"paper"}), frozenset({METHOD, TASK, DATASET})),
    RelationType.USED_FOR: (frozenset({METHOD}), frozenset({TASK})),
    RelationType.EVALUATED_ON: (frozenset({METHOD}), frozenset({DATASET})),
    RelationType.COMPARED_WITH: (frozenset({METHOD}), frozenset({METHOD})),
    RelationType.EXTENDS: (frozenset({METHOD}), frozenset({METHOD})),
    RelationType.PART_OF: (frozenset({METHOD}), frozenset({METHOD})),
    # not extracted: made from the papers' references when the graph is built (kgraph.graph.citations)
    RelationType.CITES: (frozenset({"paper"}), frozenset({"paper"})),
}
_TYPE_ORDER = {METHOD: 0, TASK: 1, DATASET: 2}


@dataclass(frozen=True, slots=True)
class AcronymConflict:
    short_form: str
    long_forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Merge:
    """An entity that joined several distinct keys, for the run report."""

    entity: str
    keys: tuple[str, ...]
    mentions: int = 0


@dataclass(frozen=True, slots=True)
class Resolution:
    """The resolved corpus: entities, aggregated relations and the mention map."""

    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    mention_entities: tuple[tuple[str, ...], ...]  # per paper, aligned with its mentions
    acronym_conflicts: tuple[AcronymConflict, ...] = ()
    merges: tuple[Merge, ...] = ()
    dropped_relations: int = 0  # a paper's relations whose ends the schema does not allow
    outvoted_relations: int = 0  # a paper's extends / part_of whose reverse more papers state
    turned_relations: int = 0  # a paper's "A extends B" read as "B extends A": B's name narrows A's
    distinct_keys: int = 0


# A name ending in a two-digit year: "AIME 24", "AIME'24", "VOC07" (its last letter, then the year).
_SHORT_YEAR = re.compile(r"(?P<name>.*[A-Za-z])[ '\u2019]?(?P<yy>[0-3][0-9])")

# The share of a short form's definitions in a corpus that one reading needs for the short form,
# used bare, to stand for it: at scale every acronym meets a few typos, cut long forms and other
# subfields' meanings ("SSL": 71 self-supervised learning, 1 sound source localization, ...).
DOMINANT_SHARE = 0.8


def _dominant_reading(longs: Counter) -> str | None:
    """The reading of a short form's long forms that most definitions give, when it dominates.

    >>> _dominant_reading(Counter({"retrieval augmented generation": 431, "retrieval agumented generation": 1}))
    'retrievalaugmentedgeneration'
    >>> _dominant_reading(Counter({"forward forward algorithm": 2, "forward forward": 1}))
    'forwardforward'
    >>> _dominant_reading(Counter({"feature fusion": 3, "forward forward": 2})) is None
    True
    """
    readings: Counter = Counter()
    for long_key, count in longs.items():
        readings[same_reading(long_key)] += count
    reading, count = min(readings.items(), key=lambda rc: (-rc[1], rc[0]))
    return reading if count >= DOMINANT_SHARE * sum(readings.values()) else None


def same_reading(long_key: str) -> str:
    """A long form's key as two definitions of one reading share it: without a generic trailing
    word, spaces, case or a final plural s ("supervised fine tuning" / "supervised finetuning",
    "chain of thought" / "chains of thought" differ only in the last).

    >>> same_reading("supervised fine tuning") == same_reading("Supervised finetuning")
    True
    """
    text = reading_key(long_key).casefold().replace(" ", "").replace("'s", "")
    return text[:-1] if text.endswith("s") else text


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # deterministic: the smaller key becomes the root
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


_NEXT_WORD = re.compile(r"^ ([^\W\d_][\w\-]*)")
_PREVIOUS_WORD = re.compile(r"([^\W\d_][\w\-]*) $")


def in_longer_name(text: str, start: int, end: int, *, title: bool = False) -> bool:
    """An acronym that is only part of a longer proper name.

    "an ARM Cortex-M4f device", "Neural ODEs are ...": a capitalised word right
    after it, or a capitalised word right before it that does not open the
    sentence. Titles capitalise every word, so there it is never assumed.

    >>> in_longer_name("on an ARM Cortex-M4f device", 6, 9)
    True
    >>> in_longer_name("the ARM is fast", 4, 7), in_longer_name("Recent LLMs are big", 7, 11)
    (False, False)
    """
    if title:
        return False
    after = _NEXT_WORD.match(text[end:])
    if after and after.group(1)[:1].isupper():
        return True
    before = _PREVIOUS_WORD.search(text[:start])
    if before and before.group(1)[:1].isupper():
        opening = text[: before.start()].rstrip()
        return bool(opening) and opening[-1] not in ".!?:;"
    return False


def _text_key(text: str, cache: dict[str, str]) -> str:
    key = cache.get(text)
    if key is None:
        key = cache[text] = entity_key(text)
    return key


def resolve(extractions: Sequence[PaperExtraction]) -> Resolution:
    """Resolve all mentions of a corpus into entities and aggregate relations."""
    definitions: dict[str, Counter] = defaultdict(Counter)
    own_readings: list[dict[str, str]] = []  # per paper: short form -> the reading it defines
    for ex in extractions:
        own: dict[str, str] = {}
        for acr in ex.acronyms:
            short, long_key = singular_acronym(acr.short_form), entity_key(acr.long_form)
            definitions[short][long_key] += 1
            own.setdefault(short, same_reading(long_key))
        own_readings.append(own)
    conflicting = {s for s, longs in definitions.items() if len({reading_key(k) for k in longs}) > 1}
    dominant = {s: _dominant_reading(longs) for s, longs in definitions.items()}
    unique_long = {
        s: min((k for k in longs if same_reading(k) == dominant[s]), key=lambda k: (-longs[k], k))
        for s, longs in definitions.items() if dominant[s] is not None
    }

    uf = _UnionFind()
    mention_keys: list[list[str]] = []
    # The same few names recur across a corpus: each distinct text is normalized once.
    keyed: dict[tuple[str, str], str] = {}
    singular: dict[str, str] = {}
    short_like: dict[str, bool] = {}
    for ex, own in zip(extractions, own_readings):
        keys = []
        for m in ex.mentions:
            key = keyed.get((m.text, m.lemma))
            if key is None:
                key = keyed[m.text, m.lemma] = entity_key(lemma_key_text(m.text, m.lemma))
            bare = singular.get(m.text)
            if bare is None:
                bare = singular[m.text] = singular_acronym(m.text)
            short = None
            if m.short_form:
                short = singular.get(m.short_form)
                if short is None:
                    short = singular[m.short_form] = singular_acronym(m.short_form)
            if short in conflicting and m.text not in short_like:
                short_like[m.text] = looks_like_short_form(m.text)
            # the acronym this mention is, read as its paper reads it: apart from the corpus's
            # reading when the corpus has none that dominates, or this paper defines another one
            acronym = bare if bare in definitions else short if short in conflicting and short_like[m.text] else None
            apart = acronym is not None and (
                dominant[acronym] is None or own.get(acronym, dominant[acronym]) != dominant[acronym])
            if apart:
                key = f"{key}@{ex.paper.id}"  # an acronym read in its own paper
            elif short is None and bare in unique_long and in_longer_name(ex.paper.text(m.field), m.start, m.end,
                                                                           title=m.field == "title"):
                key = f"{key}@{ex.paper.id}"  # "ARM Cortex-M4", "Neural ODEs": not the acronym itself
                bare = None
            keys.append(key)
            uf.find(key)
            if short and m.long_form:
                long_key = entity_key(m.long_form)
                if apart or short in conflicting and own.get(short) != dominant[short]:
                    uf.union(key, long_key)  # within the defining paper only
                else:
                    uf.union(entity_key(short), long_key)
                    uf.union(long_key, unique_long.get(short, long_key))
            elif bare in unique_long and not apart:
                uf.union(key, unique_long[bare])
            if m.known_id and not apart:
                uf.union(key, f"known:{m.known_id}")
        mention_keys.append(keys)
    _join_variants(uf, extractions, mention_keys, unique_long)

    roots = {key: uf.find(key) for key in uf.parent}
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for p, keys in enumerate(mention_keys):
        for k, key in enumerate(keys):
            groups[roots[key]].append((p, k))

    long_keys = {key for longs in definitions.values() for key in longs}  # every long form the corpus defines
    text_keys: dict[str, str] = {}
    drafts = []
    for root, members in groups.items():
        mentions = [(extractions[p], extractions[p].mentions[k]) for p, k in members]
        types = Counter(m.type for _, m in mentions)
        kind = min(types, key=lambda t: (-types[t], _TYPE_ORDER[t]))
        surface = Counter(m.text for _, m in mentions)
        # An acronym's written-out form names the node ("Large Language Models", not "LLMs") where the
        # corpus defines the acronym; otherwise the spelling most mentions use ("CIFAR-10", not a stray
        # "CIFAR 10" that merely does not look like an acronym).
        full = Counter({t: c for t, c in surface.items() if not looks_like_short_form(t)})
        if 0 < len(full) < len(surface) and not any(_text_key(t, text_keys) in long_keys for t in surface):
            full = Counter()  # acronym-like and other spellings, no definition: the commonest spelling
        pool = full or surface
        label = min(pool, key=lambda t: (-pool[t], sum(c.isupper() for c in t), t))
        papers = sorted({paper_node_id(ex.paper.id) for ex, _ in mentions})
        proposed = sorted({paper_node_id(ex.paper.id) for ex, m in mentions if m.proposed})
        known = sorted({m.known_id for _, m in mentions if m.known_id})
        aliases = tuple(sorted(surface.items(), key=lambda kv: (-kv[1], kv[0])))
        keys = tuple(sorted({mention_keys[p][k] for p, k in members}))
        drafts.append((kind, label, root, aliases, papers, proposed, known, keys))

    ids: dict[str, str] = {}
    used: set[str] = set()
    entities = []
    merges = []
    for kind, label, root, aliases, papers, proposed, known, keys in sorted(drafts, key=lambda d: (d[0].value, d[1], d[2])):
        slug = slugify(label, max_length=80, word_boundary=True) or "entity"
        if not any(c.isalpha() for c in slug) and not slug:
            slug = "entity"
        node = f"{kind.value}:{slug}"
        n = 2
        while node in used:
            node = f"{kind.value}:{slug}-{n}"
            n += 1
        used.add(node)
        ids[root] = node
        entities.append(Entity(node, kind, label, aliases, tuple(papers), tuple(proposed), known[0] if known else None))
        if len(keys) > 1:
            merges.append(Merge(node, keys, sum(count for _, count in aliases)))

    mention_entities = tuple(tuple(ids[roots[key]] for key in keys) for keys in mention_keys)
    types = {e.id: e.type for e in entities}
    names = {e.id: (e.label, *(alias for alias, _ in e.aliases)) for e in entities}
    relations, dropped, outvoted, turned = _aggregate(extractions, mention_entities, types, names)
    merges.sort(key=lambda m: (-len(m.keys), -m.mentions, m.entity))
    conflicts = tuple(
        AcronymConflict(s, tuple(sorted(definitions[s]))) for s in sorted(conflicting)
    )
    return Resolution(
        entities=tuple(sorted(entities, key=lambda e: e.id)),
        relations=relations,
        mention_entities=mention_entities,
        acronym_conflicts=conflicts,
        merges=tuple(merges),
        dropped_relations=dropped,
        outvoted_relations=outvoted,
        turned_relations=turned,
        distinct_keys=len({key for keys in mention_keys for key in keys}),
    )


def _join_variants(uf: "_UnionFind", extractions, mention_keys, unique_long: dict[str, str]) -> None:
    """Join the keys of one name written two ways.

    - with and without spaces or hyphens: a spaced key meets the key that is
      the same letters run together ("fine tuning" / "finetuning",
      "Generative Adapter" / "GenerativeAdapter"), and any other key with the
      same letters in another case or spacing, when it has several words or a digit;
    - with a generic trailing word ("Forward-Forward algorithm", "Transformer
      model"): the key without it, when that key is a name, i.e. some paper
      writes it with a capital past its first letter or a digit (so "diffusion
      model" does not join "diffusion");
    - with an acronym written out: a name of several words holding an acronym
      the corpus reads one way meets the name with its long form in its place
      ("Multimodal LLMs" / "multimodal large language models", "offline RL" /
      "offline reinforcement learning"), when some paper writes that name.

    Per-paper keys (an ambiguous acronym read in its paper) are left alone.
    """
    keys = sorted({k for ks in mention_keys for k in ks if "@" not in k})
    joined = {k.replace(" ", "").casefold(): k for k in keys if " " not in k}
    for key in keys:
        compact = spacing_key(key)
        if compact is not None and compact in joined:
            uf.union(key, joined[compact])
    # names that differ only in spacing, hyphens or case: two spaced keys ("multi layer perceptron" /
    # "multilayer perceptron", "Llama 3 8B Instruct" / "LLaMA 3 8B Instruct"), or one-word names with
    # a digit ("DINOv2" / "DinoV2", "Flickr30K" / "Flickr30k"); other single words keep their case,
    # where coined acronyms differ ("SEC" / "SeC", "AOA" / "AoA") and "GAN" is not the word "gan"
    folded: dict[str, str] = {}
    for key in keys:
        if " " in key or any(c.isdigit() for c in key):
            first = folded.setdefault(key.replace(" ", "").casefold(), key)
            if first != key:
                uf.union(first, key)
    # a year written short, as benchmarks are ("AIME 24", "AIME'24", "VOC07"), is the year written out
    # ("AIME 2024", "VOC2007") when the corpus writes it so
    for key in keys:
        short_year = _SHORT_YEAR.fullmatch(key)
        if short_year is not None:
            written = folded.get(short_year["name"].replace(" ", "").casefold() + "20" + short_year["yy"])
            if written is not None:
                uf.union(key, written)
    named: set[str] = set()
    for ex, ks in zip(extractions, mention_keys):
        for m, key in zip(ex.mentions, ks):
            if any(c.isupper() for c in m.text[1:]) or any(c.isdigit() for c in m.text):  # not a sentence's capital
                named.add(key)
    present = set(keys)
    for key in keys:
        base = generic_base(key)
        if base is not None and base in present and base in named:
            uf.union(key, base)
    for key in keys:
        words = key.split(" ")
        if len(words) < 2:
            continue
        expanded = [unique_long.get(singular_acronym(w), w) if any(c.isupper() for c in w) else w for w in words]
        if expanded != words:
            written = " ".join(expanded)
            if written in present:
                uf.union(key, written)


def _aggregate(extractions, mention_entities, types, names) -> tuple[tuple[Relation, ...], int, int, int]:
    """The corpus's relations, each with its evidence; the papers' relations the schema refused, those
    outvoted (:func:`_outvoted`), and those turned round (:func:`_turned`)."""
    # lists, not sets (a set per edge costs three times a short list at scale): duplicates go when each is sorted
    evidence: dict[tuple[str, RelationType, str], list[Evidence]] = defaultdict(list)
    dropped = turned = 0
    narrower: dict[tuple[str, str], bool] = {}
    for ex, entity_ids in zip(extractions, mention_entities):
        paper = paper_node_id(ex.paper.id)
        sentences: dict[tuple[str, int, int], str] = {}  # one string per sentence, however many relations it states
        for rel in ex.relations:
            tail = entity_ids[rel.tail]
            head = paper if rel.head is None else entity_ids[rel.head]
            relation = rel.relation
            if head == tail:
                continue
            domain, range_ = DOMAIN_RANGE[relation]
            head_type = "paper" if rel.head is None else types[head]
            if head_type not in domain or types[tail] not in range_:
                if relation in PAPER_RELATIONS:
                    relation = RelationType.MENTIONS
                else:
                    dropped += 1
                    continue
            if relation is RelationType.COMPARED_WITH and tail < head:
                head, tail = tail, head  # symmetric: one edge per pair
            elif relation is RelationType.EXTENDS:
                key = (head, tail)
                if key not in narrower:
                    narrower[key] = _turned(names[head], names[tail])
                if narrower[key]:
                    head, tail = tail, head
                    turned += 1
            span = rel.evidence
            where = (span.field, span.start, span.end)
            sentence = sentences.get(where)
            if sentence is None:
                sentence = sentences[where] = ex.paper.text(span.field)[span.start : span.end]
            evidence[(head, relation, tail)].append(
                Evidence(ex.paper.id, span.field, span.start, span.end, sentence, rel.extractor)
            )
    # a paper that proposes, addresses or uses an entity does not also just mention it
    strong = {(h, t) for (h, r, t) in evidence if r in PAPER_RELATIONS and r is not RelationType.MENTIONS}
    reversed_ = _outvoted(evidence)
    outvoted = sum(reversed_.values())
    relations = []
    for (head, relation, tail), items in evidence.items():
        if relation is RelationType.MENTIONS and (head, tail) in strong:
            continue
        if (head, relation, tail) in reversed_:
            continue
        relations.append(Relation(head, relation, tail, _sorted_unique(items)))
    relations.sort(key=lambda r: (r.head, r.relation.value, r.tail))
    return tuple(relations), dropped, outvoted, turned


def _turned(head_names, tail_names) -> bool:
    """Whether "A extends B" is written the wrong way round: B's name is A's with words before it
    ("reinforcement learning extends Deep Reinforcement Learning"). The narrower method is the one
    that extends; the annotated papers never state it the other way (0 of 266 such pairs)."""
    return narrows(head_names, tail_names) and not narrows(tail_names, head_names)


# Relations that cannot hold both ways: A extends B and B extends A is one of them misread.
ANTISYMMETRIC = (RelationType.EXTENDS, RelationType.PART_OF)


Statement = tuple[str, RelationType, str]


def _outvoted(evidence: dict[Statement, list[Evidence]]) -> dict[Statement, int]:
    """The statements of an antisymmetric relation whose reverse more papers state, each with its papers.

    Across a corpus, "offline RL extends reinforcement learning" (34 papers)
    and its reverse (17) cannot both be right; the direction fewer papers
    give goes. A tie keeps both: the corpus does not say which is right.
    """
    papers = {key: len({e.paper_id for e in items}) for key, items in evidence.items() if key[1] in ANTISYMMETRIC}
    return {(head, relation, tail): n for (head, relation, tail), n in papers.items()
            if papers.get((tail, relation, head), 0) > n}


def _evidence_order(e: Evidence) -> tuple:
    return (e.paper_id, e.field, e.start, e.end, e.extractor)


def _sorted_unique(items: list[Evidence]) -> tuple[Evidence, ...]:
    """``items`` sorted, each once. Two with the same paper, place and extractor are equal
    (the sentence is the paper's text at that place), so equal neighbours after the sort are duplicates."""
    if len(items) == 1:
        return (items[0],)
    items.sort(key=_evidence_order)
    unique = [items[0]]
    for previous, item in zip(items, items[1:]):
        if _evidence_order(item) != _evidence_order(previous):
            unique.append(item)
    return tuple(unique)
