"""Training kgraph's entity recognizer (``make train``).

:mod:`.corpus` converts the benchmarks' training splits into spaCy docs with
partial annotation kept partial; :mod:`.train` runs the recipe. Nothing here
runs when kgraph builds a graph.
"""
