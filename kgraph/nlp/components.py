"""spaCy pipeline components of kgraph, registered by versioned factory names.

Each component is glue: the algorithms live in pure functions in
:mod:`.candidates`, :mod:`.acronyms` and :mod:`.relations`. Components talk to
each other only through the Doc extensions declared here:

- ``doc._.kgraph_candidates``: candidate mentions from every extractor;
- ``doc._.kgraph_acronyms``: acronym definitions;
- ``doc._.kgraph_mentions``: the selected, typed mentions;
- ``doc._.kgraph_relations``: relations between them;
- ``doc._.kgraph_vectors``: the entity tagger's word vectors (tokens x dims), read by the relation model.
"""

from __future__ import annotations

from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc

from ..model import EntityType, RelationType
from . import lexicon
from .acronyms import find_acronym_pairs, iter_acronym_candidates
from .candidates import (
    PRIORITY,
    Candidate,
    cue_verb,
    is_name_shaped,
    is_parsed,
    iter_dataset_cue_candidates,
    iter_head_candidates,
    iter_name_candidates,
    iter_title_candidates,
    select,
)
from .relations import FoundRelation, find_relations
from .vocab import VocabEntry, load_vocab

for _name in ("kgraph_candidates", "kgraph_acronyms", "kgraph_mentions", "kgraph_relations", "kgraph_vectors"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

# The title and the abstract of a paper are joined by this separator into one doc.
from .relations import FIELD_SEPARATOR


def _candidates(doc: Doc) -> list[Candidate]:
    if doc._.kgraph_candidates is None:
        doc._.kgraph_candidates = []
    return doc._.kgraph_candidates


@Language.component("kgraph_sentences_v1")
def sentence_boundaries(doc: Doc) -> Doc:
    """Preset sentence boundaries the parser then respects.

    The title is its own sentence; no sentence starts inside brackets or
    after "e.g.", "i.e.", "et al." and the like (one token, or a word and its
    period: the tokenizer splits "al." and "Fig."). Reads the tokens as
    arrays and touches only the tokens whose boundary it changes.
    """
    if not len(doc):
        return doc
    title_end = doc.text.find(FIELD_SEPARATOR)
    if title_end < 0:
        title_end = len(doc.text)
    orth = doc.to_array(ORTH).tolist()  # string ids: unsigned 64-bit
    space, idx, length, current = doc.to_array([IS_SPACE, IDX, LENGTH, SENT_START]).astype("int64").T.tolist()
    separators = {i for i, is_space in enumerate(space) if is_space and FIELD_SEPARATOR in doc[i].text}
    for i, start in enumerate(sentence_starts(orth, idx, length, separators, title_end)):
        if start is not None and current[i] != (1 if start else -1):
            doc[i].is_sent_start = start
    return doc


_OPENING = frozenset(get_string_id(b) for b in "([")
_CLOSING = frozenset(get_string_id(b) for b in ")]")
_NON_FINAL = frozenset(get_string_id(w) for w in lexicon.NON_FINAL_ABBREVIATIONS | {"al."})
# "al" of "al.", "Fig" of "Fig.": abbreviations whose period the tokenizer splits off
_NON_FINAL_STEMS = frozenset(get_string_id(w[:-1]) for w in lexicon.NON_FINAL_ABBREVIATIONS | {"al."})
_PERIOD = get_string_id(".")


def sentence_starts(orth: list[int], idx: list[int], length: list[int], separators: set[int],
                    title_end: int) -> list[bool | None]:
    """Each token's sentence start as :func:`sentence_boundaries` sets it (``None``: left as it is),
    from the tokens' string ids, character offsets and lengths, the indices of the whitespace tokens
    that separate title and abstract, and the title's end offset."""
    starts: list[bool | None] = [None] * len(orth)
    if orth:
        starts[0] = True
    depth = 0
    for i in range(1, len(orth)):
        if i - 1 in separators:
            starts[i] = True
            depth = 0
        elif idx[i] < title_end or i in separators:
            starts[i] = False  # the title is one sentence
        elif depth > 0 or orth[i - 1] in _NON_FINAL or _after_abbreviation(orth, idx, length, i):
            starts[i] = False
        if orth[i] in _OPENING:
            depth += 1
        elif orth[i] in _CLOSING and depth > 0:
            depth -= 1
    return starts


def _after_abbreviation(orth: list[int], idx: list[int], length: list[int], i: int) -> bool:
    """Whether token ``i`` follows an abbreviation's split-off period ("et al" "." "show")."""
    return (i >= 2 and orth[i - 1] == _PERIOD and orth[i - 2] in _NON_FINAL_STEMS
            and idx[i - 2] + length[i - 2] == idx[i - 1])


@Language.component("kgraph_acronyms_v1")
def acronym_definitions(doc: Doc) -> Doc:
    """Schwartz–Hearst acronym definitions and the uses of each short form."""
    pairs = find_acronym_pairs(doc)
    doc._.kgraph_acronyms = pairs
    _candidates(doc).extend(iter_acronym_candidates(doc, pairs))
    return doc


@Language.factory(
    "kgraph_gazetteer_v1",
    default_config={"vocab_path": ""},
)
def make_gazetteer(nlp: Language, name: str, vocab_path: str) -> "Gazetteer":
    return Gazetteer(nlp, load_vocab(vocab_path or None))


class Gazetteer:
    """Known method, task and dataset names (Papers with Code vocabulary)."""

    def __init__(self, nlp: Language, entries: tuple[VocabEntry, ...]):
        self.entries = {e.id: e for e in entries}
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        exact: dict[str, list[str]] = {}
        folded: dict[str, list[str]] = {}
        for entry in entries:
            for form, case_sensitive in entry.surface_forms():
                (exact if case_sensitive else folded).setdefault(entry.id, []).append(form)
                if not case_sensitive and form[-1:].isalpha() and form[-1:].islower() and not form.endswith("s"):
                    folded[entry.id].append(form + "s")  # "generative adversarial networks"
        for matcher, table in ((self.exact, exact), (self.folded, folded)):
            for entry_id in sorted(table):
                matcher.add(entry_id, list(nlp.tokenizer.pipe(sorted(set(table[entry_id])))))

    def __call__(self, doc: Doc) -> Doc:
        found = []
        for matcher in (self.exact, self.folded):
            for match_id, start, end in matcher(doc):
                entry = self.entries[doc.vocab.strings[match_id]]
                found.append(Candidate(start, end, EntityType(entry.type), "gazetteer", known_id=entry.id))
        _candidates(doc).extend(sorted(found, key=lambda c: (c.start, c.end, c.known_id)))
        return doc


# the extractor families kgraph_terms_v1 finds candidates for
TERM_EXTRACTORS = frozenset({"title", "dataset-cue", "head-noun", "name-shape"})


def extractor_families(extractors: str) -> frozenset[str]:
    """The families named by a comma-separated ``extractors`` setting (``"model,acronym"``); empty for all."""
    return frozenset(x.strip() for x in extractors.split(",") if x.strip())


@Language.component("kgraph_terms_v1")
def term_patterns(doc: Doc) -> Doc:
    """Title names, coined names, dataset cues and noun phrases with a telling head."""
    sents = list(doc.sents)
    candidates = _candidates(doc)
    if sents:
        candidates.extend(iter_title_candidates(doc, sents[0]))
    candidates.extend(iter_name_candidates(doc))
    candidates.extend(iter_dataset_cue_candidates(doc))
    candidates.extend(iter_head_candidates(doc))
    return doc


@Language.factory("kgraph_mentions_v1", default_config={"extractors": ""})
def make_select_mentions(nlp: Language, name: str, extractors: str):
    """Settle overlaps between extractors and mark what the paper proposes.

    ``extractors``: the comma-separated extractor families whose candidates
    compete (``"model,acronym,title"``); empty for all of them.
    """
    keep = extractor_families(extractors)
    unknown = sorted(keep - set(PRIORITY))
    if unknown:
        from ..errors import PipelineError

        raise PipelineError(f"kgraph_mentions_v1: unknown extractors {unknown}; expected some of {sorted(PRIORITY)}")

    def select_mentions(doc: Doc) -> Doc:
        candidates = _candidates(doc)
        if keep:
            candidates = [c for c in candidates if c.extractor.split(":")[0] in keep]
        doc._.kgraph_mentions = mark_proposed(doc, select(candidates))
        return doc

    return select_mentions


@Language.factory("kgraph_relations_v1", default_config={"entity_relations": True})
def make_sentence_relations(nlp: Language, name: str, entity_relations: bool):
    """Typed relations between the doc's mentions, sentence by sentence, after those already found
    (``kgraph_pairs_v1``'s). ``entity_relations=False``: the paper-level rules only."""

    def sentence_relations(doc: Doc) -> Doc:
        found = find_relations(doc, doc._.kgraph_mentions or [], entity_relations=entity_relations)
        doc._.kgraph_relations = list(doc._.kgraph_relations or []) + found
        return doc

    return sentence_relations


@Language.factory(
    "kgraph_pairs_v1",
    default_config={"model": "default", "min_score": None, "proposals": "learned"},
)
def make_pair_model(nlp: Language, name: str, model: str, min_score: float | dict[str, float] | None, proposals: str):
    """The learned relation and proposal model (:mod:`kgraph.nlp.pairs`) over the tagger's word vectors."""
    from ..errors import PipelineError
    from .ner import model_path
    from .pairs import PairModel

    if proposals not in PROPOSAL_MODES:
        raise PipelineError(f"kgraph_pairs_v1: proposals={proposals!r}; expected one of {list(PROPOSAL_MODES)}")
    path = model_path(model)
    try:
        pair_model = PairModel(path)
    except (OSError, ValueError, KeyError) as exc:
        raise PipelineError(f"cannot load the relation model in {path} (train it with `make train`): {exc}") from None
    return PairComponent(pair_model, min_score=min_score, proposals=proposals)


PROPOSAL_MODES = ("learned", "rules", "both")


class PairComponent:
    """Marks what the paper proposes and relates its entities (``doc._.kgraph_relations``, extractor
    ``model:pairs``), reading ``doc._.kgraph_vectors``; a doc without vectors is left as it is.

    ``proposals``: ``"learned"`` replaces the rules' proposal marks with the model's,
    ``"both"`` keeps either, ``"rules"`` leaves them to the rules.
    """

    def __init__(self, model, *, min_score: float | dict | None = None, proposals: str = "learned"):
        from threadpoolctl import ThreadpoolController

        self.model = model
        self.min_score = min_score
        self.proposals = proposals
        # the networks' small matrix products run on one thread: BLAS threads only spin here,
        # and a build already runs one extraction process per core
        self._threads = ThreadpoolController()

    def __call__(self, doc: Doc) -> Doc:
        with self._threads.limit(limits=1, user_api="blas"):
            return self._relate(doc)

    def _relate(self, doc: Doc) -> Doc:
        from .pairs import PairEntity, entity_features

        mentions = list(doc._.kgraph_mentions or [])
        vectors = doc._.kgraph_vectors
        if vectors is None or not mentions:
            return doc
        sentences, where = sentence_words(doc)
        sent_vectors = [vectors[tokens] for tokens in sentences]
        groups = local_entities(doc, mentions)
        entities = []
        for group in groups:
            spans = []
            for i in group:
                m = mentions[i]
                if m.start in where and m.end - 1 in where and where[m.start][0] == where[m.end - 1][0]:
                    spans.append((where[m.start][0], where[m.start][1], where[m.end - 1][1] + 1))
            entities.append(PairEntity(mentions[group[0]].type.value, tuple(spans)))
        ents = entity_features(sent_vectors, entities)  # read by both networks
        if self.proposals != "rules":
            probs = self.model.proposed(sent_vectors, entities, ents)
            for group, p in zip(groups, probs):
                learned = bool(p >= self.model.min_proposed) and mentions[group[0]].type is not EntityType.TASK
                for i in group:
                    mark = learned or (self.proposals == "both" and mentions[i].proposed)
                    mentions[i] = mentions[i].with_(proposed=mark)
            doc._.kgraph_mentions = mentions
        found = []
        for pair in self.model.relations_of(sent_vectors, entities, min_score=self.min_score, ents=ents):
            head, tail, bounds = _closest_mentions(doc, groups[pair.head], groups[pair.tail], mentions, where,
                                                   sentences)
            found.append(FoundRelation(head, RelationType(pair.relation), tail, *bounds, "model:pairs"))
        doc._.kgraph_relations = list(doc._.kgraph_relations or []) + found
        return doc


def sentence_words(doc: Doc) -> tuple[list[list[int]], dict[int, tuple[int, int]]]:
    """Each sentence's token indices (whitespace left out) and each token's (sentence, word): the
    words the tagger and the relation model read, at run time and in training."""
    sentences: list[list[int]] = []
    where: dict[int, tuple[int, int]] = {}
    for sent in doc.sents:
        tokens = [t.i for t in sent if not t.is_space]
        if tokens:
            for w, i in enumerate(tokens):
                where[i] = (len(sentences), w)
            sentences.append(tokens)
    return sentences, where


def local_entities(doc: Doc, mentions: list[Candidate]) -> list[list[int]]:
    """The paper's mentions grouped into entities: same type and the same words (case, hyphens,
    a plural s aside), or the two halves of an acronym definition (``doc._.kgraph_acronyms``).
    Groups in order of first mention."""
    parent = list(range(len(mentions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple, int] = {}
    for i, m in enumerate(mentions):
        forms = [doc[m.start : m.end].text, m.long_form, m.short_form]
        for form in forms:
            if not form:
                continue
            key = (m.type, _group_key(form))
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    for pair in doc._.kgraph_acronyms or ():  # "long form (SHORT)" joins the two wherever each is a mention
        for kind in {m.type for m in mentions}:
            a, b = first.get((kind, _group_key(pair.long_form))), first.get((kind, _group_key(pair.short_form)))
            if a is not None and b is not None:
                parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _group_key(text: str) -> str:
    words = text.lower().replace("-", " ").replace("/", " ").split()
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def _closest_mentions(doc: Doc, head_group, tail_group, mentions, where, sentences):
    """A mention of each entity, as close as they come, and the evidence: the sentence naming both,
    else the sentences from one to the other (in the abstract; a title mention cites the other's)."""
    best = None
    for h in head_group:
        for t in tail_group:
            sh = where.get(mentions[h].start, (0, 0))[0]
            st = where.get(mentions[t].start, (0, 0))[0]
            title = (sh == 0) != (st == 0)
            key = (title, abs(sh - st), abs(mentions[h].start - mentions[t].start))
            if best is None or key < best[0]:
                best = (key, h, t, sh, st)
    _, h, t, sh, st = best
    if (sh == 0) != (st == 0):
        sh = st = max(sh, st)
    lo, hi = min(sh, st), max(sh, st)
    start = doc[sentences[lo][0]].idx
    last = doc[sentences[hi][-1]]
    return h, t, (start, last.idx + len(last.text))


def mark_proposed(doc: Doc, mentions: list[Candidate]) -> list[Candidate]:
    """Mark the paper's own contributions, then every other mention of them.

    "We propose X", "X is introduced", and the name before a title's colon.
    A task-looking name that is proposed ("Fast 3D Reconstruction") is a method.
    """
    mentions = list(mentions)
    proposed: set[int] = {i for i, m in enumerate(mentions) if m.proposed}
    parsed = is_parsed(doc)
    for sent in doc.sents:
        self_ref = any(t.lower_ in {"we", "our"} for t in sent) or "this paper" in sent.text.lower()
        for token in sent:
            verb = cue_verb(token, lexicon.PROPOSE_FORMS, parsed=parsed)
            if verb is None or (parsed and token.pos_ != "VERB"):
                continue
            if verb[1]:  # passive
                target = _last_mention_before(mentions, sent.start, token.i)
            elif self_ref:
                target = _first_mention_after(doc, mentions, token.i, sent.end)
            else:
                continue
            if target is not None and _can_be_proposed(doc, mentions[target]):
                proposed.add(target)
                if _described_as_dataset(doc, mentions[target], sent.end, parsed=parsed):
                    mentions[target] = mentions[target].with_(type=EntityType.DATASET)
    names: dict[str, EntityType] = {}
    for i in sorted(proposed):
        m = mentions[i]
        kind = EntityType.METHOD if m.type is EntityType.TASK else m.type
        for form in (doc[m.start : m.end].text, m.long_form, m.short_form):
            if form:
                names.setdefault(form.lower(), kind)
    out = []
    for m in mentions:
        forms = (doc[m.start : m.end].text.lower(), (m.long_form or "").lower(), (m.short_form or "").lower())
        kind = next((names[f] for f in forms if f in names), None)
        if kind is not None:
            m = m.with_(proposed=True, type=kind)
        out.append(m)
    return out


def _described_as_dataset(doc: Doc, m: Candidate, sent_end: int, *, parsed: bool) -> bool:
    """``X, a (new) benchmark for ...``: the appositive says what X is."""
    if m.end >= sent_end or doc[m.end].text != ",":
        return False
    for token in doc[m.end + 1 : min(m.end + 8, sent_end)]:
        if token.lower_ in lexicon.DATASET_HEADS:
            return True
        ends = token.pos_ in {"VERB", "ADP", "PUNCT"} if parsed else token.is_punct or token.lower_ in lexicon.PREPOSITIONS
        if ends or token.lower_ in lexicon.METHOD_HEADS:
            return False
    return False


def _can_be_proposed(doc: Doc, m: Candidate) -> bool:
    if m.type is not EntityType.TASK:
        return True
    words = doc[m.start : m.end]
    return any(is_name_shaped(t.text) for t in words) or (m.short_form is not None and words[0].text[:1].isupper())


def _first_mention_after(doc: Doc, mentions: list[Candidate], verb: int, sent_end: int) -> int | None:
    limit = min(verb + 12, sent_end)
    for i, m in enumerate(mentions):
        if verb < m.start < limit:
            between = doc[verb + 1 : m.start]
            if any(t.text in {";", ":"} or t.lower_ in {"that", "which", "for", "to"} for t in between):
                return None
            return i
    return None


def _last_mention_before(mentions: list[Candidate], sent_start: int, verb: int) -> int | None:
    before = [i for i, m in enumerate(mentions) if sent_start <= m.start and m.end <= verb]
    return before[-1] if before else None
