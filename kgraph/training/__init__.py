"""Offline builds of what extraction reads: kgraph's trained models and its known-names vocabulary.

:mod:`.encoder` trains the default entity tagger and :mod:`.pairs` its relation and
proposal model on the annotated abstracts (:mod:`.silver`), ``make train-encoder``
and ``make train-pairs``; :mod:`.train` retrains the fast pipeline's CNN
recognizer from the benchmarks converted by :mod:`.corpus` and :mod:`.pwc_silver`
(``python -m kgraph.training``); :mod:`.vocab` builds the bundled vocabulary from
the Papers with Code lists. Nothing here runs when kgraph builds a graph: the
run-time side of each lives in :mod:`kgraph.nlp`.
"""
