"""Building the known-names vocabulary (gazetteer) of methods, tasks and datasets.

Built from the Papers with Code (PwC) lists in ``shared/vocab/pwc`` (provenance
in its ``SOURCE.md``) and bundled as ``kgraph/resources/pwc_vocab.jsonl``, which
stays under CC BY-SA 4.0 (``kgraph/resources/PWC_VOCAB_LICENSE.md``). Rebuild::

    python -m kgraph.training.vocab ../shared/vocab/pwc kgraph/resources/pwc_vocab.jsonl

Extraction reads the file with :func:`kgraph.nlp.vocab.load_vocab`.

Inputs: ``methods.jsonl`` (name, full name, paper count), ``tasks.jsonl`` (name,
parents), ``datasets_datafinder.jsonl`` (name, leaderboard variants,
description), ``dataset_names_ws2025.jsonl`` (2025 dataset names and leaderboard
labels) and the method descriptions in ``raw/methods.kuefmz-pow_categories.json.gz``.
The descriptions are never copied: they are the ML prose that the rules below
count words and acronym definitions in.

The vocabulary is matched against running text, so each surface form (a name, a
method's full name, a dataset variant) is judged by what it would match there.
A form is dropped for the first rule it breaks, and every drop is recorded with
its reason (:func:`build_vocab_report`; ``python -m kgraph.training.vocab`` prints
the counts, ``--dropped FILE`` lists them).

String rules
    ``placeholder`` ``(deleted task 2)``. ``markup-or-spam``: characters no paper
    puts in a name (``[[ (( ~ | :: = < > { } ^ $ * @ ; _x_``, URLs, symbols):
    search spam ("####How do i ask a question at Expedia?"), LaTeX, SQL,
    catalogue listings. ``question``: ``?`` in three or more words.
    ``setting-or-split``: ``%``, ``->``, ``5-shot``, ``10-1``, language pairs
    (``ja-en``) and, for datasets, split and setting words (``val``, ``dev``,
    lower-case ``test``, ``64x64``, ``4x upscaling``, ``sigma50``, ``labels``,
    ``vs``, ``X to Y``). ``title-or-qualifier``: ``": "`` (paper titles,
    ``KILT: FEVER``). ``parenthetical-qualifier``: ``X (Y)`` unless one side
    abbreviates the other, when ``Automatic Speech Recognition (ASR)`` becomes
    the name with an alias. ``too-long``: over :data:`MAX_WORDS` words.
    ``too-short``: under three letters and digits (``AM``, ``EM``, ``16k``)
    except a letter and digits (``T5``, ``C4``); ``mostly-symbols``: under two
    letters (``3D``) or letters under a quarter of the characters.

Variant rules (datasets)
    A DataFinder variant is an alias only if it shares a word with the dataset
    or abbreviates it (``unrelated-variant``: ``XTREME`` -> ``BUCC``), and not
    the dataset name followed by non-version words (``leaderboard-variant``:
    ``KITTI Cars Easy``; ``SQuAD 2.0`` stays). A 2025 leaderboard label that
    extends a listed dataset the same way is dropped too.

Word rules
    Words are checked against spaCy's English stop words and the English
    headwords of the lemmatizer of kgraph's base model (WordNet's nouns, verbs,
    adjectives, adverbs; plurals and ``-ing``/``-ization``/``-al`` forms count).

    * ``generic-word`` / ``generic-phrase``: only stop words and
      :data:`GENERIC_WORDS` (one word: "Attention", "Video", "Prediction" - in
      an abstract they carry their plain meaning) or, for longer names,
      :data:`GENERIC_NOUNS` ("Task 2", "Deep Learning", "Large Language
      Model"). Technical phrases of generic words survive ("Graph Attention
      Network", "Knowledge Graph Embedding").
    * ``common-word``: a one-word name that is an English word ("people",
      "Focus", "Library", "Weather") is kept only if

      - methods and tasks: at least :data:`HEAD_MIN` other PwC names of that
        type end with it, i.e. PwC uses it as a category ("Dropout": Spatial
        Dropout...; "Segmentation"); matched in any case ("dropout");
      - methods and datasets named in PwC's curated lists, capitalised: the
        word is rare in ML prose, used in lower case in at most 1 in
        :data:`RARE_PER` PwC descriptions ("Adam", "Kinetics", "Cora", not
        "Focus" or "Places"); matched case-sensitively.

      For tasks an unspaced compound ("Multiple-choice", "X-Ray") counts as one
      word.
    * ``task-not-descriptive``: a one-token task with capitals or digits
      ("SSIM", "HellaSwag", "BraTS2021"): PwC's task list carries metric,
      benchmark and model names from its evaluation tables; tasks are kept
      under their spelled-out names.
    * ``plural-head``: a task whose head noun (the last word before a
      preposition) is plural and that has no ``-ing`` word: it names things,
      not an activity ("Point Clouds", "Knowledge Graphs", "Prediction
      Intervals", "Atari Games"; "Learning with Noisy Labels" stays).
    * ``unlisted-acronym``: a bare acronym known only as a 2025 leaderboard
      label ("SOTA", "PSNR").
    * ``descriptive-phrase``: a dataset name of English words that is not
      capitalised like a proper name ("Music domain"); capitalised ones
      ("Visual Genome", "Scene Flow") are kept, matched case-sensitively.
    * ``ambiguous-acronym``: an acronym that PwC descriptions define as
      something else more often than they use it for this entry (dataset "SVD"
      against "singular value decomposition (SVD)"); see
      :meth:`Lexicon.acronym_clash`.

Case
    A form matches case-sensitively (``case_sensitive`` for the name,
    ``exact_aliases`` for aliases; :meth:`VocabEntry.surface_forms` gives both)
    when another casing would be another word: all-capital acronyms (``GAN``,
    ``BERT``, ``USE``, ``SPEED``), forms of three characters or fewer (``T5``),
    mixed-case names whose lower case is English (``GloVe``, ``SQuAD``), the
    rare capitalised words above ("Adam") and capitalised dataset phrases of
    English words. All else matches in any case (``ResNet``, ``Residual
    Network``, ``Semantic Segmentation``).

Merging and collisions
    Forms are compared by their letters and digits, case-folded (``CIFAR-10``
    = ``cifar10``). Same-type entries with the same name merge and pool their
    aliases; the name comes from the first source (PwC methods, DataFinder,
    2025 dataset names, 2025 leaderboard labels, tasks; more papers first). A
    dataset description's own definition of its acronym name is added as an
    alias ("ATIS" -> "Airline Travel Information Systems").

    A name found in several types (``type-collision``) goes to one:
    a descriptive name of English words to the task (PwC task names are such
    phrases; "Visual Question Answering", "Colorization"), or to the method if
    it ends in an architecture noun ("Graph Neural Network"); any other name to
    the method if PwC links it to at least :data:`POPULAR_METHOD` papers
    ("SGD", "OPT"), else to the dataset ("CoLA", "LAMA"), else the task. A
    dataset known only as a leaderboard label never takes a task's name
    ("Text-To-SQL"). An alias that is another entry's name
    (``alias-is-other-name``) or is shared by several entries
    (``ambiguous-alias``) is removed.

Parents (tasks)
    PwC's partial hierarchy, keeping a link only when the parent is a kept task
    sharing a content word with the child ("Real-Time Semantic Segmentation" ->
    "Semantic Segmentation"); this removes evaluation-table artefacts ("10-shot
    image generation" -> "Semantic Segmentation").
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import PipelineError
from ..nlp.pipeline import BASE_MODEL  # the English word list comes from its lemmatizer
from ..nlp.vocab import TYPES, VocabEntry, write_vocab

ID_PREFIX = "pwc"
TYPE_PRIORITY = ("method", "dataset", "task")
# Last words that make a descriptive name a method ("Graph Neural Network").
ARCHITECTURE_NOUNS = frozenset(
    "network networks model models layer layers unit units block blocks module modules "
    "architecture architectures algorithm algorithms optimizer optimizers".split()
)

METHODS_FILE = "methods.jsonl"
TASKS_FILE = "tasks.jsonl"
DATAFINDER_FILE = "datasets_datafinder.jsonl"
WS2025_FILE = "dataset_names_ws2025.jsonl"
METHOD_DESCRIPTIONS_FILE = "raw/methods.kuefmz-pow_categories.json.gz"

MAX_WORDS = 8
POPULAR_METHOD = 100  # PwC papers: a method this used keeps a name a dataset also has
HEAD_MIN = 3
RARE_PER = 1000

# Kind nouns and umbrella words: they say what sort of thing something is, or
# name the whole field, not one method or task. A name made only of these,
# numbers and stop words ("Task 2", "Deep Learning", "Large Language Model",
# "Computational Efficiency") names nothing in particular.
GENERIC_NOUNS = frozenset(
    """
    model models method methods approach approaches framework frameworks system systems
    algorithm algorithms technique techniques strategy strategies scheme schemes pipeline
    pipelines baseline baselines tool tools data dataset datasets benchmark benchmarks
    corpus corpora task tasks problem problems sample samples
    deep machine neural artificial intelligence large efficient efficiency computational
    learning network networks language
    """.split()
)

# Words that every ML abstract uses in their plain sense. PwC lists some of them
# alone ("Attention", "Prediction", "Video") but a bare match ("has attracted
# attention", "prediction accuracy") names nothing. Phrases of them do ("Graph
# Attention Network"), except for datasets, whose names must be proper names.
GENERIC_WORDS = GENERIC_NOUNS | frozenset(
    """
    architecture architectures module modules layer layers block blocks unit units
    function functions mechanism mechanisms label labels
    training inference prediction predictions feature features embedding embeddings
    attention optimization analysis evaluation performance accuracy quality
    image images video videos text texts audio signal signals time information
    knowledge object objects structure graph graphs sequence sequences document documents
    sentence sentences word words
    """.split()
)

# Trailing words that a dataset name may carry or drop ("Cornell Grasp Dataset").
_DATASET_SUFFIXES = ("dataset", "datasets", "data set", "benchmark", "corpus")

_SOURCE_RANK = {METHODS_FILE: 0, DATAFINDER_FILE: 1, WS2025_FILE: 2, TASKS_FILE: 3}

@dataclass(frozen=True, slots=True)
class Dropped:
    """A name (or alias) left out of the vocabulary, and why."""

    type: str
    name: str
    reason: str
    source: str
    detail: str = ""


@dataclass(frozen=True)
class VocabReport:
    """The result of :func:`build_vocab_report`: what was kept and what was dropped."""

    entries: tuple[VocabEntry, ...]
    dropped: tuple[Dropped, ...]

    def counts_by_type(self) -> dict[str, int]:
        counts = Counter(e.type for e in self.entries)
        return {t: counts[t] for t in TYPES}

    def counts_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(d.reason for d in self.dropped).items(), key=lambda kv: (-kv[1], kv[0])))


# --- string rules --------------------------------------------------------------

_SPAM_RE = re.compile(r"\[\[|\(\(|~|\||::|##|_\w*_|https?:|www\.|[=<>{}^$*@;\"`\\\[\]]")
_SETTING_RE = re.compile(
    r"%|->|→|\b\d+-(?:shot|way)\b|\b\d+-\d+\b|(?<![\w-])[a-z]{2,3}-[a-z]{2,3}(?![\w-])"
)
# split, subset and setting words in dataset names: in any case, then lower case only
_DATASET_SETTING_RE = re.compile(
    r"\b(?:val|valid|validation|dev|testdev|test-dev|test-std|test-challenge|trainval|splits?|folds?"
    r"|subset|labels|labeled|unlabeled|upscaling|noise level|per class|vs|sigma\s*\d+)\b",
    re.IGNORECASE,
)
_DATASET_SETTING_LOWER_RE = re.compile(
    r"\b(?:test|train|frames|clients)\b|\d+\s*[x×]\s*\d+|\b\d+x\b|,\s*\d|(?<=\w)[- ]to[- ](?=[A-Z])"
)
_PAREN_RE = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)$")
_WORD_RE = re.compile(r"[^\W_]+")
_SLUG_RE = re.compile(r"[a-z]+(?:-[a-z]+){2,}")


def normalize_key(text: str) -> str:
    """The comparison key of a name: its letters and digits, case-folded.

    >>> normalize_key("CIFAR-10") == normalize_key("cifar10")
    True
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def clean_name(text: str) -> str:
    """NFC, single spaces, no surrounding whitespace."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def _is_acronym_of(short: str, long: str) -> bool:
    """Whether ``short`` abbreviates ``long`` (Schwartz-Hearst style letter match)."""
    letters = [c.lower() for c in short if c.isalnum()]
    if not 2 <= len(letters) <= 10 or not any(c.isupper() for c in short) or len(long.split()) < 2:
        return False
    if letters[0] != long.lstrip()[0].lower():
        return False
    text = long.lower()
    pos = 0
    for ch in letters:
        pos = text.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def _string_junk(form: str, type_: str) -> str | None:
    """The reason ``form`` cannot be a name, judged on the string alone."""
    if not form:
        return "empty"
    if re.fullmatch(r"\(.*\)", form) or re.search(r"\bdeleted\b", form, re.IGNORECASE):
        return "placeholder"
    if _SPAM_RE.search(form) or any(unicodedata.category(ch) in ("So", "Co", "Cn") for ch in form):
        return "markup-or-spam"
    if "?" in form and len(form.split()) >= 3:
        return "question"
    if _SETTING_RE.search(form):
        return "setting-or-split"
    if type_ == "dataset" and (_DATASET_SETTING_RE.search(form) or _DATASET_SETTING_LOWER_RE.search(form)):
        return "setting-or-split"
    if ": " in form or form.endswith(":"):
        return "title-or-qualifier"
    if "(" in form or ")" in form:
        return "parenthetical-qualifier"
    if len(form.split()) > MAX_WORDS:
        return "too-long"
    alnum = [ch for ch in form if ch.isalnum()]
    letters = [ch for ch in alnum if ch.isalpha()]
    code = re.fullmatch(r"[^\W\d_]\d+", form)  # T5, C4, G1020
    if len(alnum) < 3 and not code:
        return "too-short"
    chars = [ch for ch in form if not ch.isspace()]
    if not code and (len(letters) < 2 or 4 * len(letters) < len(chars)):
        return "mostly-symbols"
    return None


def split_parenthetical(form: str) -> tuple[str, ...] | None:
    """``X (ACR)`` or ``ACR (X)`` -> ``(X, ACR)``; other parentheses -> None.

    >>> split_parenthetical("Automatic Speech Recognition (ASR)")
    ('Automatic Speech Recognition', 'ASR')
    >>> split_parenthetical("Face Recognition (Closed-Set)") is None
    True
    """
    match = _PAREN_RE.match(form)
    if not match:
        return None
    outer, inner = match["outer"].strip(), match["inner"].strip()
    if _is_acronym_of(inner, outer):
        return (outer, inner)
    if _is_acronym_of(outer, inner):
        return (outer, inner)
    return None


def _dataset_core(form: str) -> str:
    """``Cornell Grasp Dataset`` -> ``Cornell Grasp``."""
    lowered = form.lower()
    for suffix in _DATASET_SUFFIXES:
        if lowered.endswith(" " + suffix) and len(form) > len(suffix) + 1:
            return form[: -len(suffix) - 1].rstrip(" -,")
    return form


# --- word rules ----------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """English words and PwC-derived evidence that the word rules consult."""

    english: frozenset[str]
    stop_words: frozenset[str]
    heads: dict[str, Counter]  # type -> last word (case-folded) -> number of names ending in it
    lower: dict[str, frozenset[int]]  # word -> the PwC descriptions that use it in lower case
    documents: int  # number of PwC descriptions
    definitions: dict[str, list[tuple[str, int]]]  # acronym -> (long form, description)
    mentions: dict[str, frozenset[int]]  # acronym -> the descriptions that use it
    method_documents: int  # descriptions [0, method_documents) are methods', the rest datasets'

    def is_english(self, word: str) -> bool:
        w = word.lower()
        if len(w) < 2:  # letters ("Q-Learning", "X-Ray") are not words
            return False
        if w in self.english or w in self.stop_words:
            return True
        # inflections and derivations the headword list lacks: plurals,
        # "captioning", "colorization", "variational"
        for suffix, replacements in _SUFFIXES:
            if w.endswith(suffix) and len(w) > len(suffix) + 2:
                stem = w[: -len(suffix)]
                if any(stem + r in self.english for r in replacements):
                    return True
        return False

    def is_plural(self, word: str) -> bool:
        """``Clouds``, ``Games``, ``Models``; not ``Analysis``, ``Series``, ``Robotics``."""
        w = word.lower()
        if word.isupper() or not w.endswith("s") or w.endswith(("ss", "us", "is", "ics")):
            return False
        return any(w.endswith(suffix) and w[: -len(suffix)] + r in self.english for suffix, r in _PLURALS)

    def is_category_head(self, word: str, type_: str) -> bool:
        return self.heads.get(type_, Counter())[word.casefold()] >= HEAD_MIN

    def acronym_clash(
        self, acronym: str, type_: str, long_forms: list[str], own_docs: Collection[int]
    ) -> bool:
        """Whether ML writers use ``acronym`` for something else more than for this.

        Against: definitions in PwC descriptions (other than its own) with another
        long form, or, when no long form is known, definitions in descriptions
        of another type (methods' "singular value decomposition (SVD)" against a
        dataset "SVD"). For: descriptions of its own type that use the acronym,
        and agreeing definitions. Popular acronyms (SGD, COCO) are used far more
        often than defined, so a stray definition does not remove them.
        """
        own = set(own_docs)
        uses = [(long, doc) for long, doc in self.definitions.get(acronym, ()) if doc not in own]
        if not uses:
            return False

        def same_type(doc: int) -> bool:
            return (doc < self.method_documents) == (type_ == "method") and type_ != "task"

        if long_forms:
            agree = {
                doc for long, doc in uses if any(_same_long_form(long, k, self.stop_words) for k in long_forms)
            }
            against = {doc for _, doc in uses} - agree
        else:
            agree = {doc for _, doc in uses if same_type(doc)}
            against = {doc for _, doc in uses if not same_type(doc)}
        support = agree | {doc for doc in self.mentions.get(acronym, ()) if same_type(doc) and doc not in own}
        return len(against) > len(support)

    def own_definitions(self, acronym: str, own_docs: Collection[int]) -> list[str]:
        return [long for long, doc in self.definitions.get(acronym, ()) if doc in own_docs]

    def is_rare_in_prose(self, word: str, own_docs: Collection[int] = ()) -> bool:
        """Used in lower case in at most 1 in :data:`RARE_PER` PwC descriptions."""
        uses = len(self.lower.get(word.lower(), frozenset()) - set(own_docs))
        return uses * RARE_PER <= self.documents


_PLURALS = (("ies", "y"), ("es", ""), ("s", ""))
_PREPOSITIONS = frozenset("in from of for with on at to via using under by".split())


def _head_word(name: str) -> str:
    """The last word before the first preposition: ``Detection`` in
    ``Object Detection In Aerial Images``."""
    words = name.split()
    for i, word in enumerate(words[1:], 1):
        if word.lower() in _PREPOSITIONS:
            return words[i - 1]
    return words[-1]


_SUFFIXES = (
    ("ies", ("y",)),
    ("es", ("",)),
    ("s", ("",)),
    ("ing", ("", "e")),
    ("ization", ("ize", "ise")),
    ("isation", ("ise", "ize")),
    ("al", ("",)),
)


def _is_acronym(form: str) -> bool:
    """``GAN``, ``SVD``, ``GPT-2``: capitals (and digits), no lower-case letters."""
    letters = [ch for ch in form if ch.isalpha()]
    return " " not in form and len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _has_inner_capital(token: str) -> bool:
    return any(any(ch.isupper() for ch in part[1:]) for part in re.split(r"[^A-Za-z]+", token) if part)


def _judge_words(
    form: str,
    type_: str,
    lex: Lexicon,
    *,
    own_docs: Collection[int] = (),
    listed: bool = True,
    alias: bool = False,
) -> tuple[str | None, bool]:
    """``(reason to drop or None, match case-sensitively)`` for a string-clean form.

    ``listed`` is False for names known only as leaderboard labels (2025 benchmark
    names): a common word there is an Atari game or a city split, not a dataset.
    ``alias`` is True for a form other than the record's own name (a task's
    acronym from "Automatic Speech Recognition (ASR)" may be a bare acronym).
    """
    words = _words(form)
    named = [w for w in words if not any(ch.isdigit() for ch in w)]
    short = sum(ch.isalnum() for ch in form) <= 3
    coded = _has_inner_capital(form) or len(named) < len(words)  # capitals inside, or digits
    if type_ == "task" and not alias and " " not in form and coded:
        return "task-not-descriptive", False
    if " " not in form and _has_inner_capital(form):
        letters = [ch for ch in form if ch.isalpha()]
        if not listed and all(ch.isupper() for ch in letters) and len(named) == len(words):
            return "unlisted-acronym", True
        acronym = all(ch.isupper() for ch in letters) and not any(ch.isdigit() for ch in form)
        return None, acronym or short or bool(named) and all(lex.is_english(w) for w in named)
    # one word; for tasks also an unspaced compound ("Multiple-choice", "X-Ray")
    if len(words) == 1 or (type_ == "task" and " " not in form):
        if len(named) < len(words) or not all(lex.is_english(w) for w in words):
            return None, short
        if all(w.lower() in GENERIC_WORDS or w.lower() in lex.stop_words for w in words):
            return "generic-word", False
        if type_ != "dataset" and lex.is_category_head(form, type_):
            return None, False
        if type_ != "task" and listed and form[0].isupper() and lex.is_rare_in_prose(form, own_docs):
            return None, True
        return "common-word", False
    generic = GENERIC_WORDS if type_ == "dataset" else GENERIC_NOUNS
    if all(w.lower() in generic or w.lower() in lex.stop_words for w in named):
        return "generic-phrase", False
    if type_ == "task" and lex.is_plural(_head_word(form)) and not any(w.endswith("ing") for w in named):
        return "plural-head", False
    if type_ == "dataset" and all(lex.is_english(w) or w.lower() in GENERIC_WORDS for w in named):
        content = [w for w in named if w.lower() not in lex.stop_words]
        if content and all(w[0].isupper() for w in content):
            return None, True
        return "descriptive-phrase", False
    return None, False


# --- reading the inputs --------------------------------------------------------


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise PipelineError(f"cannot read PwC vocabulary input {path}: {exc.strerror}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PipelineError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get("name"), str):
                raise PipelineError(f"{path}:{number}: expected an object with a string 'name'")
            yield number, record


@dataclass
class _Candidate:
    type: str
    forms: list[str]  # preferred name first
    source: str
    rank: tuple
    pwc_id: str | None = None
    parents: tuple[str, ...] = ()
    own_docs: tuple[int, ...] = ()
    listed: bool = True  # False: a leaderboard label only
    papers: int = 0  # methods: PwC's paper count


def _read_prose(pwc_dir: Path) -> tuple[list[str], dict[str, int], dict[str, int]]:
    """PwC descriptions: the texts (methods first, then datasets), and the index
    of each method's and dataset's own."""
    path = pwc_dir / METHOD_DESCRIPTIONS_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            methods = json.load(handle)
    except (OSError, EOFError, json.JSONDecodeError) as exc:
        raise PipelineError(f"cannot read PwC method descriptions {path}: {exc}") from None
    texts: list[str] = []
    method_doc: dict[str, int] = {}
    for record in methods:
        slug = str(record.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
        method_doc[slug] = len(texts)
        texts.append(str(record.get("description") or ""))
    dataset_doc: dict[str, int] = {}
    for _, record in _read_jsonl(pwc_dir / DATAFINDER_FILE):
        dataset_doc.setdefault(record["name"], len(texts))
        texts.append(str(record.get("description") or ""))
    return texts, method_doc, dataset_doc


_LOWER_RE = re.compile(r"\b([a-z]+)\b")
_MARKUP_RE = re.compile(r"\]\([^)]*\)|https?://\S+|\$[^$]*\$|`[^`]*`")


_ACRONYM_AFTER_RE = re.compile(r"\(\s*([A-Z][A-Za-z0-9+-]{1,11})\s*\)")  # long form (ACR)
_ACRONYM_BEFORE_RE = re.compile(r"\b([A-Z][A-Za-z0-9+-]{1,11})\s*\(([^()]{3,100})\)")  # ACR (long form)


def _find_definitions(texts: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Acronym -> (long form, description) for each ``long form (ACR)`` or
    ``ACR (long form)`` in the descriptions whose initials match."""
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for i, raw in enumerate(texts):
        text = _MARKUP_RE.sub(" ", raw).replace("**", "")
        for match in _ACRONYM_AFTER_RE.finditer(text):
            acronym = _singular_acronym(match[1])
            words = text[: match.start()].split()[-12:]
            for k in range(2, len(words) + 1):
                long = " ".join(words[-k:]).strip(",.;:'\"")
                if _is_acronym_of(acronym, long):
                    found[acronym].append((long, i))
                    break
        for match in _ACRONYM_BEFORE_RE.finditer(text):
            acronym, long = _singular_acronym(match[1]), match[2].strip()
            if _is_acronym_of(acronym, long):
                found[acronym].append((long, i))
    return dict(found)


def _singular_acronym(text: str) -> str:
    return text[:-1] if len(text) > 2 and text.endswith("s") and text[:-1].isupper() else text


def _long_form_words(text: str, stop_words: Collection[str]) -> set[str]:
    ignore = set(stop_words) | set(_DATASET_SUFFIXES) | {"data", "set"}
    return {w.casefold().rstrip("s") for w in _words(text) if w.casefold() not in ignore}


def _same_long_form(a: str, b: str, stop_words: Collection[str]) -> bool:
    wa, wb = _long_form_words(a, stop_words), _long_form_words(b, stop_words)
    return bool(wa and wb) and 2 * len(wa & wb) >= len(wa | wb)


_ACRONYM_TOKEN_RE = re.compile(r"(?<![\w-])([A-Z][A-Za-z0-9+-]*[A-Z0-9])(?:s)?(?![\w-])")


def _index_acronyms(texts: list[str]) -> dict[str, frozenset[int]]:
    """acronym -> the descriptions that use it (capitals and digits only)."""
    found: dict[str, set[int]] = defaultdict(set)
    for i, text in enumerate(texts):
        for token in _ACRONYM_TOKEN_RE.findall(_MARKUP_RE.sub(" ", text).replace("**", " ")):
            if _is_acronym(token):
                found[token].add(i)
    return {a: frozenset(s) for a, s in found.items()}


def _index_prose(texts: list[str]) -> dict[str, frozenset[int]]:
    """word -> the descriptions that use it in lower case (links, URLs and maths removed)."""
    lower: dict[str, set[int]] = defaultdict(set)
    for i, text in enumerate(texts):
        for word in _LOWER_RE.findall(_MARKUP_RE.sub(" ", text)):
            lower[word].add(i)
    return {w: frozenset(s) for w, s in lower.items()}


def _read_candidates(
    pwc_dir: Path, method_doc: dict, dataset_doc: dict
) -> tuple[list[_Candidate], list[Dropped]]:
    candidates: list[_Candidate] = []
    dropped: list[Dropped] = []
    for _, r in _read_jsonl(pwc_dir / METHODS_FILE):
        forms = [r["name"], r.get("full_name") or ""]
        slug = str(r.get("id") or "")
        docs = (method_doc[slug],) if slug in method_doc else ()
        papers = int(r.get("num_papers") or 0)
        rank = (_SOURCE_RANK[METHODS_FILE], -papers, r["name"])
        candidates.append(
            _Candidate("method", forms, METHODS_FILE, rank, pwc_id=slug or None, own_docs=docs, papers=papers)
        )
    for _, r in _read_jsonl(pwc_dir / TASKS_FILE):
        rank = (_SOURCE_RANK[TASKS_FILE], -int(r.get("dataset_count") or 0), r["name"])
        parents = tuple(p for p in r.get("parents") or () if isinstance(p, str))
        candidates.append(_Candidate("task", [r["name"]], TASKS_FILE, rank, parents=parents))
    listed_names: set[str] = set()
    for _, r in _read_jsonl(pwc_dir / DATAFINDER_FILE):
        listed_names.add(clean_name(r["name"]).casefold())
        forms = [r["name"]]
        for variant in r.get("variants") or ():
            if not isinstance(variant, str) or clean_name(variant) == clean_name(r["name"]):
                continue
            reason = _variant_problem(clean_name(r["name"]), clean_name(variant))
            if reason:
                dropped.append(Dropped("dataset", clean_name(variant), reason, DATAFINDER_FILE, r["name"]))
            else:
                forms.append(variant)
        docs = (dataset_doc[r["name"]],) if r["name"] in dataset_doc else ()
        rank = (_SOURCE_RANK[DATAFINDER_FILE], -len(forms), r["name"])
        candidates.append(_Candidate("dataset", forms, DATAFINDER_FILE, rank, own_docs=docs))
    ws = list(_read_jsonl(pwc_dir / WS2025_FILE))
    listed_names |= {clean_name(r["name"]).casefold() for _, r in ws if "dataset" in (r.get("kind") or ())}
    for _, r in ws:
        kinds = r.get("kind") or ()
        listed = "dataset" in kinds
        base = None if listed else _listed_base(clean_name(r["name"]), listed_names)
        if base:
            name = clean_name(r["name"])
            dropped.append(Dropped("dataset", name, "leaderboard-variant", WS2025_FILE, base))
            continue
        rank = (_SOURCE_RANK[WS2025_FILE], 0 if listed else 1, -len(r.get("tasks") or ()), r["name"])
        candidates.append(_Candidate("dataset", [r["name"]], WS2025_FILE, rank, listed=listed))
    return candidates, dropped


def _is_version(text: str) -> bool:
    """``120``, ``v2.1``, ``2014``: words that number a release rather than name a split."""
    return all(any(ch.isdigit() for ch in word) for word in text.split())


def _listed_base(name: str, listed: set[str]) -> str | None:
    """The listed dataset that a benchmark label extends with split words
    (``KITTI Cars Easy`` -> ``KITTI``), or None."""
    words = name.split()
    for i in range(len(words) - 1, 0, -1):
        base = " ".join(words[:i])
        if base.casefold() in listed and not _is_version(" ".join(words[i:])):
            return base
    return None


def _variant_problem(name: str, variant: str) -> str | None:
    """Why a DataFinder variant is not another name of its dataset, or None."""
    if not _related_variant(name, variant):
        return "unrelated-variant"  # XTREME -> BUCC: a part, not a name
    if variant.casefold().startswith(name.casefold() + " ") and not _is_version(variant[len(name) :]):
        return "leaderboard-variant"  # KITTI Cars Easy, CIFAR-10 Image Classification
    return None


def _related_variant(name: str, variant: str) -> bool:
    """A DataFinder variant is an alias only if it shares a word with the name or
    abbreviates it (``XTREME`` -> ``BUCC`` is a sub-benchmark, not a name)."""
    a = {w.casefold() for w in _words(name) if not w.isdigit()}
    b = {w.casefold() for w in _words(variant) if not w.isdigit()}
    if a & b:
        return True
    ka, kb = normalize_key(name), normalize_key(variant)
    if ka and kb and (ka.startswith(kb) or kb.startswith(ka)):
        return True
    return _is_acronym_of(name, variant) or _is_acronym_of(variant, name)


# --- the build -----------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """spaCy's English stop words and the headwords of the base model's lemmatizer."""
    import spacy
    from spacy.lang.en.stop_words import STOP_WORDS

    try:
        unused = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "ner"]
        nlp = spacy.load(BASE_MODEL, exclude=unused)
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (OSError, KeyError, ValueError) as exc:
        raise PipelineError(
            f"cannot read the English word list from spaCy model {BASE_MODEL!r} "
            f"(its lemmatizer's 'lemma_index' table): {exc}"
        ) from None
    words = {w.lower() for values in index.values() for w in values if "_" not in w}
    return frozenset(words | set(STOP_WORDS))


def build_vocab(pwc_dir: Path) -> list[VocabEntry]:
    """The vocabulary built from the PwC files in ``pwc_dir``, sorted by id."""
    return list(build_vocab_report(pwc_dir).entries)


def build_vocab_report(pwc_dir: Path, *, english: Collection[str] | None = None) -> VocabReport:
    """Build the vocabulary and account for every name that was left out.

    ``english`` is the English word list for the common-word rules (default:
    :func:`english_words`).
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    pwc_dir = Path(pwc_dir)
    texts, method_doc, dataset_doc = _read_prose(pwc_dir)
    lower = _index_prose(texts)
    definitions = _find_definitions(texts)
    candidates, dropped = _read_candidates(pwc_dir, method_doc, dataset_doc)
    # category heads: only methods and tasks name categories; datasets are proper names
    names = {(c.type, clean_name(f).casefold()) for c in candidates if c.type != "dataset" for f in c.forms}
    heads: dict[str, Counter] = defaultdict(Counter)
    for type_, name in sorted(names):
        if len(name.split()) > 1:
            heads[type_][name.split()[-1]] += 1
    lex = Lexicon(
        english=frozenset(english) if english is not None else english_words(),
        stop_words=frozenset(STOP_WORDS),
        heads=dict(heads),
        lower=lower,
        documents=len(texts),
        definitions=definitions,
        mentions=_index_acronyms(texts),
        method_documents=min(dataset_doc.values(), default=len(texts)),
    )

    # 1. judge every form; a candidate survives under its first good form
    judged: list[tuple[_Candidate, list[tuple[str, bool]]]] = []
    for cand in candidates:
        good: list[tuple[str, bool]] = []
        name = clean_name(cand.forms[0])
        # "The **ATIS** (**Airline Travel Information Systems**) is ..." gives an alias
        cand.forms.extend(dict.fromkeys(lex.own_definitions(name, cand.own_docs)))
        forms = [pair for raw in cand.forms for pair in _expand(clean_name(raw), cand.type)]
        long_forms = [f for f, _ in forms if len(f.split()) > 1]
        for i, (form, reason) in enumerate(dict.fromkeys(forms)):
            exact = False
            if reason is None:
                reason, exact = _judge_words(
                    form, cand.type, lex, own_docs=cand.own_docs, listed=cand.listed, alias=i > 0
                )
            if reason is None and _is_acronym(form):
                if lex.acronym_clash(_singular_acronym(form), cand.type, long_forms, cand.own_docs):
                    reason = "ambiguous-acronym"
            if reason is None:
                good.append((form, exact))
            elif form:
                dropped.append(Dropped(cand.type, form, reason, cand.source))
        if good:
            judged.append((cand, good))

    # 2. merge same-type candidates with the same key
    groups: dict[tuple[str, str], list[tuple[_Candidate, list[tuple[str, bool]]]]] = defaultdict(list)
    for cand, good in judged:
        groups[(cand.type, normalize_key(good[0][0]))].append((cand, good))
    merged = [_merge(type_, members) for (type_, _), members in sorted(groups.items())]

    # 3. one type per name
    by_key: dict[str, list[_Merged]] = defaultdict(list)
    for entry in merged:
        by_key[entry.key].append(entry)
    kept: list[_Merged] = []
    for key, group in sorted(by_key.items()):
        order = collision_order([e.name for e in group], lex)
        if order == TYPE_PRIORITY and any(e.type == "method" and e.papers < POPULAR_METHOD for e in group):
            order = ("dataset", "method", "task")
        # a leaderboard label named after a task is not a dataset
        group.sort(key=lambda e: (e.type == "dataset" and not e.listed, order.index(e.type)))
        kept.append(group[0])
        for loser in group[1:]:
            detail = f"kept as {group[0].type}"
            dropped.append(Dropped(loser.type, loser.name, "type-collision", loser.source, detail))

    # 4. aliases that are other entries' names, or shared by several entries
    name_keys = {e.key for e in kept}
    alias_owners: dict[str, set[int]] = defaultdict(set)
    for i, entry in enumerate(kept):
        for alias, _ in entry.aliases:
            alias_owners[normalize_key(alias)].add(i)
    for i, entry in enumerate(kept):
        keep_aliases = []
        for alias, exact in entry.aliases:
            key = normalize_key(alias)
            if key != entry.key and key in name_keys:
                dropped.append(Dropped(entry.type, alias, "alias-is-other-name", entry.source, entry.name))
            elif key != entry.key and len(alias_owners[key]) > 1:
                dropped.append(Dropped(entry.type, alias, "ambiguous-alias", entry.source, entry.name))
            else:
                keep_aliases.append((alias, exact))
        entry.aliases = keep_aliases

    entries = _finish(kept, lex)
    dropped.sort(key=lambda d: (d.type, d.reason, d.name, d.source, d.detail))
    return VocabReport(tuple(entries), tuple(dropped))


def collision_order(names: Iterable[str], lex: Lexicon) -> tuple[str, ...]:
    """The order in which types claim a name found in several: see the module docstring."""
    words = [_words(name) for name in names]
    plain = all(lex.is_english(w) and not _has_inner_capital(w) for ws in words for w in ws)
    if not plain:
        return TYPE_PRIORITY
    if words[0][-1].lower() in ARCHITECTURE_NOUNS:
        return ("method", "task", "dataset")
    return ("task", "method", "dataset")


def _expand(form: str, type_: str) -> list[tuple[str, str | None]]:
    """The forms one raw name yields, each with the string rule it breaks (or None)."""
    parts = split_parenthetical(form)
    forms = list(parts) if parts else [form]
    if type_ != "dataset" and _SLUG_RE.fullmatch(form):  # "single-image-generation"
        forms = [form.replace("-", " "), form]
    if type_ == "dataset" and not parts:
        core = _dataset_core(form)
        if core != form:
            forms.append(core)
    return [(f, _string_junk(f, type_)) for f in forms]


@dataclass
class _Merged:
    type: str
    key: str
    name: str
    case_sensitive: bool
    aliases: list[tuple[str, bool]]
    source: str
    pwc_id: str | None
    parents: tuple[str, ...]
    listed: bool
    papers: int


def _merge(type_: str, members: list[tuple[_Candidate, list[tuple[str, bool]]]]) -> _Merged:
    members = sorted(members, key=lambda m: m[0].rank)
    first, first_forms = members[0]
    name, case_sensitive = first_forms[0]
    seen = {name.casefold()}
    aliases: list[tuple[str, bool]] = []
    for _, forms in members:
        for form, exact in forms:
            if form.casefold() not in seen:
                seen.add(form.casefold())
                aliases.append((form, exact))
    pwc_id = next((c.pwc_id for c, _ in members if c.pwc_id), None)
    parents = tuple(dict.fromkeys(p for c, _ in members for p in c.parents))
    listed = any(c.listed for c, _ in members)
    papers = max(c.papers for c, _ in members)
    key = normalize_key(name)
    return _Merged(type_, key, name, case_sensitive, aliases, first.source, pwc_id, parents, listed, papers)


def _slug(text: str) -> str:
    from slugify import slugify

    return slugify(text) or normalize_key(text)


def _finish(kept: list[_Merged], lex: Lexicon) -> list[VocabEntry]:
    tasks = {e.key: e for e in kept if e.type == "task"}
    used_ids: set[str] = set()
    entries = []
    for entry in sorted(kept, key=lambda e: (e.type, e.pwc_id or _slug(e.name), e.key)):
        slug = entry.pwc_id if entry.type == "method" and entry.pwc_id else _slug(entry.name)
        base, n = f"{ID_PREFIX}:{entry.type}/{slug}", 1
        id_ = base
        while id_ in used_ids:
            n += 1
            id_ = f"{base}-{n}"
        used_ids.add(id_)
        parents: list[str] = []
        if entry.type == "task":
            own = _content_words(entry.name, lex)
            for parent in entry.parents:
                parent = clean_name(parent)
                target = tasks.get(normalize_key((split_parenthetical(parent) or (parent,))[0]))
                if target is None or target.key == entry.key or target.name in parents:
                    continue
                if own & _content_words(target.name, lex):
                    parents.append(target.name)
        entries.append(
            VocabEntry(
                id=id_,
                type=entry.type,
                name=entry.name,
                aliases=tuple(a for a, _ in entry.aliases),
                case_sensitive=entry.case_sensitive,
                parents=tuple(sorted(parents)),
                exact_aliases=tuple(a for a, exact in entry.aliases if exact),
            )
        )
    entries.sort(key=lambda e: e.id)
    return entries


def _content_words(name: str, lex: Lexicon) -> set[str]:
    return {w.casefold() for w in _words(name) if w.isalpha() and w.lower() not in lex.stop_words}


# --- command line --------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m kgraph.training.vocab PWC_DIR OUT.jsonl``: rebuild the bundled vocabulary."""
    parser = argparse.ArgumentParser(
        prog="python -m kgraph.training.vocab",
        description="Build kgraph's known-names vocabulary from the Papers with Code lists.",
    )
    parser.add_argument("pwc_dir", type=Path, help="folder with the PwC files (shared/vocab/pwc)")
    parser.add_argument("output", type=Path, help="JSON Lines file to write")
    parser.add_argument("--dropped", type=Path, help="also write every dropped name, with its reason, as TSV")
    args = parser.parse_args(argv)
    try:
        report = build_vocab_report(args.pwc_dir)
        write_vocab(report.entries, args.output)
        if args.dropped:
            rows = ["type\treason\tname\tsource\tdetail\n"]
            rows += [f"{d.type}\t{d.reason}\t{d.name}\t{d.source}\t{d.detail}\n" for d in report.dropped]
            args.dropped.write_text("".join(rows), encoding="utf-8")
    except (PipelineError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(report.entries)} entries to {args.output}")
    for type_, count in report.counts_by_type().items():
        print(f"  {type_:<8} {count:>6}")
    print(f"dropped {len(report.dropped)} names or aliases:")
    for reason, count in report.counts_by_reason().items():
        print(f"  {reason:<24} {count:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
