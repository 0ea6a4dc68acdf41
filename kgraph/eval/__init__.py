"""Measuring kgraph against external benchmarks (SciERC).

The benchmark data is read from where the user keeps it and never copied into
the repository; see ``docs/BENCHMARKS.md`` for the commands and the numbers.
"""

from .score import PRF, score_triples
from .scierc import SciercDocument, SciercSentence, iter_scierc, read_scierc

__all__ = ["PRF", "SciercDocument", "SciercSentence", "iter_scierc", "read_scierc", "score_triples"]
